using CiJobs.Core.Builds;
using CiJobs.Core.Git;
using CiJobs.Core.Platform;

namespace CiJobs.Core.BuildOnce;

/// <summary>
/// The trees a build of <paramref name="target"/> would build now: its source and distgit opened as <c>cijobs build</c>
/// opens them (a local folder, or a clone of the URL rdoinfo names), at the same refs, so that the post job compares
/// what it would rebuild with what the gate built. docs/manual/build-once.md.
/// </summary>
public static class MergedTrees
{
    public static async Task<(string Source, string Distgit)> ResolveAsync(GitCli git, BuildTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        OwnedDirectory.CleanStale(Path.GetTempPath(), "cijobs-reuse-");
        using var temp = OwnedDirectory.Create(Path.GetTempPath(), "cijobs-reuse-");
        var source = await BuildRepository.OpenAsync(git, "source", target.SourceLocation, temp.Path, cancellationToken);
        var sourceCommit = await source.ResolveAsync(target.SourceRef, cancellationToken);
        var distgit = await BuildRepository.OpenAsync(git, "distgit", target.DistgitLocation, temp.Path, cancellationToken);
        var distgitCommit = await distgit.ResolveAsync(target.DistgitRef, cancellationToken);
        return (await source.TreeAsync(sourceCommit.Hash, cancellationToken), await distgit.TreeAsync(distgitCommit.Hash, cancellationToken));
    }
}
