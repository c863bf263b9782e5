using CiJobs.Core.Audit;
using CiJobs.Core.Dlrn;
using FluentAssertions;

namespace CiJobs.Tests.Audit;

/// <summary>The store classes of the audit (import dropped, store disagrees) and their replay, on in-memory sources.</summary>
public sealed class ReleaseAuditorTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly string A = new('a', 40);
    private static readonly string B = new('b', 40);
    private static readonly string D = new('d', 40);

    private sealed class Heads(params PackageHeads[] heads) : IHeadSource
    {
        public Task<IReadOnlyList<PackageHeads>> HeadsAsync(IReadOnlyList<ExpectedPackage> packages, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<PackageHeads>>(heads);
    }

    private sealed class Dlrn(Dictionary<string, DlrnCommitRecord[]> rows) : IDlrnBuildSource
    {
        public Task<IReadOnlyList<DlrnCommitRecord>> BuildsAsync(string package, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<DlrnCommitRecord>>(rows.GetValueOrDefault(package) ?? []);
    }

    private sealed class History(params RecordedBuild[] builds) : IAuditHistory
    {
        public Task<IReadOnlyList<RecordedBuild>> BuildsAsync(IReadOnlyCollection<string> packages, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<RecordedBuild>>([.. builds.Where(b => packages.Contains(b.Package))]);
    }

    private sealed class Replayer : IAuditReplayer
    {
        public List<string> Calls { get; } = [];

        public Task<ReplayOutcome> RecheckAsync(string package, CancellationToken cancellationToken) => Record("dlrn_recheck", package);

        public Task<ReplayOutcome> RepublishAsync(RecordedBuild build, CancellationToken cancellationToken) => Record("republish", build.Package + " " + build.ResultUrl);

        public Task<ReplayOutcome> RerunAsync(ExpectedPackage package, CancellationToken cancellationToken) => Record("rerun_ci", package.Name);

        private Task<ReplayOutcome> Record(string action, string what)
        {
            Calls.Add($"{action} {what}");
            return Task.FromResult(new ReplayOutcome(what, action, true, "ok"));
        }
    }

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static DlrnCommitRecord Row(string package, string commit, string status, TimeSpan ago) => new()
    {
        ProjectName = package,
        CommitHash = commit,
        DistroHash = D,
        Status = status,
        DtBuild = (Now - ago).ToUnixTimeSeconds(),
    };

    private static ExpectedPackage Package(string name) => new(name, "https://git.example.org/" + name, "main", "https://git.example.org/" + name + "-distgit", "rpm-main");

    [Fact]
    public async Task A_published_build_dlrn_never_recorded_is_a_dropped_import_and_a_status_mismatch_is_reported()
    {
        var packages = new[] { Package("dropped"), Package("differs"), Package("agrees") };
        var auditor = new ReleaseAuditor(
            new Heads(new PackageHeads("dropped", B, D), new PackageHeads("differs", A, D), new PackageHeads("agrees", A, D)),
            new Dlrn(new()
            {
                ["dropped"] = [Row("dropped", A, "SUCCESS", TimeSpan.FromHours(1))],
                ["differs"] = [Row("differs", A, "SUCCESS", TimeSpan.FromHours(1))],
                ["agrees"] = [Row("agrees", A, "SUCCESS", TimeSpan.FromHours(1))],
            }),
            new History(
                new RecordedBuild("dropped", B, D, "SUCCESS") { PublishedAt = Now.AddMinutes(-30), ResultUrl = "https://logs.example.org/b/" },
                new RecordedBuild("differs", A, D, "FAILED"),
                new RecordedBuild("agrees", A, D, "SUCCESS") { PublishedAt = Now.AddHours(-1) }),
            new FixedClock(),
            _ => { });

        var report = await auditor.AuditAsync("tiny", packages, TimeSpan.FromHours(24), CancellationToken.None);

        report.StoreCompared.Should().BeTrue();
        report.Findings.Select(f => $"{AuditText.ClassName(f.Class)} {f.Package} {f.Replay}").Should().Equal(
            "import_dropped dropped republish",
            "store_disagrees differs ");
        report.Findings[1].Message.Should().Be("differs aaaaaaaa/dddddddd: the store says FAILED, DLRN says SUCCESS");

        var replayer = new Replayer();
        var replayed = await ReleaseAuditor.ReplayAsync(report, packages, [new RecordedBuild("dropped", B, D, "SUCCESS") { PublishedAt = Now, ResultUrl = "https://logs.example.org/b/" }], replayer, CancellationToken.None);
        replayer.Calls.Should().Equal("republish dropped https://logs.example.org/b/");
        replayed.Replays.Should().ContainSingle();
    }

    [Fact]
    public async Task A_head_waiting_is_stale_from_its_commit_time_when_known_and_the_stale_threshold_is_exclusive()
    {
        var packages = new[] { Package("old-head"), Package("new-head") };
        var auditor = new ReleaseAuditor(
            new Heads(new PackageHeads("old-head", B, D, Now.AddHours(-25)), new PackageHeads("new-head", B, D, Now.AddHours(-24))),
            new Dlrn(new()
            {
                ["old-head"] = [Row("old-head", A, "SUCCESS", TimeSpan.FromDays(30))],
                ["new-head"] = [Row("new-head", A, "SUCCESS", TimeSpan.FromDays(30))],
            }),
            null,
            new FixedClock(),
            _ => { });

        var report = await auditor.AuditAsync("tiny", packages, TimeSpan.FromHours(24), CancellationToken.None);

        report.StoreCompared.Should().BeFalse();
        report.Findings.Should().ContainSingle().Which.Should().Match<AuditFinding>(f => f.Class == AuditClass.Stale && f.Package == "old-head" && f.Since == Now.AddHours(-25));
    }

    [Fact]
    public async Task A_publication_older_than_a_full_answer_of_dlrn_is_not_judged_a_newer_one_is()
    {
        // DLRN gives at most 2 rows a package here; both are newer than the old publication.
        var packages = new[] { Package("busy") };
        var old = new string('c', 40);
        var recent = new string('e', 40);
        var auditor = new ReleaseAuditor(
            new Heads(new PackageHeads("busy", A, D)),
            new Dlrn(new() { ["busy"] = [Row("busy", A, "SUCCESS", TimeSpan.FromHours(1)), Row("busy", B, "SUCCESS", TimeSpan.FromHours(5))] }),
            new History(
                new RecordedBuild("busy", old, D, "SUCCESS") { PublishedAt = Now.AddDays(-3) },
                new RecordedBuild("busy", recent, D, "SUCCESS") { PublishedAt = Now.AddHours(-2) }),
            new FixedClock(),
            _ => { })
        {
            DlrnRowsPerPackage = 2,
        };

        var report = await auditor.AuditAsync("tiny", packages, TimeSpan.FromHours(24), CancellationToken.None);

        report.Findings.Should().ContainSingle().Which.CommitHash.Should().Be(recent);
    }
}
