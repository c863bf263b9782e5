using System.Globalization;
using CiJobs.Core.Forges;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Forges;

[Trait("Runs", "cijobs")]
public sealed class MrCommandTests : IAsyncLifetime
{
    private MirrorFixture f = null!;

    public async Task InitializeAsync() => f = await MirrorFixture.CreateAsync();

    public async Task DisposeAsync() => await f.DisposeAsync();

    [Fact]
    public async Task Mr_sync_in_a_merge_request_pipeline_mirrors_the_MR_and_never_prints_the_token()
    {
        var result = await CliRunner.RunAsync(["mr", "sync", "--format", "json"], environment: f.PipelineEnvironment());

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Contain("\"action\": \"created\"");
        (result.StandardOutput + result.StandardError).Should().NotContain(MirrorFixture.BotToken);
        f.GitLab.MergeRequests(MirrorFixture.DistProject).Should().ContainSingle();
    }

    [Fact]
    public async Task Ten_mr_sync_processes_at_once_as_from_duplicate_pipelines_leave_one_dist_git_MR()
    {
        var runs = Enumerable.Range(0, 10).Select(_ => CliRunner.RunAsync(["mr", "sync", "--format", "json"], environment: f.PipelineEnvironment())).ToList();

        var results = await Task.WhenAll(runs);

        results.Should().OnlyContain(r => r.ExitCode == 0, string.Join("\n", results.Select(r => r.ToString())));
        results.Should().OnlyContain(r => r.StandardOutput.Contains("\"dist_git_merge_request_number\": 1", StringComparison.Ordinal));
        f.GitLab.MergeRequests(MirrorFixture.DistProject).Should().ContainSingle();
        f.GitLab.Notes(MirrorFixture.SourceProject, f.Number).Should().ContainSingle();
    }

    [Fact]
    public async Task A_refused_token_exits_61_without_printing_it()
    {
        var result = await CliRunner.RunAsync(["mr", "sync"], environment: f.PipelineEnvironment("glpat-WRONG-secret-77"));

        result.ExitCode.Should().Be(ForgeExitCodes.Unauthorized, result.ToString());
        result.StandardError.Should().Contain("401");
        (result.StandardOutput + result.StandardError).Should().NotContain("glpat-WRONG-secret-77");
    }

    [Fact]
    public async Task No_token_exits_69_and_missing_MR_exits_60()
    {
        var environment = f.PipelineEnvironment();
        environment["CIJOBS_SOURCE_GIT_TOKEN"] = null;
        (await CliRunner.RunAsync(["mr", "sync"], environment: environment)).ExitCode.Should().Be(ForgeExitCodes.TokenMissing);

        environment = f.PipelineEnvironment();
        environment["CI_MERGE_REQUEST_IID"] = null;
        (await CliRunner.RunAsync(["mr", "sync"], environment: environment)).ExitCode.Should().Be(ForgeExitCodes.InputInvalid);
    }

    [Fact]
    public async Task Mr_sync_reads_a_webhook_payload_and_a_token_file_and_a_duplicate_delivery_is_harmless()
    {
        using var temp = new TempDir("hook");
        var payload = temp.Write("hook.json", $$"""
            {"object_kind":"merge_request","event_type":"merge_request","user":{"username":"alice"},
             "project":{"id":1,"path_with_namespace":"src/hello","web_url":"{{f.GitLab.BaseUrl}}/src/hello"},
             "object_attributes":{"iid":{{f.Number}},"action":"open","state":"opened","source_branch":"fix","target_branch":"c9s"} }
            """);
        var tokenFile = temp.Write("token", MirrorFixture.BotToken + "\n");
        var environment = new Dictionary<string, string?> { ["CIJOBS_SOURCE_GIT_TOKEN_FILE"] = tokenFile };
        string[] arguments = ["mr", "sync", "--event-file", payload, "--dist-git-project", MirrorFixture.DistProject];

        var first = await CliRunner.RunAsync(arguments, environment: environment);
        var second = await CliRunner.RunAsync(arguments, environment: environment);

        first.ExitCode.Should().Be(0, first.ToString());
        second.ExitCode.Should().Be(0, second.ToString());
        second.StandardOutput.Should().Contain("already mirrors");
        f.GitLab.MergeRequests(MirrorFixture.DistProject).Should().ContainSingle();
    }

    [Fact]
    public async Task Mr_status_at_the_end_of_the_dist_git_pipeline_sets_the_source_git_commit_status()
    {
        (await CliRunner.RunAsync(["mr", "sync"], environment: f.PipelineEnvironment())).ExitCode.Should().Be(0);
        var environment = new Dictionary<string, string?>
        {
            ["CI_SERVER_URL"] = f.GitLab.BaseUrl,
            ["CI_MERGE_REQUEST_PROJECT_PATH"] = MirrorFixture.DistProject,
            ["CI_MERGE_REQUEST_IID"] = "1",
            ["CI_PIPELINE_URL"] = f.GitLab.BaseUrl + "/rpms/hello/-/pipelines/9",
            ["CIJOBS_SOURCE_GIT_TOKEN"] = MirrorFixture.BotToken,
        };

        var result = await CliRunner.RunAsync(["mr", "status", "--pipeline-status", "success"], environment: environment);

        result.ExitCode.Should().Be(0, result.ToString());
        var status = f.GitLab.Statuses(MirrorFixture.SourceProject).Should().ContainSingle().Subject;
        status.State.Should().Be("success");
        status.Sha.Should().Be(await f.BareGitAsync(f.SourceBare, "rev-parse", "fix"));
        status.TargetUrl.Should().EndWith("/pipelines/9");
    }

    [Fact]
    public async Task Mr_sync_from_dist_git_in_a_dist_git_push_pipeline_opens_the_sync_MR_once()
    {
        await f.Repos.Dist.RunAsync("checkout", "--quiet", "c9s");
        await f.Repos.CommitDistAsync("Add a gating test", new Dictionary<string, string> { ["tests/tests.yml"] = "- hosts: localhost\n  roles: [smoke]\n" });
        await f.Repos.Dist.RunAsync("push", "--quiet", f.DistBare, "c9s:c9s");
        var environment = new Dictionary<string, string?>
        {
            ["CI_SERVER_URL"] = f.GitLab.BaseUrl,
            ["CI_PROJECT_PATH"] = MirrorFixture.DistProject,
            ["CI_COMMIT_BRANCH"] = "c9s",
            ["CIJOBS_SOURCE_GIT_PROJECT"] = MirrorFixture.SourceProject,
            ["CIJOBS_SOURCE_GIT_TOKEN"] = MirrorFixture.BotToken,
        };

        var first = await CliRunner.RunAsync(["mr", "sync-from-dist-git"], environment: environment);
        var second = await CliRunner.RunAsync(["mr", "sync-from-dist-git"], environment: environment);

        first.ExitCode.Should().Be(0, first.ToString());
        second.ExitCode.Should().Be(0, second.ToString());
        f.GitLab.MergeRequests(MirrorFixture.SourceProject).Where(m => m.SourceBranch == "sync-from-dist-git/c9s").Should().ContainSingle();
    }

    [Fact]
    public async Task Mr_reconcile_catches_up_a_missed_close()
    {
        (await CliRunner.RunAsync(["mr", "sync"], environment: f.PipelineEnvironment())).ExitCode.Should().Be(0);
        f.GitLab.MergeRequests(MirrorFixture.SourceProject).Single().State = "closed";
        var environment = f.PipelineEnvironment();
        environment["CI_MERGE_REQUEST_IID"] = null;

        var result = await CliRunner.RunAsync(["mr", "reconcile", "--source-git-project", MirrorFixture.SourceProject], environment: environment);

        result.ExitCode.Should().Be(0, result.ToString());
        f.GitLab.MergeRequests(MirrorFixture.DistProject).Single().State.Should().Be("closed");
        result.StandardOutput.Should().Contain(string.Create(CultureInfo.InvariantCulture, $"!{f.Number}: Closed"));
    }
}
