using System.Globalization;
using CiJobs.Core.Builds.Debian;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Git;
using CiJobs.Core.Platform;
using CiJobs.Core.Provenance;

namespace CiJobs.Core.Builds;

/// <summary>
/// Builds one package at given source and distgit commits into a DLRN data directory: the tarball
/// from the source commit, the spec edited the DLRN way (or, for a distgit holding debian/, a Debian source tree with a
/// DLRN-style version), the package builder, then the DLRN-shaped result.
/// </summary>
public sealed class PackageBuildService(IProcessRunner runner, IPackageBuilder builder, TimeProvider time, Action<string>? progress = null, IDebianPackageBuilder? debianBuilder = null)
{
    private readonly GitCli git = new(runner);
    private readonly IDebianPackageBuilder debian = debianBuilder ?? new DpkgBuildpackageBuilder(runner);

    /// <summary>Settings that shape the result, apart from what to build.</summary>
    /// <param name="Codename">The distribution of a Debian build's changelog entry (the target's codename).</param>
    public sealed record OutputSettings(string DataDirectory, string Dist, bool KeepVersion, bool KeepChangelog, string RepoName, string? BaseUrl, string Codename = DefaultCodename)
    {
        /// <summary>Where the build runs and for which job, for its provenance manifest (docs/manual/provenance.md).</summary>
        public BuildProvenanceContext Provenance { get; init; } = BuildProvenanceContext.Unknown;

        /// <summary>When set, a build whose input hash already has a successful build (its result folder here, or the
        /// store) is skipped and that build returned (docs/manual/mass-rebuild.md, "Retries").</summary>
        public PriorBuilds? SkipBuilt { get; init; }

        /// <summary>When set, a build whose NVR would sort at or below one published from other inputs gets a later build
        /// time (docs/manual/mass-rebuild.md, "Release bumps").</summary>
        public ReleaseCollisions? BumpRelease { get; init; }
    }

    /// <summary>The distribution a Debian build names when none is given.</summary>
    public const string DefaultCodename = "unstable";

    /// <summary>Builds <paramref name="target"/>. Input errors found before both commits are known throw
    /// <see cref="CiJobsException"/>; anything later is written as a FAILED result and returned with its exit code.</summary>
    public async Task<BuildResult> BuildAsync(BuildTarget target, OutputSettings output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(output);
        // The build's wall time runs from here (its preparation) to its result written (docs/manual/provenance.md, "build").
        var started = new BuildStart(time.GetUtcNow(), time.GetTimestamp());
        var name = PackageNames.Validate(target.PackageName);
        if (target.DistgitPath.Split('/').Any(part => part is ".." or "."))
        {
            throw new CiJobsException($"invalid distgit-path '{target.DistgitPath}'", BuildExitCodes.SpecMissing);
        }

        var dataDirectory = Path.GetFullPath(output.DataDirectory);
        DlrnResultWriter.EnsureWritable(dataDirectory);
        // Folders of builds that were killed (their owner lock is free) go first; live builds' folders stay.
        OwnedDirectory.CleanStale(Path.GetTempPath(), "cijobs-build-");
        using var tempDirectory = OwnedDirectory.Create(Path.GetTempPath(), "cijobs-build-");
        var temp = tempDirectory.Path;
        Report($"{target.Project}: opening source {target.SourceLocation}");
        var source = await BuildRepository.OpenAsync(git, "source", target.SourceLocation, temp, cancellationToken);
        var sourceCommit = await ResolvePinnedAsync(source, target.SourceRef, target.SourceCommit, cancellationToken);
        Report($"{target.Project}: opening distgit {target.DistgitLocation}");
        var distgit = await BuildRepository.OpenAsync(git, "distgit", target.DistgitLocation, temp, cancellationToken);
        var distgitCommit = await ResolvePinnedAsync(distgit, target.DistgitRef, target.DistgitCommit, cancellationToken);

        var sharded = DlrnCommit.ShardedPath(sourceCommit.Hash, distgitCommit.Hash);

        // The inputs are known once both commits are: the input hash is computed here, before anything is built, so a
        // build already done can be skipped (docs/manual/mass-rebuild.md, "Retries").
        var sourceTree = await source.TreeAsync(sourceCommit.Hash, cancellationToken);
        var distgitTree = await distgit.TreeAsync(distgitCommit.Hash, cancellationToken);
        var inputs = BuildProvenance.Inputs(
            target with { Rdoinfo = target.Rdoinfo is { } rdoinfo ? rdoinfo with { Commit = await RdoinfoCommitAsync(target.RdoinfoDirectory, cancellationToken) } : null },
            new RepositoryState(source.Location, sourceCommit.Ref, sourceCommit.Hash, sourceTree),
            new RepositoryState(distgit.Location, distgitCommit.Ref, distgitCommit.Hash, distgitTree),
            output,
            output.Provenance);
        var inputHash = InputHash.Compute(inputs);
        if (output.SkipBuilt is { } prior && await prior.FindAsync(inputHash, Path.Combine(dataDirectory, sharded), cancellationToken) is { } done)
        {
            Report($"{target.Project}: skipped, input hash {inputHash} already built successfully ({done.Where})");
            return Reused(done, sharded);
        }

        var buildTime = time.GetUtcNow();
        using var staging = DlrnResultWriter.CreateStagingDirectory(dataDirectory, sharded);
        return await BuildInStagingAsync(target, output, name, dataDirectory, temp, source, sourceCommit, distgit, distgitCommit, inputs, (started, buildTime), sharded, staging.Path, cancellationToken);
    }

    /// <summary>The result of a skipped build: the successful build of the same inputs, as its manifest records it.</summary>
    private static BuildResult Reused(PriorBuild done, string sharded)
    {
        var m = done.Manifest;
        var resultPath = done.ResultPath ?? "";
        return new BuildResult
        {
            Package = m.Package,
            Project = m.Project,
            Release = m.Release,
            Status = m.Status,
            CommitHash = m.Dlrn.CommitHash,
            DistroHash = m.Dlrn.DistroHash,
            CommitBranch = m.Dlrn.CommitBranch,
            DistroBranch = m.Dlrn.DistroBranch,
            DtCommit = m.Dlrn.DtCommit,
            DtDistro = m.Dlrn.DtDistro,
            DtBuild = m.Dlrn.DtBuild,
            Format = m.Format,
            SourceNvr = m.Outputs.SourceNvr,
            Nvras = m.Outputs.Nvrs,
            SourceTree = m.Inputs.Source.Tree,
            DistgitTree = m.Inputs.Distgit.Tree,
            Files = [.. m.Outputs.Files.Select(f => new ResultFile(f.Name, f.Size, f.Sha256))],
            ResultDir = sharded,
            ResultPath = resultPath,
            Log = resultPath.Length > 0 ? Path.Combine(resultPath, "rpmbuild.log") : "",
            Notes = m.Notes,
            Builder = m.Builder,
            InputHash = m.InputHash,
            Reused = done.Where,
        };
    }

    private async Task<BuildResult> BuildInStagingAsync(
        BuildTarget target,
        OutputSettings output,
        string name,
        string dataDirectory,
        string temp,
        BuildRepository source,
        ResolvedCommit sourceCommit,
        BuildRepository distgit,
        ResolvedCommit distgitCommit,
        ProvenanceInputs inputs,
        (BuildStart Start, DateTimeOffset Build) times,
        string sharded,
        string staging,
        CancellationToken cancellationToken)
    {
        var buildTime = times.Build;
        var inputHash = InputHash.Compute(inputs);
        var work = Path.Combine(temp, "work");
        Directory.CreateDirectory(work);

        PackageBuildOutput? built = null;
        PreparedSpec? prepared = null;
        CiJobsException? failure = null;
        await using (var log = new BuildLog(Path.Combine(staging, "rpmbuild.log")))
        {
            log.WriteLine($"cijobs build of {name} (project {target.Project}) at {buildTime.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}");
            log.WriteLine($"source: {source.Location} {sourceCommit.Ref} = {sourceCommit.Hash}");
            log.WriteLine($"distgit: {distgit.Location} {distgitCommit.Ref} = {distgitCommit.Hash}{(target.DistgitPath.Length > 0 ? " path " + target.DistgitPath : "")}");
            foreach (var line in target.Provenance)
            {
                log.WriteLine(line);
            }

            try
            {
                prepared = await PrepareAsync(new Checkout(name, source, sourceCommit, distgit, distgitCommit, target.DistgitPath, buildTime, output, work, log, inputHash), cancellationToken);
                buildTime = prepared.BuildTime;
                if (prepared.Debian is { } tree)
                {
                    Report($"{target.Project}: building {tree.Source} {tree.FullVersion} with {debian.Name}");
                    log.WriteLine($"builder: {debian.Name}");
                    built = await debian.BuildAsync(new DebianBuildInput(tree.SourceTree, log, Path.Combine(staging, "build.log")), cancellationToken);
                }
                else
                {
                    Report($"{target.Project}: building {name}-{prepared.Version}-{prepared.Release}{output.Dist} with {builder.Name}");
                    log.WriteLine($"builder: {builder.Name}");
                    var sources = Path.Combine(work, "SOURCES");
                    built = await builder.BuildAsync(
                        new PackageBuildInput(prepared.SpecFile!, sources, Path.Combine(work, "build"), output.Dist, log, Path.Combine(staging, "build.log"))
                        {
                            SourceDateEpoch = buildTime.ToUnixTimeSeconds(),
                        },
                        cancellationToken);
                }

                if (!built.Succeeded)
                {
                    failure = new CiJobsException(built.Message, built.ExitCode);
                }
            }
            catch (CiJobsException e) when (e.ExitCode is BuildExitCodes.SpecMissing or BuildExitCodes.SpecInvalid or BuildExitCodes.UnsafeGitValue or BuildExitCodes.PackagingAmbiguous)
            {
                failure = e;
            }
            catch (GitCommandException e)
            {
                // Reading the commits (archive, describe) failed after both were resolved: a failed build, not a bug.
                failure = new CiJobsException(e.Message, BuildExitCodes.BuildFailed, e);
            }

            if (failure is not null)
            {
                log.WriteLine("ERROR: " + failure.Message);
            }
        }

        var commit = new DlrnCommit
        {
            ProjectName = name,
            CommitHash = sourceCommit.Hash,
            DistroHash = distgitCommit.Hash,
            CommitBranch = sourceCommit.Ref,
            DtCommit = sourceCommit.CommitterTime,
            DtDistro = distgitCommit.CommitterTime,
            DtBuild = buildTime.ToUnixTimeSeconds(),
            Status = failure is null ? DlrnCommit.Success : DlrnCommit.Failed,
            Notes = failure is null ? "OK" : failure.Message,
            RepoDir = source.Location,
            DistgitDir = distgit.IsClone || target.DistgitPath.Length == 0 ? distgit.Location : Path.Combine(distgit.Location, target.DistgitPath),
        };
        var packages = failure is null && built is not null ? [built.SourcePackage!, .. built.BinaryPackages] : Array.Empty<string>();
        var baseUrl = output.BaseUrl ?? new Uri(DlrnResultWriter.ReposDirectory(dataDirectory)).AbsoluteUri;
        var writer = new DlrnResultWriter(runner);
        var format = prepared?.Debian is null ? PackageFormat.Rpm : PackageFormat.Deb;
        var sourceTree = inputs.Source.Tree;
        var distgitTree = inputs.Distgit.Tree;
        IReadOnlyList<ResultFile> files = [];
        ResultFile? provenanceFile = null;
        var builderName = prepared?.Debian is null ? builder.Name : debian.Name;

        // The manifest is written into the staging folder with the result's files, so it appears with them in one step.
        async Task WriteProvenanceAsync(DlrnCommit publishing, string folder, CancellationToken token)
        {
            files = failure is null ? await ResultFilesAsync(folder, publishing.ArtifactFileNames, token) : [];
            var manifest = new ProvenanceManifest
            {
                SchemaVersion = ProvenanceManifest.CurrentSchemaVersion,
                Kind = ProvenanceManifest.PackageBuildKind,
                InputHash = inputHash,
                Package = name,
                Project = target.Project,
                Release = target.Release,
                Format = format == PackageFormat.Deb ? "deb" : "rpm",
                Status = publishing.Status,
                Notes = publishing.Notes ?? "",
                Builder = builderName,
                Dlrn = new ProvenanceDlrn(
                    publishing.CommitHash,
                    publishing.DistroHash,
                    null,
                    sourceCommit.Ref,
                    distgitCommit.Ref,
                    sourceCommit.CommitterTime,
                    publishing.DtDistro,
                    publishing.DtBuild,
                    null),
                Inputs = inputs,
                Outputs = new ProvenanceOutputs(
                    [.. files.Select(f => new ProvenanceFile(f.Name, f.Size, f.Sha256))],
                    publishing.SourceNvr,
                    Nvras(format, publishing.ArtifactFileNames)),
                Job = output.Provenance.Job,
                Build = new ProvenanceBuild(
                    times.Start.At.ToUnixTimeSeconds(),
                    Math.Round(Math.Max(0, time.GetElapsedTime(times.Start.Timestamp).TotalSeconds), 3)),
            };
            var bytes = System.Text.Encoding.UTF8.GetBytes(BuildProvenance.ToJson(manifest));
            await File.WriteAllBytesAsync(Path.Combine(folder, ProvenanceManifest.FileName), bytes, token);
            provenanceFile = new ResultFile(ProvenanceManifest.FileName, bytes.Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
        }

        var written = await writer.WriteAsync(
            dataDirectory,
            new DlrnResult(commit, staging, packages) { Format = format, BeforePublishAsync = WriteProvenanceAsync },
            target.PackageList,
            output.RepoName,
            baseUrl,
            cancellationToken);

        var resultPath = Path.Combine(dataDirectory, sharded);
        var logPath = Path.Combine(resultPath, "rpmbuild.log");
        Report(failure is null
            ? $"{target.Project}: SUCCESS, result in {resultPath}"
            : $"{target.Project}: FAILED, see {logPath}");
        return new BuildResult
        {
            Package = name,
            Project = target.Project,
            Release = target.Release,
            Status = written.Status,
            CommitHash = written.CommitHash,
            DistroHash = written.DistroHash,
            CommitBranch = sourceCommit.Ref,
            DistroBranch = distgitCommit.Ref,
            DtCommit = sourceCommit.CommitterTime,
            DtDistro = written.DtDistro,
            DtBuild = written.DtBuild,
            Format = format == PackageFormat.Deb ? "deb" : "rpm",
            Version = prepared?.Version,
            PackageRelease = prepared is null ? null : prepared.Debian is null ? prepared.Release + output.Dist : prepared.Release,
            SourceNvr = written.SourceNvr,
            Nvras = Nvras(format, written.ArtifactFileNames),
            SourceTree = sourceTree,
            DistgitTree = distgitTree,
            Files = files,
            Provenance = provenanceFile,
            ResultDir = sharded,
            ResultPath = resultPath,
            RepoFile = failure is null ? Path.Combine(resultPath, output.RepoName + (format == PackageFormat.Deb ? ".list" : ".repo")) : null,
            Log = logPath,
            Notes = written.Notes ?? "",
            Builder = builderName,
            InputHash = inputHash,
            ReleaseBumpedFrom = prepared?.BumpedFrom,
            ExitCode = failure?.ExitCode ?? 0,
        };
    }

    /// <summary>N-V-R.A of every binary package (for Debian: each .deb's name_version_arch).</summary>
    private static IReadOnlyList<string> Nvras(PackageFormat format, IReadOnlyList<string> artifacts) => format == PackageFormat.Deb
        ? [.. artifacts.Where(DpkgBuildpackageBuilder.IsBinaryPackage).Select(f => f[..f.LastIndexOf('.')])]
        : [.. artifacts.Where(f => !f.EndsWith(".src.rpm", StringComparison.Ordinal)).Select(f => f[..^".rpm".Length])];

    /// <summary>The HEAD commit of the rdoinfo checkout, or null when it is not a git checkout.</summary>
    /// <summary>The commit of <paramref name="gitRef"/>, or the pinned commit (a replay) recorded under the ref's name.</summary>
    private static async Task<ResolvedCommit> ResolvePinnedAsync(BuildRepository repository, string gitRef, string? pinned, CancellationToken cancellationToken)
    {
        if (pinned is null)
        {
            return await repository.ResolveAsync(gitRef, cancellationToken);
        }

        GitValues.Ref(gitRef, $"{repository.Role} ref", BuildExitCodes.RefNotFound);
        if (!Audit.FullHash.Is(pinned))
        {
            throw new CiJobsException($"the pinned {repository.Role} commit '{PackageNames.Printable(pinned)}' is not a full commit hash", BuildExitCodes.RefNotFound);
        }

        var commit = await repository.ResolveAsync(pinned, cancellationToken);
        return commit.Hash == pinned
            ? commit with { Ref = gitRef }
            : throw new CiJobsException($"{repository.Role} commit {pinned} not found in {repository.Location}", BuildExitCodes.RefNotFound);
    }

    private async Task<string?> RdoinfoCommitAsync(string? directory, CancellationToken cancellationToken)
    {
        if (directory is null || !Directory.Exists(directory))
        {
            return null;
        }

        var result = await git.RunUncheckedAsync(Path.GetFullPath(directory), ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], cancellationToken);
        var hash = result.StandardOutput.Trim();
        return result.Succeeded && hash.Length is 40 or 64 && hash.All(char.IsAsciiHexDigitLower) ? hash : null;
    }

    /// <summary>The size and sha256 of each of the result's own files, in commit.yaml's order.</summary>
    private static async Task<IReadOnlyList<ResultFile>> ResultFilesAsync(string resultPath, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var files = new List<ResultFile>(names.Count);
        foreach (var name in names)
        {
            await using var stream = File.OpenRead(Path.Combine(resultPath, name));
            var digest = await System.Security.Cryptography.SHA256.HashDataAsync(stream, cancellationToken);
            files.Add(new ResultFile(name, stream.Length, Convert.ToHexStringLower(digest)));
        }

        return files;
    }

    /// <summary>When a build started: the clock's time, and its timestamp the wall time is measured from.</summary>
    private sealed record BuildStart(DateTimeOffset At, long Timestamp);

    /// <summary>What preparing a build reads: the package, the two commits, the settings, the work folder and the log.</summary>
    private sealed record Checkout(
        string Name,
        BuildRepository Source,
        ResolvedCommit SourceCommit,
        BuildRepository Distgit,
        ResolvedCommit DistgitCommit,
        string DistgitPath,
        DateTimeOffset BuildTime,
        OutputSettings Output,
        string Work,
        BuildLog Log,
        string InputHash);

    /// <summary>A prepared build: a spec (RPM) or a Debian source tree.</summary>
    /// <param name="BuildTime">The build time, later than the checkout's when the release was bumped.</param>
    /// <param name="BumpedFrom">The Release the build would have had without the bump, or null.</param>
    private sealed record PreparedSpec(string? SpecFile, string Version, string Release, DateTimeOffset BuildTime, PreparedDebianSource? Debian = null, string? BumpedFrom = null);

    private async Task<PreparedSpec> PrepareAsync(Checkout checkout, CancellationToken cancellationToken)
    {
        var (name, source, sourceCommit, distgit, distgitCommit, distgitPath, buildTime, output, work, log, _) = checkout;
        var entries = await distgit.ListTreeAsync(distgitCommit.Hash, distgitPath, cancellationToken)
            ?? throw new CiJobsException($"the distgit has no folder '{distgitPath}' at {distgitCommit.Ref} ({distgitCommit.Hash[..7]})", BuildExitCodes.SpecMissing);
        var specs = entries.Where(e => e.EndsWith(".spec", StringComparison.Ordinal)).ToList();
        var hasDebian = entries.Contains("debian");
        var where = $"{distgit.Location}{(distgitPath.Length > 0 ? "/" + distgitPath : "")} at {distgitCommit.Ref} ({distgitCommit.Hash[..7]})";
        if (hasDebian && specs.Count > 0)
        {
            throw new CiJobsException(
                $"the distgit {where} holds both a spec file ({string.Join(", ", specs.Select(PackageNames.Printable))}) and a debian/ folder: keep one, or point distgit-path at one of them",
                BuildExitCodes.PackagingAmbiguous);
        }

        if (hasDebian)
        {
            return await PrepareDebianAsync(checkout, cancellationToken);
        }

        var specName = GitValues.FileName(
            specs.Contains(name + ".spec") ? name + ".spec"
            : specs.Count == 1 ? specs[0]
            : throw new CiJobsException(
                specs.Count == 0
                    ? $"no spec file and no debian/ folder in the distgit {where}"
                    : $"the distgit holds several spec files ({string.Join(", ", specs.Select(PackageNames.Printable))}) and none is named {name}.spec",
                BuildExitCodes.SpecMissing),
            "distgit");
        log.WriteLine($"spec: {specName}");

        var sources = Path.Combine(work, "SOURCES");
        var specsDirectory = Path.Combine(work, "SPECS");
        Directory.CreateDirectory(specsDirectory);
        await UnpackDistgitAsync(distgit, distgitCommit, distgitPath, sources, cancellationToken);

        var spec = await File.ReadAllTextAsync(Path.Combine(sources, specName), cancellationToken);
        DlrnVersion versions;
        if (output.KeepVersion)
        {
            var specVersion = SpecEditor.ReadVersion(spec) ?? throw new CiJobsException("the spec has no Version: line to keep", BuildExitCodes.SpecInvalid);
            if (!GitValues.IsSafeWord(specVersion) || specVersion.Contains('-', StringComparison.Ordinal))
            {
                throw new CiJobsException($"the spec's Version '{PackageNames.Printable(specVersion)}' cannot be kept: it is not a literal version", BuildExitCodes.SpecInvalid);
            }

            versions = new DlrnVersion(specVersion, specVersion);
            log.WriteLine($"version: {specVersion} (kept from the spec)");
        }
        else
        {
            versions = await TagVersionAsync(source, sourceCommit, log, cancellationToken);
        }

        (buildTime, var release, var bumpedFrom) = await ReleaseAsync(checkout, "rpm", versions.Version, cancellationToken);
        var tarball = $"{versions.Version}-{release}.tar.gz";
        var topFolder = $"{await TarNameAsync(source, sourceCommit, name, cancellationToken)}-{versions.UpstreamVersion}";
        var edited = SpecEditor.Apply(spec, new SpecEdit(versions.Version, release, tarball, versions.UpstreamVersion, output.KeepChangelog));
        await source.ArchiveAsync(sourceCommit.Hash, "", Path.Combine(sources, tarball), prefix: topFolder + "/", cancellationToken);
        log.WriteLine($"tarball: {tarball} (top folder {topFolder}/)");

        var specFile = Path.Combine(specsDirectory, specName);
        await File.WriteAllTextAsync(specFile, edited, cancellationToken);
        log.WriteLine($"release: {release}{output.Dist}");
        return new PreparedSpec(specFile, versions.Version, release, buildTime, BumpedFrom: bumpedFrom);
    }

    /// <summary>Unpacks the distgit (at its path) into <paramref name="target"/> and refuses links that lead out of it,
    /// before anything reads a distgit file or a build tool follows one.</summary>
    private async Task UnpackDistgitAsync(BuildRepository distgit, ResolvedCommit distgitCommit, string distgitPath, string target, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(target);
        var distgitTar = Path.Combine(Path.GetDirectoryName(target)!, "distgit.tar");
        await distgit.ArchiveAsync(distgitCommit.Hash, distgitPath, distgitTar, prefix: null, cancellationToken);
        var untar = await runner.RunAsync(new ProcessSpec("tar", ["-xf", distgitTar, "-C", target]), cancellationToken);
        if (!untar.Succeeded)
        {
            throw new CiJobsException($"cannot unpack the distgit: {untar.StandardError.Trim()}", BuildExitCodes.SpecMissing);
        }

        DistgitLinks.Check(DistgitLinks.Read(target), distgitPath.Length > 0 ? $"folder '{distgitPath}'" : "its top folder");
    }

    /// <summary>DLRN's versions from the newest tag reachable from the source commit.</summary>
    private static async Task<DlrnVersion> TagVersionAsync(BuildRepository source, ResolvedCommit sourceCommit, BuildLog log, CancellationToken cancellationToken)
    {
        var tag = await source.DescribeAsync(sourceCommit.Hash, cancellationToken);
        var versions = DlrnVersioning.FromTag(tag);
        log.WriteLine(tag is null
            ? $"version: {versions.Version} (no tag reachable from the source commit)"
            : $"version: {versions.Version}, upstream version {versions.UpstreamVersion} (tag {tag.Name}{(tag.PastTag ? ", the commit is past it" : "")})");
        if (versions.Version.Length == 0)
        {
            throw new CiJobsException(
                $"DLRN's rules give an empty Version for the tag '{tag?.Name}' (upstream version '{versions.UpstreamVersion}')",
                BuildExitCodes.SpecInvalid);
        }

        return versions;
    }

    /// <summary>The Debian path of <see cref="PrepareAsync"/>: the distgit's debian/ over the source commit's files.</summary>
    private async Task<PreparedSpec> PrepareDebianAsync(Checkout checkout, CancellationToken cancellationToken)
    {
        var (name, source, sourceCommit, distgit, distgitCommit, distgitPath, buildTime, output, work, log, _) = checkout;
        log.WriteLine("packaging: debian/ (Debian source package)");
        var files = Path.Combine(work, "distgit");
        await UnpackDistgitAsync(distgit, distgitCommit, distgitPath, files, cancellationToken);
        var versions = output.KeepVersion ? null : await TagVersionAsync(source, sourceCommit, log, cancellationToken);
        (buildTime, var release, var bumpedFrom) = await ReleaseAsync(checkout, "deb", versions?.Version, cancellationToken);
        var change = $"Automated build of {name}: source {sourceCommit.Hash[..12]} ({sourceCommit.Ref}), distgit {distgitCommit.Hash[..12]} ({distgitCommit.Ref}).";
        var prepared = await new DebianSourcePreparer(runner).PrepareAsync(
            name,
            files,
            versions,
            release,
            change,
            buildTime,
            new DebianSourcePreparer.Settings(output.Codename, output.KeepChangelog),
            (file, prefix) => source.ArchiveAsync(sourceCommit.Hash, "", file, prefix, cancellationToken),
            work,
            log,
            cancellationToken);
        return new PreparedSpec(null, prepared.UpstreamVersion, prepared.Release, buildTime, prepared, bumpedFrom);
    }

    /// <summary>
    /// DLRN's Release (<see cref="DlrnVersioning.Release"/>) and the build time it is made of: the checkout's, or later
    /// when a build published from other inputs would sort at or above it (docs/manual/mass-rebuild.md, "Release bumps");
    /// then also the Release it replaces. A <paramref name="version"/> not known yet (Debian's kept version) is not bumped.
    /// </summary>
    private async Task<(DateTimeOffset BuildTime, string Release, string? BumpedFrom)> ReleaseAsync(Checkout checkout, string format, string? version, CancellationToken cancellationToken)
    {
        var shortHash = await checkout.Source.ShortHashAsync(checkout.SourceCommit.Hash, cancellationToken);
        var release = DlrnVersioning.Release(checkout.BuildTime, shortHash);
        if (version is null
            || checkout.Output.BumpRelease is not { } collisions
            || await collisions.CheckAsync(checkout.Name, format, version, checkout.InputHash, checkout.BuildTime, cancellationToken) is not { } bump)
        {
            return (checkout.BuildTime, release, null);
        }

        var bumped = DlrnVersioning.Release(bump.BuildTime, shortHash);
        var line = $"release bumped: {release} -> {bumped} (NVR {bump.PublishedNvr} published from other inputs at {bump.PublishedAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)})";
        checkout.Log.WriteLine(line);
        Report($"{checkout.Name}: {line}");
        return (bump.BuildTime, bumped, release);
    }

    /// <summary>The tarball's name before the version: "linux" for a source with Kconfig and Kbuild at its top, else the
    /// package name (build_srpm.sh's TARNAME for sources without Python, Ruby or Puppet metadata).</summary>
    private static async Task<string> TarNameAsync(BuildRepository source, ResolvedCommit commit, string name, CancellationToken cancellationToken)
    {
        var top = await source.ListTreeAsync(commit.Hash, "", cancellationToken) ?? [];
        return top.Contains("Kconfig") && top.Contains("Kbuild") ? "linux" : name;
    }

    private void Report(string line) => progress?.Invoke(line);
}
