using System.Globalization;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Git;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Builds;

/// <summary>
/// Builds one package at given source and distgit commits into a DLRN data directory: the tarball
/// from the source commit, the spec edited the DLRN way, the package builder, then the DLRN-shaped result.
/// </summary>
public sealed class PackageBuildService(IProcessRunner runner, IPackageBuilder builder, TimeProvider time, Action<string>? progress = null)
{
    private readonly GitCli git = new(runner);

    /// <summary>Settings that shape the result, apart from what to build.</summary>
    public sealed record OutputSettings(string DataDirectory, string Dist, bool KeepVersion, bool KeepChangelog, string RepoName, string? BaseUrl);

    /// <summary>Builds <paramref name="target"/>. Input errors found before both commits are known throw
    /// <see cref="CiJobsException"/>; anything later is written as a FAILED result and returned with its exit code.</summary>
    public async Task<BuildResult> BuildAsync(BuildTarget target, OutputSettings output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(output);
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
        var sourceCommit = await source.ResolveAsync(target.SourceRef, cancellationToken);
        Report($"{target.Project}: opening distgit {target.DistgitLocation}");
        var distgit = await BuildRepository.OpenAsync(git, "distgit", target.DistgitLocation, temp, cancellationToken);
        var distgitCommit = await distgit.ResolveAsync(target.DistgitRef, cancellationToken);

        var buildTime = time.GetUtcNow();
        var sharded = DlrnCommit.ShardedPath(sourceCommit.Hash, distgitCommit.Hash);
        using var staging = DlrnResultWriter.CreateStagingDirectory(dataDirectory, sharded);
        return await BuildInStagingAsync(target, output, name, dataDirectory, temp, source, sourceCommit, distgit, distgitCommit, buildTime, sharded, staging.Path, cancellationToken);
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
        DateTimeOffset buildTime,
        string sharded,
        string staging,
        CancellationToken cancellationToken)
    {
        var work = Path.Combine(temp, "work");
        Directory.CreateDirectory(work);

        PackageBuildOutput? built = null;
        PreparedSpec? prepared = null;
        CiJobsException? failure = null;
        await using (var log = new BuildLog(Path.Combine(staging, "rpmbuild.log")))
        {
            log.WriteLine($"cijobs build of {name} (project {target.Project}) at {buildTime.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)} with {builder.Name}");
            log.WriteLine($"source: {source.Location} {sourceCommit.Ref} = {sourceCommit.Hash}");
            log.WriteLine($"distgit: {distgit.Location} {distgitCommit.Ref} = {distgitCommit.Hash}{(target.DistgitPath.Length > 0 ? " path " + target.DistgitPath : "")}");
            foreach (var line in target.Provenance)
            {
                log.WriteLine(line);
            }

            try
            {
                prepared = await PrepareAsync(name, source, sourceCommit, distgit, distgitCommit, target.DistgitPath, buildTime, output, work, log, cancellationToken);
                Report($"{target.Project}: building {name}-{prepared.Version}-{prepared.Release}{output.Dist} with {builder.Name}");
                var sources = Path.Combine(work, "SOURCES");
                built = await builder.BuildAsync(
                    new PackageBuildInput(prepared.SpecFile, sources, Path.Combine(work, "build"), output.Dist, log, Path.Combine(staging, "build.log")),
                    cancellationToken);
                if (!built.Succeeded)
                {
                    failure = new CiJobsException(built.Message, BuildExitCodes.BuildFailed);
                }
            }
            catch (CiJobsException e) when (e.ExitCode is BuildExitCodes.SpecMissing or BuildExitCodes.SpecInvalid or BuildExitCodes.UnsafeGitValue)
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
        var written = await writer.WriteAsync(dataDirectory, new DlrnResult(commit, staging, packages), target.PackageList, output.RepoName, baseUrl, cancellationToken);

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
            Version = prepared?.Version,
            PackageRelease = prepared is null ? null : prepared.Release + output.Dist,
            SourceNvr = written.SourceNvr,
            Nvras = written.ArtifactFileNames.Where(f => !f.EndsWith(".src.rpm", StringComparison.Ordinal)).Select(f => f[..^".rpm".Length]).ToList(),
            ResultDir = sharded,
            ResultPath = resultPath,
            RepoFile = failure is null ? Path.Combine(resultPath, output.RepoName + ".repo") : null,
            Log = logPath,
            Notes = written.Notes ?? "",
            Builder = builder.Name,
            ExitCode = failure?.ExitCode ?? 0,
        };
    }

    private sealed record PreparedSpec(string SpecFile, string Version, string Release);

    private async Task<PreparedSpec> PrepareAsync(
        string name,
        BuildRepository source,
        ResolvedCommit sourceCommit,
        BuildRepository distgit,
        ResolvedCommit distgitCommit,
        string distgitPath,
        DateTimeOffset buildTime,
        OutputSettings output,
        string work,
        BuildLog log,
        CancellationToken cancellationToken)
    {
        var entries = await distgit.ListTreeAsync(distgitCommit.Hash, distgitPath, cancellationToken)
            ?? throw new CiJobsException($"the distgit has no folder '{distgitPath}' at {distgitCommit.Ref} ({distgitCommit.Hash[..7]})", BuildExitCodes.SpecMissing);
        var specs = entries.Where(e => e.EndsWith(".spec", StringComparison.Ordinal)).ToList();
        var specName = GitValues.FileName(
            specs.Contains(name + ".spec") ? name + ".spec"
            : specs.Count == 1 ? specs[0]
            : throw new CiJobsException(
                specs.Count == 0
                    ? $"no spec file in the distgit {distgit.Location}{(distgitPath.Length > 0 ? "/" + distgitPath : "")} at {distgitCommit.Ref} ({distgitCommit.Hash[..7]})"
                    : $"the distgit holds several spec files ({string.Join(", ", specs.Select(PackageNames.Printable))}) and none is named {name}.spec",
                BuildExitCodes.SpecMissing),
            "distgit");
        log.WriteLine($"spec: {specName}");

        var sources = Path.Combine(work, "SOURCES");
        var specsDirectory = Path.Combine(work, "SPECS");
        Directory.CreateDirectory(sources);
        Directory.CreateDirectory(specsDirectory);
        var distgitTar = Path.Combine(work, "distgit.tar");
        await distgit.ArchiveAsync(distgitCommit.Hash, distgitPath, distgitTar, prefix: null, cancellationToken);
        var untar = await runner.RunAsync(new ProcessSpec("tar", ["-xf", distgitTar, "-C", sources]), cancellationToken);
        if (!untar.Succeeded)
        {
            throw new CiJobsException($"cannot unpack the distgit: {untar.StandardError.Trim()}", BuildExitCodes.SpecMissing);
        }

        // Before anything reads a distgit file (the spec included) or rpmbuild follows one.
        DistgitLinks.Check(DistgitLinks.Read(sources), distgitPath.Length > 0 ? $"folder '{distgitPath}'" : "its top folder");

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
            var tag = await source.DescribeAsync(sourceCommit.Hash, cancellationToken);
            versions = DlrnVersioning.FromTag(tag);
            log.WriteLine(tag is null
                ? $"version: {versions.Version} (no tag reachable from the source commit)"
                : $"version: {versions.Version}, upstream version {versions.UpstreamVersion} (tag {tag.Name}{(tag.PastTag ? ", the commit is past it" : "")})");
            if (versions.Version.Length == 0)
            {
                throw new CiJobsException(
                    $"DLRN's rules give an empty Version for the tag '{tag?.Name}' (upstream version '{versions.UpstreamVersion}')",
                    BuildExitCodes.SpecInvalid);
            }
        }

        var release = DlrnVersioning.Release(buildTime, await source.ShortHashAsync(sourceCommit.Hash, cancellationToken));
        var tarball = $"{versions.Version}-{release}.tar.gz";
        var topFolder = $"{await TarNameAsync(source, sourceCommit, name, cancellationToken)}-{versions.UpstreamVersion}";
        var edited = SpecEditor.Apply(spec, new SpecEdit(versions.Version, release, tarball, versions.UpstreamVersion, output.KeepChangelog));
        await source.ArchiveAsync(sourceCommit.Hash, "", Path.Combine(sources, tarball), prefix: topFolder + "/", cancellationToken);
        log.WriteLine($"tarball: {tarball} (top folder {topFolder}/)");

        var specFile = Path.Combine(specsDirectory, specName);
        await File.WriteAllTextAsync(specFile, edited, cancellationToken);
        log.WriteLine($"release: {release}{output.Dist}");
        return new PreparedSpec(specFile, versions.Version, release);
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
