using CiJobs.Core.Builds;

namespace CiJobs.Core.BuildOnce;

/// <summary>
/// A build result that a gate build published as an artifact, as the CI system's API describes it: where its files are,
/// which trees it was built from, and each file's size and sha256. docs/manual/build-once.md.
/// </summary>
/// <param name="Build">The gate build (or GitLab job) that made it.</param>
/// <param name="Package">The package (the artifact's <c>metadata.package</c>).</param>
/// <param name="BaseUrl">The folder URL the files are below, ending in <c>/</c>.</param>
/// <param name="SourceTree">The source commit's root tree the gate build built, or null when it did not record one.</param>
/// <param name="DistgitTree">The distgit commit's root tree, or null.</param>
/// <param name="Files">The result's own files.</param>
public sealed record GateArtifact(GateBuild Build, string Package, Uri BaseUrl, string? SourceTree, string? DistgitTree, IReadOnlyList<ResultFile> Files)
{
    /// <summary>The result's provenance.json, downloaded with the files when the gate build recorded it.</summary>
    public ResultFile? Provenance { get; init; }
}

/// <summary>A gate build (Zuul) or merged-results pipeline job (GitLab).</summary>
public sealed record GateBuild(string Id, string JobName, string? LogUrl, string? Pipeline, string? Change, string? Patchset);

/// <summary>What was asked of the CI system and what it answered: the artifacts found, newest build first.</summary>
/// <param name="Query">What was searched, for messages (no credentials).</param>
public sealed record GateSearch(string Query, IReadOnlyList<GateArtifact> Artifacts);

/// <summary>Finds the artifacts of gate builds in a CI system's API.</summary>
public interface IGateArtifactSource
{
    Task<GateSearch> FindAsync(CancellationToken cancellationToken);
}
