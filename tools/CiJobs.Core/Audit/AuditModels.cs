namespace CiJobs.Core.Audit;

/// <summary>The classes of drift the audit reports (docs/manual/audit.md).</summary>
public enum AuditClass
{
    /// <summary>rdoinfo expects the package in the release; DLRN holds no build of it at all.</summary>
    NeverBuilt,

    /// <summary>A newer commit than DLRN's newest build (source or distgit head) has not been built within the threshold.</summary>
    Stale,

    /// <summary>DLRN's newest build of the package failed, and no later build succeeded, for longer than the threshold.</summary>
    FailedNeverFixed,

    /// <summary>The store says a build was published to DLRN, and DLRN holds no row of its commits.</summary>
    ImportDropped,

    /// <summary>The store and DLRN hold the same commits with another status.</summary>
    StoreDisagrees,
}

/// <summary>What rdoinfo expects of one package in the release: where its repositories are and their heads.</summary>
public sealed record ExpectedPackage(string Name, string SourceLocation, string SourceRef, string DistgitLocation, string DistgitRef);

/// <summary>The head commits of a package's source and distgit; the time is the head's commit time when known.</summary>
public sealed record PackageHeads(string Package, string SourceCommit, string DistgitCommit, DateTimeOffset? SourceTime = null);

/// <summary>A build the store knows about: its commits, its status and, when it was published, when and from where.</summary>
public sealed record RecordedBuild(string Package, string CommitHash, string DistroHash, string Status)
{
    /// <summary>When the build was sent to DLRN (null: never published).</summary>
    public DateTimeOffset? PublishedAt { get; init; }

    /// <summary>The URL of the build's result folder DLRN imported (or should have), for a re-publish.</summary>
    public string? ResultUrl { get; init; }
}

/// <summary>One finding.</summary>
public sealed record AuditFinding(AuditClass Class, string Package, string Message)
{
    public string? CommitHash { get; init; }

    public string? DistroHash { get; init; }

    /// <summary>Since when the drift holds, when known.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>What <c>--replay</c> does about it: <c>dlrn_recheck</c>, <c>republish</c>, <c>rerun_ci</c> or none.</summary>
    public string? Replay { get; init; }
}

/// <summary>What one replay request did.</summary>
public sealed record ReplayOutcome(string Package, string Action, bool Succeeded, string Message);

/// <summary>The audit's report, written as JSON and as text.</summary>
public sealed record AuditReport(
    string Release,
    DateTimeOffset AuditedAt,
    int Packages,
    bool StoreCompared,
    IReadOnlyList<AuditFinding> Findings,
    IReadOnlyList<ReplayOutcome> Replays)
{
    public IReadOnlyDictionary<string, int> Counts => Enum.GetValues<AuditClass>()
        .ToDictionary(c => AuditText.ClassName(c), c => Findings.Count(f => f.Class == c), StringComparer.Ordinal);
}

/// <summary>The sources the audit reads, as small interfaces so tests run on fakes and real adapters.</summary>
public interface IHeadSource
{
    /// <summary>The heads of each package (the same order); throws <see cref="CiJobsException"/> with <see cref="AuditExitCodes.HeadsUnavailable"/>.</summary>
    Task<IReadOnlyList<PackageHeads>> HeadsAsync(IReadOnlyList<ExpectedPackage> packages, CancellationToken cancellationToken);
}

/// <summary>DLRN's builds of one package, newest first (the GraphQL <c>commits</c> query).</summary>
public interface IDlrnBuildSource
{
    Task<IReadOnlyList<Dlrn.DlrnCommitRecord>> BuildsAsync(string package, CancellationToken cancellationToken);
}

/// <summary>The builds the store recorded for the release's packages.</summary>
public interface IAuditHistory
{
    Task<IReadOnlyList<RecordedBuild>> BuildsAsync(IReadOnlyCollection<string> packages, CancellationToken cancellationToken);
}

/// <summary>The requests <c>--replay</c> makes.</summary>
public interface IAuditReplayer
{
    /// <summary>DLRN's <c>POST /api/recheck_package</c>: deletes the FAILED row so DLRN builds the commit again.</summary>
    Task<ReplayOutcome> RecheckAsync(string package, CancellationToken cancellationToken);

    /// <summary>DLRN's <c>POST /api/remote/import</c> of the stored result folder.</summary>
    Task<ReplayOutcome> RepublishAsync(RecordedBuild build, CancellationToken cancellationToken);

    /// <summary>Runs the package's CI build job again through the CI system's API.</summary>
    Task<ReplayOutcome> RerunAsync(ExpectedPackage package, CancellationToken cancellationToken);
}
