using CiJobs.Core.Forges.GitHub;
using CiJobs.Core.Forges.Mirroring;
using CiJobs.Core.Platform;
using CiJobs.Fakes.GitHub;

namespace CiJobs.Tests.Forges;

/// <summary>Source-git on (fake) GitHub through Octokit, dist-git on (fake) GitLab.</summary>
[Trait("Runs", "cijobs")]
public sealed class GitHubMirrorTests : IAsyncLifetime
{
    private const string GitHubToken = "ghp_SECRET_bot_token_0042";
    private readonly FakeGitHub gitHub = new();
    private MirrorFixture f = null!;

    public async Task InitializeAsync()
    {
        f = await MirrorFixture.CreateAsync();
        await gitHub.StartAsync();
        gitHub.AddUser("cijobs-bot", GitHubToken);
        gitHub.AddRepository("src/hello", f.SourceBare);
        gitHub.OpenPull("src/hello", "fix", "c9s", "Fix the exit code", "From GitHub.", "alice");
    }

    public async Task DisposeAsync()
    {
        await gitHub.DisposeAsync();
        await f.DisposeAsync();
    }

    private MergeRequestMirror Mirror(string token = GitHubToken) => new(
        new MirrorEndpoints(GitHubForge.Create(gitHub.BaseUrl, token), "src/hello", f.CreateForge(), MirrorFixture.DistProject),
        new SourceGitConversion(f.Repos.Converter),
        new MirrorGit(new CliWrapProcessRunner()));

    [Fact]
    public async Task A_GitHub_pull_request_is_mirrored_to_a_GitLab_dist_git_MR_and_CI_comes_back_as_a_GitHub_status()
    {
        var created = await Mirror().SyncAsync(1, default);
        var again = await Mirror().SyncAsync(1, default);

        created.Action.Should().Be(MirrorAction.Created);
        again.Action.Should().Be(MirrorAction.UpToDate);
        f.GitLab.MergeRequests(MirrorFixture.DistProject).Should().ContainSingle().Which.Description.Should().Contain("<!-- cijobs:source-git-mr=src/hello!1 -->");
        gitHub.Pulls("src/hello").Single().Body.Should().Contain("<!-- cijobs:dist-git-mr=rpms/hello!1 -->");
        gitHub.Comments("src/hello", 1).Should().ContainSingle().Which.Author.Should().Be("cijobs-bot");

        (await Mirror().StatusAsync(1, "failed", null, default)).Action.Should().Be(MirrorAction.StatusSet);
        (await Mirror().StatusAsync(1, "failed", null, default)).Action.Should().Be(MirrorAction.StatusUnchanged);
        var status = gitHub.Statuses("src/hello").Should().ContainSingle().Subject;
        status.State.Should().Be("failure");
        status.Context.Should().Be("dist-git CI");
        status.Sha.Should().Be(await f.BareGitAsync(f.SourceBare, "rev-parse", "fix"));

        gitHub.Pulls("src/hello").Single().State = "closed";
        (await Mirror().SyncAsync(1, default)).Action.Should().Be(MirrorAction.Closed);
        f.GitLab.MergeRequests(MirrorFixture.DistProject).Single().State.Should().Be("closed");
    }

    [Fact]
    public async Task Mr_sync_from_the_command_line_mirrors_a_GitHub_pull_request_with_two_tokens_never_printed()
    {
        var environment = new Dictionary<string, string?>
        {
            ["CIJOBS_SOURCE_GIT_TOKEN"] = GitHubToken,
            ["CIJOBS_DIST_GIT_TOKEN"] = MirrorFixture.BotToken,
        };
        string[] arguments =
        [
            "mr", "sync", "--forge", "GitHub", "--server-url", gitHub.BaseUrl, "--source-git-project", "src/hello", "--mr", "1",
            "--dist-git-forge", "GitLab", "--dist-git-server-url", f.GitLab.BaseUrl, "--dist-git-project", MirrorFixture.DistProject,
        ];

        var result = await Support.CliRunner.RunAsync(arguments, environment: environment);

        result.ExitCode.Should().Be(0, result.ToString());
        (result.StandardOutput + result.StandardError).Should().NotContain(GitHubToken).And.NotContain(MirrorFixture.BotToken);
        f.GitLab.MergeRequests(MirrorFixture.DistProject).Should().ContainSingle();
        gitHub.Comments("src/hello", 1).Should().ContainSingle();
    }

    [Fact]
    public async Task A_second_open_pull_request_for_the_same_branch_is_a_conflict_from_the_adapter()
    {
        var forge = GitHubForge.Create(gitHub.BaseUrl, GitHubToken);

        var act = () => forge.MergeRequests.CreateAsync("src/hello", new Core.Forges.NewMergeRequest("fix", "c9s", "again", ""), default);

        var error = (await act.Should().ThrowAsync<Core.Forges.ForgeApiException>()).Which;
        error.IsConflict.Should().BeTrue();
        error.Message.Should().Contain("already exists");
        error.Message.Should().NotContain(GitHubToken);
    }
}
