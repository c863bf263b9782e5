using CiJobs.Core.Git;

namespace CiJobs.Core.SourceGit;

/// <summary>
/// Converts between a source-git work tree (upstream history + downstream commits + <c>.distro/</c>)
/// and a dist-git work tree (spec, patches, sources), both local. This is the API that
/// <c>cijobs source-git</c> and merge-request mirroring call; each operation lives in its own class
/// (<see cref="DistGitUpdate"/>, <see cref="SourceGitUpdate"/>, <see cref="SyncStatusQuery"/>).
/// </summary>
public sealed class SourceGitConverter(GitCli git)
{
    public const string FromSourceGitCommit = "From-source-git-commit";
    public const string FromDistGitCommit = "From-dist-git-commit";

    /// <summary>
    /// Makes DIST's work tree what SRC's HEAD says (files_to_sync, patches, PatchN lines) and commits
    /// it with a <c>From-source-git-commit</c> trailer. Both work trees must be pristine. Unless
    /// <see cref="UpdateDistGitOptions.Force"/>, it first checks the sync point: in sync → nothing to
    /// do; dist-git has unsynced commits or the histories diverged → <see cref="SourceGitExitCodes.OutOfSync"/>.
    /// </summary>
    public Task<UpdateDistGitResult> UpdateDistGitAsync(string sourceGitDir, string distGitDir, UpdateDistGitOptions options, CancellationToken cancellationToken) =>
        DistGitUpdate.RunAsync(git, sourceGitDir, distGitDir, options, cancellationToken);

    /// <summary>
    /// Replays dist-git commits made outside the flow onto source-git: each commit's changes are
    /// applied under <c>.distro/</c> and committed with the original author and message plus a
    /// <c>From-dist-git-commit</c> trailer. Commits touching <c>sources</c> or <c>*.patch</c> are
    /// refused (code changes belong in source-git). A commit that changes nothing is skipped, except
    /// the last one, which is committed empty so the sync point moves.
    /// </summary>
    public Task<UpdateSourceGitResult> UpdateSourceGitAsync(string distGitDir, string sourceGitDir, UpdateSourceGitOptions options, CancellationToken cancellationToken) =>
        SourceGitUpdate.RunAsync(git, distGitDir, sourceGitDir, options, cancellationToken);

    /// <summary>
    /// Finds the sync point from the origin trailers (the newest <c>From-dist-git-commit</c> in SRC
    /// and <c>From-source-git-commit</c> in DIST; the pair with the later dist-git commit wins) and
    /// lists the commits each side has since.
    /// </summary>
    public Task<SyncStatus> GetStatusAsync(string sourceGitDir, string distGitDir, CancellationToken cancellationToken) =>
        SyncStatusQuery.RunAsync(git, sourceGitDir, distGitDir, cancellationToken);
}
