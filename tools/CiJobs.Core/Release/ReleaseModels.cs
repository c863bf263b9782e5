namespace CiJobs.Core.Release;

/// <summary>What to publish: the packages of <paramref name="ResultDirectories"/> into the release repository <paramref name="Root"/>
/// (ROOT/rpm and ROOT/deb, docs/manual/release.md).</summary>
/// <param name="Codename">The APT distribution of the Debian part.</param>
public sealed record ReleaseRequest(IReadOnlyList<string> ResultDirectories, string Root, string Codename)
{
    public const string DefaultComponent = "main";

    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(300);

    public string Component { get; init; } = DefaultComponent;

    /// <summary>How long to wait for another publish to the same ROOT to finish.</summary>
    public TimeSpan LockTimeout { get; init; } = DefaultLockTimeout;

    /// <summary>Refuse a RESULT_DIR without a provenance.json (docs/manual/release.md, "Provenance").</summary>
    public bool RequireProvenance { get; init; }
}

/// <summary>One package of a publish.</summary>
/// <param name="Format"><c>rpm</c> or <c>deb</c>.</param>
/// <param name="Arch">The architecture (<c>src</c> for a source RPM, <c>source</c> for a Debian source package).</param>
/// <param name="Sha256">The SHA-256 of the file as given (before signing).</param>
/// <param name="Path">Its path relative to ROOT.</param>
public sealed record ReleasePackage(string Format, string Name, string Version, string Arch, string Sha256, string Path)
{
    /// <summary>The path relative to ROOT of the build's provenance manifest published with it; null when the build had none,
    /// and for a skipped package.</summary>
    public string? Provenance { get; init; }
}

/// <summary>The outcome of a publish: the packages added, those skipped as already published with the same bits, and where the
/// repositories are (null for a format the repository does not have).</summary>
public sealed record ReleaseResult(
    string Root,
    string? RpmRepository,
    string? RpmSourceRepository,
    string? DebRepository,
    string? Codename,
    string? Component,
    bool Signed,
    IReadOnlyList<ReleasePackage> Added,
    IReadOnlyList<ReleasePackage> Skipped);
