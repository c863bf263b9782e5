using System.Text.RegularExpressions;
using CiJobs.Core.Git;

namespace CiJobs.Core.SourceGit;

/// <summary><c>status</c>: the sync point of SRC and DIST from their origin trailers, and what each side has since.</summary>
internal static partial class SyncStatusQuery
{
    /// <summary>
    /// Finds the sync point from the origin trailers (the newest <c>From-dist-git-commit</c> in SRC
    /// and <c>From-source-git-commit</c> in DIST; the pair with the later dist-git commit wins) and
    /// lists the commits each side has since.
    /// </summary>
    public static async Task<SyncStatus> RunAsync(GitCli git, string sourceGitDir, string distGitDir, CancellationToken cancellationToken)
    {
        var repositories = await SourceGitInputs.OpenBothAsync(git, sourceGitDir, distGitDir, cancellationToken);
        var (src, dist) = (repositories[0], repositories[1]);
        EnsureNotSwapped(src, dist);
        SourceGitConfig? config = null;
        if (File.Exists(Path.Combine(src.Root, SourceGitConfig.ConfigPath)))
        {
            config = await SourceGitInputs.LoadConfigAsync(src.Root, cancellationToken);
        }

        return await ComputeAsync(src, dist, config, cancellationToken);
    }

    public static async Task<SyncStatus> ComputeAsync(GitRepo src, GitRepo dist, SourceGitConfig? config, CancellationToken cancellationToken)
    {
        var fromSourceTask = FindTrailerCommitAsync(src, SourceGitConverter.FromDistGitCommit, cancellationToken);
        var fromDistTask = FindTrailerCommitAsync(dist, SourceGitConverter.FromSourceGitCommit, cancellationToken);
        await Task.WhenAll(fromSourceTask, fromDistTask);
        var fromSource = await fromSourceTask;
        var fromDist = await fromDistTask;
        if (fromSource is null && fromDist is null)
        {
            throw new CiJobsException(
                $"no sync point: SRC has no commit with a {SourceGitConverter.FromDistGitCommit} trailer and DIST none with a {SourceGitConverter.FromSourceGitCommit} trailer; use --force for the first conversion.",
                SourceGitExitCodes.NoSyncPoint);
        }

        var dgReference = fromSource is not null ? dist.TryResolveCommitAsync(fromSource.Value, cancellationToken) : Task.FromResult<string?>(null);
        var sgReference = fromDist is not null ? src.TryResolveCommitAsync(fromDist.Value, cancellationToken) : Task.FromResult<string?>(null);
        await Task.WhenAll(dgReference, sgReference);
        (string Sg, string Dg)? pairA = null, pairB = null;
        if (fromSource is { } a)
        {
            var dg = await dgReference
                ?? throw new CiJobsException($"SRC commit {a.Commit[..12]} says {SourceGitConverter.FromDistGitCommit}: {a.Value}, which DIST does not have (fetch it?).", SourceGitExitCodes.NoSyncPoint);
            pairA = (a.Commit, dg);
        }

        if (fromDist is { } b)
        {
            var sg = await sgReference
                ?? throw new CiJobsException($"DIST commit {b.Commit[..12]} says {SourceGitConverter.FromSourceGitCommit}: {b.Value}, which SRC does not have (fetch it?).", SourceGitExitCodes.NoSyncPoint);
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
        return new SyncStatus(state, sgSync, dgSync, useB ? SourceGitConverter.FromSourceGitCommit : SourceGitConverter.FromDistGitCommit, sgAhead, dgAhead, rebased);
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

    public static Task<bool> IsAncestorAsync(GitRepo repo, string ancestor, string descendant, CancellationToken cancellationToken) =>
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

    [GeneratedRegex(@"^([A-Za-z-]+): *(\S+) *$", RegexOptions.Multiline)]
    private static partial Regex TrailerAnywhere();
}
