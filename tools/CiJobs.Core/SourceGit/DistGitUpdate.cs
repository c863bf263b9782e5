using CiJobs.Core.Git;

namespace CiJobs.Core.SourceGit;

/// <summary>
/// <c>update-dist-git</c>: reads SRC (config, sync state, upstream_ref, format-patch, downstream commits, tracked
/// files) with every read-only step at once, then has <see cref="DistGitWriter"/> write and commit DIST.
/// </summary>
internal static class DistGitUpdate
{
    public static async Task<UpdateDistGitResult> RunAsync(GitCli git, string sourceGitDir, string distGitDir, UpdateDistGitOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);

        // The first git processes and YamlDotNet's first use (it compiles a regex) each cost tens of
        // milliseconds: the config is read from SRC as given (usually its root) on another thread while
        // both repositories open, and read again only if SRC's root turns out to be elsewhere.
        var givenRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(sourceGitDir));
        await using var opening = new ConcurrentTasks(cancellationToken);
        var givenConfig = opening.Start(token => Task.Run(() => SourceGitInputs.LoadConfigAsync(givenRoot, token), token));
        var repositories = await SourceGitInputs.OpenBothAsync(git, sourceGitDir, distGitDir, cancellationToken);
        var (src, dist) = (repositories[0], repositories[1]);
        var config = await (src.Root == givenRoot ? givenConfig : SourceGitInputs.LoadConfigAsync(src.Root, cancellationToken));
        var sgHead = src.InitialHead;
        var upstreamRef = options.UpstreamRef ?? config.UpstreamRef
            ?? throw new CiJobsException($"{SourceGitConfig.ConfigPath} has no upstream_ref and none was given.", SourceGitExitCodes.BadConfig);
        var ignorePaths = config.PatchGenerationIgnorePaths.Concat(config.FilesToSync.SelectMany(i => i.Sources)).ToList();

        // Everything read-only starts at once; results are looked at in the order a user needs the
        // errors (dirty tree, sync state, upstream_ref), see ConcurrentTasks. Nothing in DIST's work tree is
        // written before that; format-patch's stream and the patch files wait in a scratch folder under its git
        // directory, deleted only after every step ended (the steps' scope closes before the finally).
        var work = Directory.CreateDirectory(Path.Combine(dist.GitDirectory, $"cijobs-source-git-{Guid.NewGuid():N}"));
        var patchStream = Path.Combine(work.FullName, "patches.mbox");

        // A plain ref needs no resolving first, so format-patch (the long step) starts at once; a glob waits for its expansion.
        var plainUpstreamRef = upstreamRef.IndexOfAny(['*', '?', '[']) < 0 && !upstreamRef.StartsWith('-');
        try
        {
            DistGitTarget target;
            StagedPatches patches;
            await using (var steps = new ConcurrentTasks(cancellationToken))
            {
                var upstream = steps.Start(token => ResolveUpstreamAsync(src, upstreamRef, sgHead, token));

                // format-patch first: it is the longest step and starting processes takes time too.
                var formatPatch = steps.Start(token => plainUpstreamRef
                    ? PatchGenerator.FormatPatchAsync(src, upstreamRef, sgHead, ignorePaths, patchStream, token)
                    : FormatPatchAfterResolvingAsync(token));
                var srcPristine = steps.KeepUncancelled(src.EnsurePristineAsync(cancellationToken));
                var distPristine = steps.KeepUncancelled(dist.EnsurePristineAsync(cancellationToken));
                var status = options.Force ? null : steps.Start(token => SyncStatusQuery.ComputeAsync(src, dist, config, token));
                var srcFiles = steps.Start(src.TrackedFilesAsync);
                var distFiles = steps.Start(dist.TrackedFilesAsync);
                var downstream = steps.Start(DownstreamCommitsAsync);
                var staged = steps.Start(token => StagePatchesAsync(formatPatch, downstream, work.FullName, token));
                var targetStep = steps.Start(token => DistGitWriter.TargetAsync(src, config, srcFiles, distFiles, token));

                await srcPristine;
                await distPristine;
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
                patches = await staged;
                target = await targetStep;

                async Task<FormatPatchStream> FormatPatchAfterResolvingAsync(CancellationToken token) =>
                    await PatchGenerator.FormatPatchAsync(src, await upstream, sgHead, ignorePaths, patchStream, token);

                // The downstream commits with their patch metadata, parsed while format-patch runs.
                async Task<IReadOnlyList<DownstreamCommit>> DownstreamCommitsAsync(CancellationToken token)
                {
                    var commits = await src.LogAsync([$"{await upstream}..{sgHead}"], token);
                    return ParseDownstream(commits, upstreamRef);
                }
            }

            // Every step ended: the writing uses the caller's token, not the closed scope's.
            return await DistGitWriter.WriteAsync(dist, target, sgHead, patches, options, cancellationToken);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The downstream commits with their patch metadata: trailer mode when any commit has a patch trailer (as Packit), else the legacy YAML block.</summary>
    private static List<DownstreamCommit> ParseDownstream(IReadOnlyList<CommitInfo> commits, string upstreamRef)
    {
        var merge = commits.FirstOrDefault(c => c.Parents.Count > 1);
        if (merge is not null)
        {
            throw new CiJobsException(
                $"downstream commit {merge.Short} is a merge; rebase the downstream commits onto {upstreamRef} into a linear history first.",
                SourceGitExitCodes.InvalidPatchMetadata);
        }

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

        if (!await SyncStatusQuery.IsAncestorAsync(src, upstream, head, cancellationToken))
        {
            throw new CiJobsException($"upstream_ref '{upstreamRef}' is not an ancestor of SRC HEAD.", SourceGitExitCodes.UpstreamRefNotFound);
        }

        return upstream;
    }

    /// <summary>
    /// Builds the patch files and writes them under <paramref name="workDirectory"/> as soon as format-patch and
    /// the log are in, while the checks finish; they move into DIST's work tree only after every check passed.
    /// </summary>
    private static async Task<StagedPatches> StagePatchesAsync(
        Task<FormatPatchStream> formatPatch,
        Task<IReadOnlyList<DownstreamCommit>> downstream,
        string workDirectory,
        CancellationToken cancellationToken)
    {
        var stream = await formatPatch;
        var commits = await downstream;
        var patches = PatchGenerator.Build(PatchGenerator.Split(stream, commits.Select(c => c.Commit).ToList()), commits);
        return new StagedPatches(patches, ScratchPatchWriter.Write(patches, workDirectory, cancellationToken));
    }
}

/// <summary>The patch files to write and where they wait, written, to be moved into DIST.</summary>
internal sealed record StagedPatches(IReadOnlyList<PatchFile> Patches, IReadOnlyList<string> Files);
