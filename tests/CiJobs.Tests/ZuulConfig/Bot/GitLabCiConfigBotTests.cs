using CiJobs.Core.ZuulConfig.Bot;
using CiJobs.Fakes.GitLab;
using CiJobs.Tests.Rdoinfo;
using CiJobs.Tests.Support;
using CliWrap;
using CliWrap.Buffered;

namespace CiJobs.Tests.ZuulConfig.Bot;

/// <summary>Runs the includable GitLab CI job ci/gitlab/config-bot.yml with gitlab-ci-local (shell executor) against the fake GitLab.</summary>
[Trait("Runs", "cijobs")]
public class GitLabCiConfigBotTests
{
    private const string Token = "glpat-gitlab-ci-config-bot-secret";

    [Fact]
    public async Task A_push_to_the_default_branch_of_rdoinfo_opens_one_merge_request_on_the_config_repository()
    {
        using var f = await ProposalFixture.CreateAsync();
        await using var gitLab = new FakeGitLab();
        await gitLab.StartAsync();
        gitLab.AddUser("config-bot", Token);
        gitLab.AddProject("rdo/config", f.Remote, "master");
        Directory.CreateDirectory(Path.Combine(f.Rdoinfo.Path, "ci", "gitlab"));
        File.Copy(Path.Combine(RepoPaths.Root, "ci", "gitlab", "config-bot.yml"), Path.Combine(f.Rdoinfo.Path, "ci", "gitlab", "config-bot.yml"));
        var rdoinfo = new TestGit(f.Rdoinfo.Path);
        var commit = await rdoinfo.CommitAsync("CI", new Dictionary<string, string>
        {
            [".gitlab-ci.yml"] = "include:\n  - local: ci/gitlab/config-bot.yml\n",
            [".gitignore"] = ".gitlab-ci-local/\n",
        });

        var first = await RunAsync(f.Rdoinfo.Path, f.Remote, gitLab.BaseUrl);
        var second = await RunAsync(f.Rdoinfo.Path, f.Remote, gitLab.BaseUrl);

        first.ExitCode.Should().Be(0, first.StandardOutput + first.StandardError);
        second.ExitCode.Should().Be(0, second.StandardOutput + second.StandardError);
        var mr = gitLab.MergeRequests("rdo/config").Should().ContainSingle().Subject;
        mr.SourceBranch.Should().Be($"cijobs/zuul-config-{commit[..12]}");
        (await f.RemoteGitAsync("ls-tree", "-r", "--name-only", mr.SourceBranch)).Split('\n').Should().Contain(ConfigBotNames.ProjectsFile);
        (first.StandardOutput + first.StandardError + second.StandardOutput + second.StandardError).Should().NotContain(Token);
    }

    private static Task<BufferedCommandResult> RunAsync(string directory, string remote, string gitLabUrl) =>
        global::CliWrap.Cli.Wrap("gitlab-ci-local")
            .WithArguments(
            [
                "--variable", "CI_PIPELINE_SOURCE=push",
                "--variable", "CI_DEFAULT_BRANCH=main",
                "--variable", $"CI_SERVER_URL={gitLabUrl}",
                "--variable", $"CIJOBS_CONFIG_BOT_TOKEN={Token}",
                "--variable", $"CIJOBS_CONFIG_BOT_CONFIG_REPO_URL=file://{remote}",
                "--variable", "CIJOBS_CONFIG_BOT_PROJECT=rdo/config",
                "--variable", $"CIJOBS_CMD={CliRunner.CommandLine}",
                "cijobs-config-bot",
            ])
            .WithWorkingDirectory(directory)
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["GCL_IGNORE_PREDEFINED_VARS"] = "CI_PIPELINE_SOURCE,CI_SERVER_URL,CI_DEFAULT_BRANCH" })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();
}
