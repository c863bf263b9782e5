using System.Text.Json.Nodes;
using CiJobs.Fakes.Dlrn;
using CiJobs.Tests.Dlrn;
using CiJobs.Tests.Support;
using FluentAssertions;

namespace CiJobs.Tests.JobLibrary;

/// <summary>
/// The periodic audit job (cijobs-audit-base's playbook) with the real ansible-playbook against the fake DLRN: drift
/// fails the build after the report is kept and returned (the alert); a DLRN holding every head passes.
/// </summary>
[Trait("Runs", "cijobs")]
[Collection(nameof(JobLibraryCollection))]
public sealed class AuditJobTests
{
    private static readonly string[] AuditJob = ["cijobs-base/pre.yaml", "cijobs-audit/run.yaml"];

    [Fact]
    public async Task The_audit_job_fails_with_the_report_when_a_package_was_never_built_and_passes_once_dlrn_holds_the_heads()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        using var outside = new TempDir("audit-job");
        await job.PrepareRdoinfoAsync();
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(outside);
        var greetlib = await Head("example-greetlib");
        var greetlibDistgit = await Head("example-greetlib-distgit");
        Add(dlrn, "example-greetlib", greetlib, greetlibDistgit);
        var variables = new JsonObject
        {
            ["zuul"] = job.Zuul("rdoinfo", "periodic", new JsonObject { ["branch"] = "master" }),
            ["cijobs_audit_release"] = "tiny",
            ["cijobs_audit_dlrn_api_url"] = dlrn.BaseUrl,
        };

        var runs = await job.RunJobAsync(variables.DeepClone().AsObject(), AuditJob);

        runs[^1].ExitCode.Should().NotBe(0, "drift is the alert");
        runs[^1].Output.Should().Contain("the audit of tiny found 1 problem(s): never_built (see audit/audit-report.txt)");
        File.ReadAllText(Path.Combine(job.LogRoot, "audit", "audit-report.txt"))
            .Should().Contain("never_built: 1\n  rdoinfo expects example-greeter in tiny; DLRN holds no build of it");
        var artifact = job.Returned()["zuul"]!["artifacts"]!.AsArray().Single()!;
        ((string?)artifact["metadata"]!["type"]).Should().Be("cijobs_audit");
        ((string?)artifact["url"]).Should().Be("audit/audit-report.txt");

        Add(dlrn, "example-greeter", await Head("example-greeter"), await Head("example-greeter-distgit"));
        var clean = await job.RunJobAsync(variables.DeepClone().AsObject(), AuditJob);
        clean.Should().OnlyContain(r => r.ExitCode == 0, string.Join("\n", clean));
        File.ReadAllText(Path.Combine(job.LogRoot, "audit", "audit-report.txt")).Should().Contain("2 packages, 0 finding(s)");

        async Task<string> Head(string repo)
        {
            var branch = repo.EndsWith("-distgit", StringComparison.Ordinal) ? "rpm-main" : "main";
            return (await new TestGit(Path.Combine(job.Work, "git", repo)).RunAsync("rev-parse", branch)).Trim();
        }
    }

    private static void Add(FakeDlrnServer dlrn, string package, string commit, string distro) => dlrn.AddBuild(package, commit, distro);
}
