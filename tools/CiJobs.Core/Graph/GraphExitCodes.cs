namespace CiJobs.Core.Graph;

/// <summary>Exit codes of <c>cijobs graph</c> and <c>cijobs plan --partitions</c> (range 131-134; 130 is
/// <see cref="ExitCodes.Cancelled"/>). See docs/manual/graph-and-partitions.md.</summary>
public static class GraphExitCodes
{
    /// <summary>Bad input: an option value, a package name not safe in a path, a <c>NAME=DIR</c> that is not one,
    /// a graph or build-times file that is unreadable or malformed.</summary>
    public const int InvalidInput = 131;

    /// <summary>A package's dependencies cannot be read: no spec and no <c>debian/control</c>, both, several specs,
    /// a missing checkout, or rpmspec or dpkg's parser failed on it.</summary>
    public const int DependenciesUnreadable = 132;

    /// <summary>Past a bound: too many packages, dependencies or bytes of tool output.</summary>
    public const int LimitExceeded = 133;

    /// <summary><c>plan --partitions</c>: the plan needs more waves than <c>--max-waves</c>.</summary>
    public const int TooManyWaves = 134;
}
