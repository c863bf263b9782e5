namespace CiJobs.Core.SourceGit;

/// <summary>Exit codes of <c>cijobs source-git</c> (range 50-59).</summary>
public static class SourceGitExitCodes
{
    /// <summary>SRC or DIST is not a git work tree, or has no commit.</summary>
    public const int NotAGitRepository = 50;

    /// <summary>SRC has no <c>.distro/source-git.yaml</c> at HEAD: not a source-git repository.</summary>
    public const int NotSourceGit = 51;

    /// <summary><c>source-git.yaml</c> is not valid YAML, has a wrong type, or names a spec file that does not exist.</summary>
    public const int BadConfig = 52;

    /// <summary><c>upstream_ref</c> (or <c>--upstream-ref</c>) does not name a commit in SRC.</summary>
    public const int UpstreamRefNotFound = 53;

    /// <summary>A work tree that must be pristine has changes or untracked files.</summary>
    public const int DirtyWorkTree = 54;

    /// <summary>The repositories are out of sync the wrong way (the other side has unsynced commits) or have diverged.</summary>
    public const int OutOfSync = 55;

    /// <summary>No sync point: neither repository has a commit with an origin trailer, or a trailer names a missing commit.</summary>
    public const int NoSyncPoint = 56;

    /// <summary>Patch trailers are invalid: bad YAML, Patch-id not increasing, the same Patch-name on non-adjacent commits.</summary>
    public const int InvalidPatchMetadata = 57;

    /// <summary>A dist-git commit cannot be replayed on source-git (touches sources or patches, or does not apply).</summary>
    public const int ReplayFailed = 58;

    /// <summary>Nothing to do (only with <c>--detailed-exit-code</c>; otherwise that is exit 0).</summary>
    public const int NothingToDo = 59;
}
