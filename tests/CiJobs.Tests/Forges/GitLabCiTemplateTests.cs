using CiJobs.Tests.Support;
using CliWrap;
using CliWrap.Buffered;

namespace CiJobs.Tests.Forges;

/// <summary>Runs the includable job template ci/gitlab/source-git.yml with gitlab-ci-local (shell executor) against the fake GitLab.</summary>
public sealed class GitLabCiTemplateTests : IAsyncLifetime
{
    private MirrorFixture f = null!;

    public async Task InitializeAsync() => f = await MirrorFixture.CreateAsync();

    public async Task DisposeAsync() => await f.DisposeAsync();

    private static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CiJobs.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("CiJobs.sln not found above the test folder.");
        }
    }

    private async Task<BufferedCommandResult> RunPipelineAsync(string directory, bool withToken)
    {
        var project = await TestGit.InitAsync(directory);
        Directory.CreateDirectory(Path.Combine(directory, "ci", "gitlab"));
        File.Copy(Path.Combine(RepoRoot, "ci", "gitlab", "source-git.yml"), Path.Combine(directory, "ci", "gitlab", "source-git.yml"));
        await File.WriteAllTextAsync(Path.Combine(directory, ".gitlab-ci.yml"), "include:\n  - local: ci/gitlab/source-git.yml\n");
        await File.WriteAllTextAsync(Path.Combine(directory, ".gitignore"), ".gitlab-ci-local/\n");
        await project.CommitAsync("CI", new Dictionary<string, string>());
        List<string> arguments =
        [
            "--variable", "CI_PIPELINE_SOURCE=merge_request_event",
            "--variable", $"CI_MERGE_REQUEST_IID={f.Number}",
            "--variable", $"CI_MERGE_REQUEST_PROJECT_PATH={MirrorFixture.SourceProject}",
            "--variable", $"CI_SERVER_URL={f.GitLab.BaseUrl}",
            "--variable", $"CIJOBS_DIST_GIT_PROJECT={MirrorFixture.DistProject}",
            "--variable", $"CIJOBS_CMD=dotnet {CliRunner.CliDll}",
        ];
        if (withToken)
        {
            arguments.AddRange(["--variable", $"CIJOBS_SOURCE_GIT_TOKEN={MirrorFixture.BotToken}"]);
        }

        arguments.Add("cijobs-mr-sync");
        return await global::CliWrap.Cli.Wrap("gitlab-ci-local")
            .WithArguments(arguments)
            .WithWorkingDirectory(directory)
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["GCL_IGNORE_PREDEFINED_VARS"] = "CI_PIPELINE_SOURCE,CI_SERVER_URL" })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();
    }

    [Fact]
    public async Task The_merge_request_job_of_the_template_mirrors_the_MR_through_gitlab_ci_local()
    {
        using var temp = new TempDir("gcl");

        var result = await RunPipelineAsync(temp.Path, withToken: true);

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        result.StandardOutput.Should().Contain("PASS").And.Contain("cijobs-mr-sync");
        f.GitLab.MergeRequests(MirrorFixture.DistProject).Should().ContainSingle().Which.SourceBranch.Should().Be("source-git-mr-1");
    }

    [Fact]
    public async Task Without_the_token_as_in_a_fork_MR_the_job_passes_and_leaves_it_to_the_reconciler()
    {
        using var temp = new TempDir("gcl");

        var result = await RunPipelineAsync(temp.Path, withToken: false);

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        result.StandardOutput.Should().Contain("scheduled reconciler");
        f.GitLab.MergeRequests(MirrorFixture.DistProject).Should().BeEmpty();
    }
}
