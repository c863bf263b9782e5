using CiJobs.Core.Rdoinfo;

namespace CiJobs.Core.ZuulConfig.Bot;

/// <summary>
/// Turns rdoinfo into Zuul configuration: for every package, its upstream source repository (template
/// <see cref="ConfigBotNames.PackageSourceTemplate"/>) and its distgit (template <see cref="ConfigBotNames.PackageDistgitTemplate"/>,
/// with the distgit's default branch), each carrying the package name and per-release source branches.
/// Repositories several packages share get one stanza listing all of them.
/// </summary>
public static class ZuulConfigGenerator
{
    public static GeneratedConfig Generate(RdoinfoDatabase database, ZuulGeneratorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(settings);
        var releases = database.Releases
            .Where(r => !settings.SkippedReleaseStatuses.Contains(r.Status ?? "", StringComparer.OrdinalIgnoreCase))
            .ToList();
        var developmentRelease = database.Releases.FirstOrDefault(r => r.Status == "development") ?? database.Releases.FirstOrDefault();
        // Expanding is the costly part (one expansion per package and release) and reads the database only: done in
        // parallel, kept in order. A package rdoinfo refuses (a bad substitution) is reported as rdoinfo's own error,
        // the first in rdoinfo's order, never as the AggregateException of the parallel query.
        var expanded = database.Projects
            .AsParallel()
            .AsOrdered()
            .Select(project =>
            {
                try
                {
                    var package = database.Expand(project);
                    return (Package: package, Generated: new GeneratedPackage(package.Name, package.Project, package.IsUnderReview, SourceBranches(database, package, releases)), Error: (CiJobsException?)null);
                }
                catch (CiJobsException e)
                {
                    return (Package: null!, Generated: null!, Error: e);
                }
            })
            .ToList();
        if (expanded.FirstOrDefault(e => e.Error is not null).Error is { } error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        var byName = new Dictionary<string, Builder>(StringComparer.Ordinal);
        foreach (var (package, generated, _) in expanded)
        {
            if (RepositoryUrl.Parse(package.Upstream) is { } upstream)
            {
                var connection = settings.Connections.GetValueOrDefault(upstream.Host) ?? upstream.Host;
                Add(byName, upstream, connection, ConfigBotNames.PackageSourceTemplate, package.SourceBranch, generated);
            }

            var distgitUrl = package.GetString("review-origin") ?? package.MasterDistgit;
            if (RepositoryUrl.Parse(distgitUrl) is { } distgit)
            {
                var connection = settings.Connections.GetValueOrDefault(distgit.Host) ?? settings.DistgitConnection;
                Add(byName, distgit, connection, ConfigBotNames.PackageDistgitTemplate, package.DistroBranch ?? developmentRelease?.Branch, generated);
            }
        }

        var projects = byName.Values
            .Select(b => b.Build())
            .OrderBy(p => p.CanonicalName, StringComparer.Ordinal)
            .ToList();
        return new GeneratedConfig(settings.Tenant, projects);
    }

    private static List<KeyValuePair<string, string>> SourceBranches(RdoinfoDatabase database, RdoPackage package, IReadOnlyList<RdoRelease> releases)
    {
        var branches = new List<KeyValuePair<string, string>>();
        foreach (var release in releases)
        {
            if (database.ReleaseTagFor(package.Project, release.Name) is not { } tag)
            {
                continue;
            }

            var source = database.Expand(package.Project, tag).SourceBranch ?? release.UpstreamBranch;
            if (!string.IsNullOrEmpty(source) && source != "-")
            {
                branches.Add(new(release.Name, source));
            }
        }

        return branches;
    }

    private static void Add(Dictionary<string, Builder> byName, RepositoryUrl url, string connection, string template, string? defaultBranch, GeneratedPackage package)
    {
        var key = $"{url.Host}/{url.Path}";
        if (!byName.TryGetValue(key, out var builder))
        {
            builder = new Builder(connection, url.Host, url.Path);
            byName[key] = builder;
        }

        builder.Templates.Add(template);
        builder.Packages.Add(package);
        if (defaultBranch is not null)
        {
            builder.DefaultBranches.Add((package.Name, defaultBranch));
        }
    }

    private sealed class Builder(string connection, string host, string path)
    {
        public SortedSet<string> Templates { get; } = new(StringComparer.Ordinal);

        public List<GeneratedPackage> Packages { get; } = [];

        public List<(string Package, string Branch)> DefaultBranches { get; } = [];

        // Zuul takes the first default-branch; the alphabetically first package decides, so file order never matters.
        public GeneratedProject Build() => new(
            connection,
            host,
            path,
            DefaultBranches.OrderBy(d => d.Package, StringComparer.Ordinal).Select(d => d.Branch).FirstOrDefault(),
            [.. Templates],
            [.. Packages.DistinctBy(p => p.Name).OrderBy(p => p.Name, StringComparer.Ordinal)]);
    }
}
