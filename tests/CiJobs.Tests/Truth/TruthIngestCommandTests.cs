using System.Text.Json;
using CiJobs.Core;
using CiJobs.Core.Provenance;
using CiJobs.Core.Truth;
using CiJobs.Tests.Builds;
using CiJobs.Tests.Provenance;
using CiJobs.Tests.Support;
using Microsoft.Data.Sqlite;

namespace CiJobs.Tests.Truth;

/// <summary><c>cijobs truth ingest</c> as a process, and <c>cijobs build</c>'s manifest going into the store.</summary>
[Trait("Runs", "cijobs")]
[Collection(PostgresCollection.Name)]
public sealed class TruthIngestCommandTests(PostgresServer server, ExampleReposFixture example) : IClassFixture<ExampleReposFixture>, IDisposable
{
    private readonly TempDir temp = new("truth-cli");

    public void Dispose() => temp.Dispose();

    private string Store => temp.Combine("truth.db");

    /// <summary>Writes manifests of the packages into manifests/&lt;package&gt;/provenance.json.</summary>
    private string WriteManifests(params string[] packages)
    {
        foreach (var package in packages)
        {
            temp.Write($"manifests/{package}/{ProvenanceManifest.FileName}", ProvenanceSamples.Json(ProvenanceSamples.Manifest(package)));
        }

        return temp.Combine("manifests");
    }

    private static Task<CliResult> IngestAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null) =>
        CliRunner.RunAsync(["truth", "ingest", .. arguments], environment: environment ?? new Dictionary<string, string?> { [TruthCommandVariable] = null });

    private const string TruthCommandVariable = "CIJOBS_TRUTH_STORE";

    private async Task<long> BuildsInStoreAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Store};Pooling=False;Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM builds";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_folder_of_manifests_is_ingested_once_however_often_it_is_given()
    {
        var folder = WriteManifests("foo", "bar");

        var first = await IngestAsync([folder, "--store", Store]);
        var again = await IngestAsync([folder, Path.Combine(folder, "foo", ProvenanceManifest.FileName), "--store", Store]);

        first.ExitCode.Should().Be(0, first.ToString());
        first.StandardOutput.Should().Contain("ingested 2 manifest(s)").And.Contain("2 added, 0 already stored");
        again.ExitCode.Should().Be(0, again.ToString());
        again.StandardOutput.Should().Contain("0 added, 3 already stored");
        (await BuildsInStoreAsync()).Should().Be(2);
    }

    [Fact]
    public async Task A_corrupt_manifest_in_a_batch_stores_nothing_of_it_and_keeps_what_was_stored()
    {
        (await IngestAsync([WriteManifests("kept"), "--store", Store])).ExitCode.Should().Be(0);
        var batch = temp.Combine("batch");
        temp.Write($"batch/a/{ProvenanceManifest.FileName}", ProvenanceSamples.Json(ProvenanceSamples.Manifest("good")));
        temp.Write($"batch/b/{ProvenanceManifest.FileName}", ProvenanceSamples.Json(ProvenanceSamples.Manifest("bad"))[..200]);

        var result = await IngestAsync([batch, "--store", Store]);

        result.ExitCode.Should().Be(TruthExitCodes.ManifestInvalid, result.ToString());
        result.StandardError.Should().StartWith("cijobs: error: the manifest ").And.Contain(Path.Combine("batch", "b", ProvenanceManifest.FileName));
        result.StandardError.Trim().Split('\n').Should().ContainSingle("the error is one line");
        (await BuildsInStoreAsync()).Should().Be(1);
    }

    [Fact]
    public async Task A_manifest_of_an_unknown_schema_version_is_refused_with_136()
    {
        var json = ProvenanceSamples.Json(ProvenanceSamples.Manifest(duration: 1)).Replace("\"schema_version\": 2", "\"schema_version\": 3", StringComparison.Ordinal);
        var file = temp.Write("v3.json", json);

        var result = await IngestAsync([file, "--store", Store]);

        result.ExitCode.Should().Be(TruthExitCodes.UnknownSchemaVersion, result.ToString());
        result.StandardError.Should().Contain("schema_version 3");
        File.Exists(Store).Should().BeFalse("nothing is opened before every manifest is read");
    }

    private async Task<List<(string Package, double? Duration)>> DurationsInStoreAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Store};Pooling=False;Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT package, duration_seconds FROM builds ORDER BY package";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, double?)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetDouble(1)));
        }

        return rows;
    }

    [Fact]
    public async Task Version_1_manifests_ingest_without_a_duration_and_version_2_with_theirs()
    {
        temp.Write($"both/old/{ProvenanceManifest.FileName}", ProvenanceSamples.Json(ProvenanceSamples.Manifest("old")));
        temp.Write($"both/new/{ProvenanceManifest.FileName}", ProvenanceSamples.Json(ProvenanceSamples.Manifest("new", duration: 73.25)));

        var result = await IngestAsync([temp.Combine("both"), "--store", Store]);

        result.ExitCode.Should().Be(0, result.ToString());
        (await DurationsInStoreAsync()).Should().Equal(("new", 73.25), ("old", null));
    }

    [Theory]
    [InlineData("-3.5")]
    [InlineData("\"73\"")]
    public async Task A_version_2_manifest_with_a_negative_or_non_number_duration_is_refused_with_135_and_nothing_stored(string duration)
    {
        var json = ProvenanceSamples.Json(ProvenanceSamples.Manifest("bad", duration: 73.25)).Replace("73.25", duration, StringComparison.Ordinal);
        temp.Write($"batch/good/{ProvenanceManifest.FileName}", ProvenanceSamples.Json(ProvenanceSamples.Manifest("good", duration: 1.5)));
        temp.Write($"batch/bad/{ProvenanceManifest.FileName}", json);

        var result = await IngestAsync([temp.Combine("batch"), "--store", Store]);

        result.ExitCode.Should().Be(TruthExitCodes.ManifestInvalid, result.ToString());
        result.StandardError.Should().Contain(Path.Combine("batch", "bad", ProvenanceManifest.FileName));
        File.Exists(Store).Should().BeFalse("nothing is opened before every manifest is read");
    }

    [Fact]
    public async Task Two_ingests_at_once_both_succeed_and_store_each_build_once()
    {
        var folder = WriteManifests([.. Enumerable.Range(0, 10).Select(i => $"p{i}")]);

        var results = await Task.WhenAll(IngestAsync([folder, "--store", Store]), IngestAsync([folder, "--store", Store]));

        results.Should().OnlyContain(r => r.ExitCode == 0, string.Join("\n", results.Select(r => r.ToString())));
        (await BuildsInStoreAsync()).Should().Be(10);
    }

    [Fact]
    public async Task A_locked_store_is_a_clear_error_with_137()
    {
        var folder = WriteManifests("foo");
        (await IngestAsync([WriteManifests("first"), "--store", Store])).ExitCode.Should().Be(0);
        await using var holder = new SqliteConnection($"Data Source={Store};Pooling=False");
        await holder.OpenAsync();
        await using var locked = holder.BeginTransaction(deferred: false);

        var result = await IngestAsync([folder, "--store", Store, "--lock-timeout", "1"]);

        result.ExitCode.Should().Be(TruthExitCodes.StoreUnavailable, result.ToString());
        result.StandardError.Should().Contain("locked");
    }

    [Fact]
    public async Task A_read_only_store_is_a_clear_error_with_137()
    {
        (await IngestAsync([WriteManifests("first"), "--store", Store])).ExitCode.Should().Be(0);
        var folder = WriteManifests("second");
        CliResult result;
        await using (await ReadOnly.MakeAsync(Store))
        {
            result = await IngestAsync([folder, "--store", Store]);
        }

        result.ExitCode.Should().Be(TruthExitCodes.StoreUnavailable, result.ToString());
        result.StandardError.Should().Contain("read-only");
        (await BuildsInStoreAsync()).Should().Be(1);
    }

    [Fact]
    public async Task No_store_or_two_stores_is_refused_with_139()
    {
        var folder = WriteManifests("foo");

        (await IngestAsync([folder])).ExitCode.Should().Be(TruthExitCodes.StoreOption);
        (await IngestAsync([folder, "--store", Store, "--store-url", "postgresql://127.0.0.1:1/x?user=postgres"])).ExitCode.Should().Be(TruthExitCodes.StoreOption);
    }

    [Fact]
    public async Task A_password_is_never_taken_on_the_command_line_nor_printed()
    {
        var folder = WriteManifests("foo");

        var inUrl = await IngestAsync([folder, "--store-url", "postgresql://postgres:hunter2@127.0.0.1:1/truth"]);
        var inQuery = await IngestAsync([folder, "--store-url", "postgresql://127.0.0.1:1/truth?user=postgres&Password=hunter2"]);
        var inVariable = await IngestAsync([folder], new Dictionary<string, string?> { [TruthCommandVariable] = "Host=127.0.0.1;Port=1;Username=postgres;Password=hunter2;Timeout=3" });

        inUrl.ExitCode.Should().Be(ExitCodes.CredentialsInUrl, inUrl.ToString());
        inQuery.ExitCode.Should().Be(ExitCodes.CredentialsInUrl, inQuery.ToString());
        inVariable.ExitCode.Should().Be(TruthExitCodes.StoreUnavailable, inVariable.ToString());
        inVariable.StandardError.Should().Contain("PostgreSQL store 127.0.0.1:1/");
        foreach (var result in new[] { inUrl, inQuery, inVariable })
        {
            (result.StandardOutput + result.StandardError).Should().NotContain("hunter2");
        }
    }

    [PostgresFact]
    public async Task A_build_made_by_cijobs_build_goes_into_a_postgresql_store()
    {
        var output = temp.Combine("out");
        var build = await CliRunner.RunAsync(
            ["build", "--rdoinfo", example.Rdoinfo, "--package", "example-greetlib", "--release", "tiny", "--output", output, "--format", "json", "--job-pipeline", "gate"],
            environment: new Dictionary<string, string?> { ["CIJOBS_BUILDER_IMAGE"] = "registry.example.org/builder:1", ["CI_JOB_URL"] = "https://bot:hunter2@gitlab.example.org/jobs/9" });
        build.ExitCode.Should().Be(0, build.ToString());
        var resultPath = JsonDocument.Parse(build.StandardOutput).RootElement.GetProperty("result_path").GetString()!;
        var manifestText = await File.ReadAllTextAsync(Path.Combine(resultPath, ProvenanceManifest.FileName));
        manifestText.Should().NotContain("hunter2");
        var manifest = ProvenanceReader.Read(System.Text.Encoding.UTF8.GetBytes(manifestText), "built");
        manifest.Manifest.Inputs.BuilderImage.Should().Be("registry.example.org/builder:1");
        manifest.Manifest.Job.Should().Be(new ProvenanceJob("https://gitlab.example.org/jobs/9", "gate", null));
        manifest.Manifest.Inputs.Rdoinfo!.Commit.Should().BeNull("the example's rdoinfo is a plain folder, not a git checkout");
        manifest.Manifest.Inputs.Rdoinfo.Tag.Should().Be("tiny");
        manifest.Manifest.SchemaVersion.Should().Be(2);
        var run = manifest.Manifest.Build!;
        run.DurationSeconds.Should().BeGreaterThan(0).And.BeLessThan(600);
        run.StartedAt.Should().BeLessThanOrEqualTo(manifest.Manifest.Dlrn.DtBuild).And.BeGreaterThan(manifest.Manifest.Dlrn.DtBuild - 600);
        var database = await server.CreateDatabaseAsync();
        var url = $"postgresql://127.0.0.1:{database.Port}/{database.Database}?user=postgres";

        var first = await IngestAsync([output, "--store-url", url]);
        var again = await IngestAsync([output], new Dictionary<string, string?> { [TruthCommandVariable] = url });

        first.ExitCode.Should().Be(0, first.ToString());
        first.StandardOutput.Should().Contain("1 added");
        again.ExitCode.Should().Be(0, again.ToString());
        again.StandardOutput.Should().Contain("0 added, 1 already stored");
        await using var store = await PostgresTruthStore.OpenAsync(database, TimeProvider.System, CancellationToken.None);
        var stored = (await store.FindBuildsByInputHashAsync(manifest.Manifest.InputHash, CancellationToken.None)).Should().ContainSingle().Which;
        stored.Id.Should().Be(manifest.BuildId);
        stored.Outputs.Should().BeEquivalentTo(manifest.Manifest.Outputs.Files);
        (await ((ITruthQueries)store).HistoryAsync("example-greetlib", 10, CancellationToken.None)).Builds.Single().DurationSeconds.Should().Be(run.DurationSeconds);
    }
}
