using System.Diagnostics;
using System.Text.Json.Nodes;
using CiJobs.Core.Forges;
using CiJobs.Core.Forges.GitLab;
using CiJobs.Core.SystemTest;
using CiJobs.Fakes.GitLab;
using CiJobs.Fakes.Zuul;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.SystemTest;

[Trait("Runs", "cijobs")]
public sealed class SystemTestCommandTests : IAsyncLifetime
{
    private const string Token = "glpat-systest-secret-token";
    private const string Project = "rpms/example";
    private readonly FakeGitLab gitLab = new();
    private readonly TempDir temp = new("systest-cli");

    public async Task InitializeAsync()
    {
        await gitLab.StartAsync();
        gitLab.AddUser("cijobs-bot", Token);
        var bare = temp.Combine("bare.git");
        await TestGit.InitAsync(bare);
        gitLab.AddProject(Project, bare);
    }

    public async Task DisposeAsync()
    {
        await gitLab.DisposeAsync();
        temp.Dispose();
    }

    private Dictionary<string, string?> CiVariables(long pipeline) => new()
    {
        ["CI_SERVER_URL"] = gitLab.BaseUrl,
        ["CI_PROJECT_ID"] = Project,
        ["CI_PIPELINE_ID"] = pipeline.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CIJOBS_GITLAB_TOKEN"] = Token,
    };

    [Fact]
    public async Task The_install_test_canceling_the_pipeline_stops_the_system_test_within_a_poll()
    {
        var pipeline = gitLab.AddProjectPipeline(Project);
        var variables = CiVariables(pipeline.Id);
        var clock = Stopwatch.StartNew();
        var systest = CliRunner.RunAsync(
            ["systest", "run", "--abort-on-gitlab-pipeline", "--poll-interval", "0.2", "--out", temp.Combine("out"), "--", "sleep", "120"],
            temp.Path, variables);
        await Task.Delay(TimeSpan.FromSeconds(2));

        var abort = await CliRunner.RunAsync(["systest", "abort", "--reason", "install test failed"], temp.Path, variables);
        var result = await systest;

        abort.ExitCode.Should().Be(0, abort.StandardError);
        abort.StandardError.Should().Contain($"canceled pipeline {pipeline.Id} of {Project} (install test failed); it is canceled");
        result.ExitCode.Should().Be(SystemTestExitCodes.Aborted, result.StandardError);
        result.StandardError.Should().Contain($"cijobs: error: system test aborted: GitLab pipeline {pipeline.Id} is canceled");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "the 120 s sleep was stopped");
        var summary = JsonNode.Parse(File.ReadAllText(temp.Combine("out", "systest.json")))!;
        ((bool)summary["aborted"]!).Should().BeTrue();
        var seenAt = DateTimeOffset.Parse((string)summary["abort_seen_at"]!, System.Globalization.CultureInfo.InvariantCulture);
        var delay = seenAt - pipeline.CanceledAt!.Value + TimeSpan.FromSeconds((double)summary["abort_delay_seconds"]!);
        delay.Should().BeLessThan(TimeSpan.FromSeconds(5), "one poll (0.2 s) plus the kill, with room for a loaded machine");
        (result.StandardOutput + result.StandardError + abort.StandardError).Should().NotContain(Token);
    }

    [Fact]
    public async Task Abort_without_a_token_or_pipeline_is_a_configuration_error()
    {
        var noToken = CiVariables(5);
        noToken["CIJOBS_GITLAB_TOKEN"] = "";
        var noPipeline = CiVariables(5);
        noPipeline["CI_PIPELINE_ID"] = "abc";

        var first = await CliRunner.RunAsync(["systest", "abort"], temp.Path, noToken);
        var second = await CliRunner.RunAsync(["systest", "abort"], temp.Path, noPipeline);

        first.ExitCode.Should().Be(SystemTestExitCodes.WatchMisconfigured);
        first.StandardError.Should().Contain("no GitLab token");
        second.ExitCode.Should().Be(SystemTestExitCodes.WatchMisconfigured);
        second.StandardError.Should().Contain("CI_PIPELINE_ID is not set to a pipeline id");
    }

    [Fact]
    public async Task Abort_of_an_unknown_pipeline_fails_with_the_cancel_code_and_no_token_in_the_message()
    {
        var result = await CliRunner.RunAsync(["systest", "abort"], temp.Path, CiVariables(999_999));

        result.ExitCode.Should().Be(SystemTestExitCodes.CancelFailed, result.StandardError);
        result.StandardError.Should().Contain("cannot cancel pipeline 999999").And.NotContain(Token);
    }

    [Fact]
    public async Task A_failing_zuul_install_test_of_the_same_item_stops_the_system_test()
    {
        await using var zuul = new FakeZuulStatus("example");
        await zuul.StartAsync();
        const string build = "5f0c1d2e3a4b";
        // The same change also sits in another pipeline, where the install test fails: not this item, ignored.
        var other = zuul.AddItem("12,3", "rpms/example", ("cijobs-install-test-rpm", "other-1"), ("cijobs-systest", "other-2"));
        zuul.SetJob(other, "cijobs-install-test-rpm", "FAILURE");
        var mine = zuul.AddItem("12,3", "rpms/example", ("cijobs-build-distgit", "b1"), ("cijobs-install-test-rpm", "i1"), ("cijobs-systest", build));
        var systest = CliRunner.RunAsync(
            ["systest", "run", "--abort-on-zuul-job", "cijobs-install-test-rpm", "--zuul-api", zuul.BaseUrl, "--zuul-tenant", "example",
             "--zuul-change", "12,3", "--zuul-build", build, "--poll-interval", "0.2", "--out", temp.Combine("zout"), "--", "sleep", "120"],
            temp.Path);
        await Task.Delay(TimeSpan.FromSeconds(2));
        systest.IsCompleted.Should().BeFalse("the failure of another item's install test does not stop this one");

        zuul.SetJob(mine, "cijobs-install-test-rpm", "FAILURE");
        var result = await systest;

        result.ExitCode.Should().Be(SystemTestExitCodes.Aborted, result.StandardError);
        result.StandardError.Should().Contain("system test aborted: Zuul job cijobs-install-test-rpm finished with FAILURE");
        zuul.RequestCount.Should().BeGreaterThan(2);
    }

    [Fact]
    public void Pre_fail_counts_as_failing_and_success_or_skipped_do_not()
    {
        var watch = new ZuulJobWatch(new HttpClient(), "t", "1,1", "me", ["install"]);
        static JsonNode Item(string result, bool preFail) => JsonNode.Parse($$"""
            [{"id": "x", "refs": [{"id": "1,1"}], "jobs": [
              {"name": "systest", "uuid": "me", "result": null},
              {"name": "install", "uuid": "u", "result": {{(result == "null" ? "null" : "\"" + result + "\"")}}, "pre_fail": {{(preFail ? "true" : "false")}}}]}]
            """)!;

        Verdict(watch, Item("null", true)).Should().Be("Zuul job install is failing");
        Verdict(watch, Item("SUCCESS", false)).Should().BeNull();
        Verdict(watch, Item("SKIPPED", false)).Should().BeNull();
        Verdict(watch, Item("null", false)).Should().BeNull();
        Verdict(watch, Item("POST_FAILURE", false)).Should().Be("Zuul job install finished with POST_FAILURE");
    }

    private static string? Verdict(ZuulJobWatch watch, JsonNode node)
    {
        using var document = System.Text.Json.JsonDocument.Parse(node.ToJsonString());
        return watch.Verdict(document.RootElement);
    }

    [Fact]
    public async Task Repos_writes_the_files_and_prints_their_variables()
    {
        var artifacts = temp.Combine("artifacts.json");
        await File.WriteAllTextAsync(artifacts, """
            [{"url": "http://127.0.0.1:1/a/rpm/", "change": "1", "patchset": "1", "metadata": {"type": "cijobs_test_repo", "format": "rpm", "repo_name": "check-1-1"}}]
            """);

        var result = await CliRunner.RunAsync(["systest", "repos", "--zuul-artifacts", artifacts, "--out", temp.Combine("r")], temp.Path);

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().Contain($"CIJOBS_TEST_REPO_FILE={temp.Combine("r", "cijobs-test.repo")}").And.Contain("CIJOBS_TEST_REPO_COUNT=1");
        File.ReadAllText(temp.Combine("r", "cijobs-test.repo")).Should().Contain("baseurl=http://127.0.0.1:1/a/rpm/");
    }
}
