namespace CiJobs.Core.Graph;

/// <summary>A package of the graph: its name, <c>rpm</c> or <c>deb</c>, and its binary packages.</summary>
public sealed record GraphNode(string Name, string Format, IReadOnlyList<string> Binaries);

/// <summary><paramref name="From"/> build-requires <paramref name="To"/> (so <paramref name="To"/> builds first) through
/// the dependency names in <paramref name="Via"/>.</summary>
public sealed record GraphEdge(string From, string To, IReadOnlyList<string> Via);

/// <summary>A build dependency of <paramref name="Package"/> that no package of the graph provides: it comes from the buildroot.</summary>
public sealed record ExternalDependency(string Package, string Dependency);

/// <summary>A strongly connected component of more than one package (or one that build-requires itself through
/// another name is never a cycle: self edges are dropped), with the edges among its packages.</summary>
public sealed record GraphCycle(IReadOnlyList<string> Packages, IReadOnlyList<GraphEdge> Edges);

/// <summary>The build-dependency graph of a set of packages (docs/manual/graph-and-partitions.md, "Mapping dependencies").</summary>
public sealed record DependencyGraph(
    IReadOnlyList<GraphNode> Nodes,
    IReadOnlyList<GraphEdge> Edges,
    IReadOnlyList<ExternalDependency> External,
    IReadOnlyList<GraphCycle> Cycles)
{
    /// <summary>
    /// Maps each build dependency to the packages that satisfy it, by the first rule that matches: a package's name or
    /// its source name; else a binary package's name; else a name some binary package provides. Versions are not
    /// compared. A dependency nothing matches is external. A package satisfying its own dependency adds no edge.
    /// </summary>
    public static DependencyGraph Build(IReadOnlyList<PackageDependencies> packages)
    {
        ArgumentNullException.ThrowIfNull(packages);
        var ordered = packages.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].Name == ordered[i - 1].Name)
            {
                throw new CiJobsException($"the package {ordered[i].Name} is given twice", GraphExitCodes.InvalidInput);
            }
        }

        var byName = Index(ordered, p => [p.Name, p.SourceName]);
        var byBinary = Index(ordered, p => p.Binaries);
        var byProvide = Index(ordered, p => p.Provides);

        var edges = new Dictionary<(string From, string To), SortedSet<string>>();
        var external = new List<ExternalDependency>();
        foreach (var package in ordered)
        {
            foreach (var dependency in package.BuildRequires)
            {
                var targets = byName.GetValueOrDefault(dependency) ?? byBinary.GetValueOrDefault(dependency) ?? byProvide.GetValueOrDefault(dependency);
                if (targets is null)
                {
                    external.Add(new ExternalDependency(package.Name, dependency));
                    continue;
                }

                foreach (var target in targets.Where(t => t != package.Name))
                {
                    if (!edges.TryGetValue((package.Name, target), out var via))
                    {
                        edges[(package.Name, target)] = via = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    via.Add(dependency);
                }
            }
        }

        var nodes = ordered.Select(p => new GraphNode(p.Name, p.Format, p.Binaries)).ToList();
        var edgeList = edges
            .OrderBy(e => e.Key.From, StringComparer.Ordinal).ThenBy(e => e.Key.To, StringComparer.Ordinal)
            .Select(e => new GraphEdge(e.Key.From, e.Key.To, [.. e.Value]))
            .ToList();
        return FromEdges(nodes, edgeList, external);
    }

    /// <summary>A graph of the given nodes and edges (from a graph file or a generator), its cycles found.</summary>
    public static DependencyGraph FromEdges(IReadOnlyList<GraphNode> nodes, IReadOnlyList<GraphEdge> edges, IReadOnlyList<ExternalDependency> external)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(edges);
        var index = IndexOf(nodes);
        var adjacency = Adjacency(index, nodes.Count, edges);
        var components = StronglyConnected.Components(adjacency);
        var cycles = new List<GraphCycle>();
        foreach (var group in components.Select((c, i) => (Component: c, Node: i)).GroupBy(x => x.Component).Where(g => g.Count() > 1))
        {
            var members = group.Select(x => nodes[x.Node].Name).Order(StringComparer.Ordinal).ToList();
            var set = members.ToHashSet(StringComparer.Ordinal);
            cycles.Add(new GraphCycle(members, [.. edges.Where(e => set.Contains(e.From) && set.Contains(e.To))]));
        }

        return new DependencyGraph(nodes, edges, external, [.. cycles.OrderBy(c => c.Packages[0], StringComparer.Ordinal)]);
    }

    /// <summary>Node name to its position; duplicate names are refused.</summary>
    internal static Dictionary<string, int> IndexOf(IReadOnlyList<GraphNode> nodes)
    {
        var index = new Dictionary<string, int>(nodes.Count, StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            if (!index.TryAdd(nodes[i].Name, i))
            {
                throw new CiJobsException($"the package {nodes[i].Name} is given twice", GraphExitCodes.InvalidInput);
            }
        }

        return index;
    }

    /// <summary>For each node, the nodes it build-requires; an edge naming an unknown node is refused.</summary>
    internal static int[][] Adjacency(Dictionary<string, int> index, int count, IEnumerable<GraphEdge> edges)
    {
        var lists = new List<int>[count];
        for (var i = 0; i < count; i++)
        {
            lists[i] = [];
        }

        foreach (var edge in edges)
        {
            if (!index.TryGetValue(edge.From, out var from) || !index.TryGetValue(edge.To, out var to))
            {
                throw new CiJobsException($"the edge {edge.From} -> {edge.To} names a package the graph does not hold", GraphExitCodes.InvalidInput);
            }

            if (from != to)
            {
                lists[from].Add(to);
            }
        }

        return [.. lists.Select(l => l.Distinct().Order().ToArray())];
    }

    private static Dictionary<string, List<string>> Index(IEnumerable<PackageDependencies> packages, Func<PackageDependencies, IEnumerable<string>> keys)
    {
        var index = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var package in packages)
        {
            foreach (var key in keys(package).Distinct(StringComparer.Ordinal))
            {
                if (!index.TryGetValue(key, out var list))
                {
                    index[key] = list = [];
                }

                list.Add(package.Name);
            }
        }

        return index;
    }
}
