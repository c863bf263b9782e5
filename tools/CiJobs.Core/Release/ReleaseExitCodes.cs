namespace CiJobs.Core.Release;

/// <summary>Exit codes of <c>cijobs release publish</c> (115-117); docs/exit-codes.md lists them, docs/manual/release.md explains them.</summary>
public static class ReleaseExitCodes
{
    /// <summary>A package is older than the newest published version of its name: the whole publish is refused.</summary>
    public const int OlderVersion = 115;

    /// <summary>A package has the version of a published one (or a file its name) with different bits: the whole publish is refused.</summary>
    public const int ChangedBits = 116;

    /// <summary>The publish cannot be done: bad input or option, a ROOT not made by cijobs, the lock not obtained in time,
    /// or rpm, createrepo_c or apt-ftparchive failing.</summary>
    public const int CannotPublish = 117;
}
