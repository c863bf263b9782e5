namespace CiJobs.Core.BuildOnce;

/// <summary>Exit codes of <c>cijobs reuse</c> (118-119 of the 115-119 range it shares with release publish).</summary>
public static class BuildOnceExitCodes
{
    /// <summary>Bad input: options that do not fit together or a bad value (URL, tree, ref), or a DEST that cannot be
    /// written or is not an empty folder.</summary>
    public const int InvalidInput = 118;

    /// <summary>With <c>--require</c>: no gate artifact can be reused (none found, other trees, or a download failed its check).</summary>
    public const int NothingToReuse = 119;
}
