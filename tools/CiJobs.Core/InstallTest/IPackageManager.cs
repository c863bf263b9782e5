using CiJobs.Core.Platform;

namespace CiJobs.Core.InstallTest;

/// <summary>How packages are installed, listed and removed in an <see cref="ITestSystem"/>: APT/dpkg or dnf/rpm.</summary>
public interface IPackageManager
{
    /// <summary>Points the system at the test repository and reads its index; returns the failed command's result, or null.</summary>
    Task<ProcessResult?> PrepareAsync(ITestSystem system, CancellationToken cancellationToken);

    Task<ProcessResult> InstallAsync(ITestSystem system, IReadOnlyList<string> packages, CancellationToken cancellationToken);

    /// <summary>Absolute paths the installed package owns.</summary>
    Task<IReadOnlyList<string>> OwnedFilesAsync(ITestSystem system, string package, CancellationToken cancellationToken);

    /// <summary>Removes (purges) the packages and the dependencies installed for them.</summary>
    Task<ProcessResult> RemoveAsync(ITestSystem system, IReadOnlyList<string> packages, CancellationToken cancellationToken);

    /// <summary>The package database: one entry per package present, with its state, for a before/after comparison.</summary>
    Task<IReadOnlySet<string>> DatabaseAsync(ITestSystem system, CancellationToken cancellationToken);

    /// <summary>Undoes <see cref="PrepareAsync"/> on a system that outlives the test (node target).</summary>
    Task CleanUpAsync(ITestSystem system, CancellationToken cancellationToken);

    /// <summary>One line saying why an install or remove failed, taken from the package manager's output.</summary>
    string Explain(ProcessResult result);

    /// <summary>A failure the package manager reports but does not exit non-zero for (rpm scriptlet errors), or null.</summary>
    string? HiddenFailure(ProcessResult result);

    /// <summary>Folders whose new content is the package manager's own bookkeeping, not left behind by a package.</summary>
    IReadOnlyList<string> AllowedLeftovers { get; }

    /// <summary>Folders inside <see cref="AllowedLeftovers"/> where new content is left behind all the same.</summary>
    IReadOnlyList<string> DeniedLeftovers { get; }
}
