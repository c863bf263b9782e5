namespace CiJobs.Core.Forges;

/// <summary>Which forge a project lives on.</summary>
public enum ForgeKind
{
    GitLab,
    GitHub,
}

/// <summary>A project (GitLab) or repository (GitHub), as the mirroring needs it.</summary>
/// <param name="Path">Full path: <c>group/sub/name</c> on GitLab, <c>owner/name</c> on GitHub.</param>
/// <param name="CloneUrl">URL git clones and pushes (https, or a file URL on the fakes).</param>
public sealed record ForgeProject(string Id, string Path, string CloneUrl, string WebUrl, string DefaultBranch);

public sealed record ForgeUser(string Username);

public enum MergeRequestState
{
    Open,
    Closed,
    Merged,
}

/// <summary>A merge request (GitLab) or pull request (GitHub).</summary>
/// <param name="Project">The target project path.</param>
/// <param name="Number">The iid (GitLab) or number (GitHub).</param>
/// <param name="SourceProject">Path of the project holding the source branch (a fork or the target itself).</param>
/// <param name="HeadSha">The newest commit of the source branch.</param>
public sealed record MergeRequest(
    string Project,
    int Number,
    MergeRequestState State,
    string Title,
    string Description,
    string SourceProject,
    string SourceBranch,
    string TargetBranch,
    string HeadSha,
    string Author,
    string WebUrl);

/// <summary>Which merge requests to look for; filters run on the server.</summary>
public sealed record MergeRequestQuery(string SourceBranch)
{
    public string? TargetBranch { get; init; }

    public string? Author { get; init; }

    /// <summary>Null = every state.</summary>
    public MergeRequestState? State { get; init; }

    /// <summary>Only merge requests whose source branch lives in this project (a fork); null = any.</summary>
    public string? SourceProject { get; init; }
}

public sealed record NewMergeRequest(string SourceBranch, string TargetBranch, string Title, string Description)
{
    /// <summary>The project (a fork) holding the source branch; null = the target project itself.</summary>
    public string? SourceProject { get; init; }

    /// <summary>Lets target maintainers push to the bot's branch.</summary>
    public bool AllowCollaboration { get; init; } = true;

    /// <summary>Set explicitly: API-created GitLab MRs ignore the project's default.</summary>
    public bool RemoveSourceBranch { get; init; } = true;
}

public enum MergeRequestStateChange
{
    Close,
    Reopen,
}

/// <summary>A partial update: null fields are left alone.</summary>
public sealed record MergeRequestUpdate
{
    public string? Title { get; init; }

    public string? Description { get; init; }

    public MergeRequestStateChange? StateChange { get; init; }
}

/// <summary>A commit of a merge request, with its full message (trailers included).</summary>
public sealed record ForgeCommit(string Sha, string Message);

/// <summary>A merge request comment (GitLab note, GitHub issue comment).</summary>
public sealed record ForgeNote(long Id, string Body, string Author);

/// <summary>States of an external commit status, in GitLab's vocabulary; GitHub adapters map them.</summary>
public enum CommitState
{
    Pending,
    Running,
    Success,
    Failed,
    Canceled,
    Skipped,
}

public sealed record NewCommitStatus(string Sha, CommitState State, string Name)
{
    public string? TargetUrl { get; init; }

    public string? Description { get; init; }
}

/// <summary>What setting a status did: created it, or found the same state already there (not an error).</summary>
public enum CommitStatusOutcome
{
    Created,
    Unchanged,
}

/// <summary>A CI pipeline run of a merge request. <paramref name="Status"/> uses GitLab's pipeline status names.</summary>
public sealed record ForgePipeline(long Id, string Status, string Sha, string? WebUrl);
