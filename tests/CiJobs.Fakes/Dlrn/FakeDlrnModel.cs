namespace CiJobs.Fakes.Dlrn;

/// <summary>A row of the fake's <c>commits</c> table, as DLRN stores it (component kept as the string "None" when unset).</summary>
public sealed record FakeDlrnCommit
{
    public int Id { get; init; }
    public required string ProjectName { get; init; }
    public required string CommitHash { get; init; }
    public required string DistroHash { get; init; }
    public string? ExtendedHash { get; init; }
    public string Component { get; init; } = "None";
    public required string Status { get; init; }
    public double DtCommit { get; init; }
    public long DtDistro { get; init; }
    public long DtBuild { get; init; }
    public long? DtExtended { get; init; }
    public string? Artifacts { get; init; }
    public string? Notes { get; init; }
    public string? CommitBranch { get; init; }
    public string? RepoDir { get; init; }
    public string? DistgitDir { get; init; }
    public string Type { get; init; } = "rpm";
    public int Flags { get; init; }

    /// <summary>repos/[component/c/]h0h1/h2h3/hash_d8[_e8], relative to the data directory.</summary>
    public required string ShardedDirectory { get; init; }
}

/// <summary>One request as the fake received it; the password is never kept.</summary>
public sealed record FakeDlrnRequest(string Method, string Path, string QueryString, string? ContentType, string? User, string Body);

/// <summary>What one remote import did.</summary>
public sealed record FakeDlrnImport(string RepoUrl, bool Skipped, IReadOnlyList<string> MissingArtifacts, TimeSpan ServerDuration);

public sealed record FakeDlrnVote
{
    public required int CommitId { get; init; }
    public required string JobId { get; init; }
    public required string Url { get; init; }
    public required long Timestamp { get; init; }
    public required bool Success { get; init; }
    public bool InProgress { get; init; }
    public string? Notes { get; init; }
    public required string User { get; init; }
}

public sealed record FakeDlrnAggregateVote
{
    public required string AggregateHash { get; init; }
    public required string JobId { get; init; }
    public required string Url { get; init; }
    public required long Timestamp { get; init; }
    public required bool Success { get; init; }
    public string? Notes { get; init; }
    public required string User { get; init; }
}

public sealed record FakeDlrnPromotion
{
    public required int CommitId { get; init; }
    public required string PromoteName { get; init; }
    public required long Timestamp { get; init; }
    public required string User { get; init; }
}
