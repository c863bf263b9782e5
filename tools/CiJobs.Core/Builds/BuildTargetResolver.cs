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
        var sourceRef = Pick(request.SourceRef, "--source-ref", package.SourceBranch, "rdoinfo source-branch", provenance, "source ref")
            ?? Pick(null, "", release?.UpstreamBranch, $"release {release?.Name} upstream_branch", provenance, "source ref")
            ?? Pick("HEAD", "default", null, "", provenance, "source ref")!;
        var distgitRef = Pick(request.DistgitRef, "--distgit-ref", package.DistroBranch, "rdoinfo distro-branch", provenance, "distgit ref")
            ?? Pick(null, "", release?.Branch, $"release {release?.Name} branch", provenance, "distgit ref")
            ?? Pick("HEAD", "default", null, "", provenance, "distgit ref")!;

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
