using CiJobs.Core.Builds;
using CiJobs.Core.Rdoinfo;

namespace CiJobs.Core.Graph;

/// <summary>Where the packages of a graph come from (docs/manual/graph-and-partitions.md, "Input").</summary>
public sealed record PackageSourceRequest
{
    /// <summary><c>NAME=DIR</c> items: a package and its distgit (spec) folder.</summary>
    public IReadOnlyList<string> SpecDirs { get; init; } = [];

    /// <summary>Folders whose sub-folders are packages, named as the sub-folder.</summary>
    public IReadOnlyList<string> PackagesDirs { get; init; } = [];

    /// <summary>The release's packages of this rdoinfo database, with <see cref="Release"/> and <see cref="CheckoutsDir"/>.</summary>
    public RdoinfoDatabase? Rdoinfo { get; init; }

    public string? Release { get; init; }

    /// <summary>One distgit checkout per package name; the package's <c>distgit-path</c> is followed inside it.</summary>
    public string? CheckoutsDir { get; init; }

    public int MaxPackages { get; init; } = GraphFiles.DefaultMaxPackages;
}

public static class PackageSources
{
    /// <summary>Every package asked for, by name; a name given twice, an unsafe name or folder, or a missing checkout is refused.</summary>
    public static IReadOnlyList<PackageSource> Collect(PackageSourceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sources = new Dictionary<string, PackageSource>(StringComparer.Ordinal);
        void Add(string name, string directory)
        {
            if (!PackageNames.IsSafe(name))
            {
                throw new CiJobsException($"invalid package name '{PackageNames.Printable(name)}': use letters, digits and . _ + - only", GraphExitCodes.InvalidInput);
            }

            if (!sources.TryAdd(name, new PackageSource(name, Path.GetFullPath(directory))))
            {
                throw new CiJobsException($"the package {name} is given twice", GraphExitCodes.InvalidInput);
            }

            if (sources.Count > request.MaxPackages)
            {
                throw new CiJobsException($"more than {request.MaxPackages} packages (--max-packages)", GraphExitCodes.LimitExceeded);
            }
        }

        foreach (var item in request.SpecDirs)
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == item.Length - 1)
            {
                throw new CiJobsException($"--spec-dir '{PackageNames.Printable(item)}': write it NAME=DIR", GraphExitCodes.InvalidInput);
            }

            Add(item[..equals], item[(equals + 1)..]);
        }

        foreach (var folder in request.PackagesDirs)
        {
            if (!Directory.Exists(folder))
            {
                throw new CiJobsException($"--packages-dir {folder} is not a folder", GraphExitCodes.InvalidInput);
            }

            foreach (var directory in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(directory);
                if (!name.StartsWith('.'))
                {
                    Add(name, directory);
                }
            }
        }

        if (request.Rdoinfo is { } database)
        {
            var release = request.Release ?? throw new CiJobsException("--rdoinfo needs --release", GraphExitCodes.InvalidInput);
            var checkouts = request.CheckoutsDir ?? throw new CiJobsException("--rdoinfo needs --checkouts-dir (one distgit checkout per package name)", GraphExitCodes.InvalidInput);
            var missing = new List<string>();
            foreach (var package in database.ExpandAll(release).OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                var name = package.Name;
                var subPath = (package.DistgitPath ?? "").Trim('/');
                if (!PackageNames.IsSafe(name) || subPath.Split('/').Any(part => part is ".." or "."))
                {
                    throw new CiJobsException($"rdoinfo: package '{PackageNames.Printable(name)}' has a name or distgit-path not safe in a path", GraphExitCodes.InvalidInput);
                }

                var directory = subPath.Length == 0 ? Path.Combine(checkouts, name) : Path.Combine(checkouts, name, subPath);
                if (!Directory.Exists(directory))
                {
                    missing.Add(name);
                    continue;
                }

                Add(name, directory);
            }

            if (missing.Count > 0)
            {
                throw new CiJobsException(
                    $"{missing.Count} package(s) of {release} have no checkout under {checkouts}: {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", ..." : "")}",
                    GraphExitCodes.DependenciesUnreadable);
            }
        }

        if (sources.Count == 0)
        {
            throw new CiJobsException("no package: give --spec-dir NAME=DIR, --packages-dir DIR, or --rdoinfo DIR --release R --checkouts-dir DIR", GraphExitCodes.InvalidInput);
        }

        return [.. sources.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];
    }

    /// <summary>Reads every package (two at a time: the tools are CPU-bound) and builds the graph.</summary>
    public static async Task<DependencyGraph> BuildGraphAsync(IReadOnlyList<PackageSource> sources, DependencyReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(reader);
        var results = new PackageDependencies[sources.Count];
        await Parallel.ForAsync(
            0,
            sources.Count,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(Environment.ProcessorCount, 1, 4), CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await reader.ReadAsync(sources[i], ct));
        return DependencyGraph.Build(results);
    }
}
