using CiJobs.Fakes.Dlrn;
using CiJobs.Tests.Builds;
using CiJobs.Tests.Dlrn;
using CiJobs.Tests.Support;
using CliWrap.Buffered;
using FluentAssertions;

namespace CiJobs.Tests.JobLibrary;

/// <summary>
/// The audit template ci/gitlab/audit.yml with gitlab-ci-local (shell executor) on an rdoinfo project, in a scheduled
/// pipeline against the fake DLRN: drift fails the job with the report kept; other pipelines do not run it.
/// </summary>
[Trait("Runs", "cijobs")]
public sealed class AuditGitLabTests : IAsyncLifetime
{
    private readonly TempDir temp = new("gcl-audit");

    public Task InitializeAsync() => BuildPaths.RunAsync("bash", [Path.Combine(RepoPaths.Root, "examples", "setup.sh"), temp.Combine("work")]);

    public Task DisposeAsync()
    {
        temp.Dispose();
        return Task.CompletedTask;
    }

    private static Task<BufferedCommandResult> GitLabCiLocalAsync(string dir, params string[] arguments) => GitLabCiLocal.RunAsync(dir, arguments, "CI_PIPELINE_SOURCE");

    [Fact]
    public async Task A_scheduled_audit_fails_on_drift_with_its_report_and_passes_when_dlrn_holds_every_head()
    {
        // The rdoinfo project: the example rdoinfo with the CI configuration including the template.
        var dir = temp.Combine("rdoinfo-project");
        var git = await TestGit.InitAsync(dir, "master");
        var files = Directory.EnumerateFiles(temp.Combine("work", "rdoinfo"), "*.yml", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(temp.Combine("work", "rdoinfo"), f), File.ReadAllText);
        files["ci/gitlab/audit.yml"] = File.ReadAllText(Path.Combine(RepoPaths.Root, "ci", "gitlab", "audit.yml"));
        files[".gitlab-ci.yml"] = "include:\n  - local: ci/gitlab/audit.yml\nstages: [test]\n";
        files[".gitignore"] = ".gitlab-ci-local/\naudit/\n";
        await git.CommitAsync("rdoinfo with CI", files);

        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        Add(dlrn, "example-greetlib");
        string[] variables =
        [
            "--variable", "CI_PIPELINE_SOURCE=schedule",
            "--variable", "CIJOBS_AUDIT=true",
            "--variable", "CIJOBS_AUDIT_RELEASE=tiny",
            "--variable", $"CIJOBS_DLRN_API_URL={dlrn.BaseUrl}",
            "--variable", $"CIJOBS_CMD={CliRunner.CommandLine}",
        ];

        var drift = await GitLabCiLocalAsync(dir, variables);
        var output = drift.StandardOutput + drift.StandardError;
        drift.ExitCode.Should().NotBe(0, output);
        output.Should().MatchRegex(@"FAIL\s+cijobs-audit");
        File.ReadAllText(Path.Combine(dir, "audit", "audit-report.txt")).Should().Contain("never_built: 1\n  rdoinfo expects example-greeter in tiny");

        Add(dlrn, "example-greeter");
        var clean = await GitLabCiLocalAsync(dir, variables);
        (clean.StandardOutput + clean.StandardError).Should().MatchRegex(@"PASS\s+cijobs-audit");
        JsonFile(Path.Combine(dir, "audit", "audit-report.json")).Should().Contain("\"findings\": []");

        var pushed = await GitLabCiLocalAsync(dir, "--list", "--variable", "CI_PIPELINE_SOURCE=push");
        pushed.StandardOutput.Should().NotContain("cijobs-audit", "only a schedule with CIJOBS_AUDIT runs it");

        void Add(FakeDlrnServer server, string package) =>
            server.AddBuild(package, Head(package, "main"), Head(package + "-distgit", "rpm-main"));

        string Head(string repo, string branch) =>
            new TestGit(temp.Combine("work", "git", repo)).RunAsync("rev-parse", branch).GetAwaiter().GetResult().Trim();
    }

    private static string JsonFile(string path) => File.ReadAllText(path);
}
