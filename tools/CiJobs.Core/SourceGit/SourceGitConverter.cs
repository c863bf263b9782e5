using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CiJobs.Core.Git;

namespace CiJobs.Core.SourceGit;

/// <summary>
/// Converts between a source-git work tree (upstream history + downstream commits + <c>.distro/</c>)
/// and a dist-git work tree (spec, patches, sources), both local. This is the API that
/// <c>cijobs source-git</c> and merge-request mirroring call.
/// </summary>
public sealed partial class SourceGitConverter(GitCli git)
{
    public const string FromSourceGitCommit = "From-source-git-commit";
    public const string FromDistGitCommit = "From-dist-git-commit";

    /// <summary>
    /// Makes DIST's work tree what SRC's HEAD says (files_to_sync, patches, PatchN lines) and commits
    /// it with a <c>From-source-git-commit</c> trailer. Both work trees must be pristine. Unless
    /// <see cref="UpdateDistGitOptions.Force"/>, it first checks the sync point: in sync → nothing to
    /// do; dist-git has unsynced commits or the histories diverged → <see cref="SourceGitExitCodes.OutOfSync"/>.
    /// </summary>
    public async Task<UpdateDistGitResult> UpdateDistGitAsync(string sourceGitDir, string distGitDir, UpdateDistGitOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (src, dist) = await OpenBothAsync(sourceGitDir, distGitDir, cancellationToken);
        var config = await LoadConfigAsync(src, cancellationToken);
        var sgHead = src.InitialHead;
        var upstreamRef = options.UpstreamRef ?? config.UpstreamRef
            ?? throw new CiJobsException($"{SourceGitConfig.ConfigPath} has no upstream_ref and none was given.", SourceGitExitCodes.BadConfig);
        var ignorePaths = config.PatchGenerationIgnorePaths.Concat(config.FilesToSync.SelectMany(i => i.Sources)).ToList();

        // Everything read-only starts at once; results are looked at in the order a user needs the
        // errors (dirty tree, sync state, upstream_ref). Nothing in DIST is written before that.
        var work = Directory.CreateDirectory(Path.Combine(dist.GitDirectory, $"cijobs-source-git-{Guid.NewGuid():N}"));
        var upstream = ResolveUpstreamAsync(src, upstreamRef, sgHead, cancellationToken);
        try
        {
            // format-patch first: it is the longest step and starting processes takes time too.
            var formatPatch = FormatPatchAsync();
            var pristine = Task.WhenAll(src.EnsurePristineAsync(cancellationToken), dist.EnsurePristineAsync(cancellationToken));
            var status = options.Force ? Task.FromResult<SyncStatus?>(null) : StatusOrNullAsync();
            var log = LogAsync();
            var srcFiles = src.TrackedFilesAsync(cancellationToken);
            var distFiles = dist.TrackedFilesAsync(cancellationToken);
            Task[] all = [pristine, status, upstream, formatPatch, log, srcFiles, distFiles];
            try
            {
                await Task.WhenAll(all);
            }
#pragma warning disable CA1031 // Every task is awaited again below, in order, and its exception rethrown there.
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            await pristine;
            if (await status is { } syncStatus)
            {
                switch (syncStatus.State)
                {
                    case SyncState.InSync:
                        return new UpdateDistGitResult(false, false, null, sgHead, [], [], NothingToDo: true);
                    case SyncState.DistGitAhead:
                    case SyncState.Diverged:
                        throw new CiJobsException(
                            $"DIST has {syncStatus.DistGitAhead.Count} commit(s) after the sync point {syncStatus.DistGitSyncCommit[..12]} that SRC does not have; run 'cijobs source-git update-source-git' first, or use --force to overwrite them.",
                            SourceGitExitCodes.OutOfSync);
                }
            }

            await upstream;
            var commits = await log;
            var merge = commits.FirstOrDefault(c => c.Parents.Count > 1);
            if (merge is not null)
            {
                throw new CiJobsException(
                    $"downstream commit {merge.Short} is a merge; rebase the downstream commits onto {upstreamRef} into a linear history first.",
                    SourceGitExitCodes.InvalidPatchMetadata);
            }

            // Trailer mode when any commit has a patch trailer (as Packit), else the legacy YAML block.
            var parsed = commits.Select(c => (Commit: c, Message: CommitMessage.Parse(c.Message))).ToList();
            var trailerMode = parsed.Any(p => PatchMetadata.HasTrailers(p.Message));
            var downstream = parsed.Select(p =>
            {
                if (trailerMode)
                {
                    return new DownstreamCommit(p.Commit, p.Message, PatchMetadata.From(p.Message, p.Commit.Hash));
                }

                var (metadata, rest) = PatchMetadata.FromLegacy(p.Commit.Message, p.Commit.Hash);
                return new DownstreamCommit(p.Commit, CommitMessage.Parse(rest), metadata);
            }).ToList();
            var patches = PatchGenerator.Build(await formatPatch, downstream);
            return await WriteDistGitAsync(src, dist, config, sgHead, patches, await srcFiles, await distFiles, options, cancellationToken);
        }
        finally
        {
            work.Delete(recursive: true);
        }

        async Task<SyncStatus?> StatusOrNullAsync() => await ComputeStatusAsync(src, dist, config, cancellationToken);

        // A plain ref needs no resolving first, so format-patch (the long step) starts at once; a glob waits for its expansion.
        async Task<IReadOnlyList<string>> FormatPatchAsync() =>
            await PatchGenerator.FormatPatchAsync(
                src,
                upstreamRef.IndexOfAny(['*', '?', '[']) < 0 && !upstreamRef.StartsWith('-') ? upstreamRef : await upstream,
                sgHead,
                ignorePaths,
                work.FullName,
                cancellationToken);

        async Task<IReadOnlyList<CommitInfo>> LogAsync() => await src.LogAsync([$"{await upstream}..{sgHead}"], cancellationToken);
    }

    private static async Task<UpdateDistGitResult> WriteDistGitAsync(
        GitRepo src,
        GitRepo dist,
        SourceGitConfig config,
        string sgHead,
        IReadOnlyList<PatchFile> patchFiles,
        IReadOnlyDictionary<string, TrackedFile> srcFiles,
        IReadOnlyDictionary<string, TrackedFile> distFiles,
        UpdateDistGitOptions options,
        CancellationToken cancellationToken)
    {
        if (!srcFiles.ContainsKey(config.SpecfilePath))
        {
            throw new CiJobsException($"{SourceGitConfig.ConfigPath}: specfile_path '{config.SpecfilePath}' does not exist in SRC.", SourceGitExitCodes.BadConfig);
        }

        var plan = FileSyncPlan.Create(config.FilesToSync, srcFiles.Keys.ToList(), distFiles.Keys.ToList());
        var specDestination = plan.Copies.Where(c => c.Source == config.SpecfilePath).Select(c => c.Destination).FirstOrDefault()
            ?? throw new CiJobsException(
                $"{SourceGitConfig.ConfigPath}: files_to_sync does not copy the spec '{config.SpecfilePath}' to dist-git.",
                SourceGitExitCodes.BadConfig);
        var specDirectory = Path.GetDirectoryName(specDestination)?.Replace('\\', '/') ?? string.Empty;

        // The spec text as synced, plus the PatchN lines (numbers decided before anything is written).
        var specText = await File.ReadAllTextAsync(Path.Combine(src.Root, config.SpecfilePath), Encoding.Latin1, cancellationToken);
        var (specPatches, numbers) = NumberPatches(specText, patchFiles);
        var newSpec = SpecPatchWriter.AddPatches(specText, specPatches, config.PatchIdDigits);

        // Write: deletions, copies, patches, spec.
        foreach (var deletion in plan.Deletions)
        {
            File.Delete(Path.Combine(dist.Root, deletion));
        }

        foreach (var (source, destination) in plan.Copies)
        {
            CopyFile(Path.Combine(src.Root, source), Path.Combine(dist.Root, destination), srcFiles[source].Mode);
        }

        var patchPaths = new List<string>();
        foreach (var patch in patchFiles)
        {
            var relative = specDirectory.Length == 0 ? patch.FileName : $"{specDirectory}/{patch.FileName}";
            patchPaths.Add(relative);
            var target = Path.Combine(dist.Root, relative);
            if (patch.Content is null)
            {
                // format-patch's own file, untouched: move it (same file system, under DIST's git directory).
                File.Move(patch.GeneratedPath, target, overwrite: true);
            }
            else
            {
                await File.WriteAllTextAsync(target, patch.Content, Encoding.Latin1, cancellationToken);
            }
        }

        await File.WriteAllTextAsync(Path.Combine(dist.Root, specDestination), newSpec, Encoding.Latin1, cancellationToken);

        var unchanged = await RestoreIdenticalPatchesAsync(dist, patchPaths, distFiles, cancellationToken);
        var generated = patchFiles.Select((p, i) => new GeneratedPatch(
            p.FileName,
            numbers[i],
            unchanged.Contains(patchPaths[i]) ? PatchFileStatus.Unchanged : distFiles.ContainsKey(patchPaths[i]) ? PatchFileStatus.Modified : PatchFileStatus.Added,
            p.Commits)).ToList();

        // Stage exactly what was written or deleted (patches even if a .gitignore rule matches them).
        var touched = plan.Deletions.Concat(plan.Copies.Select(c => c.Destination)).Concat(patchPaths).Append(specDestination)
            .Select(p => ":(literal)" + p).Distinct(StringComparer.Ordinal);
        await dist.RunAsync(["add", "--all", "--force", "--pathspec-from-file=-", "--pathspec-file-nul"], cancellationToken, string.Join('\0', touched));
        var changedFiles = (await dist.RunAsync(["diff", "--cached", "--name-only", "-z", "--no-renames"], cancellationToken))
            .Split('\0', StringSplitOptions.RemoveEmptyEntries).ToList();
        string? distCommit = null;
        if (options.Commit && (changedFiles.Count > 0 || options.AllowEmpty))
        {
            var title = string.IsNullOrWhiteSpace(options.CommitTitle) ? $"Sync from source-git {sgHead[..12]}" : options.CommitTitle;
            var message = CommitMessage.Compose(title, options.CommitBody, new Trailer(FromSourceGitCommit, sgHead));
            await dist.RunAsync(["-c", "maintenance.auto=false", "-c", "gc.auto=0", "commit", "--quiet", "--allow-empty", "--no-verify", "--cleanup=verbatim", "-F", "-"], cancellationToken, message);
            distCommit = await dist.HeadAsync(cancellationToken);
        }

        return new UpdateDistGitResult(changedFiles.Count > 0, distCommit is not null, distCommit, sgHead, generated, changedFiles, NothingToDo: false);
    }

    /// <summary>
    /// Replays dist-git commits made outside the flow onto source-git: each commit's changes are
    /// applied under <c>.distro/</c> and committed with the original author and message plus a
    /// <c>From-dist-git-commit</c> trailer. Commits touching <c>sources</c> or <c>*.patch</c> are
    /// refused (code changes belong in source-git). A commit that changes nothing is skipped, except
    /// the last one, which is committed empty so the sync point moves.
    /// </summary>
    public async Task<UpdateSourceGitResult> UpdateSourceGitAsync(string distGitDir, string sourceGitDir, UpdateSourceGitOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dist = await GitRepo.OpenAsync(git, distGitDir, "DIST", cancellationToken);
        var src = await GitRepo.OpenAsync(git, sourceGitDir, "SRC", cancellationToken);
        var config = await LoadConfigAsync(src, cancellationToken);
        await src.EnsurePristineAsync(cancellationToken);

        IReadOnlyList<string> range;
        if (options.RevisionRange is { Length: > 0 } revisionRange)
        {
            var listed = await dist.RunAsync(["rev-list", "--reverse", "--end-of-options", revisionRange, "--"], cancellationToken);
            range = listed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        else
        {
            var status = await ComputeStatusAsync(src, dist, config, cancellationToken);
            if (status.State is SyncState.SourceGitAhead or SyncState.Diverged && !options.Force)
            {
                throw new CiJobsException(
                    $"SRC has {status.SourceGitAhead.Count} commit(s) after the sync point {status.SourceGitSyncCommit[..12]} that DIST does not have; run 'cijobs source-git update-dist-git' first, or use --force.",
                    SourceGitExitCodes.OutOfSync);
            }

            range = status.DistGitAhead;
        }

        if (range.Count == 0)
        {
            return new UpdateSourceGitResult([], NothingToDo: true);
        }

        var distroDirectory = config.FilesToSync
            .Where(i => i.Sources.Count == 1 && i.Sources[0].EndsWith('/') && FileSyncPlan.Normalize(i.Destination).Length == 0)
            .Select(i => FileSyncPlan.Normalize(i.Sources[0]))
            .FirstOrDefault() ?? SourceGitConfig.DistroDirectory;

        var replayed = new List<ReplayedCommit>();
        for (var index = 0; index < range.Count; index++)
        {
            var commit = (await dist.LogAsync(["-1", range[index]], cancellationToken))[0];
            var message = CommitMessage.Parse(commit.Message);
            var isLast = index == range.Count - 1;
            if (commit.Parents.Count > 1)
            {
                throw new CiJobsException($"dist-git commit {commit.Short} is a merge; replay it by hand.", SourceGitExitCodes.ReplayFailed);
            }

            var paths = (await dist.RunAsync(["diff-tree", "-r", "--root", "--no-commit-id", "--name-only", "--no-renames", "-z", commit.Hash], cancellationToken))
                .Split('\0', StringSplitOptions.RemoveEmptyEntries);
            var refused = paths.FirstOrDefault(p => p == "sources" || p.EndsWith(".patch", StringComparison.OrdinalIgnoreCase));
            if (refused is not null && message.Get(FromSourceGitCommit) is null)
            {
                throw new CiJobsException(
                    $"dist-git commit {commit.Short} changes '{refused}'; code and source changes belong in source-git, so make them there and run update-dist-git.",
                    SourceGitExitCodes.ReplayFailed);
            }

            var replayable = paths.Where(p => p is not ".gitignore" and not "README.packit").ToList();
            if (message.Get(FromSourceGitCommit) is null && replayable.Count > 0)
            {
                var diff = await dist.RunAsync(["show", "--format=", "--binary", "--full-index", "--no-renames", commit.Hash, "--", .. replayable], cancellationToken);
                var apply = await git.RunUncheckedAsync(src.Root, ["apply", "--index", "--whitespace=nowarn", $"--directory={distroDirectory}", "-"], cancellationToken, diff);
                if (!apply.Succeeded)
                {
                    await src.RunAsync(["reset", "--quiet", "--hard", "HEAD"], cancellationToken);
                    throw new CiJobsException(
                        $"dist-git commit {commit.Short} does not apply to SRC under {distroDirectory}/ ({apply.StandardError.Trim().Split('\n')[0]}); replay it by hand.",
                        SourceGitExitCodes.ReplayFailed);
                }
            }

            var staged = !await src.SucceedsAsync(["diff", "--cached", "--quiet"], cancellationToken);
            if (!staged && !isLast)
            {
                replayed.Add(new ReplayedCommit(commit.Hash, message.Subject, null));
                continue;
            }

            var text = CommitMessage.Compose(message.Subject, string.Join('\n', commit.Message.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').SkipWhile(l => l.Trim().Length > 0)), new Trailer(FromDistGitCommit, commit.Hash));
            await src.RunAsync(
                ["commit", "--quiet", "--allow-empty", "--no-verify", "--cleanup=verbatim", $"--author={commit.AuthorName} <{commit.AuthorEmail}>", $"--date={commit.AuthorDate}", "-F", "-"],
                cancellationToken,
                text);
            replayed.Add(new ReplayedCommit(commit.Hash, message.Subject, await src.HeadAsync(cancellationToken)));
        }

        return new UpdateSourceGitResult(replayed, NothingToDo: false);
    }

    /// <summary>
    /// Finds the sync point from the origin trailers (the newest <c>From-dist-git-commit</c> in SRC
    /// and <c>From-source-git-commit</c> in DIST; the pair with the later dist-git commit wins) and
    /// lists the commits each side has since.
    /// </summary>
    public async Task<SyncStatus> GetStatusAsync(string sourceGitDir, string distGitDir, CancellationToken cancellationToken)
    {
        var (src, dist) = await OpenBothAsync(sourceGitDir, distGitDir, cancellationToken);
        EnsureNotSwapped(src, dist);
        SourceGitConfig? config = null;
        if (File.Exists(Path.Combine(src.Root, SourceGitConfig.ConfigPath)))
        {
            config = await LoadConfigAsync(src, cancellationToken);
        }

        return await ComputeStatusAsync(src, dist, config, cancellationToken);
    }

    private async Task<(GitRepo Src, GitRepo Dist)> OpenBothAsync(string sourceGitDir, string distGitDir, CancellationToken cancellationToken)
    {
        var src = GitRepo.OpenAsync(git, sourceGitDir, "SRC", cancellationToken);
        var dist = GitRepo.OpenAsync(git, distGitDir, "DIST", cancellationToken);
        await Task.WhenAll(src, dist);
        return (await src, await dist);
    }

    private static async Task<SyncStatus> ComputeStatusAsync(GitRepo src, GitRepo dist, SourceGitConfig? config, CancellationToken cancellationToken)
    {
        var fromSourceTask = FindTrailerCommitAsync(src, FromDistGitCommit, cancellationToken);
        var fromDistTask = FindTrailerCommitAsync(dist, FromSourceGitCommit, cancellationToken);
        await Task.WhenAll(fromSourceTask, fromDistTask);
        var fromSource = await fromSourceTask;
        var fromDist = await fromDistTask;
        if (fromSource is null && fromDist is null)
        {
            throw new CiJobsException(
                $"no sync point: SRC has no commit with a {FromDistGitCommit} trailer and DIST none with a {FromSourceGitCommit} trailer; use --force for the first conversion.",
                SourceGitExitCodes.NoSyncPoint);
        }

        var dgReference = fromSource is { } sourceTrailer ? dist.TryResolveCommitAsync(sourceTrailer.Value, cancellationToken) : Task.FromResult<string?>(null);
        var sgReference = fromDist is { } distTrailer ? src.TryResolveCommitAsync(distTrailer.Value, cancellationToken) : Task.FromResult<string?>(null);
        await Task.WhenAll(dgReference, sgReference);
        (string Sg, string Dg)? pairA = null, pairB = null;
        if (fromSource is { } a)
        {
            var dg = await dgReference
                ?? throw new CiJobsException($"SRC commit {a.Commit[..12]} says {FromDistGitCommit}: {a.Value}, which DIST does not have (fetch it?).", SourceGitExitCodes.NoSyncPoint);
            pairA = (a.Commit, dg);
        }

        if (fromDist is { } b)
        {
            var sg = await sgReference
                ?? throw new CiJobsException($"DIST commit {b.Commit[..12]} says {FromSourceGitCommit}: {b.Value}, which SRC does not have (fetch it?).", SourceGitExitCodes.NoSyncPoint);
            pairB = (sg, b.Commit);
        }

        // The newer pair wins. Dist-git history is linear and never rebased, so it decides; only when
        // both pairs name the same dist-git commit does the source-git side (which may be rebased) decide.
        var useB = pairA is null
            || (pairB is not null && (pairA.Value.Dg == pairB.Value.Dg
                ? await IsAncestorAsync(src, pairA.Value.Sg, pairB.Value.Sg, cancellationToken)
                : await IsAncestorAsync(dist, pairA.Value.Dg, pairB.Value.Dg, cancellationToken)));
        var (sgSync, dgSync) = useB ? pairB!.Value : pairA!.Value;

        async Task<(bool Rebased, IReadOnlyList<string> Ahead)> SourceSideAsync()
        {
            if (await IsAncestorAsync(src, sgSync, "HEAD", cancellationToken))
            {
                return (false, await RevListAsync(src, ["--ancestry-path", $"{sgSync}..HEAD"], cancellationToken));
            }

            var upstream = config?.UpstreamRef is { } upstreamRef ? await src.TryResolveCommitAsync(upstreamRef, cancellationToken) : null;
            return (true, upstream is null ? [] : await RevListAsync(src, [$"{upstream}..HEAD"], cancellationToken));
        }

        async Task<IReadOnlyList<string>> DistSideAsync() =>
            await IsAncestorAsync(dist, dgSync, "HEAD", cancellationToken)
                ? await RevListAsync(dist, ["--ancestry-path", $"{dgSync}..HEAD"], cancellationToken)
                : await RevListAsync(dist, [$"{dgSync}..HEAD"], cancellationToken);

        var sourceSide = SourceSideAsync();
        var distSide = DistSideAsync();
        await Task.WhenAll(sourceSide, distSide);
        var (rebased, sgAhead) = await sourceSide;
        var dgAhead = await distSide;

        var state = (sgAhead.Count > 0 || rebased, dgAhead.Count > 0) switch
        {
            (false, false) => SyncState.InSync,
            (true, false) => SyncState.SourceGitAhead,
            (false, true) => SyncState.DistGitAhead,
            _ => SyncState.Diverged,
        };
        return new SyncStatus(state, sgSync, dgSync, useB ? FromSourceGitCommit : FromDistGitCommit, sgAhead, dgAhead, rebased);
    }

    private static async Task<(string Commit, string Value)?> FindTrailerCommitAsync(GitRepo repo, string token, CancellationToken cancellationToken)
    {
        var output = await repo.RunAsync(["log", "--no-show-signature", "-1", "--extended-regexp", $"--grep=^{token}: *[0-9a-fA-F]{{7,}}", "--format=%H%x1f%B", "HEAD", "--"], cancellationToken);
        var separator = output.IndexOf('\x1f', StringComparison.Ordinal);
        if (separator < 0)
        {
            return null;
        }

        var commit = output[..separator].Trim();
        var message = output[(separator + 1)..];
        var value = CommitMessage.Parse(message).Get(token)
            ?? TrailerAnywhere().Matches(message).Where(m => string.Equals(m.Groups[1].Value, token, StringComparison.OrdinalIgnoreCase)).Select(m => m.Groups[2].Value).LastOrDefault();
        return value is null ? null : (commit, value.Trim());
    }

    private static async Task<bool> IsAncestorAsync(GitRepo repo, string ancestor, string descendant, CancellationToken cancellationToken) =>
        await repo.SucceedsAsync(["merge-base", "--is-ancestor", ancestor, descendant], cancellationToken);

    private static async Task<IReadOnlyList<string>> RevListAsync(GitRepo repo, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        (await repo.RunAsync(["rev-list", "--reverse", .. arguments, "--"], cancellationToken))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A common slip: DIST given where SRC belongs. Say so instead of "no sync point".</summary>
    private static void EnsureNotSwapped(GitRepo src, GitRepo dist)
    {
        if (!File.Exists(Path.Combine(src.Root, SourceGitConfig.ConfigPath)) && File.Exists(Path.Combine(dist.Root, SourceGitConfig.ConfigPath)))
        {
            throw new CiJobsException(
                $"SRC '{src.Root}' is not a source-git repository but DIST '{dist.Root}' is; are the arguments swapped?",
                SourceGitExitCodes.NotSourceGit);
        }
    }

    private static async Task<SourceGitConfig> LoadConfigAsync(GitRepo src, CancellationToken cancellationToken)
    {
        var path = Path.Combine(src.Root, SourceGitConfig.ConfigPath);
        if (!File.Exists(path))
        {
            throw new CiJobsException($"SRC '{src.Root}' is not a source-git repository: {SourceGitConfig.ConfigPath} is missing.", SourceGitExitCodes.NotSourceGit);
        }

        var yaml = await File.ReadAllTextAsync(path, cancellationToken);
        var distro = Path.Combine(src.Root, SourceGitConfig.DistroDirectory);
        var specs = Directory.EnumerateFiles(distro, "*.spec")
            .Select(f => $"{SourceGitConfig.DistroDirectory}/{Path.GetFileName(f)}")
            .Order(StringComparer.Ordinal)
            .ToList();
        return SourceGitConfig.Parse(yaml, specs);
    }

    private static async Task<string> ResolveUpstreamAsync(GitRepo src, string upstreamRef, string head, CancellationToken cancellationToken)
    {
        var upstream = await src.TryResolveCommitAsync(upstreamRef, cancellationToken);
        if (upstream is null && upstreamRef.IndexOfAny(['*', '?', '[']) >= 0)
        {
            // A glob: the newest matching tag, or branch with the "branches/" prefix.
            var branches = upstreamRef.StartsWith("branches/", StringComparison.Ordinal);
            var pattern = branches ? $"refs/heads/{upstreamRef["branches/".Length..]}" : $"refs/tags/{upstreamRef}";
            var newest = (await src.RunAsync(["for-each-ref", "--sort=-creatordate", "--count=1", "--format=%(refname)", pattern], cancellationToken)).Trim();
            upstream = newest.Length > 0 ? await src.TryResolveCommitAsync(newest, cancellationToken) : null;
        }

        if (upstream is null)
        {
            throw new CiJobsException(
                $"upstream_ref '{upstreamRef}' is not a commit in SRC; fetch the upstream tags (git fetch --tags <upstream>) or fix upstream_ref.",
                SourceGitExitCodes.UpstreamRefNotFound);
        }

        if (!await IsAncestorAsync(src, upstream, head, cancellationToken))
        {
            throw new CiJobsException($"upstream_ref '{upstreamRef}' is not an ancestor of SRC HEAD.", SourceGitExitCodes.UpstreamRefNotFound);
        }

        return upstream;
    }

    /// <summary>PatchN numbers: Patch-id, else previous + 1 (first 1); must grow. Patches whose file the spec already lists, or marked present-in-specfile, add no line.</summary>
    private static (List<SpecPatch> Lines, List<int?> Numbers) NumberPatches(string spec, IReadOnlyList<PatchFile> patches)
    {
        var existing = SpecPatchWriter.ExistingPatches(spec);
        var previous = existing.Count == 0 ? 0 : existing.Max(p => p.Number);
        var lines = new List<SpecPatch>();
        var numbers = new List<int?>();
        foreach (var patch in patches)
        {
            var listed = existing.FirstOrDefault(p => p.FileName == patch.FileName);
            if (listed.FileName is not null)
            {
                numbers.Add(listed.Number);
                continue;
            }

            if (patch.Metadata.PresentInSpecfile)
            {
                numbers.Add(null);
                continue;
            }

            var number = patch.Metadata.Id ?? previous + 1;
            if (patch.Metadata.Id is { } id && id <= previous && !(previous == 0 && existing.Count == 0 && lines.Count == 0))
            {
                throw new CiJobsException(
                    $"commit {patch.First.Commit.Short}: Patch-id {id} of '{patch.FileName}' must be higher than the previous patch number {previous}.",
                    SourceGitExitCodes.InvalidPatchMetadata);
            }

            var comment = patch.Metadata.Status is { } status
                ? status.TrimEnd('\n').Split('\n')
                : patch.First.Message.WithoutTrailers.Split('\n');
            lines.Add(new SpecPatch(number, patch.FileName, comment));
            numbers.Add(number);
            previous = number;
        }

        return (lines, numbers);
    }

    /// <summary>
    /// Puts back dist-git's own bytes for every patch whose content did not really change: same blob,
    /// or the same <c>git patch-id --stable</c> (format-patch headers, numbering and index lines differ
    /// after a rebase; the change itself does not). Returns the paths left as in dist-git HEAD.
    /// </summary>
    private static async Task<HashSet<string>> RestoreIdenticalPatchesAsync(
        GitRepo dist,
        IReadOnlyList<string> patchPaths,
        IReadOnlyDictionary<string, TrackedFile> headFiles,
        CancellationToken cancellationToken)
    {
        var unchanged = new HashSet<string>(StringComparer.Ordinal);
        var candidates = patchPaths.Where(headFiles.ContainsKey).ToList();
        if (candidates.Count == 0)
        {
            return unchanged;
        }

        var hashes = (await dist.RunAsync(["hash-object", "--no-filters", "--", .. candidates], cancellationToken))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var differing = new List<string>();
        for (var i = 0; i < candidates.Count; i++)
        {
            if (hashes[i] == headFiles[candidates[i]].ObjectId)
            {
                unchanged.Add(candidates[i]);
            }
            else
            {
                differing.Add(candidates[i]);
            }
        }

        if (differing.Count == 0)
        {
            return unchanged;
        }

        // One patch-id run over "new, old" pairs, each behind a synthetic From line naming it.
        var oldContents = await ReadBlobsAsync(dist, differing.Select(p => headFiles[p].ObjectId).ToList(), cancellationToken);
        var input = new StringBuilder();
        for (var i = 0; i < differing.Count; i++)
        {
            var current = await File.ReadAllTextAsync(Path.Combine(dist.Root, differing[i]), cancellationToken);
            input.Append(WithSyntheticFromLine(current, 2 * i));
            input.Append(WithSyntheticFromLine(oldContents[i], (2 * i) + 1));
        }

        var ids = new Dictionary<int, string>();
        foreach (var line in (await dist.RunAsync(["patch-id", "--stable"], cancellationToken, input.ToString())).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var slot))
            {
                ids[slot] = parts[0];
            }
        }

        var restore = new List<string>();
        for (var i = 0; i < differing.Count; i++)
        {
            if (ids.TryGetValue(2 * i, out var now) && ids.TryGetValue((2 * i) + 1, out var before) && now == before)
            {
                restore.Add(differing[i]);
                unchanged.Add(differing[i]);
            }
        }

        if (restore.Count > 0)
        {
            await dist.RunAsync(["checkout", "HEAD", "--", .. restore], cancellationToken);
        }

        return unchanged;
    }

    private static string WithSyntheticFromLine(string patch, int slot)
    {
        var from = $"From {slot.ToString("x40", CultureInfo.InvariantCulture)} Mon Sep 17 00:00:00 2001\n";
        var body = FromLine().IsMatch(patch) ? patch[(patch.IndexOf('\n', StringComparison.Ordinal) + 1)..] : patch;
        return from + body + (body.EndsWith('\n') ? string.Empty : "\n");
    }

    private static async Task<List<string>> ReadBlobsAsync(GitRepo repo, IReadOnlyList<string> objectIds, CancellationToken cancellationToken)
    {
        var contents = new List<string>();
        foreach (var id in objectIds)
        {
            contents.Add(await repo.RunAsync(["cat-file", "blob", id], cancellationToken));
        }

        return contents;
    }

    private static void CopyFile(string source, string destination, string mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        if (File.Exists(destination) || new FileInfo(destination).LinkTarget is not null)
        {
            File.Delete(destination);
        }

        if (mode == "120000")
        {
            File.CreateSymbolicLink(destination, new FileInfo(source).LinkTarget ?? throw new IOException($"{source} is not a symbolic link."));
            return;
        }

        File.Copy(source, destination);
        if (!OperatingSystem.IsWindows())
        {
            var executable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            var current = File.GetUnixFileMode(destination);
            File.SetUnixFileMode(destination, mode == "100755" ? current | executable : current & ~executable);
        }
    }

    [GeneratedRegex(@"\AFrom [0-9a-f]{40,64} ")]
    private static partial Regex FromLine();

    [GeneratedRegex(@"^([A-Za-z-]+): *(\S+) *$", RegexOptions.Multiline)]
    private static partial Regex TrailerAnywhere();
}
