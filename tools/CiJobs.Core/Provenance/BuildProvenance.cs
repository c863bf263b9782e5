using System.Text.Json;
using CiJobs.Core.Builds;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Provenance;

/// <summary>What a build records about where it runs, beside what it builds (docs/manual/provenance.md).</summary>
/// <param name="CijobsVersion">The version of cijobs that builds.</param>
/// <param name="BuilderImage">The builder image, or null for "unknown".</param>
/// <param name="Buildroot">The build root's package repositories with their metadata checksum when known.</param>
/// <param name="Job">The CI job, when known.</param>
public sealed record BuildProvenanceContext(string CijobsVersion, string? BuilderImage, IReadOnlyList<ProvenanceBuildrootRepository> Buildroot, ProvenanceJob Job)
{
    public static BuildProvenanceContext Unknown { get; } = new("unknown", null, [], new ProvenanceJob(null, null, null));

    /// <summary>The variable naming the builder image when <c>--builder-image</c> is not given.</summary>
    public const string BuilderImageVariable = "CIJOBS_BUILDER_IMAGE";

    /// <summary>
    /// The job from the options, else the CI's variables: CIJOBS_JOB_URL, then GitLab's CI_JOB_URL; CIJOBS_JOB_PIPELINE,
    /// then CI_PIPELINE_URL; CIJOBS_JOB_CHANGE, then CI_MERGE_REQUEST_IID. URLs lose their credentials.
    /// </summary>
    public static ProvenanceJob JobFrom(IEnvironment environment, string? url, string? pipeline, string? change)
    {
        ArgumentNullException.ThrowIfNull(environment);
        static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : UrlCredentials.Strip(value.Trim());
        return new ProvenanceJob(
            Clean(url ?? environment.GetVariable("CIJOBS_JOB_URL") ?? environment.GetVariable("CI_JOB_URL")),
            Clean(pipeline ?? environment.GetVariable("CIJOBS_JOB_PIPELINE") ?? environment.GetVariable("CI_PIPELINE_URL")),
            Clean(change ?? environment.GetVariable("CIJOBS_JOB_CHANGE") ?? environment.GetVariable("CI_MERGE_REQUEST_IID")));
    }

    /// <summary>
    /// A build-root repository given by URL or path: for a local folder or a file:// URL, the sha256 of its
    /// repodata/repomd.xml (RPM) or Release (flat APT) file when it has one; for a remote URL, none (not fetched).
    /// </summary>
    public static async Task<ProvenanceBuildrootRepository> BuildrootRepositoryAsync(string location, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        var url = UrlCredentials.Strip(location.Trim());
        string? folder = null;
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsFile)
        {
            folder = uri.LocalPath;
        }
        else if (!url.Contains("://", StringComparison.Ordinal))
        {
            folder = Path.GetFullPath(url);
            url = folder;
        }

        if (folder is not null)
        {
            foreach (var metadata in new[] { "repodata/repomd.xml", "Release" })
            {
                var file = Path.Combine(folder, metadata);
                if (File.Exists(file))
                {
                    await using var stream = File.OpenRead(file);
                    var digest = await System.Security.Cryptography.SHA256.HashDataAsync(stream, cancellationToken);
                    return new ProvenanceBuildrootRepository(url, metadata, Convert.ToHexStringLower(digest));
                }
            }
        }

        return new ProvenanceBuildrootRepository(url, null, null);
    }
}

/// <summary>Makes the inputs and the manifest of a <c>cijobs build</c> (docs/manual/provenance.md).</summary>
public static class BuildProvenance
{
    /// <summary>The inputs of a build of <paramref name="target"/> at the given commits and trees: computable before building,
    /// so a caller can look the input hash up and skip a build already done.</summary>
    public static ProvenanceInputs Inputs(
        BuildTarget target,
        RepositoryState source,
        RepositoryState distgit,
        PackageBuildService.OutputSettings output,
        BuildProvenanceContext context)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(distgit);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(context);
        return new ProvenanceInputs
        {
            Rdoinfo = target.Rdoinfo,
            Source = new ProvenanceRepository(UrlCredentials.Strip(source.Location), source.Ref, source.Commit, source.Tree, null),
            Distgit = new ProvenanceRepository(UrlCredentials.Strip(distgit.Location), distgit.Ref, distgit.Commit, distgit.Tree, target.DistgitPath.Length > 0 ? target.DistgitPath : null),
            Patches = target.PatchesLocation is { } patches ? new ProvenanceRepository(UrlCredentials.Strip(patches), null, null, null, null) : null,
            Buildroot = context.Buildroot,
            Artifacts = [],
            Settings = new ProvenanceSettings(
                output.Dist,
                output.Codename,
                output.KeepVersion,
                output.KeepChangelog,
                output.RepoName,
                output.BaseUrl is { } baseUrl ? UrlCredentials.Strip(baseUrl) : null),
            CijobsVersion = context.CijobsVersion,
            BuilderImage = string.IsNullOrWhiteSpace(context.BuilderImage) ? ProvenanceInputs.UnknownBuilderImage : context.BuilderImage.Trim(),
        };
    }

    /// <summary>The manifest's JSON text (indented, as written to provenance.json).</summary>
    public static string ToJson(ProvenanceManifest manifest) =>
        JsonSerializer.Serialize(manifest, ProvenanceJsonContext.Default.ProvenanceManifest) + "\n";
}

/// <summary>A repository as built: location, the ref asked for, the commit and its root tree.</summary>
public sealed record RepositoryState(string Location, string Ref, string Commit, string? Tree);
