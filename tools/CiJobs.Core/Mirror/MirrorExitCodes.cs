namespace CiJobs.Core.Mirror;

/// <summary>Exit codes of <c>cijobs mirror sync</c> (range 125-129); docs/exit-codes.md lists them, docs/manual/mirror.md explains them.</summary>
public static class MirrorExitCodes
{
    /// <summary>SOURCE is not a repository tree: no repodata/repomd.xml nor dists/*/Release in it, or a checksum, size or
    /// listed file of its metadata is wrong or missing, or its metadata cannot be read.</summary>
    public const int NotARepository = 125;

    /// <summary>SOURCE holds a symbolic link leading outside it (or an absolute one), or a metadata file names a path outside it.</summary>
    public const int UnsafeSource = 126;

    /// <summary>An unusable DEST (a real folder where the symlink goes, a symlink not made by mirror sync, a name or path
    /// not safe for a path or an ssh argument) or option.</summary>
    public const int InvalidDestination = 127;

    /// <summary>Another sync of the same DEST holds its lock and did not finish within <c>--lock-timeout</c>.</summary>
    public const int Locked = 128;

    /// <summary>The transfer, the check of the new snapshot or the switch failed (disk full, rsync or ssh failed); the
    /// published snapshot is untouched and the half-made one deleted.</summary>
    public const int SyncFailed = 129;
}
