using System.Text.Json;
using CiJobs.Core.Audit;
using CiJobs.Fakes.Dlrn;
using CiJobs.Fakes.GitLab;
using CiJobs.Tests.Dlrn;
using CiJobs.Tests.Support;
using FluentAssertions;

namespace CiJobs.Tests.Audit;

/// <summary>
/// <c>cijobs audit</c> against the fake DLRN with drift injected, one package per class, over a tiny rdoinfo whose
/// repositories are local git folders (heads by real git ls-remote); docs/manual/audit.md.
/// </summary>
[Trait("Runs", "cijobs")]
public sealed class AuditCliTests : IAsyncLifetime
{
    private readonly TempDir temp = new("audit");
    private readonly Dictionary<string, (string Source, string Distgit)> heads = new(StringComparer.Ordinal);
    private FakeDlrnServer dlrn = null!;

    private static readonly string[] Packages = ["pkg-ok", "pkg-never", "pkg-stale", "pkg-fresh", "pkg-failed"];

    private string Rdoinfo => temp.Combine("rdoinfo");

    public async Task InitializeAsync()
    {
        var entries = new System.Text.StringBuilder();
        foreach (var name in Packages)
        {
            var source = await TestGit.InitAsync(temp.Combine("git", name), "main");
            var sourceHead = await source.CommitAsync("Initial", new Dictionary<string, string> { ["README"] = name });
            var distgit = await TestGit.InitAsync(temp.Combine("git", name + "-distgit"), "rpm-main");
            var distgitHead = await distgit.CommitAsync("Initial", new Dictionary<string, string> { [name + ".spec"] = "Name: " + name });
            heads[name] = (sourceHead, distgitHead);
            entries.Append($"- project: {name}\n  tags:\n    tiny:\n");
        }

        // A package of another release only: never audited for tiny.
        entries.Append("- project: pkg-other\n  tags:\n    other:\n");
        temp.Write("rdoinfo/rdo-full.yml", $"""
            releases:
            - name: tiny
              branch: rpm-main
              upstream_branch: main
              repos:
              - name: el9s
            - name: other
              branch: rpm-other
              repos:
              - name: el9s
            package-default:
              name: '%(project)s'
              upstream: {temp.Combine("git")}/%(project)s
              master-distgit: {temp.Combine("git")}/%(project)s-distgit
              maintainers:
              - maintainer@example.org
            packages:
            {entries}
            """);

        dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Add("pkg-ok", heads["pkg-ok"].Source, heads["pkg-ok"].Distgit, "SUCCESS", now - 3600);
        Add("pkg-stale", new string('1', 40), heads["pkg-stale"].Distgit, "SUCCESS", now - (3 * 86400));
        Add("pkg-fresh", new string('2', 40), heads["pkg-fresh"].Distgit, "SUCCESS", now - 3600);
        Add("pkg-failed", new string('3', 40), heads["pkg-failed"].Distgit, "SUCCESS", now - (5 * 86400));
        Add("pkg-failed", heads["pkg-failed"].Source, heads["pkg-failed"].Distgit, "FAILED", now - (4 * 86400));
    }

    public async Task DisposeAsync()
    {
        await dlrn.DisposeAsync();
        temp.Dispose();
    }

    private void Add(string package, string commit, string distro, string status, long dtBuild) => dlrn.AddBuild(package, commit, distro, status, dtBuild);

    private Task<CliResult> AuditAsync(params string[] extra) =>
        CliRunner.RunAsync(["audit", "--release", "tiny", "--rdoinfo", Rdoinfo, "--api-url", dlrn.BaseUrl, "--retries", "0", .. extra]);

    [Fact]
    public async Task Each_class_of_drift_is_found_exit_2_with_the_report_in_json_and_text()
    {
        var result = await AuditAsync("--format", "json", "--report-dir", temp.Combine("report"));

        result.ExitCode.Should().Be(AuditExitCodes.DriftFound, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var findings = json.RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => $"{f.GetProperty("class").GetString()} {f.GetProperty("package").GetString()}").Order(StringComparer.Ordinal).ToList();
        findings.Should().Equal("failed_never_fixed pkg-failed", "never_built pkg-never", "stale pkg-stale");
        json.RootElement.GetProperty("packages").GetInt32().Should().Be(5, "pkg-other is not in tiny");
        json.RootElement.GetProperty("counts").GetProperty("stale").GetInt32().Should().Be(1);
        var stale = json.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("class").GetString() == "stale");
        stale.GetProperty("commit_hash").GetString().Should().Be(heads["pkg-stale"].Source, "the head found by git ls-remote");
        stale.GetProperty("replay").GetString().Should().Be("rerun_ci");

        File.ReadAllText(temp.Combine("report", "audit-report.json")).Should().Be(result.StandardOutput);
        var text = File.ReadAllText(temp.Combine("report", "audit-report.txt"));
        text.Should().StartWith("audit of tiny at ").And.Contain("5 packages, 3 finding(s)")
            .And.Contain("never_built: 1\n  rdoinfo expects pkg-never in tiny; DLRN holds no build of it [replay: rerun_ci]\n")
            .And.Contain("failed_never_fixed: 1\n  DLRN's newest build of pkg-failed failed at ");
    }

    [Fact]
    public async Task A_longer_threshold_leaves_the_stale_head_alone_and_nothing_found_is_exit_0()
    {
        var result = await AuditAsync("--stale-after", "100");
        result.ExitCode.Should().Be(AuditExitCodes.DriftFound, result.ToString());
        result.StandardOutput.Should().NotContain("stale:");

        // Build what is missing, fix the failure: the audit is clean.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Add("pkg-never", heads["pkg-never"].Source, heads["pkg-never"].Distgit, "SUCCESS", now);
        Add("pkg-stale", heads["pkg-stale"].Source, heads["pkg-stale"].Distgit, "SUCCESS", now);
        Add("pkg-failed", heads["pkg-failed"].Source, heads["pkg-failed"].Distgit, "SUCCESS", now);
        var clean = await AuditAsync();
        clean.ExitCode.Should().Be(0, clean.ToString());
        clean.StandardOutput.Should().Contain("5 packages, 0 finding(s)");
    }

    [Fact]
    public async Task Replay_rechecks_the_failed_build_in_dlrn_and_runs_a_pipeline_of_each_missing_package_on_gitlab()
    {
        // The distgits live on GitLab: the heads come from a file, and --replay creates pipelines there.
        await using var gitlab = new FakeGitLab();
        gitlab.AddUser("auditor", "glpat-audit-secret");
        foreach (var name in Packages)
        {
            var bare = await TestGit.InitAsync(temp.Combine("bare", name + "-distgit.git"), "rpm-main", bare: true);
            await new TestGit(temp.Combine("git", name + "-distgit")).RunAsync("push", "-q", bare.Directory, "rpm-main");
            gitlab.AddProject($"rdo/{name}-distgit", bare.Directory, "rpm-main");
        }

        await gitlab.StartAsync();
        var rdoinfo = File.ReadAllText(Path.Combine(Rdoinfo, "rdo-full.yml"))
            .Replace($"master-distgit: {temp.Combine("git")}/%(project)s-distgit", $"master-distgit: {gitlab.BaseUrl}/rdo/%(project)s-distgit.git", StringComparison.Ordinal);
        temp.Write("rdoinfo/rdo-full.yml", rdoinfo);
        var headsFile = temp.Write("heads.json", JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["packages"] = Packages.ToDictionary(p => p, p => new Dictionary<string, string> { ["source"] = heads[p].Source, ["distgit"] = heads[p].Distgit }),
        }));

        var result = await CliRunner.RunAsync(
            ["audit", "--release", "tiny", "--rdoinfo", Rdoinfo, "--api-url", dlrn.BaseUrl, "--heads", headsFile, "--replay", "--rerun-gitlab-url", gitlab.BaseUrl, "--format", "json"],
            environment: new Dictionary<string, string?> { ["CIJOBS_GITLAB_TOKEN"] = "glpat-audit-secret", ["DLRN_API_USER"] = DlrnFixtures.User, ["DLRN_API_PASSWORD"] = DlrnFixtures.Password });

        result.ExitCode.Should().Be(AuditExitCodes.DriftFound, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var replays = json.RootElement.GetProperty("replays").EnumerateArray()
            .Select(r => $"{r.GetProperty("action").GetString()} {r.GetProperty("package").GetString()} {r.GetProperty("succeeded").GetBoolean()}").Order(StringComparer.Ordinal).ToList();
        replays.Should().Equal("dlrn_recheck pkg-failed True", "rerun_ci pkg-never True", "rerun_ci pkg-stale True");
        dlrn.Commits.Where(c => c.ProjectName == "pkg-failed").Select(c => c.Status).Should().Equal(["SUCCESS"], "the recheck deleted the FAILED row");
        gitlab.ProjectPipelines("rdo/pkg-never-distgit").Select(p => p.Ref).Should().Equal("rpm-main");
        gitlab.ProjectPipelines("rdo/pkg-stale-distgit").Select(p => (p.Ref, p.Sha)).Should().Equal(("rpm-main", heads["pkg-stale"].Distgit));
        gitlab.ProjectPipelines("rdo/pkg-ok-distgit").Should().BeEmpty();
        result.ToString().Should().NotContain("glpat-audit-secret").And.NotContain(DlrnFixtures.Password);
    }

    [Fact]
    public async Task A_replay_that_fails_is_exit_143_with_the_report()
    {
        // A wrong DLRN password: the recheck is refused (401); no GitLab: the reruns cannot be made.
        var result = await CliRunner.RunAsync(
            ["audit", "--release", "tiny", "--rdoinfo", Rdoinfo, "--api-url", dlrn.BaseUrl, "--retries", "0", "--replay"],
            environment: new Dictionary<string, string?> { ["DLRN_API_USER"] = DlrnFixtures.User, ["DLRN_API_PASSWORD"] = "wrong-password" });

        result.ExitCode.Should().Be(AuditExitCodes.ReplayFailed, result.ToString());
        result.StandardOutput.Should().Contain("replay dlrn_recheck pkg-failed: FAILED: ")
            .And.Contain("replay rerun_ci pkg-never: FAILED: no CI API given (--rerun-gitlab-url)");
        dlrn.Commits.Count(c => c.ProjectName == "pkg-failed").Should().Be(2);

        var noCredentials = await AuditAsync("--replay");
        noCredentials.ExitCode.Should().Be(46, "replay writes to DLRN: its credentials are asked for before anything is read");
    }

    [Theory]
    [InlineData("not json", "--heads", "not JSON")]
    [InlineData("""{"packages": {"pkg-ok": {"source": "abc", "distgit": "def"}}}""", "--heads", "pkg-ok.source must be a full commit hash")]
    [InlineData("""{"packages": {"../x": {}}}""", "--heads", "package name")]
    [InlineData("""[1, 2]""", "--heads", "must be an object with a 'packages' object")]
    public async Task A_bad_heads_file_is_refused_with_exit_140_and_nothing_is_written(string content, string option, string message)
    {
        var file = temp.Write("bad-heads.json", content);
        var result = await AuditAsync(option, file, "--report-dir", temp.Combine("bad-report"));

        result.ExitCode.Should().Be(AuditExitCodes.InvalidInput, result.ToString());
        result.StandardError.Should().Contain("cijobs: error: ").And.Contain(message);
        Directory.Exists(temp.Combine("bad-report")).Should().BeFalse();
    }

    [Fact]
    public async Task Heads_missing_from_the_file_or_a_branch_missing_in_git_is_exit_141()
    {
        var file = temp.Write("partial-heads.json", JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["packages"] = new Dictionary<string, object> { ["pkg-ok"] = new Dictionary<string, string> { ["source"] = heads["pkg-ok"].Source, ["distgit"] = heads["pkg-ok"].Distgit } },
        }));
        var partial = await AuditAsync("--heads", file);
        partial.ExitCode.Should().Be(AuditExitCodes.HeadsUnavailable, partial.ToString());
        partial.StandardError.Should().Contain("--heads has no heads of 4 package(s)");

        await new TestGit(temp.Combine("git", "pkg-fresh")).RunAsync("branch", "-m", "main", "renamed");
        var missing = await AuditAsync();
        missing.ExitCode.Should().Be(AuditExitCodes.HeadsUnavailable, missing.ToString());
        missing.StandardError.Should().Contain("pkg-fresh: its source ").And.Contain("has no branch or tag 'main'");
    }

    [Fact]
    public async Task An_unknown_release_is_exit_140()
    {
        var result = await CliRunner.RunAsync(["audit", "--release", "nope", "--rdoinfo", Rdoinfo, "--api-url", dlrn.BaseUrl]);
        result.ExitCode.Should().Be(AuditExitCodes.InvalidInput, result.ToString());
        result.StandardError.Should().Contain("unknown release 'nope'; rdoinfo defines tiny, other");
    }
}
