namespace CiJobs.Core.InstallTest;

/// <summary>The kind of packages, and so the package manager: APT/dpkg or dnf/rpm.</summary>
public enum PackageKind
{
    Deb,
    Rpm,
}

/// <summary>Where the packages are installed: a throwaway root made by cijobs (chroot), or the machine itself (a CI node).</summary>
public enum InstallTarget
{
    Root,
    Node,
}

/// <summary>What <c>cijobs install-test</c> checks; docs/manual/install-test.md.</summary>
public sealed record InstallTestRequest
{
    public const string DefaultMirror = "http://deb.debian.org/debian";
    public const string DefaultCodename = "bookworm";
    public const string DefaultComponent = "main";
    public const string DefaultReleaseVer = "9";

    public required PackageKind Kind { get; init; }

    /// <summary>The test repository: a createrepo_c repository (RPM) or an APT repository (DEB) URL.</summary>
    public required string RepoUrl { get; init; }

    /// <summary>DEB: the distribution in <c>dists/</c>; null for a flat repository (<c>deb URL ./</c>).</summary>
    public string? Codename { get; init; }

    public string Component { get; init; } = DefaultComponent;

    public required IReadOnlyList<string> Packages { get; init; }

    /// <summary>A distgit holding <c>tests/smoke.sh</c>, or null for the built-in check only.</summary>
    public string? SmokeDirectory { get; init; }

    public InstallTarget Target { get; init; } = InstallTarget.Root;

    /// <summary>DEB root target: the Debian release of the root (the codename of the test repository when given).</summary>
    public string RootCodename { get; init; } = DefaultCodename;

    public string Mirror { get; init; } = DefaultMirror;

    /// <summary>RPM: dnf's --releasever.</summary>
    public string ReleaseVer { get; init; } = DefaultReleaseVer;
}
