using CiJobs.Core.Rdoinfo;

namespace CiJobs.Core.Builds;

/// <summary>
/// Turns a <see cref="BuildRequest"/> into a <see cref="BuildTarget"/> with rdoinfo: the package, its
/// expansion for the release, its upstream and distgit (unless overridden) and the refs to build.
/// </summary>
public static class BuildTargetResolver
{
    /// <summary>Loads rdoinfo from the request's directory and resolves the target.</summary>
    public static async Task<BuildTarget> ResolveAsync(BuildRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!LooksLikeUrl(request.Package))
        {
            PackageNames.Validate(request.Package);
        }

        if (request.Release is { } release)
        {
            PackageNames.ValidateRelease(release);
        }

        var database = await RdoinfoLoader.LoadAsync(request.RdoinfoDirectory, request.RdoinfoEntryFile, cancellationToken);
        return Resolve(database, request);
    }

    /// <summary>
    /// Source ref: --source-ref, else the package's source-branch for the release, else the release's
    /// upstream_branch, else HEAD. Distgit ref: --distgit-ref, else distro-branch, else the release's
    /// branch, else HEAD.
    /// </summary>
    public static BuildTarget Resolve(RdoinfoDatabase database, BuildRequest request)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(request);
        var found = database.FindPackage(request.Package);
        if (found is null)
        {
            var suggestions = database.SuggestNames(request.Package);
            throw new CiJobsException(
                $"unknown package '{PackageNames.Printable(request.Package)}' in {request.RdoinfoDirectory}"
                + (suggestions.Count > 0 ? $"; did you mean {string.Join(", ", suggestions)}?" : ""),
                BuildExitCodes.UnknownPackage);
        }

        RdoRelease? release = null;
        string? tag = null;
        if (request.Release is { } releaseName)
        {
            PackageNames.ValidateRelease(releaseName);
            release = database.FindRelease(releaseName)
                ?? throw new CiJobsException(
                    $"unknown release '{PackageNames.Printable(releaseName)}'; rdoinfo defines {string.Join(", ", database.Releases.Select(r => r.Name))}",
                    BuildExitCodes.UnknownRelease);
            tag = database.ReleaseTagFor(found.Project, releaseName)
                ?? throw new CiJobsException(
                    $"package {found.Name} (project {found.Project}) is not in release {releaseName}: it has no '{releaseName}' or '{releaseName}{RdoTags.UpperConstraintsSuffix}' tag",
                    BuildExitCodes.NotInRelease);
        }

        var package = database.Expand(found.Project, tag);
        var name = PackageNames.Validate(package.Name, "rdoinfo package name");
        var provenance = new List<string> { $"rdoinfo: project {package.Project}, name {name}, tag {tag ?? "(none)"}" };

        var sourceLocation = Pick(request.Source, "--source", package.Upstream, "rdoinfo upstream", provenance, "source")
            ?? throw new CiJobsException($"rdoinfo gives package {name} no upstream; pass --source", BuildExitCodes.RepositoryUnavailable);
        var distgitLocation = Pick(request.Distgit, "--distgit", package.MasterDistgit, "rdoinfo master-distgit", provenance, "distgit")
            ?? throw new CiJobsException($"rdoinfo gives package {name} no master-distgit; pass --distgit", BuildExitCodes.RepositoryUnavailable);
        var (sourceRef, sourceRefLabel) = !string.IsNullOrEmpty(request.SourceRef) ? (request.SourceRef, "--source-ref") : SourceRef(package, release);
        provenance.Add($"source ref: {sourceRef} ({sourceRefLabel})");
        var (distgitRef, distgitRefLabel) = !string.IsNullOrEmpty(request.DistgitRef) ? (request.DistgitRef, "--distgit-ref") : DistgitRef(package, release);
        provenance.Add($"distgit ref: {distgitRef} ({distgitRefLabel})");

        return new BuildTarget
        {
            PackageName = name,
            Project = package.Project,
            Release = release?.Name,
            SourceLocation = sourceLocation,
            SourceRef = sourceRef,
            DistgitLocation = distgitLocation,
            DistgitRef = distgitRef,
            DistgitPath = (package.DistgitPath ?? "").Trim('/'),
            Provenance = provenance,
            Rdoinfo = new Provenance.ProvenanceRdoinfo(null, request.RdoinfoEntryFile, tag, Provenance.InputHash.Sha256Hex(Provenance.CanonicalJson.ToBytes(package.Fields))),
            RdoinfoDirectory = request.RdoinfoDirectory,
            PatchesLocation = package.GetString("patches"),
            Packages = [.. database.ExpandAll(release?.Name).Select(p => new PackageRepositories(p.Name, p.Upstream, p.MasterDistgit))],
        };
    }

    /// <summary>The source ref rdoinfo gives when none is asked for: the package's source-branch, else the release's upstream_branch, else HEAD; with where it came from.</summary>
    public static (string Ref, string Label) SourceRef(RdoPackage package, RdoRelease? release)
    {
        ArgumentNullException.ThrowIfNull(package);
        return package.SourceBranch is { Length: > 0 } branch ? (branch, "rdoinfo source-branch")
            : release?.UpstreamBranch is { Length: > 0 } upstream ? (upstream, $"release {release.Name} upstream_branch")
            : ("HEAD", "default");
    }

    /// <summary>The distgit ref rdoinfo gives when none is asked for: the package's distro-branch, else the release's branch, else HEAD; with where it came from.</summary>
    public static (string Ref, string Label) DistgitRef(RdoPackage package, RdoRelease? release)
    {
        ArgumentNullException.ThrowIfNull(package);
        return package.DistroBranch is { Length: > 0 } branch ? (branch, "rdoinfo distro-branch")
            : release?.Branch is { Length: > 0 } releaseBranch ? (releaseBranch, $"release {release.Name} branch")
            : ("HEAD", "default");
    }

    private static string? Pick(string? given, string givenLabel, string? fallback, string fallbackLabel, List<string> provenance, string what)
    {
        var (value, label) = !string.IsNullOrEmpty(given) ? (given, givenLabel) : !string.IsNullOrEmpty(fallback) ? (fallback, fallbackLabel) : (null, null);
        if (value is not null)
        {
            provenance.Add($"{what}: {value} ({label})");
        }

        return value;
    }

    private static bool LooksLikeUrl(string value) => value.Contains("://", StringComparison.Ordinal);
}
