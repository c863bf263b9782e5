using System.Diagnostics;
using System.Text.Json;
using CiJobs.Cli.Commands;
using CiJobs.Core.Builds;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.Truth;
using CiJobs.Tests.Support;
using CliWrap.Buffered;
using static CiJobs.Tests.Truth.TruthQuerySamples;

namespace CiJobs.Tests.Truth;

/// <summary><c>cijobs truth query ...</c> and <c>cijobs truth serve</c> as processes.</summary>
[Trait("Runs", "cijobs")]
public sealed class TruthQueryCommandTests : IAsyncLifetime
{
    private readonly TempDir temp = new("truth-query-cli");

    private string Store => temp.Combine("truth.db");

    private static readonly Dictionary<string, string?> NoVariable = new() { [TruthCommand.StoreVariable] = null };

    public async Task InitializeAsync()
    {
        await using var store = await SqliteTruthStore.OpenAsync(Store, TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
        await store.IngestAsync([Foo, ImageBuild, ContainerBuild, Build("bar", 1_796_565_600), Build("bar", 1_796_569_200, "FAILED")], CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        temp.Dispose();
        return Task.CompletedTask;
    }

    private Task<CliResult> QueryAsync(params string[] arguments) =>
        CliRunner.RunAsync(["truth", "query", .. arguments, "--store", Store], environment: NoVariable);

    [Fact]
    public async Task Queries_answer_in_json_and_text()
    {
        var history = await QueryAsync("history", "bar", "--format", "json");
        history.ExitCode.Should().Be(0, history.ToString());
        var json = JsonDocument.Parse(history.StandardOutput).RootElement;
        json.GetProperty("builds").EnumerateArray().Select(b => b.GetProperty("status").GetString()).Should().Equal("SUCCESS", "FAILED");

        var produced = await QueryAsync("produced", "--from", "2026-12-06T14:00:00Z", "--to", "2026-12-06T15:00:00Z");
        produced.ExitCode.Should().Be(0, produced.ToString());
        produced.StandardOutput.Trim().Should().StartWith("2026-12-06T14:00:00Z bar SUCCESS bar-1796565600-1.el9.noarch 1 file(s)");
        produced.StandardOutput.Should().NotContain("FAILED", "15:00 is excluded");

        var inputs = await QueryAsync("inputs", Container.Sha256, "--depth", "1");
        inputs.ExitCode.Should().Be(0, inputs.ToString());
        inputs.StandardOutput.Should().Contain(" container SUCCESS").And.NotContain(" image SUCCESS");
        inputs.StandardError.Should().Contain("cut short");

        var built = await QueryAsync("built-from", Foo.Manifest.Inputs.Source.Commit!, "--format", "json");
        JsonDocument.Parse(built.StandardOutput).RootElement.GetProperty("steps").GetArrayLength().Should().Be(3);

        var qe = await QueryAsync("qe", "--build", Foo.BuildId);
        qe.ExitCode.Should().Be(0, qe.ToString());
        qe.StandardOutput.Should().StartWith($"build {Foo.BuildId}: none");
    }

    [Fact]
    public async Task The_qe_status_of_an_aggregate_lists_the_votes_on_it_in_json_and_text()
    {
        var aggregate = new string('a', 32);
        // Rows as truth ingest --dlrn stores DLRN's CIVote_Aggregate (DlrnIngestTests reads them from the fake DLRN).
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Store};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText =
                "INSERT INTO dlrn_aggregate_votes (server, dlrn_id, ref_hash, ci_name, ci_url, ci_vote, ci_in_progress, timestamp, notes, username, read_at) VALUES " +
                $"('https://dlrn.example.org/api', 1, '{aggregate}', 'periodic-integration', 'https://ci.example.org/1', 0, 0, 1796565600, NULL, 'ci', 1), " +
                $"('https://dlrn.example.org/api', 2, '{aggregate}', 'periodic-integration', 'https://ci.example.org/2', 1, 0, 1796569200, 'rerun', 'ci', 1)";
            await command.ExecuteNonQueryAsync();
        }

        var json = await QueryAsync("qe", "--aggregate", aggregate, "--format", "json");
        var text = await QueryAsync("qe", "--aggregate", aggregate);

        json.ExitCode.Should().Be(0, json.ToString());
        var root = JsonDocument.Parse(json.StandardOutput).RootElement;
        root.GetProperty("state").GetString().Should().Be("passed", "the newest vote of the one CI passed");
        root.GetProperty("aggregate_votes").EnumerateArray().Select(v => (v.GetProperty("vote").GetBoolean(), v.GetProperty("ci_url").GetString()))
            .Should().Equal((false, "https://ci.example.org/1"), (true, "https://ci.example.org/2"));
        text.ExitCode.Should().Be(0, text.ToString());
        text.StandardOutput.Should().StartWith($"aggregate {aggregate}: passed (0 build(s), 0 vote(s), 0 promotion(s), 2 vote(s) on the aggregate)")
            .And.Contain("aggregate 2026-12-06T15:00:00Z periodic-integration passed https://dlrn.example.org/api https://ci.example.org/2");
    }

    [Fact]
    public async Task Build_times_from_the_store_are_what_plan_reads()
    {
        await using (var store = await SqliteTruthStore.OpenAsync(Store, TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None))
        {
            await store.IngestAsync(
            [
                Build("lib", 100, release: "epoxy", duration: 100), Build("lib", 200, release: "epoxy", duration: 140), Build("lib", 300, release: "epoxy", duration: 120),
                Build("app1", 100, release: "epoxy", duration: 30.5), Build("app2", 100, "FAILED", release: "epoxy", duration: 999), Build("app3", 100, release: "epoxy"),
            ],
                CancellationToken.None);
        }

        var csv = await QueryAsync("build-times", "--release", "epoxy");
        var json = await QueryAsync("build-times", "--release", "epoxy", "--format", "json");
        var packages = await QueryAsync("build-times", "--package", "lib", "app1", "--last", "2");

        csv.ExitCode.Should().Be(0, csv.ToString());
        csv.StandardOutput.Should().Be("name,seconds\napp1,30.5\nlib,120\n");
        json.StandardOutput.Trim().Should().Be("""{"app1":30.5,"lib":120}""");
        packages.StandardOutput.Should().Be("name,seconds\napp1,30.5\nlib,130\n");
        var graph = temp.Write("graph.json", """
            {"nodes": [{"name": "lib"}, {"name": "app1"}, {"name": "app2"}, {"name": "app3"}, {"name": "solo"}],
             "edges": [{"from": "app1", "to": "lib"}, {"from": "app2", "to": "lib"}, {"from": "app3", "to": "lib"}]}
            """);
        foreach (var (name, output) in new[] { ("times.csv", csv.StandardOutput), ("times.json", json.StandardOutput) })
        {
            var plan = await CliRunner.RunAsync(["plan", "--partitions", "2", "--graph", graph, "--build-times", temp.Write(name, output), "--default-build-time", "60", "--format", "json"]);
            plan.ExitCode.Should().Be(0, plan.ToString());
            var answer = JsonDocument.Parse(plan.StandardOutput).RootElement;
            answer.GetProperty("unknown_times").GetInt32().Should().Be(3, "app2 (failed only), app3 (no duration) and solo take the default");
            answer.GetProperty("total_seconds").GetDouble().Should().Be(120 + 30.5 + (3 * 60));
        }

        // And through a shell pipe, as a job would run it.
        var pipeline = $"{CliRunner.CommandLine} truth query build-times --release epoxy --store '{Store}' | {CliRunner.CommandLine} plan --partitions 2 --graph '{graph}' --build-times /dev/stdin --default-build-time 60 --format json";
        var piped = await global::CliWrap.Cli.Wrap("bash").WithArguments(["-o", "pipefail", "-c", pipeline])
            .WithEnvironmentVariables(NoVariable).WithValidation(global::CliWrap.CommandResultValidation.None).ExecuteBufferedAsync();
        piped.ExitCode.Should().Be(0, piped.StandardError);
        JsonDocument.Parse(piped.StandardOutput).RootElement.GetProperty("total_seconds").GetDouble().Should().Be(120 + 30.5 + (3 * 60));
    }

    [Theory]
    [InlineData("build-times")]
    [InlineData("build-times", "--release", "epoxy", "--package", "lib")]
    [InlineData("build-times", "--package", "../x")]
    public async Task Build_times_need_a_release_or_packages_exit_139(params string[] arguments)
    {
        var result = await QueryAsync(arguments);
        result.ExitCode.Should().Be(TruthExitCodes.StoreOption, result.ToString());
        result.StandardError.Trim().Should().StartWith("cijobs: error: ").And.NotContain("\n");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    public async Task Build_times_last_out_of_range_is_a_usage_error(string last) =>
        (await QueryAsync("build-times", "--release", "epoxy", "--last", last)).ExitCode.Should().Be(1);

    [Fact]
    public async Task A_release_status_reads_rdoinfo()
    {
        var database = await RdoinfoLoader.LoadAsync(RepoPaths.RealRdoinfo);
        var release = database.Releases.First(r => database.ExpandAll(r.Name).Count >= 5);
        var result = await QueryAsync("release", release.Name, "--rdoinfo", RepoPaths.RealRdoinfo, "--format", "json", "--limit", "3");
        result.ExitCode.Should().Be(0, result.ToString());
        var json = JsonDocument.Parse(result.StandardOutput).RootElement;
        json.GetProperty("items").GetArrayLength().Should().Be(3);
        json.GetProperty("truncated").GetBoolean().Should().BeTrue();
        var first = database.ExpandAll(release.Name).OrderBy(p => p.Name, StringComparer.Ordinal).First();
        json.GetProperty("items")[0].GetProperty("source_ref").GetString().Should().Be(BuildTargetResolver.SourceRef(first, release).Ref);
    }

    [Theory]
    [InlineData("inputs", "not-a-sha")]
    [InlineData("built-from", "1234")]
    [InlineData("produced", "--from", "200", "--to", "100")]
    [InlineData("produced", "--from", "2026-12-06 14:00", "--to", "100")]
    [InlineData("qe")]
    [InlineData("qe", "--repo-hash", "x_y")]
    [InlineData("history", "../../etc/passwd")]
    public async Task Bad_arguments_exit_139_with_one_line(params string[] arguments)
    {
        var result = await QueryAsync(arguments);
        result.ExitCode.Should().Be(TruthExitCodes.StoreOption, result.ToString());
        result.StandardError.Trim().Should().StartWith("cijobs: error: ").And.NotContain("\n");
        result.StandardOutput.Should().BeEmpty();
    }

    [Fact]
    public async Task A_limit_out_of_range_is_a_usage_error()
    {
        var result = await QueryAsync("history", "bar", "--limit", "0");
        result.ExitCode.Should().Be(1, result.ToString());
    }

    [Fact]
    public async Task Serve_prints_its_url_and_answers_until_stopped()
    {
        var info = new ProcessStartInfo(CliRunner.Program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[.. CliRunner.ProgramArguments, "truth", "serve", "--store", Store, "--port", "0"])
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove(TruthCommand.StoreVariable);
        using var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var url = await process.StandardOutput.ReadLineAsync(timeout.Token);
            url.Should().StartWith("http://127.0.0.1:");
            using var http = new HttpClient();
            var history = JsonDocument.Parse(await http.GetStringAsync(url + "api/history?package=bar")).RootElement;
            history.GetProperty("builds").GetArrayLength().Should().Be(2);
            using var release = await http.GetAsync(url + "api/release?name=x");
            ((int)release.StatusCode).Should().Be(400, "the server was started without --rdoinfo");
        }
        finally
        {
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(wait.Token);
        }

        process.ExitCode.Should().Be(0);
    }
}
