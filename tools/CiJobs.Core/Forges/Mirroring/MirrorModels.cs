namespace CiJobs.Core.Forges.Mirroring;

/// <summary>The two projects being mirrored and the forges (with their tokens) they live on.</summary>
public sealed record MirrorEndpoints(IForge SourceGit, string SourceGitProject, IForge DistGit, string DistGitProject)
{
    /// <summary>The bot's fork of dist-git that receives the bot branches (the bot needs no push right on dist-git); null = dist-git itself.</summary>
    public string? DistGitFork { get; init; }
}

/// <summary>What a mirroring step did.</summary>
public enum MirrorAction
{
    Created,
    Updated,
    UpToDate,
    Closed,
    Reopened,
    AlreadyClosed,
    MergedNothingToDo,
    Ignored,
    StatusSet,
    StatusUnchanged,
    StatusReportedInComment,
    PipelineStarted,
    Recreated,
    NoDistGitChanges,
}

/// <summary>The result of one mirroring step, printed by <c>cijobs mr</c>.</summary>
public sealed record MirrorResult(MirrorAction Action, string Message)
{
    public string? SourceGitMergeRequestUrl { get; init; }

    public string? DistGitMergeRequestUrl { get; init; }

    public int? DistGitMergeRequestNumber { get; init; }

    public string? Sha { get; init; }

    public string? State { get; init; }
}
