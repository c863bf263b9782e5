using System.Data.Common;
using CiJobs.Core.Provenance;

namespace CiJobs.Core.Truth;

/// <summary>
/// The store over any ADO.NET connection: the SQL is the same for SQLite and PostgreSQL (<c>ON CONFLICT DO NOTHING</c>
/// upserts, <c>@name</c> parameters) except what <see cref="TruthMigrations"/> says. A subclass opens the connection,
/// takes the write lock at the start of a transaction and turns its provider's errors into <see cref="CiJobsException"/>.
/// </summary>
public abstract partial class SqlTruthStore : ITruthStore
{
    private readonly TimeProvider time;

    protected SqlTruthStore(DbConnection connection, TruthDialect dialect, TimeProvider time)
    {
        Connection = connection;
        Dialect = dialect;
        this.time = time;
    }

    protected DbConnection Connection { get; }

    protected TruthDialect Dialect { get; }

    public abstract string Description { get; }

    /// <summary>Begins a transaction holding the store's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock).</summary>
    protected abstract Task<DbTransaction> BeginWriteAsync(CancellationToken cancellationToken);

    /// <summary>The provider's exception as a <see cref="CiJobsException"/> (137), or null when it is not the provider's.</summary>
    protected abstract CiJobsException? Translate(Exception exception, string doing);

    /// <summary>Opens the store's connection and migrates it; the store is disposed when either step fails.</summary>
    /// <param name="doing">What opening is called in an error ("opening", "connecting").</param>
    protected static async Task<T> OpenAndMigrateAsync<T>(T store, string doing, CancellationToken cancellationToken)
        where T : SqlTruthStore
    {
        ArgumentNullException.ThrowIfNull(store);
        try
        {
            await store.GuardAsync(doing, async () =>
            {
                await store.Connection.OpenAsync(cancellationToken);
                return 0;
            });
            await store.MigrateAsync(cancellationToken);
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>Applies the migrations this store lacks, one transaction each; refuses a store newer than this cijobs.</summary>
    protected async Task MigrateAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var done = await GuardAsync("migrating", async () =>
            {
                await using var transaction = await BeginWriteAsync(cancellationToken);
                await ExecuteAsync(transaction, TruthMigrations.MigrationsTable, [], cancellationToken);
                var current = await CurrentVersionAsync(transaction, cancellationToken);
                if (current > TruthMigrations.Latest)
                {
                    throw new CiJobsException(
                        $"the {Description} has schema version {current}, newer than this cijobs knows ({TruthMigrations.Latest}): use a newer cijobs; the store is left untouched",
                        TruthExitCodes.StoreTooNew);
                }

                var next = TruthMigrations.All.FirstOrDefault(m => m.Version > current);
                if (next is null)
                {
                    await transaction.CommitAsync(cancellationToken);
                    return true;
                }

                foreach (var statement in next.Statements(Dialect))
                {
                    await ExecuteAsync(transaction, statement, [], cancellationToken);
                }

                await ExecuteAsync(
                    transaction,
                    "INSERT INTO schema_migrations (version, description, applied_at) VALUES (@version, @description, @at)",
                    [("version", next.Version), ("description", next.Description), ("at", time.GetUtcNow().ToUnixTimeSeconds())],
                    cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return false;
            });
            if (done)
            {
                return;
            }
        }
    }

    public Task<int> SchemaVersionAsync(CancellationToken cancellationToken) =>
        GuardAsync("reading", async () =>
        {
            await using var command = Command(null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", []);
            return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        });

    private async Task<int> CurrentVersionAsync(DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = Command(transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", []);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task<IngestResult> IngestAsync(IReadOnlyList<ReadManifest> manifests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        return GuardAsync("writing", async () =>
        {
            await using var transaction = await BeginWriteAsync(cancellationToken);
            int added = 0, stored = 0;
            foreach (var manifest in manifests)
            {
                if (await InsertBuildAsync(transaction, manifest, cancellationToken))
                {
                    added++;
                }
                else
                {
                    stored++;
                }
            }

            await transaction.CommitAsync(cancellationToken);
            return new IngestResult(added, stored);
        });
    }

    /// <summary>Inserts one build and its rows; false when its id is stored already (then nothing else is written).</summary>
    private async Task<bool> InsertBuildAsync(DbTransaction transaction, ReadManifest read, CancellationToken cancellationToken)
    {
        var m = read.Manifest;
        var inserted = await ExecuteAsync(
            transaction,
            """
            INSERT INTO builds (id, input_hash, kind, package, project, release, format, status, notes, builder, builder_image,
                cijobs_version, commit_hash, distro_hash, extended_hash, commit_branch, distro_branch, component, dt_commit,
                dt_distro, dt_build, source_nvr, job_url, job_pipeline, job_change, manifest)
            VALUES (@id, @input_hash, @kind, @package, @project, @release, @format, @status, @notes, @builder, @builder_image,
                @cijobs_version, @commit_hash, @distro_hash, @extended_hash, @commit_branch, @distro_branch, @component, @dt_commit,
                @dt_distro, @dt_build, @source_nvr, @job_url, @job_pipeline, @job_change, @manifest)
            ON CONFLICT (id) DO NOTHING
            """,
            [
                ("id", read.BuildId), ("input_hash", m.InputHash), ("kind", m.Kind), ("package", m.Package), ("project", m.Project),
                ("release", m.Release), ("format", m.Format), ("status", m.Status), ("notes", m.Notes), ("builder", m.Builder),
                ("builder_image", m.Inputs.BuilderImage), ("cijobs_version", m.Inputs.CijobsVersion), ("commit_hash", m.Dlrn.CommitHash),
                ("distro_hash", m.Dlrn.DistroHash), ("extended_hash", m.Dlrn.ExtendedHash), ("commit_branch", m.Dlrn.CommitBranch),
                ("distro_branch", m.Dlrn.DistroBranch), ("component", m.Dlrn.Component), ("dt_commit", m.Dlrn.DtCommit),
                ("dt_distro", m.Dlrn.DtDistro), ("dt_build", m.Dlrn.DtBuild), ("source_nvr", m.Outputs.SourceNvr), ("job_url", m.Job.Url),
                ("job_pipeline", m.Job.Pipeline), ("job_change", m.Job.Change), ("manifest", read.Canonical),
            ],
            cancellationToken);
        if (inserted == 0)
        {
            return false;
        }

        var position = 0;
        async Task InputAsync(string kind, string? name, string? url, string? @ref, string? commit, string? tree, string? sha256, string? artifact)
        {
            await ExecuteAsync(
                transaction,
                "INSERT INTO build_inputs (build_id, position, kind, name, url, ref, commit_hash, tree, sha256, artifact_sha256) VALUES (@b, @p, @k, @n, @u, @r, @c, @t, @s, @a)",
                [("b", read.BuildId), ("p", position++), ("k", kind), ("n", name), ("u", url), ("r", @ref), ("c", commit), ("t", tree), ("s", sha256), ("a", artifact)],
                cancellationToken);
        }

        var inputs = m.Inputs;
        if (inputs.Rdoinfo is { } rdoinfo)
        {
            await InputAsync("rdoinfo", rdoinfo.EntryFile, null, rdoinfo.Tag, rdoinfo.Commit, null, rdoinfo.EntrySha256, null);
        }

        await InputAsync("source", null, inputs.Source.Url, inputs.Source.Ref, inputs.Source.Commit, inputs.Source.Tree, null, null);
        await InputAsync("distgit", inputs.Distgit.Path, inputs.Distgit.Url, inputs.Distgit.Ref, inputs.Distgit.Commit, inputs.Distgit.Tree, null, null);
        if (inputs.Patches is { } patches)
        {
            await InputAsync("patches", patches.Path, patches.Url, patches.Ref, patches.Commit, patches.Tree, null, null);
        }

        foreach (var repository in inputs.Buildroot)
        {
            await InputAsync("buildroot", repository.MetadataFile, repository.Url, null, null, null, repository.MetadataSha256, null);
        }

        foreach (var artifact in inputs.Artifacts)
        {
            await ArtifactAsync(transaction, artifact.Sha256, artifact.Size, read.Origin, cancellationToken);
            await InputAsync("artifact", artifact.Name, null, artifact.Role, null, null, artifact.Sha256, artifact.Sha256);
        }

        foreach (var file in m.Outputs.Files)
        {
            await ArtifactAsync(transaction, file.Sha256, file.Size, read.Origin, cancellationToken);
            await ExecuteAsync(
                transaction,
                "INSERT INTO build_outputs (build_id, name, sha256) VALUES (@b, @n, @s)",
                [("b", read.BuildId), ("n", file.Name), ("s", file.Sha256)],
                cancellationToken);
        }

        foreach (var nvr in m.Outputs.Nvrs.Distinct(StringComparer.Ordinal))
        {
            await ExecuteAsync(transaction, "INSERT INTO build_nvrs (build_id, nvr) VALUES (@b, @n)", [("b", read.BuildId), ("n", nvr)], cancellationToken);
        }

        return true;
    }

    /// <summary>Adds the artifact unless stored; one already stored with another size is a contradiction and stops the batch.</summary>
    private async Task ArtifactAsync(DbTransaction transaction, string sha256, long size, string origin, CancellationToken cancellationToken)
    {
        await ExecuteAsync(transaction, "INSERT INTO artifacts (sha256, size) VALUES (@s, @z) ON CONFLICT (sha256) DO NOTHING", [("s", sha256), ("z", size)], cancellationToken);
        var command = Prepared(transaction, "SELECT size FROM artifacts WHERE sha256 = @s", [("s", sha256)]);
        var storedSize = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        if (storedSize != size)
        {
            throw new CiJobsException(
                $"the manifest {origin} gives the artifact {sha256} the size {size}, the store has {storedSize}; nothing of this batch is stored",
                TruthExitCodes.ManifestInvalid);
        }
    }

    public Task<StoredBuild?> FindBuildAsync(string buildId, CancellationToken cancellationToken) =>
        GuardAsync("reading", async () => (await BuildsAsync("b.id = @key", buildId, cancellationToken)).SingleOrDefault());

    public Task<IReadOnlyList<StoredBuild>> FindBuildsByInputHashAsync(string inputHash, CancellationToken cancellationToken) =>
        GuardAsync("reading", () => BuildsAsync("b.input_hash = @key", inputHash, cancellationToken));

    public Task<StoredArtifact?> FindArtifactAsync(string sha256, CancellationToken cancellationToken) =>
        GuardAsync("reading", async () =>
        {
            await using var command = Command(null, "SELECT size FROM artifacts WHERE sha256 = @s", [("s", sha256)]);
            var size = await command.ExecuteScalarAsync(cancellationToken);
            return size is null or DBNull ? null : new StoredArtifact(sha256, Convert.ToInt64(size, System.Globalization.CultureInfo.InvariantCulture));
        });

    public Task<IReadOnlyList<string>> BuildsProducingAsync(string sha256, CancellationToken cancellationToken) =>
        GuardAsync("reading", () => StringsAsync("SELECT DISTINCT build_id FROM build_outputs WHERE sha256 = @s ORDER BY build_id", sha256, cancellationToken));

    public Task<IReadOnlyList<string>> BuildsConsumingAsync(string sha256, CancellationToken cancellationToken) =>
        GuardAsync("reading", () => StringsAsync("SELECT DISTINCT build_id FROM build_inputs WHERE artifact_sha256 = @s ORDER BY build_id", sha256, cancellationToken));

    private async Task<IReadOnlyList<string>> StringsAsync(string sql, string key, CancellationToken cancellationToken)
    {
        await using var command = Command(null, sql, [("s", key)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private async Task<IReadOnlyList<StoredBuild>> BuildsAsync(string where, string key, CancellationToken cancellationToken)
    {
        var builds = new List<StoredBuild>();
        await using (var command = Command(null, $"SELECT b.id, b.input_hash, b.package, b.project, b.release, b.status, b.commit_hash, b.distro_hash, b.dt_build, b.job_url, b.manifest FROM builds b WHERE {where} ORDER BY b.dt_build, b.id", [("key", key)]))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                builds.Add(new StoredBuild
                {
                    Id = reader.GetString(0),
                    InputHash = reader.GetString(1),
                    Package = reader.GetString(2),
                    Project = reader.GetString(3),
                    Release = reader.IsDBNull(4) ? null : reader.GetString(4),
                    Status = reader.GetString(5),
                    CommitHash = reader.GetString(6),
                    DistroHash = reader.GetString(7),
                    DtBuild = reader.GetInt64(8),
                    JobUrl = reader.IsDBNull(9) ? null : reader.GetString(9),
                    Manifest = reader.GetString(10),
                });
            }
        }

        for (var i = 0; i < builds.Count; i++)
        {
            var id = builds[i].Id;
            var outputs = new List<ProvenanceFile>();
            await using (var command = Command(null, "SELECT o.name, a.size, o.sha256 FROM build_outputs o JOIN artifacts a ON a.sha256 = o.sha256 WHERE o.build_id = @b ORDER BY o.name", [("b", id)]))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    outputs.Add(new ProvenanceFile(reader.GetString(0), reader.GetInt64(1), reader.GetString(2)));
                }
            }

            var inputs = new List<StoredInput>();
            await using (var command = Command(null, "SELECT kind, name, url, ref, commit_hash, tree, sha256, artifact_sha256 FROM build_inputs WHERE build_id = @b ORDER BY position", [("b", id)]))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                string? Text(int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
                while (await reader.ReadAsync(cancellationToken))
                {
                    inputs.Add(new StoredInput(reader.GetString(0), Text(1), Text(2), Text(3), Text(4), Text(5), Text(6), Text(7)));
                }
            }

            builds[i] = builds[i] with { Outputs = outputs, Inputs = inputs, Nvrs = await StringsAsync("SELECT nvr FROM build_nvrs WHERE build_id = @s ORDER BY nvr", id, cancellationToken) };
        }

        return builds;
    }

    protected DbCommand Command(DbTransaction? transaction, string sql, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        var command = Connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    protected async Task<int> ExecuteAsync(DbTransaction? transaction, string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken cancellationToken)
    {
        if (transaction is null)
        {
            await using var command = Command(transaction, sql, parameters);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return await Prepared(transaction, sql, parameters).ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The commands of the current write transaction by SQL text, reused with new values (SQLite then prepares each statement once per batch, not once per row).</summary>
    private readonly Dictionary<string, DbCommand> prepared = new(StringComparer.Ordinal);
    private DbTransaction? preparedFor;

    private DbCommand Prepared(DbTransaction transaction, string sql, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        if (!ReferenceEquals(preparedFor, transaction))
        {
            DisposePrepared();
            preparedFor = transaction;
        }

        if (!prepared.TryGetValue(sql, out var command))
        {
            command = Command(transaction, sql, parameters);
            prepared[sql] = command;
            return command;
        }

        foreach (var (name, value) in parameters)
        {
            command.Parameters[name].Value = value ?? DBNull.Value;
        }

        return command;
    }

    private void DisposePrepared()
    {
        foreach (var command in prepared.Values)
        {
            command.Dispose();
        }

        prepared.Clear();
        preparedFor = null;
    }

    /// <summary>Runs <paramref name="action"/>, turning the provider's errors into <see cref="CiJobsException"/>.</summary>
    protected async Task<T> GuardAsync<T>(string doing, Func<Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            return await action();
        }
        catch (Exception e) when (e is not CiJobsException and not OperationCanceledException && Translate(e, doing) is { } translated)
        {
            throw translated;
        }
    }

    public async ValueTask DisposeAsync()
    {
        DisposePrepared();
        await Connection.DisposeAsync();
        await DisposeCoreAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>What a subclass owns beside the connection.</summary>
    protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;
}
