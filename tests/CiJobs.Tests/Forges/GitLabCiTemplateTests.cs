using CiJobs.Tests.Support;
using CliWrap;
using CliWrap.Buffered;

namespace CiJobs.Tests.Forges;

/// <summary>Runs the includable job template ci/gitlab/source-git.yml with gitlab-ci-local (shell executor) against the fake GitLab.</summary>
[Trait("Runs", "cijobs")]
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
            "--variable", $"CIJOBS_CMD={CliRunner.CommandLine}",
        ];
        if (withToken)
        {
            arguments.AddRange(["--variable", $"CIJOBS_SOURCE_GIT_TOKEN={MirrorFixture.BotToken}"]);
        }

        arguments.Add("cijobs-mr-sync");
        return await GitLabCiLocal.RunAsync(directory, arguments, "CI_PIPELINE_SOURCE,CI_SERVER_URL");
    }

    [Theory]
    [InlineData("exit 0", "success")]
    [InlineData("exit 3", "failed")]
    public async Task The_dist_git_template_reports_running_then_the_pipeline_result_to_the_source_git_commit(string buildScript, string finalState)
    {
        await f.CreateMirror().SyncAsync(f.Number, default);
        using var temp = new TempDir("gcl");
        var project = await TestGit.InitAsync(temp.Path);
        Directory.CreateDirectory(temp.Combine("ci", "gitlab"));
        File.Copy(Path.Combine(RepoRoot, "ci", "gitlab", "dist-git.yml"), temp.Combine("ci", "gitlab", "dist-git.yml"));
        await File.WriteAllTextAsync(temp.Combine(".gitlab-ci.yml"), $"include:\n  - local: ci/gitlab/dist-git.yml\nrpm-build:\n  stage: test\n  script:\n    - {buildScript}\n");
        await File.WriteAllTextAsync(temp.Combine(".gitignore"), ".gitlab-ci-local/\n");
        await project.CommitAsync("CI", new Dictionary<string, string>());

        var result = await global::CliWrap.Cli.Wrap("gitlab-ci-local")
            .WithArguments(
            [
                "--variable", "CI_PIPELINE_SOURCE=merge_request_event",
                "--variable", "CI_MERGE_REQUEST_IID=1",
                "--variable", $"CI_MERGE_REQUEST_PROJECT_PATH={MirrorFixture.DistProject}",
                "--variable", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=source-git-mr-1",
                "--variable", $"CI_SERVER_URL={f.GitLab.BaseUrl}",
                "--variable", $"CIJOBS_CMD={CliRunner.CommandLine}",
                "--variable", $"CIJOBS_SOURCE_GIT_TOKEN={MirrorFixture.BotToken}",
            ])
            .WithWorkingDirectory(temp.Path)
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["GCL_IGNORE_PREDEFINED_VARS"] = "CI_PIPELINE_SOURCE,CI_SERVER_URL" })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();

        var output = result.StandardOutput + result.StandardError;
        output.Should().Contain("cijobs-mr-status-running");
        var tested = await f.BareGitAsync(f.SourceBare, "rev-parse", "fix");
        f.GitLab.Statuses(MirrorFixture.SourceProject).Select(s => (s.Sha, s.State)).Should().Equal([(tested, "running"), (tested, finalState)], output);
    }

    [Fact]
    public async Task This_repositorys_pipeline_and_the_templates_pass_gitlab_schema_validation()
    {
        using var temp = new TempDir("gcl");
        var project = await TestGit.InitAsync(temp.Path);
        Directory.CreateDirectory(temp.Combine("ci", "gitlab"));
        foreach (var file in new[] { ".gitlab-ci.yml", "ci/gitlab/source-git.yml", "ci/gitlab/dist-git.yml" })
        {
            File.Copy(Path.Combine(RepoRoot, file), temp.Combine(file));
        }

        await project.CommitAsync("CI", new Dictionary<string, string>());
        var own = await global::CliWrap.Cli.Wrap("gitlab-ci-local").WithArguments(["--list"]).WithWorkingDirectory(temp.Path)
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        own.ExitCode.Should().Be(0, own.StandardOutput + own.StandardError);
        own.StandardOutput.Should().Contain("build").And.Contain("test").And.Contain("lint");

        foreach (var template in new[] { "source-git.yml", "dist-git.yml" })
        {
            await File.WriteAllTextAsync(temp.Combine(".gitlab-ci.yml"), $"include:\n  - local: ci/gitlab/{template}\n");
            await project.CommitAsync("use " + template, new Dictionary<string, string>());
            var listed = await global::CliWrap.Cli.Wrap("gitlab-ci-local")
                .WithArguments(["--list", "--variable", "CI_PIPELINE_SOURCE=merge_request_event", "--variable", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=source-git-mr-4"])
                .WithWorkingDirectory(temp.Path)
                .WithEnvironmentVariables(new Dictionary<string, string?> { ["GCL_IGNORE_PREDEFINED_VARS"] = "CI_PIPELINE_SOURCE" })
                .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
            listed.ExitCode.Should().Be(0, listed.StandardOutput + listed.StandardError);
            listed.StandardOutput.Should().Contain("cijobs-mr-");
        }
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
