namespace CiJobs.Core.Graph;

/// <summary>
/// An incremental rebuild: the changed packages and, on request, every package that build-requires one of them directly
/// or through others (docs/manual/mass-rebuild.md, "Incremental rebuilds"). Packages outside the selection are taken as
/// published: an edge to one is dropped, as a dependency the build root satisfies.
/// </summary>
public static class IncrementalSelection
{
    /// <summary>The graph of <paramref name="changed"/>, with their reverse build-dependencies when
    /// <paramref name="withReverseDependencies"/>; a changed name the graph does not hold is refused.</summary>
    public static DependencyGraph Select(DependencyGraph graph, IReadOnlyCollection<string> changed, bool withReverseDependencies)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(changed);
        var names = graph.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in changed)
        {
            if (!names.Contains(name))
            {
                throw new CiJobsException($"the changed package {name} is not in the graph", GraphExitCodes.InvalidInput);
            }
        }

        var selected = changed.ToHashSet(StringComparer.Ordinal);
        if (withReverseDependencies)
        {
            var dependents = graph.Edges.ToLookup(e => e.To, e => e.From, StringComparer.Ordinal);
            var queue = new Queue<string>(selected);
            while (queue.TryDequeue(out var package))
            {
                foreach (var dependent in dependents[package])
                {
                    if (selected.Add(dependent))
                    {
                        queue.Enqueue(dependent);
                    }
                }
            }
        }

        return DependencyGraph.FromEdges(
            [.. graph.Nodes.Where(n => selected.Contains(n.Name))],
            [.. graph.Edges.Where(e => selected.Contains(e.From) && selected.Contains(e.To))],
            [.. graph.External.Where(e => selected.Contains(e.Package))]);
    }
}
