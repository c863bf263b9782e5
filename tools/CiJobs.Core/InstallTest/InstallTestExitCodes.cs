namespace CiJobs.Core.InstallTest;

/// <summary>Exit codes of <c>cijobs install-test</c> (range 100-109); docs/exit-codes.md lists them.</summary>
public static class InstallTestExitCodes
{
    /// <summary>A package did not install: the repository could not be read, a dependency is missing, a maintainer script failed.</summary>
    public const int InstallFailed = 100;

    /// <summary>The smoke step failed: a file the package owns is missing, or tests/smoke.sh exited non-zero.</summary>
    public const int SmokeFailed = 101;

    /// <summary>The package manager could not remove (purge) a package or the dependencies it pulled in.</summary>
    public const int RemoveFailed = 102;

    /// <summary>After removal, files, folders or package-database entries are left that were not there before.</summary>
    public const int LeftBehind = 103;

    /// <summary>A package name that is not a valid Debian or RPM name, or not safe on a command line.</summary>
    public const int InvalidPackageName = 104;

    /// <summary>--smoke-dir has no tests/smoke.sh, or a link in its tests/ folder leads outside it.</summary>
    public const int SmokeDirInvalid = 105;

    /// <summary>The system to test in cannot be made: mmdebstrap, the base rpm, extraction or a mount failed, or not root.</summary>
    public const int SystemUnavailable = 106;

    /// <summary>An unusable option value: --repo or --mirror not an http(s)/file URL, a bad --codename or --component.</summary>
    public const int InvalidOption = 107;
}
