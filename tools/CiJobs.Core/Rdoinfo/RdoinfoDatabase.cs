namespace CiJobs.Core.Rdoinfo;

/// <summary>
/// A loaded and merged rdoinfo database. Packages are kept merged but unexpanded; <see cref="Expand"/>
/// applies the distroinfo layering for one tag (a release name, or none).
/// </summary>
public sealed partial class RdoinfoDatabase
{
    /// <summary>Releases in file order.</summary>
    public IReadOnlyList<RdoRelease> Releases { get; }

    /// <summary>Every package's <c>project</c>, in file order.</summary>
    public IReadOnlyList<string> Projects { get; }

    public RdoRelease? FindRelease(string name) => Releases.FirstOrDefault(r => r.Name == name);

    /// <summary>
    /// The tag that expands a package for a release: the release name when the package is in it, null when
    /// it is not. A package is in a release when its expanded <c>tags</c> (its own, else its conf template's,
    /// else package-default's) hold <c>&lt;release&gt;</c> or <c>&lt;release&gt;-uc</c>.
    /// Like DLRN configured with <c>tags=&lt;release&gt;</c>, only the override map of the
    /// <c>&lt;release&gt;</c> tag itself applies; expand with the <c>-uc</c> tag explicitly for upper-constraint pins.
    /// See docs/contracts/rdoinfo-expansion.md.
    /// </summary>
    public string? ReleaseTagFor(string project, string release) => ReleaseTagForCore(project, release);

    /// <summary>Expands one package by project; <paramref name="tag"/> selects the per-release override map.</summary>
    public RdoPackage Expand(string project, string? tag = null) => ExpandCore(project, tag);

    /// <summary>Expands every package; with a release, only the packages in that release, expanded for it.</summary>
    public IReadOnlyList<RdoPackage> ExpandAll(string? release = null) => ExpandAllCore(release);

    /// <summary>Finds a package by RPM name, then by project, then by upstream or distgit URL (the way distroinfo's find_package does).</summary>
    public RdoPackage? FindPackage(string reference) => FindPackageCore(reference);

    /// <summary>Like <see cref="FindPackage"/>, but an unknown reference is an <see cref="RdoinfoException"/> that suggests close names.</summary>
    public RdoPackage GetPackage(string reference) =>
        FindPackage(reference) ?? throw new RdoinfoException(UnknownPackageMessage(reference), RdoinfoExitCodes.NotFound);

    /// <summary>Up to five package names close to <paramref name="reference"/>, closest first, for "did you mean".</summary>
    public IReadOnlyList<string> SuggestNames(string reference) => SuggestNamesCore(reference);
}
