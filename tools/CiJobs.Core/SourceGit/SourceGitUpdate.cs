using CiJobs.Core.Git;

namespace CiJobs.Core.SourceGit;

/// <summary><c>update-source-git</c>: dist-git commits made outside the flow, replayed one by one under SRC's <c>.distro/</c>.</summary>
internal static class SourceGitUpdate
{
    /// <summary>
    /// Replays dist-git commits made outside the flow onto source-git: each commit's changes are
    /// applied under <c>.distro/</c> and committed with the original author and message plus a
    /// <c>From-dist-git-commit</c> trailer. Commits touching <c>sources</c> or <c>*.patch</c> are
    /// refused (code changes belong in source-git). A commit that changes nothing is skipped, except
    /// the last one, which is committed empty so the sync point moves.
    /// </summary>
    public static async Task<UpdateSourceGitResult> RunAsync(GitCli git, string distGitDir, string sourceGitDir, UpdateSourceGitOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dist = await GitRepo.OpenAsync(git, distGitDir, "DIST", cancellationToken);
        var src = await GitRepo.OpenAsync(git, sourceGitDir, "SRC", cancellationToken);
        var config = await SourceGitInputs.LoadConfigAsync(src.Root, cancellationToken);
        await src.EnsurePristineAsync(cancellationToken);

        IReadOnlyList<string> range;
        if (options.RevisionRange is { Length: > 0 } revisionRange)
        {
            var listed = await dist.RunAsync(["rev-list", "--reverse", "--end-of-options", revisionRange, "--"], cancellationToken);
            range = listed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        else
        {
            var status = await SyncStatusQuery.ComputeAsync(src, dist, config, cancellationToken);
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
            if (refused is not null && message.Get(SourceGitConverter.FromSourceGitCommit) is null)
            {
                throw new CiJobsException(
                    $"dist-git commit {commit.Short} changes '{refused}'; code and source changes belong in source-git, so make them there and run update-dist-git.",
                    SourceGitExitCodes.ReplayFailed);
            }

            var replayable = paths.Where(p => p is not ".gitignore" and not "README.packit").ToList();
            if (message.Get(SourceGitConverter.FromSourceGitCommit) is null && replayable.Count > 0)
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

            var text = CommitMessage.Compose(message.Subject, string.Join('\n', commit.Message.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').SkipWhile(l => l.Trim().Length > 0)), new Trailer(SourceGitConverter.FromDistGitCommit, commit.Hash));
            await src.RunAsync(
                ["commit", "--quiet", "--allow-empty", "--no-verify", "--cleanup=verbatim", $"--author={commit.AuthorName} <{commit.AuthorEmail}>", $"--date={commit.AuthorDate}", "-F", "-"],
                cancellationToken,
                text);
            replayed.Add(new ReplayedCommit(commit.Hash, message.Subject, await src.HeadAsync(cancellationToken)));
        }

        return new UpdateSourceGitResult(replayed, NothingToDo: false);
    }
}
