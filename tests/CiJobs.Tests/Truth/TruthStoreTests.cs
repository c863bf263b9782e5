using CiJobs.Core;
using CiJobs.Core.Provenance;
using CiJobs.Core.Truth;
using CiJobs.Tests.Builds;
using CiJobs.Tests.Provenance;
using CiJobs.Tests.Support;
using Npgsql;

namespace CiJobs.Tests.Truth;

/// <summary>
/// The store's contract, run on both implementations: the embedded SQLite file and a real PostgreSQL server
/// (<see cref="PostgresServer"/>; its cases are left out, and <see cref="The_PostgreSQL_server_is_installed"/> is
/// skipped with the reason, when PostgreSQL is not installed).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TruthStoreTests(PostgresServer server) : IDisposable
{
    private readonly TempDir temp = new("truth-store");
    private readonly Dictionary<string, NpgsqlConnectionStringBuilder> databases = [];

    public void Dispose() => temp.Dispose();

    public static TheoryData<string> Providers()
    {
        var data = new TheoryData<string> { "sqlite" };
        if (PostgresServer.BinDirectory is not null)
        {
            data.Add("postgresql");
        }

        return data;
    }

    [PostgresFact]
    public async Task The_PostgreSQL_server_is_installed()
    {
        await using var store = await OpenAsync("postgresql");
        (await store.SchemaVersionAsync(CancellationToken.None)).Should().Be(TruthMigrations.Latest);
    }

    /// <summary>The store of this test for <paramref name="provider"/>: the same file or database each call.</summary>
    private async Task<ITruthStore> OpenAsync(string provider, TimeProvider? time = null) => provider switch
    {
        "sqlite" => await SqliteTruthStore.OpenAsync(temp.Combine("truth.db"), TimeSpan.FromSeconds(10), time ?? TimeProvider.System, CancellationToken.None),
        _ => await PostgresTruthStore.OpenAsync(await DatabaseAsync(), time ?? TimeProvider.System, CancellationToken.None),
    };

    private async Task<NpgsqlConnectionStringBuilder> DatabaseAsync()
    {
        if (!databases.TryGetValue("db", out var database))
        {
            database = await server.CreateDatabaseAsync();
            databases["db"] = database;
        }

        return database;
    }

    /// <summary>Runs SQL on the store's database directly, as another tool would.</summary>
    private async Task<object?> SqlAsync(string provider, string sql)
    {
        System.Data.Common.DbConnection connection = provider == "sqlite"
            ? new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={temp.Combine("truth.db")};Pooling=False")
            : new NpgsqlConnection((await DatabaseAsync()).ConnectionString);
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return await command.ExecuteScalarAsync();
        }
    }

    private async Task<long> CountAsync(string provider, string table) =>
        Convert.ToInt64(await SqlAsync(provider, $"SELECT COUNT(*) FROM {table}"), System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_new_store_gets_every_migration_once(string provider)
    {
        await using (var store = await OpenAsync(provider, new FixedTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000))))
        {
            (await store.SchemaVersionAsync(CancellationToken.None)).Should().Be(TruthMigrations.Latest);
        }

        await using (var again = await OpenAsync(provider))
        {
            (await again.SchemaVersionAsync(CancellationToken.None)).Should().Be(TruthMigrations.Latest);
        }

        (await CountAsync(provider, "schema_migrations")).Should().Be(TruthMigrations.All.Count);
        Convert.ToInt64(await SqlAsync(provider, "SELECT applied_at FROM schema_migrations WHERE version = 1"), System.Globalization.CultureInfo.InvariantCulture)
            .Should().Be(1_800_000_000);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Migration_4_fills_the_totals_of_builds_stored_before_it_and_queries_read_the_same_sizes(string provider)
    {
        var foo = ProvenanceSamples.Read(ProvenanceSamples.Manifest("foo"));
        var bar = ProvenanceSamples.Read(ProvenanceSamples.Manifest("bar"));
        await using (var store = await OpenAsync(provider))
        {
            await store.IngestAsync([foo, bar], CancellationToken.None);
        }

        var expected = new[] { foo, bar }.Select(m => (m.Manifest.Package, (long)m.Manifest.Outputs.Files.Count, m.Manifest.Outputs.Files.Sum(f => f.Size))).ToList();
        expected.Should().OnlyContain(e => e.Item2 > 0 && e.Item3 > 0, "the samples have outputs");
        // The store as a cijobs before migration 4 left it: three migrations recorded, none of the later ones' changes
        // (migration 5's column too; a later migration must be undone here as well).
        TruthMigrations.Latest.Should().Be(5, "this test undoes migrations 4 and 5 only");
        await SqlAsync(provider, "DROP TABLE build_totals");
        await SqlAsync(provider, "ALTER TABLE builds DROP COLUMN duration_seconds");
        await SqlAsync(provider, "DELETE FROM schema_migrations WHERE version >= 4");

        await using (var store = await OpenAsync(provider))
        {
            (await store.SchemaVersionAsync(CancellationToken.None)).Should().Be(TruthMigrations.Latest);
            var latest = await ((ITruthQueries)store).LatestBuildsAsync(["foo", "bar"], null, CancellationToken.None);
            latest.Select(b => (b.Package, (long)b.Files, b.Size)).Should().BeEquivalentTo(expected);
        }

        (await CountAsync(provider, "build_totals")).Should().Be(2);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_store_migrated_by_a_newer_cijobs_is_refused_and_left_untouched(string provider)
    {
        await using (var store = await OpenAsync(provider))
        {
            await store.IngestAsync([ProvenanceSamples.Read(ProvenanceSamples.Manifest())], CancellationToken.None);
        }

        await SqlAsync(provider, $"INSERT INTO schema_migrations (version, description, applied_at) VALUES ({TruthMigrations.Latest + 1}, 'from the future', 0)");

        var error = await FluentActions.Awaiting(() => OpenAsync(provider)).Should().ThrowAsync<CiJobsException>();
        error.Which.ExitCode.Should().Be(TruthExitCodes.StoreTooNew);
        error.Which.Message.Should().Contain($"schema version {TruthMigrations.Latest + 1}").And.Contain("newer cijobs");
        (await CountAsync(provider, "builds")).Should().Be(1);
        (await CountAsync(provider, "schema_migrations")).Should().Be(TruthMigrations.All.Count + 1);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Ingesting_stores_a_build_with_its_inputs_outputs_and_nvrs_and_again_adds_nothing(string provider)
    {
        var foo = ProvenanceSamples.Read(ProvenanceSamples.Manifest("foo"));
        var bar = ProvenanceSamples.Read(ProvenanceSamples.Manifest("bar"));
        await using var store = await OpenAsync(provider);

        (await store.IngestAsync([foo, bar], CancellationToken.None)).Should().Be(new IngestResult(2, 0));
        (await store.IngestAsync([foo, bar, foo], CancellationToken.None)).Should().Be(new IngestResult(0, 3));

        (await CountAsync(provider, "builds")).Should().Be(2);
        (await CountAsync(provider, "artifacts")).Should().Be(4);
        var stored = (await store.FindBuildAsync(foo.BuildId, CancellationToken.None))!;
        stored.InputHash.Should().Be(foo.Manifest.InputHash);
        stored.Package.Should().Be("foo");
        stored.CommitHash.Should().Be(foo.Manifest.Dlrn.CommitHash);
        stored.JobUrl.Should().Be("https://ci.example.org/job/1");
        stored.Manifest.Should().Be(foo.Canonical);
        ProvenanceReader.Read(System.Text.Encoding.UTF8.GetBytes(stored.Manifest), "stored").BuildId.Should().Be(foo.BuildId);
        stored.Outputs.Should().BeEquivalentTo(foo.Manifest.Outputs.Files);
        stored.Nvrs.Should().Equal("foo-1.0-1.el9.noarch");
        stored.Inputs.Select(i => i.Kind).Should().Equal("rdoinfo", "source", "distgit", "buildroot");
        stored.Inputs[1].Commit.Should().Be(foo.Manifest.Inputs.Source.Commit);
        stored.Inputs[0].Sha256.Should().Be(foo.Manifest.Inputs.Rdoinfo!.EntrySha256);
        (await store.FindBuildsByInputHashAsync(foo.Manifest.InputHash, CancellationToken.None)).Select(b => b.Id).Should().Equal(foo.BuildId);
        (await store.FindBuildAsync(new string('0', 64), CancellationToken.None)).Should().BeNull();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_rebuild_of_the_same_inputs_is_another_build_found_by_its_input_hash(string provider)
    {
        var first = ProvenanceSamples.Read(ProvenanceSamples.Manifest("foo", dtBuild: 1_000));
        var second = ProvenanceSamples.Read(ProvenanceSamples.Manifest("foo", files: [ProvenanceSamples.File("foo-1.0-2.el9.noarch.rpm", "rebuilt")], dtBuild: 2_000));
        await using var store = await OpenAsync(provider);

        await store.IngestAsync([second, first], CancellationToken.None);

        (await store.FindBuildsByInputHashAsync(first.Manifest.InputHash, CancellationToken.None)).Select(b => b.DtBuild).Should().Equal(1_000, 2_000);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_artifact_a_build_wrote_can_be_the_input_of_another(string provider)
    {
        var rpm = ProvenanceSamples.File("foo-1.0-1.el9.noarch.rpm", "rpm of foo");
        var gate = ProvenanceSamples.Read(ProvenanceSamples.Manifest("foo", files: [rpm]));
        var imageInputs = ProvenanceSamples.Inputs("image", artifacts: [new ProvenanceArtifact(rpm.Name, rpm.Size, rpm.Sha256, "package")]);
        var image = ProvenanceSamples.Read(ProvenanceSamples.Manifest("image", files: [ProvenanceSamples.File("image.qcow2", "image bytes")], inputs: imageInputs));
        await using var store = await OpenAsync(provider);

        await store.IngestAsync([image], CancellationToken.None);
        await store.IngestAsync([gate], CancellationToken.None);

        (await store.FindArtifactAsync(rpm.Sha256, CancellationToken.None)).Should().Be(new StoredArtifact(rpm.Sha256, rpm.Size));
        (await store.BuildsProducingAsync(rpm.Sha256, CancellationToken.None)).Should().Equal(gate.BuildId);
        (await store.BuildsConsumingAsync(rpm.Sha256, CancellationToken.None)).Should().Equal(image.BuildId);
        (await store.FindBuildAsync(image.BuildId, CancellationToken.None))!.Inputs.Should().ContainSingle(i => i.Kind == "artifact")
            .Which.ArtifactSha256.Should().Be(rpm.Sha256);
        (await CountAsync(provider, "artifacts")).Should().Be(2, "the RPM is one artifact, read by one build and written by another");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_batch_that_fails_midway_stores_nothing_and_keeps_what_was_stored(string provider)
    {
        var kept = ProvenanceSamples.Read(ProvenanceSamples.Manifest("kept"));
        var good = ProvenanceSamples.Read(ProvenanceSamples.Manifest("good"));
        // The same bytes' sha256 with another size: the store cannot hold both.
        var liar = ProvenanceSamples.Read(ProvenanceSamples.Manifest("liar", files: [new ProvenanceFile("x.rpm", 999, ProvenanceSamples.Sha("rpm of kept"))]));
        await using var store = await OpenAsync(provider);
        await store.IngestAsync([kept], CancellationToken.None);

        var error = await FluentActions.Awaiting(() => store.IngestAsync([good, liar], CancellationToken.None)).Should().ThrowAsync<CiJobsException>();

        error.Which.ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);
        (await CountAsync(provider, "builds")).Should().Be(1);
        (await store.FindBuildAsync(good.BuildId, CancellationToken.None)).Should().BeNull();
        (await store.FindBuildAsync(kept.BuildId, CancellationToken.None)).Should().NotBeNull();
        (await store.IngestAsync([good], CancellationToken.None)).Should().Be(new IngestResult(1, 0), "the connection is usable after the rollback");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_contradiction_within_one_batch_stores_nothing_and_names_the_first_manifest_that_contradicts(string provider)
    {
        var rpm = ProvenanceSamples.File("good.rpm", "rpm of good");
        var good = ProvenanceSamples.Read(ProvenanceSamples.Manifest("good", files: [rpm]));
        var reader = ProvenanceSamples.Read(ProvenanceSamples.Manifest("reader", inputs: ProvenanceSamples.Inputs("reader", artifacts: [new ProvenanceArtifact("good.rpm", rpm.Size, rpm.Sha256, "rpm")]))) with { Origin = "reader.json" };
        var liar = ProvenanceSamples.Read(ProvenanceSamples.Manifest("liar", files: [new ProvenanceFile("x.rpm", 999, rpm.Sha256)])) with { Origin = "liar.json" };
        var second = ProvenanceSamples.Read(ProvenanceSamples.Manifest("second", files: [new ProvenanceFile("y.rpm", 998, rpm.Sha256)])) with { Origin = "second.json" };
        await using var store = await OpenAsync(provider);

        var error = await FluentActions.Awaiting(() => store.IngestAsync([good, reader, liar, second], CancellationToken.None)).Should().ThrowAsync<CiJobsException>();

        error.Which.ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);
        error.Which.Message.Should().Be($"the manifest liar.json gives the artifact {rpm.Sha256} the size 999, the store has {rpm.Size}; nothing of this batch is stored");
        (await CountAsync(provider, "builds")).Should().Be(0);
        (await CountAsync(provider, "artifacts")).Should().Be(0);
        (await store.IngestAsync([good, reader], CancellationToken.None)).Should().Be(new IngestResult(2, 0));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_batch_of_many_layered_builds_stores_each_row_once_in_manifest_order(string provider)
    {
        // 150 builds, each reading the first file of the one before (a batch takes several multi-row statements per table).
        var files = Enumerable.Range(0, 150).Select(i => ProvenanceSamples.File($"b{i}.rpm", $"rpm {i}")).ToList();
        var manifests = Enumerable.Range(0, 150).Select(i => ProvenanceSamples.Read(ProvenanceSamples.Manifest(
            $"b{i}",
            files: [files[i], ProvenanceSamples.File($"b{i}.src.rpm", $"srpm {i}")],
            inputs: ProvenanceSamples.Inputs($"b{i}", artifacts: i == 0 ? [] : [new ProvenanceArtifact(files[i - 1].Name, files[i - 1].Size, files[i - 1].Sha256, "rpm")]),
            dtBuild: 1_000 + i))).ToList();
        await using var store = await OpenAsync(provider);
        await store.IngestAsync(manifests[..10], CancellationToken.None);

        (await store.IngestAsync([.. manifests, manifests[70]], CancellationToken.None)).Should().Be(new IngestResult(140, 11));

        (await CountAsync(provider, "builds")).Should().Be(150);
        (await CountAsync(provider, "artifacts")).Should().Be(300);
        (await CountAsync(provider, "build_outputs")).Should().Be(300);
        (await CountAsync(provider, "build_inputs")).Should().Be(150 * 4 + 149);
        (await CountAsync(provider, "build_nvrs")).Should().Be(150);
        foreach (var i in new[] { 0, 9, 10, 63, 64, 65, 128, 149 })
        {
            var stored = (await store.FindBuildAsync(manifests[i].BuildId, CancellationToken.None))!;
            stored.Package.Should().Be($"b{i}");
            stored.DtBuild.Should().Be(1_000 + i);
            stored.Manifest.Should().Be(manifests[i].Canonical);
            stored.Outputs.Should().BeEquivalentTo(manifests[i].Manifest.Outputs.Files);
            stored.Inputs.Select(x => x.Kind).Should().Equal(i == 0 ? ["rdoinfo", "source", "distgit", "buildroot"] : ["rdoinfo", "source", "distgit", "buildroot", "artifact"]);
            stored.Inputs[1].Commit.Should().Be(manifests[i].Manifest.Inputs.Source.Commit);
            if (i > 0)
            {
                stored.Inputs[4].ArtifactSha256.Should().Be(files[i - 1].Sha256);
                (await store.BuildsConsumingAsync(files[i - 1].Sha256, CancellationToken.None)).Should().Equal(manifests[i].BuildId);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Two_ingests_of_the_same_builds_at_once_store_each_build_once(string provider)
    {
        var manifests = Enumerable.Range(0, 20).Select(i => ProvenanceSamples.Read(ProvenanceSamples.Manifest($"p{i}"))).ToList();
        await using (var setup = await OpenAsync(provider))
        {
            await setup.SchemaVersionAsync(CancellationToken.None);
        }

        var ingests = Enumerable.Range(0, 4).Select(async i =>
        {
            await using var store = await OpenAsync(provider);
            return await store.IngestAsync(i % 2 == 0 ? manifests : [.. Enumerable.Reverse(manifests)], CancellationToken.None);
        });
        var results = await Task.WhenAll(ingests);

        results.Sum(r => r.Added).Should().Be(20);
        results.Should().OnlyContain(r => r.Added + r.AlreadyStored == 20);
        (await CountAsync(provider, "builds")).Should().Be(20);
        (await CountAsync(provider, "build_outputs")).Should().Be(40);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Two_first_opens_at_once_migrate_once(string provider)
    {
        var opens = Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var store = await OpenAsync(provider);
            return await store.SchemaVersionAsync(CancellationToken.None);
        });

        (await Task.WhenAll(opens)).Should().OnlyContain(v => v == TruthMigrations.Latest);
        (await CountAsync(provider, "schema_migrations")).Should().Be(TruthMigrations.All.Count);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_dlrn_tables_take_a_vote_and_a_promotion_of_a_build(string provider)
    {
        var build = ProvenanceSamples.Read(ProvenanceSamples.Manifest());
        await using (var store = await OpenAsync(provider))
        {
            await store.IngestAsync([build], CancellationToken.None);
        }

        await SqlAsync(provider, $"INSERT INTO ci_votes (build_id, ci_name, ci_url, ci_vote, ci_in_progress, timestamp, notes, username, component) VALUES ('{build.BuildId}', 'weirdo', 'https://ci/1', TRUE, FALSE, 5, NULL, 'ci', NULL)");
        await SqlAsync(provider, $"INSERT INTO promotions (build_id, promotion_name, timestamp, username, component, aggregate_hash) VALUES ('{build.BuildId}', 'current-tripleo', 6, 'ci', NULL, NULL)");

        (await CountAsync(provider, "ci_votes")).Should().Be(1);
        (await CountAsync(provider, "promotions")).Should().Be(1);
        await FluentActions.Awaiting(() => SqlAsync(provider, "INSERT INTO promotions (build_id, promotion_name, timestamp) VALUES ('no-such-build', 'x', 1)"))
            .Should().ThrowAsync<Exception>("a promotion names a stored build");
    }
}
