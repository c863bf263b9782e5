namespace CiJobs.Core.Builds;

/// <summary>Exit codes of <c>cijobs build</c> (range 20-39); docs/exit-codes.md lists them.</summary>
public static class BuildExitCodes
{
    /// <summary>The package is not in rdoinfo (the message suggests close names).</summary>
    public const int UnknownPackage = 20;

    /// <summary>The package exists but is not part of the requested release.</summary>
    public const int NotInRelease = 21;

    /// <summary>The release is not defined in rdoinfo.</summary>
    public const int UnknownRelease = 22;

    /// <summary>A package or release name that is not safe to use in a file name.</summary>
    public const int InvalidPackageName = 23;

    /// <summary>The source or distgit location is neither a git checkout nor a URL git can clone, or rdoinfo names none.</summary>
    public const int RepositoryUnavailable = 24;

    /// <summary>A source or distgit ref does not name a commit.</summary>
    public const int RefNotFound = 25;

    /// <summary>The distgit holds no spec file (at its distgit-path) for the package.</summary>
    public const int SpecMissing = 26;

    /// <summary>The spec cannot be prepared: no Version, Release or Source0 line, or a Version that cannot be kept.</summary>
    public const int SpecInvalid = 27;

    /// <summary>rpmbuild failed (SRPM or binary build); commit.yaml says FAILED and the log is named.</summary>
    public const int BuildFailed = 28;

    /// <summary>The output directory cannot be created or written.</summary>
    public const int OutputNotWritable = 29;

    /// <summary>createrepo_c failed on the result directory.</summary>
    public const int RepositoryMetadataFailed = 30;

    /// <summary>An option value that cannot be used: --dist or --reponame with characters rpm or a file name cannot take.</summary>
    public const int InvalidOption = 31;

    /// <summary>Something read from git is refused before it reaches a spec, a macro or a path: a tag with characters
    /// other than letters, digits and . _ + -, or a distgit symlink pointing outside the distgit; writes FAILED.</summary>
    public const int UnsafeGitValue = 32;
}
