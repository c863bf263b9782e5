using CiJobs.Core.Builds;
using CiJobs.Core.Rdoinfo;

namespace CiJobs.Core.Truth;

/// <summary>
/// What rdoinfo says a release should produce (its packages, with the refs of <see cref="BuildTargetResolver"/>), joined
/// with the newest build the store has of each (docs/manual/truth.md, "Queries").
/// </summary>
public static class TruthReleaseStatus
{
    /// <summary>The states of a package: no build, the newest build succeeded on the expected refs, it failed, or it was built from other refs.</summary>
    public const string Missing = "missing";
    public const string Built = "built";
    public const string Failed = "failed";
    public const string OtherRef = "other-ref";

    /// <summary>The status of <paramref name="releaseName"/>; an unknown release is a usage error listing the known ones.</summary>
    public static Task<ReleaseStatus> ComputeAsync(RdoinfoDatabase database, string releaseName, ITruthQueries queries, int limit, CancellationToken cancellationToken) =>
        ComputeAsync(database, releaseName, queries, limit, expanded: null, cancellationToken);

    /// <summary>
    /// As above; <paramref name="expanded"/> keeps each release's packages, expanded and sorted, for the next call with the
    /// same <paramref name="database"/> (a server's rdoinfo never changes while it runs; the expansion of a release of 361
    /// packages costs more than the store's query). The caller serializes the calls that share it.
    /// </summary>
    public static async Task<ReleaseStatus> ComputeAsync(
        RdoinfoDatabase database, string releaseName, ITruthQueries queries, int limit, IDictionary<string, IReadOnlyList<RdoPackage>>? expanded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(queries);
        var release = database.FindRelease(releaseName)
            ?? throw new CiJobsException(
                $"unknown release '{PackageNames.Printable(releaseName)}'; rdoinfo defines {string.Join(", ", database.Releases.Select(r => r.Name).Take(50))}",
                TruthExitCodes.StoreOption);
        if (expanded is null || !expanded.TryGetValue(release.Name, out var packages))
        {
            packages = database.ExpandAll(release.Name).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
            expanded?.Add(release.Name, packages);
        }

        var shown = packages.Take(limit).ToList();
        var latest = (await queries.LatestBuildsAsync([.. shown.Select(p => p.Name)], release.Name, cancellationToken))
            .ToDictionary(b => b.Package, StringComparer.Ordinal);
        var items = new List<ReleasePackageStatus>(shown.Count);
        foreach (var package in shown)
        {
            var sourceRef = BuildTargetResolver.SourceRef(package, release).Ref;
            var distgitRef = BuildTargetResolver.DistgitRef(package, release).Ref;
            latest.TryGetValue(package.Name, out var build);
            var state = build is null ? Missing
                : !string.Equals(build.Status, "SUCCESS", StringComparison.Ordinal) ? Failed
                : build.CommitBranch != sourceRef || build.DistroBranch != distgitRef ? OtherRef
                : Built;
            items.Add(new ReleasePackageStatus(package.Name, package.Project, package.Upstream, sourceRef, package.MasterDistgit, distgitRef, state, build));
        }

        return new ReleaseStatus(
            release.Name,
            packages.Count,
            items.Count(i => i.State == Built),
            items.Count(i => i.State == Failed),
            items.Count(i => i.State == OtherRef),
            items.Count(i => i.State == Missing),
            items,
            packages.Count > shown.Count);
    }
}

/// <summary>A release's packages and their states; the counts are over <see cref="Items"/>, which <see cref="Truncated"/> says is cut short.</summary>
public sealed record ReleaseStatus(string Release, int Packages, int Built, int Failed, int OtherRef, int Missing, IReadOnlyList<ReleasePackageStatus> Items, bool Truncated);

/// <summary>One package: where and from which refs rdoinfo says to build it, its state, and the newest build (none when missing).</summary>
public sealed record ReleasePackageStatus(string Package, string Project, string? Upstream, string SourceRef, string? Distgit, string DistgitRef, string State, BuildSummary? Latest);
