namespace CiJobs.Core.Dlrn;

/// <summary>What a QE job reports: a result for a commit+distro hash, or for an aggregate hash.</summary>
public sealed record DlrnReportSettings
{
    public required string JobId { get; init; }
    public required string Url { get; init; }
    public required bool Success { get; init; }

    /// <summary>Unix seconds; the clock's now when not given.</summary>
    public long? Timestamp { get; init; }
    public string? Notes { get; init; }
    public string? CommitHash { get; init; }
    public string? DistroHash { get; init; }
    public string? ExtendedHash { get; init; }
    public string? AggregateHash { get; init; }
}

/// <summary>Reports CI results and promotes repositories (the QE side of DLRN).</summary>
public sealed class DlrnVoting(IDlrnVotingClient client, TimeProvider timeProvider)
{
    public Task<DlrnVote> ReportAsync(DlrnReportSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var byCommit = settings.CommitHash is not null || settings.DistroHash is not null || settings.ExtendedHash is not null;
        if (byCommit == (settings.AggregateHash is not null))
        {
            throw new CiJobsException("give either --commit-hash and --distro-hash, or --aggregate-hash", DlrnExitCodes.RequestRejected);
        }

        if (byCommit && (settings.CommitHash is null || settings.DistroHash is null))
        {
            throw new CiJobsException("--commit-hash and --distro-hash go together", DlrnExitCodes.RequestRejected);
        }

        var request = new DlrnReportResultRequest
        {
            JobId = settings.JobId,
            Url = settings.Url,
            Success = settings.Success,
            Timestamp = settings.Timestamp ?? timeProvider.GetUtcNow().ToUnixTimeSeconds(),
            Notes = settings.Notes,
            CommitHash = settings.CommitHash,
            DistroHash = settings.DistroHash,
            ExtendedHash = settings.ExtendedHash,
            AggregateHash = settings.AggregateHash,
        };
        return client.ReportResultAsync(request, cancellationToken);
    }

    public Task<DlrnPromotion> PromoteAsync(DlrnPromoteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.PromoteName is "current" or "consistent")
        {
            throw new CiJobsException($"'{request.PromoteName}' is reserved by DLRN; choose another promotion name", DlrnExitCodes.RequestRejected);
        }

        return client.PromoteAsync(request, cancellationToken);
    }
}
