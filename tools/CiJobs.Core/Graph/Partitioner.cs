namespace CiJobs.Core.Graph;

/// <summary>One partition of one wave: the packages a CI node builds, and their estimated build time.</summary>
public sealed record PartitionPlan(int Partition, double Seconds, IReadOnlyList<string> Packages);

/// <summary>A wave: partitions that build at the same time, each needing only what earlier waves built.</summary>
public sealed record WavePlan(int Wave, double Seconds, IReadOnlyList<PartitionPlan> Partitions);

/// <summary>The split by name (ahriman's way): names sorted and dealt out in turn, dependencies ignored.</summary>
public sealed record ByNameSplit(double MakespanSeconds, double RatioToLowerBound, int BrokenEdges);

/// <summary>
/// A partitioned plan (docs/manual/graph-and-partitions.md, "Partitions"). <paramref name="MakespanSeconds"/> is the
/// sum over waves of each wave's most loaded partition; <paramref name="LowerBoundSeconds"/> is
/// max(total / partitions, critical path), which no schedule that respects dependencies can beat.
/// </summary>
public sealed record PartitionedPlan(
    int Partitions,
    int Packages,
    int UnknownTimes,
    double TotalSeconds,
    double CriticalPathSeconds,
    double LowerBoundSeconds,
    double MakespanSeconds,
    double RatioToLowerBound,
    int Components,
    int LargestComponent,
    IReadOnlyList<WavePlan> Waves,
    ByNameSplit ByName);

/// <summary>Splits a build graph into balanced partitions that no dependency crosses; deterministic (ties by name),
/// since every CI node computes the same plan for itself.</summary>
public static class Partitioner
{
    public static PartitionedPlan Plan(DependencyGraph graph, int partitions, IReadOnlyDictionary<string, double> times, double defaultSeconds)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(times);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(defaultSeconds);

        // Nodes in name order, so the same input gives the same plan whatever order it came in.
        var nodes = graph.Nodes.OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        var names = nodes.Select(n => n.Name).ToArray();
        var index = DependencyGraph.IndexOf(nodes);
        var adjacency = DependencyGraph.Adjacency(index, nodes.Count, graph.Edges);
        var unknown = names.Count(n => !times.ContainsKey(n));
        var cost = names.Select(n => times.TryGetValue(n, out var t) ? t : defaultSeconds).ToArray();
        var total = cost.Sum();

        // Units: strongly connected components (a cycle builds in one partition).
        var scc = StronglyConnected.Components(adjacency);
        var unitCount = names.Length == 0 ? 0 : scc.Max() + 1;
        var unitCost = new double[unitCount];
        var unitMembers = new List<int>[unitCount];
        for (var u = 0; u < unitCount; u++)
        {
            unitMembers[u] = [];
        }

        for (var i = 0; i < names.Length; i++)
        {
            unitCost[scc[i]] += cost[i];
            unitMembers[scc[i]].Add(i);
        }

        var unitDeps = new HashSet<int>[unitCount];
        for (var u = 0; u < unitCount; u++)
        {
            unitDeps[u] = [];
        }

        for (var i = 0; i < names.Length; i++)
        {
            foreach (var j in adjacency[i].Where(j => scc[j] != scc[i]))
            {
                unitDeps[scc[i]].Add(scc[j]);
            }
        }

        // Tarjan numbers a unit after every unit it depends on: ascending order is a build order.
        var level = new int[unitCount];
        var finish = new double[unitCount];
        for (var u = 0; u < unitCount; u++)
        {
            level[u] = unitDeps[u].Count == 0 ? 0 : unitDeps[u].Max(d => level[d]) + 1;
            finish[u] = unitCost[u] + (unitDeps[u].Count == 0 ? 0 : unitDeps[u].Max(d => finish[d]));
        }

        var criticalPath = unitCount == 0 ? 0 : finish.Max();
        var lowerBound = Math.Max(total / partitions, criticalPath);

        // Weakly connected components, by union-find over the edges.
        var parent = Enumerable.Range(0, names.Length).ToArray();
        int Find(int x)
        {
            while (parent[x] != x)
            {
                x = parent[x] = parent[parent[x]];
            }

            return x;
        }

        for (var i = 0; i < names.Length; i++)
        {
            foreach (var j in adjacency[i])
            {
                var (a, b) = (Find(i), Find(j));
                if (a != b)
                {
                    parent[Math.Max(a, b)] = Math.Min(a, b);
                }
            }
        }

        var components = Enumerable.Range(0, names.Length).GroupBy(Find)
            .Select(g => (Members: g.ToList(), Seconds: g.Sum(i => cost[i]), First: names[g.Min()]))
            .ToList();
        var ideal = total / partitions;

        // A component larger than the ideal load is split into waves by the levels of its units; the others stay whole.
        var large = components.Where(c => c.Seconds > ideal && c.Members.Count > 1).ToList();
        var waveCount = large.Count == 0 ? 1 : large.SelectMany(c => c.Members).Max(i => level[scc[i]]) + 1;
        var loads = new double[waveCount][];
        var contents = new List<int>[waveCount][];
        for (var w = 0; w < waveCount; w++)
        {
            loads[w] = new double[partitions];
            contents[w] = new List<int>[partitions];
            for (var p = 0; p < partitions; p++)
            {
                contents[w][p] = [];
            }
        }

        var largeUnits = large.SelectMany(c => c.Members).Select(i => scc[i]).Distinct()
            .Select(u => (Unit: u, Seconds: unitCost[u], First: unitMembers[u].Min()))
            .OrderByDescending(x => x.Seconds).ThenBy(x => x.First)
            .ToList();
        foreach (var (unit, seconds, _) in largeUnits)
        {
            var w = level[unit];
            var p = LeastLoaded(loads[w]);
            loads[w][p] += seconds;
            contents[w][p].AddRange(unitMembers[unit]);
        }

        // Whole components, largest first, into the (wave, partition) that raises the makespan least: with one wave
        // this is LPT (least loaded partition); with several it fills the gaps under each wave's longest partition.
        var largeSet = large.Select(c => c.First).ToHashSet(StringComparer.Ordinal);
        foreach (var component in components.Where(c => !largeSet.Contains(c.First))
                     .OrderByDescending(c => c.Seconds).ThenBy(c => c.First, StringComparer.Ordinal))
        {
            var (bestWave, bestPartition, bestRise, bestLoad) = (0, 0, double.MaxValue, double.MaxValue);
            for (var w = 0; w < waveCount; w++)
            {
                var max = loads[w].Max();
                for (var p = 0; p < partitions; p++)
                {
                    var rise = Math.Max(0, loads[w][p] + component.Seconds - max);
                    if (rise < bestRise || (rise == bestRise && loads[w][p] < bestLoad))
                    {
                        (bestWave, bestPartition, bestRise, bestLoad) = (w, p, rise, loads[w][p]);
                    }
                }
            }

            loads[bestWave][bestPartition] += component.Seconds;
            contents[bestWave][bestPartition].AddRange(component.Members);
        }

        var waves = new List<WavePlan>();
        for (var w = 0; w < waveCount; w++)
        {
            // Each partition's packages in a build order (dependencies first), ties by name.
            var parts = Enumerable.Range(0, partitions)
                .Select(p => new PartitionPlan(
                    p + 1,
                    loads[w][p],
                    [.. contents[w][p].OrderBy(i => level[scc[i]]).ThenBy(i => scc[i]).ThenBy(i => names[i], StringComparer.Ordinal).Select(i => names[i])]))
                .ToList();
            waves.Add(new WavePlan(w + 1, parts.Max(p => p.Seconds), parts));
        }

        var makespan = waves.Sum(w => w.Seconds);
        return new PartitionedPlan(
            partitions,
            names.Length,
            unknown,
            total,
            criticalPath,
            lowerBound,
            makespan,
            Ratio(makespan, lowerBound),
            components.Count,
            components.Count == 0 ? 0 : components.Max(c => c.Members.Count),
            waves,
            SplitByName(names, cost, adjacency, partitions, lowerBound));
    }

    /// <summary>
    /// ahriman's split: sorted names dealt out in turn. Its makespan is the most loaded partition as if all ran at
    /// once, which is optimistic: a package whose dependency sits in another partition cannot really build then.
    /// </summary>
    private static ByNameSplit SplitByName(string[] sortedNames, double[] cost, int[][] adjacency, int partitions, double lowerBound)
    {
        var loads = new double[partitions];
        for (var i = 0; i < sortedNames.Length; i++)
        {
            loads[i % partitions] += cost[i];
        }

        var broken = 0;
        for (var i = 0; i < sortedNames.Length; i++)
        {
            broken += adjacency[i].Count(j => j % partitions != i % partitions);
        }

        var makespan = loads.Max();
        return new ByNameSplit(makespan, Ratio(makespan, lowerBound), broken);
    }

    private static int LeastLoaded(double[] loads)
    {
        var best = 0;
        for (var p = 1; p < loads.Length; p++)
        {
            if (loads[p] < loads[best])
            {
                best = p;
            }
        }

        return best;
    }

    private static double Ratio(double value, double bound) => bound > 0 ? Math.Round(value / bound, 4) : 1;
}
