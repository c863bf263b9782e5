using CiJobs.Core.Provenance;

namespace CiJobs.Core.Truth;

/// <summary>
/// The truth store: builds, the artifacts they read and wrote (by sha256), their inputs, and room for DLRN's commits,
/// CI votes and promotions. One interface, an embedded SQLite file (<see cref="SqliteTruthStore"/>) or a PostgreSQL
/// database (<see cref="PostgresTruthStore"/>); the schema and its migrations: docs/manual/truth.md.
/// </summary>
public interface ITruthStore : IAsyncDisposable
{
    /// <summary>What the store is, for messages (never a password).</summary>
    string Description { get; }

    /// <summary>The highest migration applied.</summary>
    Task<int> SchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores the builds of <paramref name="manifests"/> in one transaction: all or nothing. A build already stored (same
    /// build id) is left as it is, so ingesting again, or twice at once, adds nothing.
    /// </summary>
    Task<IngestResult> IngestAsync(IReadOnlyList<ReadManifest> manifests, CancellationToken cancellationToken);

    Task<StoredBuild?> FindBuildAsync(string buildId, CancellationToken cancellationToken);

    /// <summary>The builds made from these inputs (<see cref="InputHash"/>), oldest first.</summary>
    Task<IReadOnlyList<StoredBuild>> FindBuildsByInputHashAsync(string inputHash, CancellationToken cancellationToken);

    Task<StoredArtifact?> FindArtifactAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>The ids of the builds that wrote the artifact.</summary>
    Task<IReadOnlyList<string>> BuildsProducingAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>The ids of the builds that read the artifact as an input (a promoted build, the RPMs of an image).</summary>
    Task<IReadOnlyList<string>> BuildsConsumingAsync(string sha256, CancellationToken cancellationToken);
}

/// <summary>How many builds a batch added, and how many were stored already.</summary>
public sealed record IngestResult(int Added, int AlreadyStored);

/// <summary>An artifact by content.</summary>
public sealed record StoredArtifact(string Sha256, long Size);

/// <summary>One input row of a build: its kind (rdoinfo, source, distgit, patches, buildroot, artifact) and what identifies it.</summary>
public sealed record StoredInput(string Kind, string? Name, string? Url, string? Ref, string? Commit, string? Tree, string? Sha256, string? ArtifactSha256);

/// <summary>A stored build with its outputs, inputs and NVRs.</summary>
public sealed record StoredBuild
{
    public required string Id { get; init; }

    public required string InputHash { get; init; }

    public required string Package { get; init; }

    public required string Project { get; init; }

    public string? Release { get; init; }

    public required string Status { get; init; }

    public required string CommitHash { get; init; }

    public required string DistroHash { get; init; }

    public required long DtBuild { get; init; }

    public string? JobUrl { get; init; }

    /// <summary>The manifest as ingested (its canonical JSON).</summary>
    public required string Manifest { get; init; }

    public IReadOnlyList<ProvenanceFile> Outputs { get; init; } = [];

    public IReadOnlyList<StoredInput> Inputs { get; init; } = [];

    public IReadOnlyList<string> Nvrs { get; init; } = [];
}
