using System.Text.Json;
using CiJobs.Core.Audit;
using CiJobs.Core.Truth;
using CiJobs.Fakes;
using CiJobs.Fakes.Dlrn;
using CiJobs.Tests.Dlrn;
using CiJobs.Tests.Support;
using CiJobs.Tests.Truth;
using FluentAssertions;

namespace CiJobs.Tests.Audit;

/// <summary>
/// <c>publish dlrn --store</c>, <c>truth ingest --dlrn</c> and <c>audit --store</c> as processes against the fake DLRN with
/// drift injected: a published build DLRN dropped (import_dropped) and a row whose status changed in DLRN after the store
/// read it (store_disagrees); docs/manual/audit.md and docs/manual/truth.md.
/// </summary>
[Trait("Runs", "cijobs")]
[Collection(PostgresCollection.Name)]
public sealed class AuditStoreCliTests(PostgresServer server) : IAsyncLifetime
{
    private const string DriftCommit = "5c0ffee000000000000000000000000000000001";
    private const string DriftDistro = "d0000000000000000000000000000000000000d1";

    private readonly TempDir temp = new("audit-store");
    private FakeDlrnServer dlrn = null!;
    private FakeFileServer files = null!;
    private FixtureBuild build = null!;

    private static string[] Fast => ["--retries", "0"];

    public async Task InitializeAsync()
    {
        dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        temp.Write("rdoinfo/rdo-full.yml", """
            releases:
            - name: tiny
              branch: rpm-main
              upstream_branch: main
              repos:
              - name: el9s
            package-default:
              name: '%(project)s'
              upstream: https://git.example.org/%(project)s
              master-distgit: https://git.example.org/%(project)s-distgit
              maintainers:
              - maintainer@example.org
            packages:
            - project: python-example
              tags:
                tiny:
            - project: pkg-drift
              tags:
                tiny:
            """);
        temp.Write(
            "heads.json",
            "{\"packages\": {" +
            $"\"python-example\": {{\"source\": \"{build.CommitHash}\", \"distgit\": \"{build.DistroHash}\"}}, " +
            $"\"pkg-drift\": {{\"source\": \"{DriftCommit}\", \"distgit\": \"{DriftDistro}\"}}" +
            "}}");
    }

    public async Task DisposeAsync()
    {
        await files.DisposeAsync();
        await dlrn.DisposeAsync();
        temp.Dispose();
    }

    private static Dictionary<string, string?> Environment() => new()
    {
        ["DLRN_API_USER"] = DlrnFixtures.User,
        ["DLRN_API_PASSWORD"] = DlrnFixtures.Password,
        ["CIJOBS_TRUTH_STORE"] = null,
    };

    private Task<CliResult> AuditAsync(params string[] extra) =>
        CliRunner.RunAsync(["audit", "--release", "tiny", "--rdoinfo", temp.Combine("rdoinfo"), "--heads", temp.Combine("heads.json"), "--api-url", dlrn.BaseUrl, "--format", "json", .. Fast, .. extra], environment: Environment());

    private static List<string> Findings(CliResult result)
    {
        using var json = JsonDocument.Parse(result.StandardOutput);
        return [.. json.RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => $"{f.GetProperty("class").GetString()} {f.GetProperty("package").GetString()} {(f.TryGetProperty("replay", out var r) ? r.ToString() : "")}".TrimEnd())
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Publishes the build with the store option, reads DLRN into the store, then drifts DLRN behind the store's back.</summary>
    private async Task DriftAsync(string[] storeOption)
    {
        var publish = await CliRunner.RunAsync(
            ["publish", "dlrn", "--api-url", dlrn.BaseUrl, "--repo-url", build.RepoUrl(files.BaseUrl).ToString(), .. Fast, .. storeOption],
            environment: Environment());
        publish.ExitCode.Should().Be(0, publish.ToString());
        publish.StandardError.Should().Contain("recorded the publication (imported)");
        var drifting = dlrn.AddBuild("pkg-drift", DriftCommit, DriftDistro, "SUCCESS");
        var ingest = await CliRunner.RunAsync(["truth", "ingest", "--dlrn", dlrn.BaseUrl, .. Fast, .. storeOption], environment: Environment());
        ingest.ExitCode.Should().Be(0, ingest.ToString());

        // DLRN drops the imported row, and marks the other RETRY (a bootstrap run does, in place).
        dlrn.RemoveCommit(dlrn.Commits.Single(c => c.CommitHash == build.CommitHash).Id);
        dlrn.SetCommitStatus(drifting.Id, "RETRY");
    }

    [Fact]
    public async Task With_a_sqlite_store_the_audit_finds_the_dropped_import_and_the_status_the_store_disagrees_with()
    {
        string[] store = ["--store", temp.Combine("truth.db")];
        await DriftAsync(store);

        var withStore = await AuditAsync(store);
        var without = await AuditAsync();

        withStore.ExitCode.Should().Be(AuditExitCodes.DriftFound, withStore.ToString());
        Findings(withStore).Should().Equal("import_dropped python-example republish", "store_disagrees pkg-drift");
        using (var json = JsonDocument.Parse(withStore.StandardOutput))
        {
            json.RootElement.GetProperty("store_compared").GetBoolean().Should().BeTrue();
            var dropped = json.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("class").GetString() == "import_dropped");
            dropped.GetProperty("commit_hash").GetString().Should().Be(build.CommitHash);
            dropped.GetProperty("message").GetString().Should().Contain("was published to DLRN at");
        }

        Findings(without).Should().Equal(["never_built python-example rerun_ci"], "without the store DLRN alone cannot tell a drop from a package never built");
    }

    [PostgresFact]
    public async Task With_a_postgresql_store_the_same_drift_is_found()
    {
        var database = await server.CreateDatabaseAsync();
        string[] store = ["--store-url", $"postgresql://127.0.0.1:{database.Port}/{database.Database}?user=postgres"];
        await DriftAsync(store);

        var result = await AuditAsync(store);

        result.ExitCode.Should().Be(AuditExitCodes.DriftFound, result.ToString());
        Findings(result).Should().Equal("import_dropped python-example republish", "store_disagrees pkg-drift");
    }

    [Fact]
    public async Task Truth_ingest_dlrn_prints_counts_as_json_shows_progress_and_adds_nothing_the_second_time()
    {
        for (var i = 0; i < 120; i++)
        {
            dlrn.AddBuild($"pkg-{i % 3}", $"{i:x40}", DriftDistro);
        }

        dlrn.AddVote(new FakeDlrnVote { CommitId = 7, JobId = "job", Url = "https://ci.example.org/1", Timestamp = 1_700_000_000, Success = true, User = "ci" });
        string[] arguments = ["truth", "ingest", "--dlrn", dlrn.BaseUrl + "/", "--store", temp.Combine("truth.db"), "--format", "json", .. Fast];

        var first = await CliRunner.RunAsync(arguments, environment: Environment());
        var second = await CliRunner.RunAsync(arguments, environment: Environment());
        var text = await CliRunner.RunAsync(["truth", "ingest", "--dlrn", dlrn.BaseUrl, "--store", temp.Combine("truth.db")], environment: Environment());

        first.ExitCode.Should().Be(0, first.ToString());
        first.StandardError.Should().Contain("cijobs: DLRN commits: 120 row(s) read in 2 page(s)");
        using (var json = JsonDocument.Parse(first.StandardOutput))
        {
            json.RootElement.GetProperty("dlrn").GetString().Should().Be(dlrn.BaseUrl, "the server is named without the trailing slash");
            var commits = json.RootElement.GetProperty("kinds").EnumerateArray().Single(k => k.GetProperty("kind").GetString() == "commits");
            commits.GetProperty("added").GetInt32().Should().Be(120);
            commits.GetProperty("cursor").GetInt64().Should().Be(120);
            json.RootElement.GetProperty("kinds").EnumerateArray().Single(k => k.GetProperty("kind").GetString() == "votes").GetProperty("added").GetInt32().Should().Be(1);
        }

        second.ExitCode.Should().Be(0, second.ToString());
        using (var json = JsonDocument.Parse(second.StandardOutput))
        {
            json.RootElement.GetProperty("kinds").EnumerateArray().Sum(k => k.GetProperty("added").GetInt32() + k.GetProperty("updated").GetInt32() + k.GetProperty("removed").GetInt32()).Should().Be(0);
        }

        text.ExitCode.Should().Be(0, text.ToString());
        text.StandardOutput.Should().Contain("  commits: 120 read, 0 added, 0 updated, 120 unchanged, 0 removed; cursor 120\n");

        var nothing = await CliRunner.RunAsync(["truth", "ingest", "--store", temp.Combine("truth.db")], environment: Environment());
        nothing.ExitCode.Should().Be(1, nothing.ToString());
        nothing.StandardError.Should().Contain("nothing to ingest");
    }

    [Fact]
    public async Task Truth_ingest_dlrn_failing_mid_way_exits_with_dlrn_s_code_and_stores_nothing()
    {
        for (var i = 0; i < 150; i++)
        {
            dlrn.AddBuild("pkg", $"{i:x40}", DriftDistro);
        }

        dlrn.ScriptAnswer("/api/graphql", 2, 200, "{\"data\": {\"commits\": [{\"id\": 12}]}}");
        var result = await CliRunner.RunAsync(["truth", "ingest", "--dlrn", dlrn.BaseUrl, "--store", temp.Combine("truth.db"), .. Fast], environment: Environment());

        result.ExitCode.Should().Be(Core.Dlrn.DlrnExitCodes.RequestRejected, result.ToString());
        result.StandardError.Should().Contain("cijobs: error: DLRN's commits answered an unexpected page").And.Contain("nothing was stored");
        await using var store = await SqliteTruthStore.OpenAsync(temp.Combine("truth.db"), TimeSpan.FromSeconds(5), TimeProvider.System, CancellationToken.None);
        (await store.DlrnCursorsAsync(dlrn.BaseUrl, CancellationToken.None)).Should().BeEmpty();
    }
}
