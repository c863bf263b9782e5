namespace CiJobs.Core.Mirror;

/// <summary>What <c>cijobs mirror sync</c> is asked to do; docs/manual/mirror.md.</summary>
public sealed record MirrorRequest(string Source, string Destination)
{
    public const int DefaultKeep = 5;

    /// <summary>Snapshots kept, the new one included.</summary>
    public int Keep { get; init; } = DefaultKeep;

    /// <summary>How long to wait for another sync of the same DEST; zero fails at once.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>The remote shell command for a remote DEST (split on spaces, no shell quoting).</summary>
    public string Rsh { get; init; } = "ssh";
}

/// <summary>One package in the sync report: a name and architecture within one repository, and its versions.</summary>
public sealed record MirrorPackageChange(string Repository, string Name, string Arch, string? OldVersion, string? NewVersion);

/// <summary>The outcome of a sync: the snapshot published and the packages that changed.</summary>
public sealed record MirrorSyncResult(
    string Destination,
    string Snapshot,
    string? PreviousSnapshot,
    IReadOnlyList<string> Repositories,
    IReadOnlyList<MirrorPackageChange> Added,
    IReadOnlyList<MirrorPackageChange> Removed,
    IReadOnlyList<MirrorPackageChange> Changed,
    IReadOnlyList<string> DeletedSnapshots);
