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
                if (store.Dialect == TruthDialect.Sqlite)
                {
                    // A page cache that holds a query's working set (a release's builds, their outputs and artifacts) and
                    // an ingest batch's index pages (SQLite's default is 2 MiB), and statement journals in memory rather
                    // than in temporary files (docs/manual/truth.md, "Performance"). Both last as long as the connection.
                    await store.ExecuteAsync(null, $"PRAGMA cache_size = -{SqliteCacheKib}", [], cancellationToken);
                    await store.ExecuteAsync(null, "PRAGMA temp_store = MEMORY", [], cancellationToken);
                }

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

    /// <summary>The SQLite page cache of a store's connection, in KiB.</summary>
    private const int SqliteCacheKib = 65_536;

    /// <summary>
    /// Rows per INSERT statement. PostgreSQL: 64, one round trip for many rows (at most 27 x 64 parameters). SQLite runs
    /// in-process, and one row per statement measured no slower than 8, 16 or 32 (bench/truth; docs/manual/truth.md).
    /// </summary>
    private int RowsPerInsert => Dialect == TruthDialect.Sqlite ? 1 : 64;

    private const string BuildColumns =
        "id, input_hash, kind, package, project, release, format, status, notes, builder, builder_image, cijobs_version, commit_hash, " +
        "distro_hash, extended_hash, commit_branch, distro_branch, component, dt_commit, dt_distro, dt_build, source_nvr, job_url, " +
        "job_pipeline, job_change, manifest, duration_seconds";

    /// <summary>
    /// Stores a batch in one transaction, all or nothing (docs/manual/truth.md, "Ingest"): the first manifest of each build
    /// id not stored yet is added with its rows; a build already stored (or given twice) is left as it is. The rows go in
    /// multi-row INSERTs, table by table, and the artifacts' sizes are checked in memory against one read of those stored.
    /// </summary>
    public Task<IngestResult> IngestAsync(IReadOnlyList<ReadManifest> manifests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        return GuardAsync("writing", async () =>
        {
            await using var transaction = await BeginWriteAsync(cancellationToken);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var candidates = manifests.Where(m => seen.Add(m.BuildId)).ToList();
            // The write lock is held: no other writer adds a build between this INSERT and the commit.
            var inserted = await InsertRowsAsync(transaction, $"INSERT INTO builds ({BuildColumns})", 27, [.. candidates.Select(BuildRow)], cancellationToken, "ON CONFLICT (id) DO NOTHING RETURNING id");
            var added = candidates.Where(m => inserted.Contains(m.BuildId)).ToList();
            await InsertArtifactsAsync(transaction, added, cancellationToken);
            await InsertRowsAsync(transaction, "INSERT INTO build_inputs (build_id, position, kind, name, url, ref, commit_hash, tree, sha256, artifact_sha256)", 10, [.. added.SelectMany(InputRows)], cancellationToken);
            await InsertRowsAsync(transaction, "INSERT INTO build_outputs (build_id, name, sha256)", 3, [.. added.SelectMany(m => m.Manifest.Outputs.Files.Select(f => new object?[] { m.BuildId, f.Name, f.Sha256 }))], cancellationToken);
            await InsertRowsAsync(
                transaction,
                "INSERT INTO build_totals (build_id, outputs, size)",
                3,
                [.. added.Where(m => m.Manifest.Outputs.Files.Count > 0).Select(m => new object?[] { m.BuildId, (long)m.Manifest.Outputs.Files.Count, m.Manifest.Outputs.Files.Sum(f => f.Size) })],
                cancellationToken);
            await InsertRowsAsync(transaction, "INSERT INTO build_nvrs (build_id, nvr)", 2, [.. added.SelectMany(m => m.Manifest.Outputs.Nvrs.Distinct(StringComparer.Ordinal).Select(n => new object?[] { m.BuildId, n }))], cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new IngestResult(added.Count, manifests.Count - added.Count);
        });
    }

    /// <summary>The row of a build in the builds table, in the order of <see cref="BuildColumns"/>.</summary>
    private static object?[] BuildRow(ReadManifest read)
    {
        var m = read.Manifest;
        return
        [
            read.BuildId, m.InputHash, m.Kind, m.Package, m.Project, m.Release, m.Format, m.Status, m.Notes, m.Builder,
            m.Inputs.BuilderImage, m.Inputs.CijobsVersion, m.Dlrn.CommitHash, m.Dlrn.DistroHash, m.Dlrn.ExtendedHash,
            m.Dlrn.CommitBranch, m.Dlrn.DistroBranch, m.Dlrn.Component, m.Dlrn.DtCommit, m.Dlrn.DtDistro, m.Dlrn.DtBuild,
            m.Outputs.SourceNvr, m.Job.Url, m.Job.Pipeline, m.Job.Change, read.Canonical, m.Build?.DurationSeconds,
        ];
    }

    /// <summary>
    /// Adds the artifacts the new builds read and write, each once (at the size it first has in the batch). A sha256
    /// given a size other than the store's, or than an earlier manifest's of the batch, is a contradiction and stops the
    /// batch: the first one in manifest order (inputs, then outputs) is reported, as when they were checked one by one.
    /// </summary>
    private async Task InsertArtifactsAsync(DbTransaction transaction, List<ReadManifest> added, CancellationToken cancellationToken)
    {
        var named = added.SelectMany(m => m.Manifest.Inputs.Artifacts.Select(a => (a.Sha256, a.Size, m.Origin))
            .Concat(m.Manifest.Outputs.Files.Select(f => (f.Sha256, f.Size, m.Origin)))).ToList();
        var known = new Dictionary<string, long>(StringComparer.Ordinal);
        var rows = new List<object?[]>();
        foreach (var (sha256, size, _) in named)
        {
            if (known.TryAdd(sha256, size))
            {
                rows.Add([sha256, size]);
            }
        }

        // The rows not inserted were stored before: their stored sizes replace the batch's.
        var inserted = await InsertRowsAsync(transaction, "INSERT INTO artifacts (sha256, size)", 2, rows, cancellationToken, "ON CONFLICT (sha256) DO NOTHING RETURNING sha256");
        foreach (var chunk in known.Keys.Where(k => !inserted.Contains(k)).Chunk(InChunk))
        {
            var (list, parameters) = InList(chunk);
            await using var command = Command(transaction, $"SELECT sha256, size FROM artifacts WHERE sha256 IN {list}", parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                known[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        foreach (var (sha256, size, origin) in named)
        {
            if (known[sha256] != size)
            {
                throw new CiJobsException(
                    $"the manifest {origin} gives the artifact {sha256} the size {size}, the store has {known[sha256]}; nothing of this batch is stored",
                    TruthExitCodes.ManifestInvalid);
            }
        }
    }

    /// <summary>A build's inputs as build_inputs rows, numbered in the manifest's order: rdoinfo, source, distgit, patches, buildroot, artifacts.</summary>
    private static IEnumerable<object?[]> InputRows(ReadManifest read)
    {
        var inputs = read.Manifest.Inputs;
        var rows = new List<object?[]>();
        void Add(string kind, string? name, string? url, string? @ref, string? commit, string? tree, string? sha256, string? artifact) =>
            rows.Add([read.BuildId, rows.Count, kind, name, url, @ref, commit, tree, sha256, artifact]);
        if (inputs.Rdoinfo is { } rdoinfo)
        {
            Add("rdoinfo", rdoinfo.EntryFile, null, rdoinfo.Tag, rdoinfo.Commit, null, rdoinfo.EntrySha256, null);
        }

        Add("source", null, inputs.Source.Url, inputs.Source.Ref, inputs.Source.Commit, inputs.Source.Tree, null, null);
        Add("distgit", inputs.Distgit.Path, inputs.Distgit.Url, inputs.Distgit.Ref, inputs.Distgit.Commit, inputs.Distgit.Tree, null, null);
        if (inputs.Patches is { } patches)
        {
            Add("patches", patches.Path, patches.Url, patches.Ref, patches.Commit, patches.Tree, null, null);
        }

        foreach (var repository in inputs.Buildroot)
        {
            Add("buildroot", repository.MetadataFile, repository.Url, null, null, null, repository.MetadataSha256, null);
        }

        foreach (var artifact in inputs.Artifacts)
        {
            Add("artifact", artifact.Name, null, artifact.Role, null, null, artifact.Sha256, artifact.Sha256);
        }

        return rows;
    }

    /// <summary>
    /// Inserts <paramref name="rows"/> (each <paramref name="columns"/> values) in multi-row INSERTs of
    /// <see cref="RowsPerInsert"/> rows; the first column of the rows a <c>RETURNING</c> tail gives.
    /// </summary>
    private async Task<HashSet<string>> InsertRowsAsync(DbTransaction transaction, string insert, int columns, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken, string tail = "")
    {
        var returned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in rows.Chunk(RowsPerInsert))
        {
            var command = MultiRowCommand(transaction, insert, columns, chunk.Length, tail);
            var parameter = 0;
            foreach (var row in chunk)
            {
                foreach (var value in row)
                {
                    command.Parameters[parameter++].Value = value ?? DBNull.Value;
                }
            }

            if (tail.Contains("RETURNING", StringComparison.Ordinal))
            {
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    returned.Add(reader.GetString(0));
                }
            }
            else
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        return returned;
    }

    /// <summary>The SQL of the multi-row INSERTs by statement head, row count and tail.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Insert, int Columns, int Rows, string Tail), string> MultiRowSql = new();

    /// <summary>The transaction's command <c>INSERT ... VALUES (@v0, ...), ... TAIL</c> of <paramref name="rows"/> rows, its parameters in order (set by position).</summary>
    private DbCommand MultiRowCommand(DbTransaction transaction, string insert, int columns, int rows, string tail)
    {
        var sql = MultiRowSql.GetOrAdd((insert, columns, rows, tail), key =>
        {
            var values = Enumerable.Range(0, key.Rows).Select(r => "(" + string.Join(", ", Enumerable.Range(r * key.Columns, key.Columns).Select(c => $"@v{c}")) + ")");
            return $"{key.Insert} VALUES {string.Join(", ", values)} {key.Tail}".TrimEnd();
        });
        UsePreparedFor(transaction);
        if (!prepared.TryGetValue(sql, out var command))
        {
            command = Command(transaction, sql, [.. Enumerable.Range(0, rows * columns).Select(c => ($"@v{c}", (object?)null))]);
            prepared[sql] = command;
        }

        return command;
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
        UsePreparedFor(transaction);
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

    /// <summary>Drops the commands of an earlier transaction.</summary>
    private void UsePreparedFor(DbTransaction transaction)
    {
        if (!ReferenceEquals(preparedFor, transaction))
        {
            DisposePrepared();
            preparedFor = transaction;
        }
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
