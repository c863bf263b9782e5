using CiJobs.Core.Builds;
using CiJobs.Core.Git;
using CiJobs.Core.Platform;
using CiJobs.Core.Provenance;
using CiJobs.Core.Rdoinfo;

namespace CiJobs.Core.Replay;

/// <summary>What to replay and where.</summary>
/// <param name="Recorded">The recorded build's manifest.</param>
/// <param name="RdoinfoDirectory">An rdoinfo checkout holding the recorded rdoinfo commit (or, when none was recorded,
/// one whose entry of the package hashes as recorded).</param>
/// <param name="Source">Where to read the source from instead of the recorded location (a local mirror); null: recorded.</param>
/// <param name="Distgit">Likewise for the distgit.</param>
/// <param name="OutputDirectory">The DLRN data directory the replay's result goes to.</param>
/// <param name="Provenance">This run's tool version, builder image, job; the build root is taken from the manifest.</param>
public sealed record ReplayRequest(
    ReadManifest Recorded,
    string RdoinfoDirectory,
    string? Source,
    string? Distgit,
    string OutputDirectory,
    BuildProvenanceContext Provenance);

/// <summary>A replay's outcome: where its result is and how it compares (docs/manual/replay.md).</summary>
public sealed record ReplayReport(
    string Package,
    string RecordedBuildId,
    string RecordedInputHash,
    string ReplayedInputHash,
    string ReplayedBuildId,
    string ResultPath,
    ReplayComparison Comparison);

/// <summary>
/// Re-runs a recorded build from its provenance manifest: the rdoinfo at the recorded commit, the recorded source and
/// distgit commits under their recorded ref names, the recorded settings and build root, and the recorded build time
/// (DLRN's release carries it); then compares the outputs (docs/manual/replay.md).
/// </summary>
public sealed class BuildReplayer(GitCli git, Func<TimeProvider, PackageBuildService> services, Action<string>? progress = null)
{
    public async Task<ReplayReport> ReplayAsync(ReplayRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var recorded = request.Recorded.Manifest;
        if (recorded.Kind != ProvenanceManifest.PackageBuildKind)
        {
            throw new CiJobsException($"{request.Recorded.Origin} is a '{recorded.Kind}' manifest; only package builds can be replayed", ReplayExitCodes.InvalidInput);
        }

        var rdoinfo = recorded.Inputs.Rdoinfo
            ?? throw new CiJobsException($"{request.Recorded.Origin} records no rdoinfo, so the package cannot be resolved again", ReplayExitCodes.InvalidInput);
        if (!Directory.Exists(request.RdoinfoDirectory))
        {
            throw new CiJobsException($"the rdoinfo folder {request.RdoinfoDirectory} does not exist", ReplayExitCodes.InvalidInput);
        }

        OwnedDirectory.CleanStale(Path.GetTempPath(), "cijobs-replay-work-");
        using var temp = OwnedDirectory.Create(Path.GetTempPath(), "cijobs-replay-work-");
        var rdoinfoDirectory = rdoinfo.Commit is { } commit
            ? await CheckoutAsync(Path.GetFullPath(request.RdoinfoDirectory), commit, Path.Combine(temp.Path, "rdoinfo"), cancellationToken)
            : Path.GetFullPath(request.RdoinfoDirectory);

        var database = await RdoinfoLoader.LoadAsync(rdoinfoDirectory, rdoinfo.EntryFile, cancellationToken);
        var buildRequest = new BuildRequest
        {
            RdoinfoDirectory = rdoinfoDirectory,
            RdoinfoEntryFile = rdoinfo.EntryFile,
            Package = recorded.Package,
            Release = recorded.Release,
            Source = request.Source ?? recorded.Inputs.Source.Url,
            Distgit = request.Distgit ?? recorded.Inputs.Distgit.Url,
            SourceRef = recorded.Inputs.Source.Ref ?? recorded.Inputs.Source.Commit,
            DistgitRef = recorded.Inputs.Distgit.Ref ?? recorded.Inputs.Distgit.Commit,
            OutputDirectory = request.OutputDirectory,
        };
        var target = BuildTargetResolver.Resolve(database, buildRequest) with
        {
            SourceCommit = recorded.Inputs.Source.Commit,
            DistgitCommit = recorded.Inputs.Distgit.Commit,
        };
        if (target.Rdoinfo?.EntrySha256 != rdoinfo.EntrySha256 || target.Rdoinfo?.Tag != rdoinfo.Tag)
        {
            throw new CiJobsException(
                $"the rdoinfo entry of {recorded.Package} in {request.RdoinfoDirectory} is not the one recorded (entry sha256 {target.Rdoinfo?.EntrySha256}, recorded {rdoinfo.EntrySha256}): replaying it would build something else",
                ReplayExitCodes.InputsUnavailable);
        }

        var buildroot = new List<ProvenanceBuildrootRepository>();
        foreach (var repository in recorded.Inputs.Buildroot)
        {
            buildroot.Add(await BuildProvenanceContext.BuildrootRepositoryAsync(repository.Url, cancellationToken));
        }

        var settings = recorded.Inputs.Settings;
        var output = new PackageBuildService.OutputSettings(request.OutputDirectory, settings.Dist, settings.KeepVersion, settings.KeepChangelog, settings.RepoName, settings.BaseUrl, settings.Codename)
        {
            Provenance = request.Provenance with { Buildroot = buildroot },
        };
        progress?.Invoke($"replaying {recorded.Package}: source {target.SourceCommit} ({target.SourceRef}), distgit {target.DistgitCommit} ({target.DistgitRef}), built at {DateTimeOffset.FromUnixTimeSeconds(recorded.Dlrn.DtBuild):u}");
        var service = services(new RecordedClock(DateTimeOffset.FromUnixTimeSeconds(recorded.Dlrn.DtBuild)));
        BuildResult result;
        try
        {
            result = await service.BuildAsync(target, output, cancellationToken);
        }
        catch (CiJobsException e) when (e.ExitCode is BuildExitCodes.RefNotFound or BuildExitCodes.RepositoryUnavailable)
        {
            throw new CiJobsException($"a recorded input of {recorded.Package} cannot be had again: {e.Message}", ReplayExitCodes.InputsUnavailable, e);
        }

        var replayed = await ProvenanceReader.ReadFileAsync(Path.Combine(result.ResultPath, ProvenanceManifest.FileName), cancellationToken);
        return new ReplayReport(
            recorded.Package,
            request.Recorded.BuildId,
            recorded.InputHash,
            replayed.Manifest.InputHash,
            replayed.BuildId,
            result.ResultPath,
            ReplayComparison.Compare(recorded, replayed.Manifest));
    }

    /// <summary>A throwaway checkout of <paramref name="repository"/> at <paramref name="commit"/>.</summary>
    private async Task<string> CheckoutAsync(string repository, string commit, string destination, CancellationToken cancellationToken)
    {
        if (!Audit.FullHash.Is(commit))
        {
            throw new CiJobsException($"the recorded rdoinfo commit '{PackageNames.Printable(commit)}' is not a full commit hash", ReplayExitCodes.InvalidInput);
        }

        var probe = await git.RunUncheckedAsync(repository, ["cat-file", "-e", commit + "^{commit}"], cancellationToken);
        if (!probe.Succeeded)
        {
            throw new CiJobsException(
                $"the recorded rdoinfo commit {commit} is not in {repository}: fetch it, or pass an rdoinfo checkout that has it",
                ReplayExitCodes.InputsUnavailable);
        }

        // The rdoinfo folder may be a folder inside its repository: the same folder of the checkout.
        var prefix = (await git.RunAsync(repository, ["rev-parse", "--show-prefix"], cancellationToken)).Trim().TrimEnd('/');
        var top = (await git.RunAsync(repository, ["rev-parse", "--show-toplevel"], cancellationToken)).Trim();
        await git.RunAsync(Path.GetDirectoryName(destination)!, ["clone", "--quiet", "--no-checkout", "--shared", "--", top, destination], cancellationToken);
        await git.RunAsync(destination, ["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit], cancellationToken);
        return prefix.Length == 0 ? destination : Path.Combine(destination, prefix);
    }

    /// <summary>The recorded build time, always: DLRN's release and the changelog entry carry it.</summary>
    private sealed class RecordedClock(DateTimeOffset at) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => at;
    }
}
