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

    /// <summary>The distgit holds neither a spec file nor a debian/ folder (at its distgit-path) for the package.</summary>
    public const int SpecMissing = 26;

    /// <summary>The packaging cannot be prepared: a spec without Version, Release or Source0 line, a Version that cannot be
    /// kept, or a debian/control, debian/changelog or debian/source/format that cannot be read.</summary>
    public const int SpecInvalid = 27;

    /// <summary>rpmbuild or dpkg-buildpackage failed; commit.yaml says FAILED and the log is named.</summary>
    public const int BuildFailed = 28;

    /// <summary>The output directory cannot be created or written.</summary>
    public const int OutputNotWritable = 29;

    /// <summary>createrepo_c (RPM) or apt-ftparchive (DEB) failed on the result directory.</summary>
    public const int RepositoryMetadataFailed = 30;

    /// <summary>An option value that cannot be used: --dist or --reponame with characters rpm or a file name cannot take.</summary>
    public const int InvalidOption = 31;

    /// <summary>Something read from git is refused before it reaches a spec, a macro or a path: a tag with characters
    /// other than letters, digits and . _ + -, or a distgit symlink pointing outside the distgit; writes FAILED.</summary>
    public const int UnsafeGitValue = 32;

    /// <summary>The distgit holds both a spec file and a debian/ folder, so it is not clear which package to build.</summary>
    public const int PackagingAmbiguous = 33;

    /// <summary>dpkg-checkbuilddeps found build dependencies of a Debian package missing (or conflicting); the error lists
    /// them and nothing is built; writes FAILED.</summary>
    public const int BuildDependenciesMissing = 34;
}
