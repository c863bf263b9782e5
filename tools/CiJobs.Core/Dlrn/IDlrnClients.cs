namespace CiJobs.Core.Dlrn;

/// <summary>Remote import and the credential check (docs/contracts/dlrn-api.md).</summary>
public interface IDlrnImportClient
{
    /// <summary>POST /api/remote/import. A 201 does not mean imported: the server also answers 201 when it skipped the commit.</summary>
    Task<DlrnImportResponse> ImportAsync(Uri repoUrl, CancellationToken cancellationToken);

    /// <summary>GET /api/health, or POST (which needs valid write credentials) when <paramref name="checkCredentials"/>.</summary>
    Task<DlrnHealth> GetHealthAsync(bool checkCredentials, CancellationToken cancellationToken);
}

/// <summary>Read endpoints (anonymous on a default server).</summary>
public interface IDlrnReadClient
{
    /// <summary>GraphQL <c>commits</c>, newest first.</summary>
    Task<IReadOnlyList<DlrnCommitRecord>> GetCommitsAsync(DlrnCommitQuery query, CancellationToken cancellationToken);

    Task<IReadOnlyList<DlrnVote>> GetRepoStatusAsync(string commitHash, string distroHash, string? extendedHash, CancellationToken cancellationToken);

    Task<IReadOnlyList<DlrnPromotion>> GetPromotionsAsync(DlrnPromotionQuery query, CancellationToken cancellationToken);

    Task<DlrnLastTestedRepo> GetLastTestedRepoAsync(DlrnLastTestedRepoQuery query, CancellationToken cancellationToken);

    /// <summary>Builds between the dates (end exclusive), optionally of one package.</summary>
    Task<DlrnBuildMetrics> GetBuildMetricsAsync(DateOnly start, DateOnly end, string? packageName, CancellationToken cancellationToken);

    /// <summary>A text file the central serves under its repositories' URL (its <c>baseurl</c>), anonymously and with
    /// the client's retry policy; null when it answers 404.</summary>
    Task<string?> GetRepositoryFileAsync(Uri url, CancellationToken cancellationToken);
}

/// <summary>Votes, promotions and rechecks: writes that need credentials.</summary>
public interface IDlrnVotingClient
{
    Task<DlrnVote> ReportResultAsync(DlrnReportResultRequest request, CancellationToken cancellationToken);

    Task<DlrnPromotion> PromoteAsync(DlrnPromoteRequest request, CancellationToken cancellationToken);

    /// <summary>POST /api/last_tested_repo: picks a repo and records an in-progress vote for <c>ReportingJobId</c>.</summary>
    Task<DlrnLastTestedRepo> ClaimLastTestedRepoAsync(DlrnLastTestedRepoQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes the newest FAILED commit of the package so it can be built or imported again.</summary>
    Task RecheckPackageAsync(string packageName, CancellationToken cancellationToken);
}
