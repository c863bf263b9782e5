namespace CiJobs.Core.Builds;

/// <summary>A build with every input resolved: where the source and distgit are, and at which refs.</summary>
public sealed record BuildTarget
{
    /// <summary>The RPM package name (rdoinfo <c>name</c>); validated before it is used in a path.</summary>
    public required string PackageName { get; init; }

    public required string Project { get; init; }

    /// <summary>The release the package was expanded for, or null.</summary>
    public string? Release { get; init; }

    public required string SourceLocation { get; init; }

    public required string SourceRef { get; init; }

    public required string DistgitLocation { get; init; }

    public required string DistgitRef { get; init; }

    /// <summary>A replay's pin (docs/manual/replay.md): build this source commit, recorded under <see cref="SourceRef"/>'s
    /// name, whatever the ref points at now. Null: build what the ref points at.</summary>
    public string? SourceCommit { get; init; }

    /// <summary>A replay's pin of the distgit commit, as <see cref="SourceCommit"/>.</summary>
    public string? DistgitCommit { get; init; }

    /// <summary>The distgit folder holding the spec (rdoinfo <c>distgit-path</c>), relative, empty for the root.</summary>
    public string DistgitPath { get; init; } = "";

    /// <summary>The rdoinfo the package was expanded from (entry file, tag, the expanded entry's hash); null without rdoinfo.
    /// Its commit is read at build time from <see cref="RdoinfoDirectory"/> (docs/manual/provenance.md).</summary>
    public Provenance.ProvenanceRdoinfo? Rdoinfo { get; init; }

    /// <summary>The rdoinfo checkout, whose HEAD commit the provenance manifest records; null without rdoinfo.</summary>
    public string? RdoinfoDirectory { get; init; }

    /// <summary>The patches repository rdoinfo names for the package (<c>patches</c>), recorded in the provenance manifest.</summary>
    public string? PatchesLocation { get; init; }

    /// <summary>Where each setting came from, for the log (for example "source ref: main (release upstream_branch)").</summary>
    public IReadOnlyList<string> Provenance { get; init; } = [];

    /// <summary>
    /// DLRN's package list: the release's packages in rdoinfo order with their upstream and master-distgit URLs. It
    /// orders versions.csv, names the packages whose RPMs are linked in, and decides the consistent symlink. Empty when
    /// there is no package database: then only this package.
    /// </summary>
    public IReadOnlyList<PackageRepositories> Packages { get; init; } = [];

    /// <summary><see cref="Packages"/>, with this package added at the end when it is not in it.</summary>
    public IReadOnlyList<PackageRepositories> PackageList =>
        Packages.Any(p => p.Name == PackageName) ? Packages : [.. Packages, new PackageRepositories(PackageName, null, null)];
}

/// <summary>What a build produced, as <c>--format json</c> prints it.</summary>
public sealed record BuildResult
{
    public required string Package { get; init; }

    public required string Project { get; init; }

    public string? Release { get; init; }

    public required string Status { get; init; }

    public required string CommitHash { get; init; }

    public required string DistroHash { get; init; }

    public required string CommitBranch { get; init; }

    public required string DistroBranch { get; init; }

    public required long DtCommit { get; init; }

    public required long DtDistro { get; init; }

    public required long DtBuild { get; init; }

    /// <summary>"rpm" or "deb": what the distgit held (a spec or debian/) and so what was built.</summary>
    public string Format { get; init; } = "rpm";

    /// <summary>The RPM Version and Release (with dist) set in the spec, or the Debian upstream version and revision;
    /// null when the build stopped before.</summary>
    public string? Version { get; init; }

    public string? PackageRelease { get; init; }

    public string? SourceNvr { get; init; }

    /// <summary>N-V-R.A of every binary package (for Debian: each .deb's name_version_arch).</summary>
    public IReadOnlyList<string> Nvras { get; init; } = [];

    /// <summary>The root tree of the source commit built (null when the build stopped before reading it).</summary>
    public string? SourceTree { get; init; }

    /// <summary>The root tree of the distgit commit built.</summary>
    public string? DistgitTree { get; init; }

    /// <summary>The result's own files (commit.yaml's artifacts) with their size and sha256; empty for a failed build.
    /// The post job's build once compares them after a download (docs/manual/build-once.md).</summary>
    public IReadOnlyList<ResultFile> Files { get; init; } = [];

    /// <summary>The result's provenance.json with its size and sha256 (docs/manual/provenance.md): the post job's build once
    /// downloads it with the files, so the manifest follows a promoted result (docs/manual/build-once.md).</summary>
    public ResultFile? Provenance { get; init; }

    /// <summary>The hashed folder relative to the output directory (<c>repos/ab/cd/...</c>).</summary>
    public required string ResultDir { get; init; }

    public required string ResultPath { get; init; }

    /// <summary>The .repo file (RPM) or APT .list file (Debian) of the result; null for a failed build.</summary>
    public string? RepoFile { get; init; }

    /// <summary>rpmbuild.log of the result.</summary>
    public required string Log { get; init; }

    public required string Notes { get; init; }

    public required string Builder { get; init; }

    /// <summary>The input hash of the build (docs/manual/provenance.md, "Input hash").</summary>
    public string? InputHash { get; init; }

    /// <summary>Set when the build was skipped because these inputs were already built successfully: where that build is
    /// (its result folder, or its id in the truth store); docs/manual/mass-rebuild.md, "Retries".</summary>
    public string? Reused { get; init; }

    /// <summary>The Release (without dist) the build would have had when it was bumped above a build published from
    /// other inputs, else null (docs/manual/mass-rebuild.md, "Release bumps").</summary>
    public string? ReleaseBumpedFrom { get; init; }

    /// <summary>The exit code the build ends with (0 on success).</summary>
    public int ExitCode { get; init; }
}

/// <summary>A file of a build result: its name in the result folder, size in bytes and lower-case hex sha256.</summary>
public sealed record ResultFile(string Name, long Size, string Sha256);
