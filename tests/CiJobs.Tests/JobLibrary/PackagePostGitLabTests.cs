using System.Text;
using System.Text.Json;
using CiJobs.Fakes.GitLab;
using CiJobs.Tests.Builds;
using CiJobs.Tests.Support;
using CliWrap.Buffered;

namespace CiJobs.Tests.JobLibrary;

/// <summary>
/// Runs the post template ci/gitlab/package-post.yml with gitlab-ci-local (shell executor) against the fake GitLab: the
/// push pipeline of the merged commit finds the merge request's merged-results pipeline, reuses its build, publishes it
/// into the release repository and syncs the RPM tree to a mirror; then a scheduled re-sync.
/// </summary>
[Trait("Runs", "cijobs")]
public sealed class PackagePostGitLabTests : IAsyncLifetime
{
    private const string Token = "glpat-package-post-token";
    private const string Project = "rpms/example-greetlib";
    private readonly FakeGitLab gitLab = new();
    private readonly TempDir temp = new("gcl-post");

    public async Task InitializeAsync()
    {
        await gitLab.StartAsync();
        gitLab.AddUser("cijobs-bot", Token);
        await BuildPaths.RunAsync("bash", [Path.Combine(RepoPaths.Root, "examples", "setup.sh"), temp.Combine("work")]);
    }

    public async Task DisposeAsync()
    {
        await gitLab.DisposeAsync();
        temp.Dispose();
    }

    private static Task<BufferedCommandResult> GitLabCiLocalAsync(string dir, params string[] arguments) =>
        GitLabCiLocal.RunAsync(dir, arguments, "CI_PIPELINE_SOURCE,CI_SERVER_URL,CI_PROJECT_ID,CI_DEFAULT_BRANCH");

    [Fact]
    public async Task The_push_pipeline_reuses_the_merged_results_build_publishes_it_and_syncs_the_mirror()
    {
        // The distgit project as merged: the example distgit with the CI configuration including the template.
        var dir = temp.Combine("project");
        await BuildPaths.RunAsync("git", ["clone", "-q", "-b", "rpm-main", temp.Combine("work", "git", "example-greetlib-distgit"), dir]);
        var git = new TestGit(dir);
        Directory.CreateDirectory(Path.Combine(dir, "ci", "gitlab"));
        File.Copy(Path.Combine(RepoPaths.Root, "ci", "gitlab", "package-post.yml"), Path.Combine(dir, "ci", "gitlab", "package-post.yml"));
        await git.CommitAsync("CI", new Dictionary<string, string>
        {
            [".gitlab-ci.yml"] = "include:\n  - local: ci/gitlab/package-post.yml\nstages: [deploy]\n",
            [".gitignore"] = ".gitlab-ci-local/\ncijobs-*\ncijobs-*/\n",
        });
        var merged = await git.RunAsync("rev-parse", "HEAD");

        // The merge request's merged-results pipeline built that tree; its build job kept the JSON and the output.
        var rdoinfo = temp.Combine("work", "rdoinfo");
        var build = await CliRunner.RunAsync(["build", "--rdoinfo", rdoinfo, "--package", "example-greetlib", "--release", "tiny", "--distgit", dir, "--distgit-ref", "HEAD", "--output", temp.Combine("gate-out"), "--format", "json"]);
        build.ExitCode.Should().Be(0, build.ToString());
        using var json = JsonDocument.Parse(build.StandardOutput);
        var resultDir = json.RootElement.GetProperty("result_dir").GetString()!;
        var artifacts = new Dictionary<string, byte[]> { ["cijobs-build.json"] = Encoding.UTF8.GetBytes(build.StandardOutput) };
        foreach (var file in Directory.GetFiles(json.RootElement.GetProperty("result_path").GetString()!))
        {
            artifacts[$"cijobs-out/{resultDir}/{Path.GetFileName(file)}"] = File.ReadAllBytes(file);
        }

        gitLab.AddProject(Project, dir, "rpm-main");
        var mr = gitLab.OpenMergeRequest(Project, "rpm-main", "rpm-main", "Update", "", "dev");
        mr.MergeCommitSha = merged;
        mr.State = "merged";
        var pipeline = gitLab.AddPipeline(Project, mr.Iid, "success");
        pipeline.Ref = $"refs/merge-requests/{mr.Iid}/merge";
        gitLab.AddJob(pipeline, "cijobs-build", "success", artifacts);
        var repo = temp.Combine("release");
        var mirror = temp.Combine("mirror", "rpm");
        Directory.CreateDirectory(temp.Combine("mirror"));
        string[] variables =
        [
            "--variable", $"CI_SERVER_URL={gitLab.BaseUrl}",
            "--variable", $"CI_PROJECT_ID={Project}",
            "--variable", "CI_DEFAULT_BRANCH=rpm-main",
            "--variable", $"CIJOBS_GITLAB_TOKEN={Token}",
            "--variable", $"CIJOBS_CMD={CliRunner.CommandLine}",
            "--variable", $"CIJOBS_RDOINFO={rdoinfo}",
            "--variable", "CIJOBS_PACKAGE=example-greetlib",
            "--variable", "CIJOBS_RELEASE=tiny",
            "--variable", $"CIJOBS_RELEASE_REPO={repo}",
            "--variable", $"CIJOBS_MIRROR_RPM_DEST={mirror}",
        ];

        var post = await GitLabCiLocalAsync(dir, ["--variable", "CI_PIPELINE_SOURCE=push", .. variables]);
        var report = File.ReadAllText(Path.Combine(dir, "cijobs-mirror", "rpm", "sync-report.txt"));
        var resync = await GitLabCiLocalAsync(dir, ["--variable", "CI_PIPELINE_SOURCE=schedule", "--variable", "CIJOBS_MIRROR_RESYNC=true", .. variables]);
        var listed = await GitLabCiLocalAsync(dir, ["--list", "--variable", "CI_PIPELINE_SOURCE=merge_request_event"]);

        var output = post.StandardOutput + post.StandardError;
        post.ExitCode.Should().Be(0, output);
        output.Should().MatchRegex(@"PASS\s+cijobs-post-release");
        output.Should().Contain("\"outcome\": \"reused\"", "the merged-results pipeline built the same trees");
        output.Should().NotContain(Token);
        File.Exists(Path.Combine(dir, "cijobs-build.json")).Should().BeFalse("nothing was rebuilt");
        var published = Directory.GetFiles(Path.Combine(repo, "rpm"), "*.rpm", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        published.Should().Contain(f => f!.StartsWith("example-greetlib-", StringComparison.Ordinal));
        new FileInfo(mirror).LinkTarget.Should().NotBeNull();
        Directory.GetFiles(mirror, "*.rpm", SearchOption.AllDirectories).Select(Path.GetFileName).Should().BeEquivalentTo(published);
        report.Should().Contain("example-greetlib");
        (resync.StandardOutput + resync.StandardError).Should().MatchRegex(@"PASS\s+cijobs-mirror-resync");
        listed.StandardOutput.Should().NotContain("cijobs-post-release", "merge request pipelines do not publish");
    }
}
