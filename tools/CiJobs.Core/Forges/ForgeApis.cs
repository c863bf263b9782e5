namespace CiJobs.Core.Forges;

/// <summary>Merge requests (GitLab) or pull requests (GitHub). General enough for any bot that opens one for a branch.</summary>
public interface IMergeRequestApi
{
    Task<MergeRequest> GetAsync(string project, int number, CancellationToken cancellationToken);

    /// <summary>Server-side filtered search, newest first.</summary>
    Task<IReadOnlyList<MergeRequest>> FindAsync(string project, MergeRequestQuery query, CancellationToken cancellationToken);

    /// <summary>Every open merge request of the project (for reconcilers), newest first.</summary>
    Task<IReadOnlyList<MergeRequest>> ListOpenAsync(string project, CancellationToken cancellationToken);

    /// <summary>Opens a merge request into <paramref name="project"/> from <paramref name="request"/>'s source branch
    /// (in <see cref="NewMergeRequest.SourceProject"/> when that is a fork).
    /// Throws <see cref="ForgeApiException"/> with <see cref="ForgeApiException.IsConflict"/> when one is already open for the branch.</summary>
    Task<MergeRequest> CreateAsync(string project, NewMergeRequest request, CancellationToken cancellationToken);

    Task<MergeRequest> UpdateAsync(string project, int number, MergeRequestUpdate update, CancellationToken cancellationToken);

    Task<IReadOnlyList<ForgeCommit>> ListCommitsAsync(string project, int number, CancellationToken cancellationToken);
}

/// <summary>Comments on a merge request.</summary>
public interface INoteApi
{
    Task<IReadOnlyList<ForgeNote>> ListAsync(string project, int number, CancellationToken cancellationToken);

    Task<ForgeNote> CreateAsync(string project, int number, string body, CancellationToken cancellationToken);

    Task<ForgeNote> UpdateAsync(string project, int number, long noteId, string body, CancellationToken cancellationToken);

    Task DeleteAsync(string project, int number, long noteId, CancellationToken cancellationToken);
}

/// <summary>External commit statuses.</summary>
public interface ICommitStatusApi
{
    /// <summary>Sets a status; a repeated identical state (GitLab answers 400 on an illegal transition) is <see cref="CommitStatusOutcome.Unchanged"/>.</summary>
    Task<CommitStatusOutcome> SetAsync(string project, NewCommitStatus status, CancellationToken cancellationToken);
}

/// <summary>CI pipelines of merge requests.</summary>
public interface IPipelineApi
{
    /// <summary>The pipelines of a merge request, newest first.</summary>
    Task<IReadOnlyList<ForgePipeline>> ListForMergeRequestAsync(string project, int number, CancellationToken cancellationToken);

    /// <summary>Runs a new pipeline for the merge request.</summary>
    Task<ForgePipeline> RunForMergeRequestAsync(string project, int number, CancellationToken cancellationToken);
}

/// <summary>One forge with a token: the API areas plus what git needs to clone and push.</summary>
public interface IForge
{
    ForgeKind Kind { get; }

    IMergeRequestApi MergeRequests { get; }

    INoteApi Notes { get; }

    ICommitStatusApi Statuses { get; }

    IPipelineApi Pipelines { get; }

    Task<ForgeUser> GetCurrentUserAsync(CancellationToken cancellationToken);

    Task<ForgeProject> GetProjectAsync(string project, CancellationToken cancellationToken);

    /// <summary>The HTTP header git sends for https clone and push (never put on a command line), or null without a token.</summary>
    string? GitAuthorizationHeader { get; }
}

/// <summary>A refused or failed forge request: the HTTP status and the forge's own message (never the token).</summary>
public sealed class ForgeApiException(string message, int? statusCode, int exitCode, Exception? innerException = null)
    : CiJobsException(message, exitCode, innerException)
{
    public int? StatusCode { get; } = statusCode;

    public bool IsConflict => StatusCode is 409 or 422;

    public static ForgeApiException FromStatus(string operation, int statusCode, string forgeMessage)
    {
        var exitCode = statusCode switch
        {
            401 or 403 => ForgeExitCodes.Unauthorized,
            404 => ForgeExitCodes.NotFound,
            409 or 422 => ForgeExitCodes.Conflict,
            _ => ForgeExitCodes.RequestFailed,
        };
        var detail = string.IsNullOrWhiteSpace(forgeMessage) ? "" : $": {forgeMessage}";
        return new ForgeApiException($"{operation} failed with HTTP {statusCode}{detail}.", statusCode, exitCode);
    }
}
