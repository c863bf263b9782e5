using CiJobs.Core.Provenance;

namespace CiJobs.Core.Truth;

/// <summary>
/// The read side of the truth store (docs/manual/truth.md, "Queries"): what was produced, from what, and what QE said of
/// it. Every list is bounded by the caller's limit; a result says when the limit (or the depth) cut it short.
/// </summary>
public interface ITruthQueries
{
    /// <summary>The newest build of each package (by dt_build, then id) whose release is <paramref name="release"/> or unset.</summary>
    Task<IReadOnlyList<BuildSummary>> LatestBuildsAsync(IReadOnlyList<string> packages, string? release, CancellationToken cancellationToken);

    /// <summary>The builds with dt_build in [<paramref name="from"/>, <paramref name="to"/>), oldest first.</summary>
    Task<BuildPage> BuildsBetweenAsync(long from, long to, int limit, CancellationToken cancellationToken);

    /// <summary>The builds that produced the artifact, their inputs, and the builds that produced those inputs, down to <paramref name="depth"/> layers.</summary>
    Task<Lineage> InputsOfAsync(string sha256, int depth, int limit, CancellationToken cancellationToken);

    /// <summary>The builds that read the input (an artifact sha256 or a git commit), and the builds that read their outputs, down to <paramref name="depth"/> layers.</summary>
    Task<Lineage> BuiltFromAsync(TruthInput input, int depth, int limit, CancellationToken cancellationToken);

    /// <summary>The CI votes and promotions of a build, a DLRN repository hash or an aggregate.</summary>
    Task<QeStatus> QeStatusAsync(QeSubject subject, int limit, CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="limit"/> builds of a package, oldest first: NVRs, times, sizes and durations.</summary>
    Task<PackageHistory> HistoryAsync(string package, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Per package, the median duration of its newest <paramref name="last"/> SUCCESS builds that have one (newest by
    /// dt_build, then id), by package name (ordinal order); a package without any is left out. The packages are those of
    /// <paramref name="scope"/>: the builds of a release, or the packages named.
    /// </summary>
    Task<IReadOnlyList<PackageBuildTime>> BuildTimesAsync(BuildTimesScope scope, int last, CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="limit"/> successful builds of a package in one format ("rpm", "deb"), any
    /// release, newest first (by dt_build, then id): what a rebuild's NVR must sort above (docs/manual/mass-rebuild.md,
    /// "Release bumps").</summary>
    Task<IReadOnlyList<PublishedBuild>> PublishedOfPackageAsync(string package, string format, int limit, CancellationToken cancellationToken);
}

/// <summary>Which builds a build-times query reads: those whose release is <see cref="Release"/>, or else (Release null)
/// those of the <see cref="Packages"/>, whatever their release.</summary>
public sealed record BuildTimesScope(string? Release, IReadOnlyList<string> Packages)
{
    public static BuildTimesScope OfRelease(string release) => new(release, []);

    public static BuildTimesScope OfPackages(IReadOnlyList<string> packages) => new(null, packages);
}

/// <summary>A package's typical build time: the median of <see cref="Builds"/> durations, in seconds.</summary>
public sealed record PackageBuildTime(string Package, double Seconds, int Builds);

/// <summary>A successful build as a release bump reads it: its inputs, its source NVR and when it was built.</summary>
public sealed record PublishedBuild(string Id, string InputHash, string? SourceNvr, long DtBuild);

/// <summary>A build without its manifest: enough for a list. <see cref="Size"/> is the sum of its output files' sizes.</summary>
public sealed record BuildSummary
{
    public required string Id { get; init; }

    public required string Package { get; init; }

    public string? Release { get; init; }

    public required string Status { get; init; }

    public required long DtBuild { get; init; }

    public required long DtCommit { get; init; }

    public required long DtDistro { get; init; }

    /// <summary>DLRN's commit_hash: the source commit.</summary>
    public required string CommitHash { get; init; }

    /// <summary>DLRN's distro_hash: the distgit commit.</summary>
    public required string DistroHash { get; init; }

    public required string CommitBranch { get; init; }

    public required string DistroBranch { get; init; }

    public string? SourceNvr { get; init; }

    public IReadOnlyList<string> Nvrs { get; init; } = [];

    public required int Files { get; init; }

    public required long Size { get; init; }

    /// <summary>The build's wall time in seconds (manifest version 2), null when unknown (version 1).</summary>
    public double? DurationSeconds { get; init; }
}

/// <summary>A bounded list of builds; <see cref="Truncated"/> when more matched than the limit.</summary>
public sealed record BuildPage(IReadOnlyList<BuildSummary> Builds, bool Truncated);

/// <summary>What a lineage query starts from: an artifact (sha256) or a git commit (source, distgit, patches, rdoinfo).</summary>
public sealed record TruthInput(TruthInputKind Kind, string Value);

public enum TruthInputKind
{
    Artifact,
    Commit,
}

/// <summary>
/// The layers of a lineage query. Each step is one build at a depth (1: the builds touching the subject directly),
/// reached through <see cref="LineageStep.Via"/>; a build is listed once however many paths lead to it (cycles end there).
/// </summary>
public sealed record Lineage(string Subject, string Direction, IReadOnlyList<LineageStep> Steps, bool Truncated);

/// <summary>One build of a lineage: its inputs (inputs-of) or its outputs (built-from).</summary>
public sealed record LineageStep(int Depth, string Via, BuildSummary Build, IReadOnlyList<StoredInput> Inputs, IReadOnlyList<ProvenanceFile> Outputs);

/// <summary>What a QE question is about.</summary>
public sealed record QeSubject(QeSubjectKind Kind, string Value);

public enum QeSubjectKind
{
    /// <summary>A build id.</summary>
    Build,

    /// <summary>DLRN's repository hash: commit_hash _ the first 8 characters of distro_hash (optionally _ those of extended_hash).</summary>
    Repo,

    /// <summary>DLRN's aggregate hash, as recorded on promotions.</summary>
    Aggregate,
}

/// <summary>
/// QE's answer: <see cref="State"/> is "failed" when the newest vote of some CI failed, else "in-progress" when one is
/// running, else "passed" when there are votes, else "none". For a build or a repository hash the votes are the builds'
/// (newest per build and CI); for an aggregate they are the aggregate's own (<see cref="AggregateVotes"/>, newest per
/// DLRN server and CI), as DLRN's <c>/api/agg_status</c> lists them, or its builds' when nobody voted on the aggregate.
/// </summary>
public sealed record QeStatus(
    string Kind,
    string Subject,
    string State,
    IReadOnlyList<string> Builds,
    IReadOnlyList<CiVote> Votes,
    IReadOnlyList<PromotionRecord> Promotions,
    bool Truncated,
    IReadOnlyList<AggregateVote> AggregateVotes);

/// <summary>
/// A vote on an aggregate hash (DLRN's CIVote_Aggregate) as the DLRN ingest stored it in dlrn_aggregate_votes; a missing
/// <c>ci_vote</c> or <c>ci_in_progress</c> reads as false, as <c>bool()</c> reads it in DLRN's <c>/api/agg_status</c>.
/// </summary>
public sealed record AggregateVote(string Server, string? CiName, string? CiUrl, bool Vote, bool InProgress, long? Timestamp, string? Notes, string? Username);

/// <summary>A row of ci_votes (DLRN's CIVote).</summary>
public sealed record CiVote(string BuildId, string CiName, string CiUrl, bool Vote, bool InProgress, long Timestamp, string? Notes, string? Username, string? Component);

/// <summary>A row of promotions (DLRN's Promotion).</summary>
public sealed record PromotionRecord(string BuildId, string PromotionName, long Timestamp, string? Username, string? Component, string? AggregateHash);

/// <summary>A package's builds over time; <see cref="Truncated"/> when older builds were left out.</summary>
public sealed record PackageHistory(string Package, IReadOnlyList<BuildSummary> Builds, bool Truncated);

/// <summary>How many vote or promotion rows a write added, and how many were stored already (same natural key).</summary>
public sealed record RecordResult(int Added, int AlreadyStored);
