namespace CiJobs.Core.Provenance;

/// <summary>
/// The provenance manifest of one build, <c>provenance.json</c> in its result folder: what went in (hashed into
/// <see cref="InputHash"/>), what came out, and the job that ran it. Schema version 1; the fields, their meaning and the
/// JSON Schema: docs/manual/provenance.md and docs/schemas/provenance-v2.json (version 1, without <see cref="Build"/>:
/// docs/schemas/provenance-v1.json).
/// </summary>
public sealed record ProvenanceManifest
{
    /// <summary>The version of this layout: <see cref="OldestSchemaVersion"/> to <see cref="CurrentSchemaVersion"/>; a reader refuses any other.</summary>
    public required int SchemaVersion { get; init; }

    /// <summary>What was built: <see cref="PackageBuildKind"/> for <c>cijobs build</c>.</summary>
    public required string Kind { get; init; }

    /// <summary><see cref="Provenance.InputHash.Compute(ProvenanceInputs)"/> of <see cref="Inputs"/>.</summary>
    public required string InputHash { get; init; }

    public required string Package { get; init; }

    public required string Project { get; init; }

    public required string? Release { get; init; }

    /// <summary>"rpm" or "deb".</summary>
    public required string Format { get; init; }

    /// <summary>DLRN's status: SUCCESS or FAILED.</summary>
    public required string Status { get; init; }

    public required string Notes { get; init; }

    /// <summary>The package builder that ran (rpmbuild, dpkg-buildpackage).</summary>
    public required string Builder { get; init; }

    public required ProvenanceDlrn Dlrn { get; init; }

    public required ProvenanceInputs Inputs { get; init; }

    public required ProvenanceOutputs Outputs { get; init; }

    public required ProvenanceJob Job { get; init; }

    /// <summary>When the build started and how long it took (version 2; null in a version 1 manifest). Not an input:
    /// it is not in the input hash, and a replay does not compare it.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ProvenanceBuild? Build { get; init; }

    /// <summary>The version writers write: version 1 plus <see cref="Build"/>.</summary>
    public const int CurrentSchemaVersion = 2;

    /// <summary>The oldest version readers still read (no <see cref="Build"/>: duration unknown).</summary>
    public const int OldestSchemaVersion = 1;

    public const string PackageBuildKind = "package-build";

    /// <summary>The manifest's file name in a result folder.</summary>
    public const string FileName = "provenance.json";
}

/// <summary>The build's own run: when <c>cijobs build</c> started on the package (Unix seconds) and its wall time in
/// seconds, from the start of its preparation to its result written (rounded to milliseconds).</summary>
public sealed record ProvenanceBuild(long StartedAt, double DurationSeconds);

/// <summary>The DLRN commit row of the build (DLRN's <c>commits</c> table; docs/manual/truth.md maps it).</summary>
public sealed record ProvenanceDlrn(
    string CommitHash,
    string DistroHash,
    string? ExtendedHash,
    string CommitBranch,
    string DistroBranch,
    long DtCommit,
    long DtDistro,
    long DtBuild,
    string? Component);

/// <summary>Everything a build's result depends on; its canonical JSON (less <c>rdoinfo.commit</c>) is the input hash.</summary>
public sealed record ProvenanceInputs
{
    public required ProvenanceRdoinfo? Rdoinfo { get; init; }

    public required ProvenanceRepository Source { get; init; }

    public required ProvenanceRepository Distgit { get; init; }

    /// <summary>The patches repository rdoinfo names for the package (<c>patches</c>), or null.</summary>
    public required ProvenanceRepository? Patches { get; init; }

    /// <summary>The package repositories of the build root, in the order given, with their metadata checksum when known.</summary>
    public required IReadOnlyList<ProvenanceBuildrootRepository> Buildroot { get; init; }

    /// <summary>Inputs that are themselves artifacts (a promoted gate build, the RPMs an image is made of), by sha256.</summary>
    public required IReadOnlyList<ProvenanceArtifact> Artifacts { get; init; }

    public required ProvenanceSettings Settings { get; init; }

    public required string CijobsVersion { get; init; }

    /// <summary>The builder image (CIJOBS_BUILDER_IMAGE or --builder-image), "unknown" when not given.</summary>
    public required string BuilderImage { get; init; }

    public const string UnknownBuilderImage = "unknown";
}

/// <summary>The rdoinfo the package was expanded from: its commit (recorded, not hashed), entry file and the expanded entry's hash.</summary>
public sealed record ProvenanceRdoinfo(string? Commit, string EntryFile, string? Tag, string EntrySha256);

/// <summary>A git repository at a commit: URL or path (credentials stripped), ref asked for, commit, root tree, folder.</summary>
public sealed record ProvenanceRepository(string Url, string? Ref, string? Commit, string? Tree, string? Path);

/// <summary>A build-root package repository and the sha256 of its metadata file (repodata/repomd.xml or Release) when known.</summary>
public sealed record ProvenanceBuildrootRepository(string Url, string? MetadataFile, string? MetadataSha256);

/// <summary>A file by content: name, size in bytes, lower-case hex sha256; <see cref="Role"/> says what it was for.</summary>
public sealed record ProvenanceArtifact(string Name, long Size, string Sha256, string? Role);

/// <summary>The build settings that shape the result.</summary>
public sealed record ProvenanceSettings(string Dist, string Codename, bool KeepVersion, bool KeepChangelog, string RepoName, string? BaseUrl);

/// <summary>What the build produced: every file of the result with size and sha256, the source NVR and the binary N-V-R.As.</summary>
public sealed record ProvenanceOutputs(IReadOnlyList<ProvenanceFile> Files, string? SourceNvr, IReadOnlyList<string> Nvrs);

/// <summary>An output file of the result folder.</summary>
public sealed record ProvenanceFile(string Name, long Size, string Sha256);

/// <summary>The CI job that ran the build, when known (options or the CI's variables; credentials stripped).</summary>
public sealed record ProvenanceJob(string? Url, string? Pipeline, string? Change);
