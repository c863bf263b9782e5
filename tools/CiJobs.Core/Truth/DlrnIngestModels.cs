namespace CiJobs.Core.Truth;

/// <summary>What a DLRN ingest reads: the kinds, each with its own cursor (docs/manual/truth.md, "DLRN ingest").</summary>
public static class DlrnKinds
{
    public const string Commits = "commits";
    public const string Votes = "votes";
    public const string AggregateVotes = "aggregate_votes";
    public const string Promotions = "promotions";

    public static IReadOnlyList<string> All { get; } = [Commits, Votes, AggregateVotes, Promotions];
}

/// <summary>A row of DLRN's <c>commits</c> table as GraphQL <c>commits</c> gives it.</summary>
public sealed record DlrnCommitRow(
    long Id,
    string? Type,
    string ProjectName,
    string CommitHash,
    string DistroHash,
    string? ExtendedHash,
    string? CommitBranch,
    string? Component,
    string Status,
    long? DtCommit,
    long? DtDistro,
    long? DtExtended,
    long? DtBuild,
    string? Artifacts,
    string? Notes);

/// <summary>A row of DLRN's <c>civotes</c> (GraphQL <c>civote</c>): a CI's vote on a commit, by DLRN's commit id.</summary>
public sealed record DlrnVoteRow(long Id, long CommitId, string? CiName, string? CiUrl, bool? Vote, bool? InProgress, long? Timestamp, string? Notes, string? User, string? Component);

/// <summary>A row of DLRN's <c>civotes_agg</c> (GraphQL <c>civoteAgg</c>): a CI's vote on an aggregate hash.</summary>
public sealed record DlrnAggregateVoteRow(long Id, string RefHash, string? CiName, string? CiUrl, bool? Vote, bool? InProgress, long? Timestamp, string? Notes, string? User);

/// <summary>A promotion as <c>GET /api/promotions</c> gives it (no id: its key is the commit's hashes, the name and the time).</summary>
public sealed record DlrnPromotionRow(string CommitHash, string DistroHash, string ExtendedHash, string PromotionName, long Timestamp, string? AggregateHash, string? Component, string? User, string? RepoHash)
{
    public string Key => $"{CommitHash}\n{DistroHash}\n{ExtendedHash}\n{PromotionName}\n{Timestamp}";
}

/// <summary>
/// One read of a kind: the rows, the range of DLRN ids (or, for promotions, timestamps) the read covers completely, and
/// where the cursor goes. <paramref name="CoveredFrom"/>..<paramref name="CoveredTo"/>: every row of DLRN in that range
/// that existed for the whole read was read, so a stored row in it that was not read is gone from DLRN.
/// </summary>
public sealed record DlrnRead<T>(IReadOnlyList<T> Rows, long CoveredFrom, long CoveredTo, long Cursor, int Pages);

/// <summary>Everything one ingest read from a server, before anything is written.</summary>
public sealed record DlrnSnapshot(
    string Server,
    long ReadAt,
    DlrnRead<DlrnCommitRow> Commits,
    DlrnRead<DlrnVoteRow> Votes,
    DlrnRead<DlrnAggregateVoteRow> AggregateVotes,
    DlrnRead<DlrnPromotionRow> Promotions);

/// <summary>The counts of one kind: rows read from DLRN, added, changed, unchanged, marked removed (gone from DLRN), and the cursor after.</summary>
public sealed record DlrnKindCounts(string Kind, int Read, int Added, int Updated, int Unchanged, int Removed, long Cursor);

/// <summary>The outcome of <c>truth ingest</c>: manifests (when any were given) and DLRN's kinds (when <c>--dlrn</c> was).</summary>
public sealed record TruthIngestReport
{
    public string Store { get; init; } = "";

    public DlrnManifestCounts? Manifests { get; init; }

    public string? Dlrn { get; init; }

    public IReadOnlyList<DlrnKindCounts> Kinds { get; init; } = [];

    /// <summary>Votes and promotions of DLRN copied to <c>ci_votes</c>/<c>promotions</c> of the cijobs builds with the same hashes.</summary>
    public int LinkedVotes { get; init; }

    public int LinkedPromotions { get; init; }
}

/// <summary>The manifest part of <see cref="TruthIngestReport"/>.</summary>
public sealed record DlrnManifestCounts(int Read, int Added, int AlreadyStored);

/// <summary>A publication of a build to a DLRN server, recorded by <c>publish dlrn --store</c> once DLRN accepted the import.</summary>
public sealed record PublicationRecord(string Server, string ProjectName, string CommitHash, string DistroHash, string? ExtendedHash, string Status, string RepoUrl, string Outcome, long PublishedAt);
