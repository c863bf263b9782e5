namespace CiJobs.Core.TestRepos;

/// <summary>Exit codes of <c>cijobs testrepo</c> (range 80-89); docs/exit-codes.md lists them, docs/manual/testrepo.md explains them.</summary>
public static class TestRepoExitCodes
{
    /// <summary>An unusable option value: a repository name not safe in a path, a change or patchset that is not a positive
    /// integer, a gate item without or with a bad <c>--item</c>, a bad codename, component or base URL.</summary>
    public const int InvalidOption = 80;

    /// <summary>A RESULT_DIR that is not a folder, holds no package, is a failed build, or names a file it does not hold.</summary>
    public const int InvalidInput = 81;

    /// <summary>A file name from the inputs (commit.yaml artifacts, a .dsc's file list) with '/', '..' or control characters,
    /// or a symbolic link leading outside its RESULT_DIR.</summary>
    public const int UnsafeInput = 82;

    /// <summary>Two inputs bring the same file name with different bytes.</summary>
    public const int ConflictingFiles = 83;

    /// <summary>rpm, createrepo_c, dpkg or apt-ftparchive failed on the collected packages.</summary>
    public const int MetadataFailed = 84;

    /// <summary>ROOT cannot be created or written.</summary>
    public const int RootNotWritable = 85;
}
