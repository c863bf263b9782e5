namespace CiJobs.Core.Dlrn;

// Request and response records of the DLRN API (docs/contracts/dlrn-api.md). JSON names are the
// snake_case of the property names; nulls are left out of requests.

public sealed record DlrnImportResponse(string RepoUrl);

public sealed record DlrnHealth(string Result);

/// <summary>One CI vote, as <c>repo_status</c> and <c>report_result</c> return it.</summary>
public sealed record DlrnVote
{
    public string? JobId { get; init; }
    public string? CommitHash { get; init; }
    public string? DistroHash { get; init; }
    public string? ExtendedHash { get; init; }
    public string? AggregateHash { get; init; }
    public string? Url { get; init; }
    public long? Timestamp { get; init; }
    public bool? InProgress { get; init; }
    public bool? Success { get; init; }
    public string? Notes { get; init; }
    public string? User { get; init; }
    public string? Component { get; init; }
}

/// <summary>A QE result for a commit+distro hash or for an aggregate hash.</summary>
public sealed record DlrnReportResultRequest
{
    public required string JobId { get; init; }
    public required string Url { get; init; }
    public required long Timestamp { get; init; }
    public required bool Success { get; init; }
    public string? Notes { get; init; }
    public string? CommitHash { get; init; }
    public string? DistroHash { get; init; }
    public string? ExtendedHash { get; init; }
    public string? AggregateHash { get; init; }
}

public sealed record DlrnPromoteRequest
{
    public required string CommitHash { get; init; }
    public required string DistroHash { get; init; }
    public string? ExtendedHash { get; init; }
    public required string PromoteName { get; init; }
}

public sealed record DlrnPromotion
{
    public string? CommitHash { get; init; }
    public string? DistroHash { get; init; }
    public string? ExtendedHash { get; init; }
    public string? RepoHash { get; init; }
    public string? RepoUrl { get; init; }
    public string? PromoteName { get; init; }
    public string? Component { get; init; }
    public long? Timestamp { get; init; }
    public string? User { get; init; }
    public string? AggregateHash { get; init; }
}

public sealed record DlrnPromotionQuery
{
    public string? CommitHash { get; init; }
    public string? DistroHash { get; init; }
    public string? ExtendedHash { get; init; }
    public string? AggregateHash { get; init; }
    public string? PromoteName { get; init; }
    public string? Component { get; init; }
    public int? Offset { get; init; }
    public int? Limit { get; init; }
}

/// <summary>Parameters of <c>last_tested_repo</c>; <see cref="ReportingJobId"/> only for the POST.</summary>
public sealed record DlrnLastTestedRepoQuery
{
    /// <summary>Hours; 0 means any age.</summary>
    public int MaxAge { get; init; }
    public bool? Success { get; init; }
    public string? JobId { get; init; }
    public bool? SequentialMode { get; init; }
    public string? PreviousJobId { get; init; }
    public string? Component { get; init; }
    public string? ReportingJobId { get; init; }
}

public sealed record DlrnLastTestedRepo
{
    public string? CommitHash { get; init; }
    public string? DistroHash { get; init; }
    public string? ExtendedHash { get; init; }
    public long? Timestamp { get; init; }
    public string? JobId { get; init; }
    public bool? Success { get; init; }
    public bool? InProgress { get; init; }
    public string? User { get; init; }
    public string? Component { get; init; }
}

public sealed record DlrnBuildMetrics(int Succeeded, int Failed, int Total);

/// <summary>A commit row as the server holds it (read through GraphQL <c>commits</c>).</summary>
public sealed record DlrnCommitRecord
{
    public required string ProjectName { get; init; }
    public required string CommitHash { get; init; }
    public required string DistroHash { get; init; }
    public string? ExtendedHash { get; init; }
    public required string Status { get; init; }
    public double DtCommit { get; init; }
    public long DtDistro { get; init; }
    public long DtBuild { get; init; }
    public string? Artifacts { get; init; }
    public string? Component { get; init; }
}

/// <summary>Filters of GraphQL <c>commits</c>; the server returns the newest rows first.</summary>
public sealed record DlrnCommitQuery
{
    public string? ProjectName { get; init; }
    public string? CommitHash { get; init; }
    public string? DistroHash { get; init; }
    public string? ExtendedHash { get; init; }
    public string? Status { get; init; }
    public int? Limit { get; init; }
}
