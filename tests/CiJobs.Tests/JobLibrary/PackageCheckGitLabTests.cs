using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using CiJobs.Fakes.GitLab;
using CiJobs.Tests.Support;
using CliWrap.Buffered;
using Xunit.Abstractions;

namespace CiJobs.Tests.JobLibrary;

/// <summary>
/// Runs the check/gate template ci/gitlab/package-check.yml with gitlab-ci-local (shell executor) against the fake
/// GitLab: the install test's failure cancels the pipeline through the API, which stops the system test running
/// beside it; in a merge train only the build and the system test run.
/// </summary>
[Trait("Runs", "cijobs")]
public sealed class PackageCheckGitLabTests(ITestOutputHelper testOutput) : IAsyncLifetime
{
    private const string Token = "glpat-package-check-token";
    private const string Project = "rpms/example-greeter";
    private readonly FakeGitLab gitLab = new();
    private readonly TempDir temp = new("gcl-check");

    public async Task InitializeAsync()
    {
        await gitLab.StartAsync();
        gitLab.AddUser("cijobs-bot", Token);
        await TestGit.InitAsync(temp.Combine("bare.git"));
        gitLab.AddProject(Project, temp.Combine("bare.git"));
    }

    public async Task DisposeAsync()
    {
        await gitLab.DisposeAsync();
        temp.Dispose();
    }

    private async Task<string> ProjectAsync(string jobs)
    {
        var dir = temp.Combine("project");
        var git = await TestGit.InitAsync(dir);
        Directory.CreateDirectory(Path.Combine(dir, "ci", "gitlab"));
        File.Copy(Path.Combine(RepoPaths.Root, "ci", "gitlab", "package-check.yml"), Path.Combine(dir, "ci", "gitlab", "package-check.yml"));
        await File.WriteAllTextAsync(Path.Combine(dir, ".gitlab-ci.yml"), "include:\n  - local: ci/gitlab/package-check.yml\nstages: [build, test]\n" + jobs);
        await File.WriteAllTextAsync(Path.Combine(dir, ".gitignore"), ".gitlab-ci-local/\n");
        await git.CommitAsync("CI", new Dictionary<string, string>());
        return dir;
    }

    private static Task<BufferedCommandResult> GitLabCiLocalAsync(string dir, params string[] arguments) =>
        GitLabCiLocal.RunAsync(dir, arguments, "CI_PIPELINE_SOURCE,CI_SERVER_URL,CI_PIPELINE_ID,CI_PROJECT_ID,CI_MERGE_REQUEST_IID");

    [Fact]
    public async Task A_failing_install_test_cancels_the_pipeline_and_the_system_test_stops()
    {
        var pipeline = gitLab.AddProjectPipeline(Project);
        // The build publishes a test repository (here: only its dotenv report); the install test fails as
        // 'cijobs install-test' does on a broken package. The template's after_script and system test run as shipped.
        var dir = await ProjectAsync("""
            cijobs-build:
              script:
                - "printf 'CIJOBS_TESTREPO_NAME=check-4-7\\nCIJOBS_TESTREPO_RPM_URL=http://127.0.0.1:9/check-4-7/rpm/\\n' > cijobs-testrepo.env"
                - echo '{}' > cijobs-testrepo.json
            cijobs-install-test:
              script:
                - sleep 3
                - "echo 'cijobs: error: install test: example-greeter: install: %post scriptlet failed' >&2"
                - exit 100
            """);
        var clock = Stopwatch.StartNew();

        var result = await GitLabCiLocalAsync(
            dir,
            "--variable", "CI_PIPELINE_SOURCE=merge_request_event",
            "--variable", "CI_MERGE_REQUEST_IID=4",
            "--variable", $"CI_SERVER_URL={gitLab.BaseUrl}",
            "--variable", $"CI_PROJECT_ID={Project}",
            "--variable", $"CI_PIPELINE_ID={pipeline.Id.ToString(CultureInfo.InvariantCulture)}",
            "--variable", $"CIJOBS_GITLAB_TOKEN={Token}",
            "--variable", $"CIJOBS_CMD={CliRunner.CommandLine}",
            "--variable", "CIJOBS_SYSTEST_COMMAND=echo \"systest sees $$CIJOBS_TEST_RPM_URLS\"; sleep 120");

        var output = result.StandardOutput + result.StandardError;
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(100), "the 120 s system test was stopped\n" + output);
        output.Should().Contain("systest sees http://127.0.0.1:9/check-4-7/rpm/");
        output.Should().Contain($"canceled pipeline {pipeline.Id} of {Project} (install test failed)");
        output.Should().Contain($"cijobs: error: system test aborted: GitLab pipeline {pipeline.Id} is canceled");
        output.Should().MatchRegex(@"FAIL\s+cijobs-systest").And.MatchRegex(@"FAIL\s+cijobs-install-test");
        output.Should().NotContain(Token);
        var summaryFile = Directory.EnumerateFiles(dir, "systest.json", SearchOption.AllDirectories).First();
        var summary = JsonNode.Parse(File.ReadAllText(summaryFile))!;
        var seenAt = DateTimeOffset.Parse((string)summary["abort_seen_at"]!, CultureInfo.InvariantCulture);
        var delay = seenAt - pipeline.CanceledAt!.Value + TimeSpan.FromSeconds((double)summary["abort_delay_seconds"]!);
        delay.Should().BeLessThan(TimeSpan.FromSeconds(10), "one 2 s poll plus the kill");
        testOutput.WriteLine($"abort delay from the pipeline cancel to the end of the system test: {delay.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s");
    }

    [Fact]
    public async Task A_merge_train_runs_only_the_build_and_the_system_test()
    {
        var dir = await ProjectAsync("");

        var train = await GitLabCiLocalAsync(dir, "--list", "--variable", "CI_PIPELINE_SOURCE=merge_request_event", "--variable", "CI_MERGE_REQUEST_EVENT_TYPE=merge_train");
        var check = await GitLabCiLocalAsync(dir, "--list", "--variable", "CI_PIPELINE_SOURCE=merge_request_event", "--variable", "CI_MERGE_REQUEST_EVENT_TYPE=merged_result");
        var push = await GitLabCiLocalAsync(dir, "--list", "--variable", "CI_PIPELINE_SOURCE=push");

        train.ExitCode.Should().Be(0, train.StandardOutput + train.StandardError);
        Jobs(train.StandardOutput).Should().BeEquivalentTo(["cijobs-build", "cijobs-systest"]);
        Jobs(check.StandardOutput).Should().BeEquivalentTo(["cijobs-build", "cijobs-install-test", "cijobs-systest"]);
        Jobs(push.StandardOutput).Should().BeEmpty();
    }

    private static IEnumerable<string> Jobs(string listing) =>
        listing.Split('\n').Select(l => l.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "").Where(n => n.StartsWith("cijobs-", StringComparison.Ordinal));
}
