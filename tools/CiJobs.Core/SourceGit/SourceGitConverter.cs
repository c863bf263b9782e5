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

        // The first git processes and YamlDotNet's first use (it compiles a regex) each cost tens of
        // milliseconds: the config is read from SRC as given (usually its root) on another thread while
        // both repositories open, and read again only if SRC's root turns out to be elsewhere.
        var givenRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(sourceGitDir));
        var givenConfig = Task.Run(() => LoadConfigAsync(givenRoot, cancellationToken), cancellationToken);
        var repositories = await OpenBothAsync(sourceGitDir, distGitDir, cancellationToken);
        var (src, dist) = (repositories[0], repositories[1]);
        var config = await (src.Root == givenRoot ? givenConfig : LoadConfigAsync(src.Root, cancellationToken));
        var sgHead = src.InitialHead;
        var upstreamRef = options.UpstreamRef ?? config.UpstreamRef
            ?? throw new CiJobsException($"{SourceGitConfig.ConfigPath} has no upstream_ref and none was given.", SourceGitExitCodes.BadConfig);
        var ignorePaths = config.PatchGenerationIgnorePaths.Concat(config.FilesToSync.SelectMany(i => i.Sources)).ToList();

        // Everything read-only starts at once; results are looked at in the order a user needs the
        // errors (dirty tree, sync state, upstream_ref). Nothing in DIST's work tree is written before
        // that; format-patch's stream and the patch files wait in a scratch folder under its git directory.
        var work = Directory.CreateDirectory(Path.Combine(dist.GitDirectory, $"cijobs-source-git-{Guid.NewGuid():N}"));
        var patchStream = Path.Combine(work.FullName, "patches.mbox");
        var upstream = ResolveUpstreamAsync(src, upstreamRef, sgHead, cancellationToken);

        // A plain ref needs no resolving first, so format-patch (the long step) starts at once; a glob waits for its expansion.
        var plainUpstreamRef = upstreamRef.IndexOfAny(['*', '?', '[']) < 0 && !upstreamRef.StartsWith('-');
        try
        {
            // format-patch first: it is the longest step and starting processes takes time too.
            var formatPatch = plainUpstreamRef
                ? PatchGenerator.FormatPatchAsync(src, upstreamRef, sgHead, ignorePaths, patchStream, cancellationToken)
                : FormatPatchAfterResolvingAsync();
            var pristine = Task.WhenAll(src.EnsurePristineAsync(cancellationToken), dist.EnsurePristineAsync(cancellationToken));
            var status = options.Force ? null : ComputeStatusAsync(src, dist, config, cancellationToken);
            var srcFiles = src.TrackedFilesAsync(cancellationToken);
            var distFiles = dist.TrackedFilesAsync(cancellationToken);
            var downstream = DownstreamCommitsAsync();
            var staged = StagePatchesAsync(formatPatch, downstream, work.FullName);
            var target = DistGitTargetAsync(src, config, srcFiles, distFiles, cancellationToken);
            Task[] all = [pristine, status ?? Task.CompletedTask, upstream, formatPatch, downstream, staged, srcFiles, distFiles, target];
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
            if (status is not null && await status is var syncStatus)
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
            var patches = await staged;
            return await WriteDistGitAsync(dist, await target, sgHead, patches, options, cancellationToken);
        }
        finally
        {
            work.Delete(recursive: true);
        }

        async Task<FormatPatchStream> FormatPatchAfterResolvingAsync() =>
            await PatchGenerator.FormatPatchAsync(src, await upstream, sgHead, ignorePaths, patchStream, cancellationToken);

        // The downstream commits with their patch metadata, parsed while format-patch runs.
        async Task<IReadOnlyList<DownstreamCommit>> DownstreamCommitsAsync()
        {
            var commits = await src.LogAsync([$"{await upstream}..{sgHead}"], cancellationToken);
            var merge = commits.FirstOrDefault(c => c.Parents.Count > 1);
            if (merge is not null)
            {
                throw new CiJobsException(
                    $"downstream commit {merge.Short} is a merge; rebase the downstream commits onto {upstreamRef} into a linear history first.",
                    SourceGitExitCodes.InvalidPatchMetadata);
            }

            // Trailer mode when any commit has a patch trailer (as Packit), else the legacy YAML block.
            var messages = commits.Select(c => CommitMessage.Parse(c.Message)).ToList();
            var trailerMode = messages.Any(PatchMetadata.HasTrailers);
            var downstream = new List<DownstreamCommit>(commits.Count);
            for (var i = 0; i < commits.Count; i++)
            {
                var commit = commits[i];
                if (trailerMode)
                {
                    downstream.Add(new DownstreamCommit(commit, messages[i], PatchMetadata.From(messages[i], commit.Hash)));
                    continue;
                }

                var (metadata, rest) = PatchMetadata.FromLegacy(commit.Message, commit.Hash);
                downstream.Add(new DownstreamCommit(commit, CommitMessage.Parse(rest), metadata));
            }

            return downstream;
        }
    }

    /// <summary>What DIST receives apart from the patches: the files_to_sync plan and the spec, known before format-patch ends.</summary>
    private sealed record DistGitTarget(
        string SourceRoot,
        int PatchIdDigits,
        FileSyncPlan Plan,
        string SpecDestination,
        string SpecDirectory,
        SpecLayout Spec,
        IReadOnlyDictionary<string, TrackedFile> SourceFiles,
        IReadOnlyDictionary<string, TrackedFile> DistFiles);

    private static async Task<DistGitTarget> DistGitTargetAsync(
        GitRepo src,
        SourceGitConfig config,
        Task<IReadOnlyDictionary<string, TrackedFile>> sourceFiles,
        Task<IReadOnlyDictionary<string, TrackedFile>> distFiles,
        CancellationToken cancellationToken)
    {
        var srcFiles = await sourceFiles;
        if (!srcFiles.ContainsKey(config.SpecfilePath))
        {
            throw new CiJobsException($"{SourceGitConfig.ConfigPath}: specfile_path '{config.SpecfilePath}' does not exist in SRC.", SourceGitExitCodes.BadConfig);
        }

        var dstFiles = await distFiles;
        var plan = FileSyncPlan.Create(config.FilesToSync, srcFiles.Keys.ToList(), dstFiles.Keys.ToList());
        var specDestination = plan.Copies.Where(c => c.Source == config.SpecfilePath).Select(c => c.Destination).FirstOrDefault()
            ?? throw new CiJobsException(
                $"{SourceGitConfig.ConfigPath}: files_to_sync does not copy the spec '{config.SpecfilePath}' to dist-git.",
                SourceGitExitCodes.BadConfig);
        var specDirectory = Path.GetDirectoryName(specDestination)?.Replace('\\', '/') ?? string.Empty;
        var spec = SpecLayout.Read(await File.ReadAllTextAsync(Path.Combine(src.Root, config.SpecfilePath), Encoding.Latin1, cancellationToken));
        return new DistGitTarget(src.Root, config.PatchIdDigits, plan, specDestination, specDirectory, spec, srcFiles, dstFiles);
    }

    private static async Task<UpdateDistGitResult> WriteDistGitAsync(
        GitRepo dist,
        DistGitTarget target,
        string sgHead,
        StagedPatches staged,
        UpdateDistGitOptions options,
        CancellationToken cancellationToken)
    {
        var (sourceRoot, patchIdDigits, plan, specDestination, specDirectory, spec, srcFiles, distFiles) = target;
        var patchFiles = staged.Patches;
        RefuseCollisions(patchFiles, target);

        // The spec text as synced, plus the PatchN lines (numbers decided before anything is written).
        var (specPatches, numbers) = NumberPatches(spec, patchFiles);
        var newSpec = spec.AddPatches(specPatches, patchIdDigits);

        // Write: deletions, copies, patches, spec.
        foreach (var deletion in plan.Deletions)
        {
            File.Delete(Path.Combine(dist.Root, deletion));
        }

        foreach (var (source, destination) in plan.Copies)
        {
            CopyFile(Path.Combine(sourceRoot, source), Path.Combine(dist.Root, destination), srcFiles[source].Mode);
        }

        var patchPaths = patchFiles.Select(p => specDirectory.Length == 0 ? p.FileName : $"{specDirectory}/{p.FileName}").ToList();
        for (var i = 0; i < patchPaths.Count; i++)
        {
            File.Move(staged.Files[i], Path.Combine(dist.Root, patchPaths[i]), overwrite: true);
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
        if (!options.Commit)
        {
            var stagedFiles = SplitNul(await dist.RunAsync(["diff", "--cached", "--name-only", "-z", "--no-renames"], cancellationToken));
            return new UpdateDistGitResult(stagedFiles.Count > 0, false, null, sgHead, generated, stagedFiles, NothingToDo: false);
        }

        // Commit straight away (git refuses when nothing is staged, unless --allow-empty), then read the commit
        // and the paths it changed in one `git show`: one process fewer than asking `diff --cached` first and
        // `rev-parse HEAD` after, on the path every conversion waits for.
        var title = string.IsNullOrWhiteSpace(options.CommitTitle) ? $"Sync from source-git {sgHead[..12]}" : options.CommitTitle;
        var message = CommitMessage.Compose(title, options.CommitBody, new Trailer(FromSourceGitCommit, sgHead));
        string[] commitArguments =
        [
            "-c", "maintenance.auto=false", "-c", "gc.auto=0", "commit", "--quiet", .. options.AllowEmpty ? ["--allow-empty"] : Array.Empty<string>(),
            "--no-verify", "--cleanup=verbatim", "-F", "-",
        ];
        var commit = await dist.RunUncheckedAsync(commitArguments, cancellationToken, message);
        if (!commit.Succeeded)
        {
            if (!options.AllowEmpty && await dist.SucceedsAsync(["diff", "--cached", "--quiet", "--no-renames"], cancellationToken))
            {
                return new UpdateDistGitResult(false, false, null, sgHead, generated, [], NothingToDo: false);
            }

            throw GitCli.Failure(dist.Root, commitArguments, commit);
        }

        // "<commit>\0\n<path>\0<path>\0...": the commit, then the paths changed against its parent.
        var shown = await dist.RunAsync(["show", "--no-show-signature", "--no-renames", "--name-only", "-z", "--format=%H", "HEAD", "--"], cancellationToken);
        var end = shown.IndexOf('\0', StringComparison.Ordinal);
        var distCommit = (end < 0 ? shown : shown[..end]).Trim();
        var changedFiles = end < 0 ? [] : SplitNul(shown[(end + 1)..].TrimStart('\n'));
        return new UpdateDistGitResult(changedFiles.Count > 0, true, distCommit, sgHead, generated, changedFiles, NothingToDo: false);
    }

    /// <summary>
    /// A patch must not replace what dist-git owns (docs/security.md, "Patch names"): the spec, <c>sources</c>, a file
    /// <c>files_to_sync</c> writes, or a folder; dotfiles are already refused by <see cref="PatchFileName"/>. Names that
    /// differ only in case are refused too (they are one file on a case-insensitive file system). Checked before
    /// anything is written.
    /// </summary>
    private static void RefuseCollisions(IReadOnlyList<PatchFile> patches, DistGitTarget target)
    {
        var owned = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [target.SpecDestination] = "the spec" };
        owned.TryAdd("sources", "dist-git's sources file");
        owned.TryAdd(Join(target.SpecDirectory, "sources"), "dist-git's sources file");
        foreach (var copy in target.Plan.Copies)
        {
            owned.TryAdd(copy.Destination, $"{copy.Destination}, which files_to_sync copies from {copy.Source}");
        }

        foreach (var path in target.Plan.Copies.Select(c => c.Destination).Concat(target.DistFiles.Keys))
        {
            for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
            {
                owned.TryAdd(path[..slash], $"the folder {path[..slash]}");
            }
        }

        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var patch in patches)
        {
            var commit = patch.First.Commit.Short;
            if (owned.TryGetValue(Join(target.SpecDirectory, patch.FileName), out var what))
            {
                throw new CiJobsException(
                    $"commit {commit}: patch name {PatchFileName.Quote(patch.FileName)} would overwrite {what}; give the commit another Patch-name.",
                    SourceGitExitCodes.InvalidPatchMetadata);
            }

            if (names.TryGetValue(patch.FileName, out var other) && other != patch.FileName)
            {
                throw new CiJobsException(
                    $"commit {commit}: patch name {PatchFileName.Quote(patch.FileName)} differs from {PatchFileName.Quote(other)} only in case; they would be one file on a case-insensitive file system.",
                    SourceGitExitCodes.InvalidPatchMetadata);
            }

            names.TryAdd(patch.FileName, patch.FileName);
        }

        static string Join(string directory, string name) => directory.Length == 0 ? name : $"{directory}/{name}";
    }

    private static List<string> SplitNul(string output) => output.Split('\0', StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>The patch files to write and where they wait, written, to be moved into DIST.</summary>
    private sealed record StagedPatches(IReadOnlyList<PatchFile> Patches, IReadOnlyList<string> Files);

    /// <summary>
    /// Builds the patch files and writes them under <paramref name="workDirectory"/> as soon as format-patch and
    /// the log are in, while the checks finish; they move into DIST's work tree only after every check passed.
    /// </summary>
    private static async Task<StagedPatches> StagePatchesAsync(
        Task<FormatPatchStream> formatPatch,
        Task<IReadOnlyList<DownstreamCommit>> downstream,
        string workDirectory)
    {
        var stream = await formatPatch;
        var commits = await downstream;
        var patches = PatchGenerator.Build(PatchGenerator.Split(stream, commits.Select(c => c.Commit).ToList()), commits);
        return new StagedPatches(patches, WriteScratchFiles(patches, workDirectory));
    }

    /// <summary>
    /// Writes the patch files under <paramref name="workDirectory"/> (DIST's git directory, same file
    /// system) and returns their paths. Creating a file costs more than writing its bytes, and
    /// creations in one directory take turns: each processor creates its share in a directory of its own.
    /// </summary>
    private static string[] WriteScratchFiles(IReadOnlyList<PatchFile> patchFiles, string workDirectory)
    {
        var writers = Math.Clamp(Math.Min(Environment.ProcessorCount, patchFiles.Count / 16), 1, 4);
        var directories = Enumerable.Range(0, writers)
            .Select(k => Directory.CreateDirectory(Path.Combine(workDirectory, k.ToString(CultureInfo.InvariantCulture))).FullName)
            .ToList();
        var files = new string[patchFiles.Count];
        Parallel.For(0, writers, k =>
        {
            for (var i = k; i < patchFiles.Count; i += writers)
            {
                files[i] = Path.Combine(directories[k], patchFiles[i].FileName);
                File.WriteAllBytes(files[i], Encoding.Latin1.GetBytes(patchFiles[i].Content));
            }
        });
        return files;
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
        var config = await LoadConfigAsync(src.Root, cancellationToken);
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
        var repositories = await OpenBothAsync(sourceGitDir, distGitDir, cancellationToken);
        var (src, dist) = (repositories[0], repositories[1]);
        EnsureNotSwapped(src, dist);
        SourceGitConfig? config = null;
        if (File.Exists(Path.Combine(src.Root, SourceGitConfig.ConfigPath)))
        {
            config = await LoadConfigAsync(src.Root, cancellationToken);
        }

        return await ComputeStatusAsync(src, dist, config, cancellationToken);
    }

    /// <summary>SRC and DIST, opened at once; SRC's error first.</summary>
    private Task<GitRepo[]> OpenBothAsync(string sourceGitDir, string distGitDir, CancellationToken cancellationToken) =>
        Task.WhenAll(GitRepo.OpenAsync(git, sourceGitDir, "SRC", cancellationToken), GitRepo.OpenAsync(git, distGitDir, "DIST", cancellationToken));

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

        var dgReference = fromSource is not null ? dist.TryResolveCommitAsync(fromSource.Value, cancellationToken) : Task.FromResult<string?>(null);
        var sgReference = fromDist is not null ? src.TryResolveCommitAsync(fromDist.Value, cancellationToken) : Task.FromResult<string?>(null);
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

        async Task<SourceSide> SourceSideAsync()
        {
            if (await DescendantsAsync(src, sgSync, cancellationToken) is { } descendants)
            {
                return new SourceSide(false, descendants);
            }

            var upstream = config?.UpstreamRef is { } upstreamRef ? await src.TryResolveCommitAsync(upstreamRef, cancellationToken) : null;
            return new SourceSide(true, upstream is null ? [] : await RevListAsync(src, [$"{upstream}..HEAD"], cancellationToken));
        }

        async Task<IReadOnlyList<string>> DistSideAsync() =>
            await DescendantsAsync(dist, dgSync, cancellationToken) ?? await RevListAsync(dist, [$"{dgSync}..HEAD"], cancellationToken);

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

    /// <summary>The newest commit of HEAD's history with a <paramref name="token"/> trailer naming a commit, and that value.</summary>
    private sealed record TrailerCommit(string Commit, string Value);

    private static Task<TrailerCommit?> FindTrailerCommitAsync(GitRepo repo, string token, CancellationToken cancellationToken) =>
        repo.QueryAsync(
            ["log", "--no-show-signature", "-1", "--extended-regexp", $"--grep=^{token}: *[0-9a-fA-F]{{7,}}", "--format=%H%x1f%B", "HEAD", "--"],
            output =>
            {
                var separator = output.IndexOf('\x1f', StringComparison.Ordinal);
                if (separator < 0)
                {
                    return null;
                }

                var commit = output[..separator].Trim();
                var message = output[(separator + 1)..];
                var value = CommitMessage.Parse(message).Get(token)
                    ?? TrailerAnywhere().Matches(message).Where(m => string.Equals(m.Groups[1].Value, token, StringComparison.OrdinalIgnoreCase)).Select(m => m.Groups[2].Value).LastOrDefault();
                return value is null ? null : new TrailerCommit(commit, value.Trim());
            },
            cancellationToken);

    /// <summary>Source-git's side of a status: rebased since the sync point or not, and the commits it has since.</summary>
    private sealed record SourceSide(bool Rebased, IReadOnlyList<string> Ahead);

    /// <summary>
    /// The commits from <paramref name="ancestor"/> (exclusive) to HEAD along the ancestry path, oldest first, or null
    /// when <paramref name="ancestor"/> is not an ancestor of HEAD: one rev-list answers both, since HEAD descends
    /// from it exactly when HEAD is that commit or the path is not empty.
    /// </summary>
    private static Task<IReadOnlyList<string>?> DescendantsAsync(GitRepo repo, string ancestor, CancellationToken cancellationToken) =>
        repo.QueryAsync<IReadOnlyList<string>?>(
            ["rev-list", "--reverse", "--ancestry-path", $"{ancestor}..{repo.InitialHead}", "--"],
            output =>
            {
                var commits = SplitLines(output);
                return commits.Length > 0 || ancestor == repo.InitialHead ? commits : null;
            },
            cancellationToken);

    private static Task<bool> IsAncestorAsync(GitRepo repo, string ancestor, string descendant, CancellationToken cancellationToken) =>
        repo.SucceedsAsync(["merge-base", "--is-ancestor", ancestor, descendant], cancellationToken);

    private static Task<IReadOnlyList<string>> RevListAsync(GitRepo repo, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        repo.QueryAsync<IReadOnlyList<string>>(["rev-list", "--reverse", .. arguments, "--"], SplitLines, cancellationToken);

    private static string[] SplitLines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

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

    private static async Task<SourceGitConfig> LoadConfigAsync(string sourceRoot, CancellationToken cancellationToken)
    {
        var path = Path.Combine(sourceRoot, SourceGitConfig.ConfigPath);
        if (!File.Exists(path))
        {
            throw new CiJobsException($"SRC '{sourceRoot}' is not a source-git repository: {SourceGitConfig.ConfigPath} is missing.", SourceGitExitCodes.NotSourceGit);
        }

        var yaml = await File.ReadAllTextAsync(path, cancellationToken);
        var distro = Path.Combine(sourceRoot, SourceGitConfig.DistroDirectory);
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
    private static (List<SpecPatch> Lines, int?[] Numbers) NumberPatches(SpecLayout spec, IReadOnlyList<PatchFile> patches)
    {
        var previous = spec.HighestNumber;
        var lines = new List<SpecPatch>();
        var numbers = new int?[patches.Count];
        for (var i = 0; i < patches.Count; i++)
        {
            var patch = patches[i];
            if (spec.NumberOf(patch.FileName) is { } listed)
            {
                numbers[i] = listed;
                continue;
            }

            if (patch.Metadata.PresentInSpecfile)
            {
                continue;
            }

            if (patch.Metadata.Id is null && previous == int.MaxValue)
            {
                throw new CiJobsException(
                    $"commit {patch.First.Commit.Short}: '{patch.FileName}' would need a patch number above {int.MaxValue}; lower the Patch-id before it.",
                    SourceGitExitCodes.InvalidPatchMetadata);
            }

            var number = patch.Metadata.Id ?? previous + 1;
            if (patch.Metadata.Id is { } id && id <= previous && !(previous == 0 && !spec.HasPatches && lines.Count == 0))
            {
                throw new CiJobsException(
                    $"commit {patch.First.Commit.Short}: Patch-id {id} of '{patch.FileName}' must be higher than the previous patch number {previous}.",
                    SourceGitExitCodes.InvalidPatchMetadata);
            }

            var comment = patch.Metadata.Status is { } status
                ? status.TrimEnd('\n').Split('\n')
                : patch.First.Message.WithoutTrailers.Split('\n');
            lines.Add(new SpecPatch(number, patch.FileName, comment));
            numbers[i] = number;
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
