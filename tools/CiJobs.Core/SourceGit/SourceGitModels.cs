namespace CiJobs.Core.SourceGit;

/// <summary>Options of <see cref="SourceGitConverter.UpdateDistGitAsync"/>.</summary>
public sealed record UpdateDistGitOptions
{
    /// <summary>Overrides <c>upstream_ref</c> from <c>source-git.yaml</c>.</summary>
    public string? UpstreamRef { get; init; }

    /// <summary>Title of the dist-git commit; null = "Sync from source-git &lt;short sha&gt;".</summary>
    public string? CommitTitle { get; init; }

    /// <summary>Body of the dist-git commit (may contain a <c>---</c> block; the trailer goes before it).</summary>
    public string? CommitBody { get; init; }

    /// <summary>False leaves the changes in the dist-git work tree without committing.</summary>
    public bool Commit { get; init; } = true;

    /// <summary>Commit even when the dist-git content does not change, to record the sync point.</summary>
    public bool AllowEmpty { get; init; }

    /// <summary>Skip the sync check (run even when dist-git has unsynced commits, the histories diverged or no sync point exists).</summary>
    public bool Force { get; init; }
}

/// <summary>What <see cref="SourceGitConverter.UpdateDistGitAsync"/> did.</summary>
/// <param name="Changed">True when the dist-git work tree (and index) changed.</param>
/// <param name="Committed">True when a dist-git commit was created.</param>
/// <param name="DistGitCommit">The new dist-git commit, or null.</param>
/// <param name="SourceGitCommit">The source-git commit that was converted (SRC HEAD).</param>
/// <param name="Patches">The patches the spec now lists, in order.</param>
/// <param name="ChangedFiles">Dist-git paths added, modified or deleted.</param>
/// <param name="NothingToDo">True when the sync check found the repositories already in sync; nothing was touched.</param>
public sealed record UpdateDistGitResult(
    bool Changed,
    bool Committed,
    string? DistGitCommit,
    string SourceGitCommit,
    IReadOnlyList<GeneratedPatch> Patches,
    IReadOnlyList<string> ChangedFiles,
    bool NothingToDo);

/// <summary>One patch file written to dist-git.</summary>
/// <param name="FileName">File name in the dist-git spec directory.</param>
/// <param name="Number">The N of <c>PatchN:</c>, or null when <c>Patch-present-in-specfile</c> left the spec alone.</param>
/// <param name="Status">Unchanged (byte-identical to dist-git HEAD, or same patch-id and restored), Modified, or Added.</param>
/// <param name="SourceGitCommits">The source-git commits squashed into it, oldest first.</param>
public sealed record GeneratedPatch(string FileName, int? Number, PatchFileStatus Status, IReadOnlyList<string> SourceGitCommits);

public enum PatchFileStatus
{
    Unchanged,
    Modified,
    Added,
}

/// <summary>Options of <see cref="SourceGitConverter.UpdateSourceGitAsync"/>.</summary>
public sealed record UpdateSourceGitOptions
{
    /// <summary>Replay exactly this dist-git revision range (for example <c>abc123..HEAD</c>) instead of the unsynced commits; the sync check is skipped.</summary>
    public string? RevisionRange { get; init; }

    /// <summary>Skip the sync check.</summary>
    public bool Force { get; init; }
}

/// <summary>What <see cref="SourceGitConverter.UpdateSourceGitAsync"/> did.</summary>
/// <param name="Commits">One entry per dist-git commit looked at, oldest first.</param>
/// <param name="NothingToDo">True when there was no dist-git commit to replay.</param>
public sealed record UpdateSourceGitResult(IReadOnlyList<ReplayedCommit> Commits, bool NothingToDo)
{
    public bool Changed => Commits.Any(c => c.SourceGitCommit is not null);
}

/// <summary>A dist-git commit and the source-git commit made from it (null when it changed nothing and was skipped).</summary>
public sealed record ReplayedCommit(string DistGitCommit, string Subject, string? SourceGitCommit);

public enum SyncState
{
    /// <summary>Both HEADs are the sync point.</summary>
    InSync,

    /// <summary>Source-git has commits after the sync point: run update-dist-git.</summary>
    SourceGitAhead,

    /// <summary>Dist-git has commits after the sync point: run update-source-git.</summary>
    DistGitAhead,

    /// <summary>Both have commits after the sync point.</summary>
    Diverged,
}

/// <summary>Where the two repositories last met and what each has since.</summary>
/// <param name="SourceGitSyncCommit">Source-git side of the sync point.</param>
/// <param name="DistGitSyncCommit">Dist-git side of the sync point.</param>
/// <param name="SyncPointFrom">Which trailer found it: <c>From-dist-git-commit</c> (in source-git) or <c>From-source-git-commit</c> (in dist-git).</param>
/// <param name="SourceGitAhead">Source-git commits after the sync point, oldest first.</param>
/// <param name="DistGitAhead">Dist-git commits after the sync point, oldest first.</param>
/// <param name="SourceGitRebased">True when the source-git sync commit is no longer an ancestor of HEAD (rebased onto a new upstream); <see cref="SourceGitAhead"/> then lists all downstream commits.</param>
public sealed record SyncStatus(
    SyncState State,
    string SourceGitSyncCommit,
    string DistGitSyncCommit,
    string SyncPointFrom,
    IReadOnlyList<string> SourceGitAhead,
    IReadOnlyList<string> DistGitAhead,
    bool SourceGitRebased);
