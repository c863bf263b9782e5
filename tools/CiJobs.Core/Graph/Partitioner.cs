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

/// <summary>How the units of components larger than the ideal load are laid out in waves.</summary>
internal enum WaveLayout
{
    /// <summary>Both layouts below; the smaller makespan wins (levels on a tie).</summary>
    Best,

    /// <summary>One wave per level of the condensed graph.</summary>
    Levels,

    /// <summary>Critical-path-first list scheduling in waves of a searched length.</summary>
    ListSchedule,

    /// <summary>The same list schedule with every unit, small components included (split by their own order).</summary>
    AllUnits,
}

/// <summary>Splits a build graph into balanced partitions that no dependency crosses; deterministic (ties by name),
/// since every CI node computes the same plan for itself.</summary>
public static class Partitioner
{
    public static PartitionedPlan Plan(DependencyGraph graph, int partitions, IReadOnlyDictionary<string, double> times, double defaultSeconds) =>
        Plan(graph, partitions, times, defaultSeconds, WaveLayout.Best);

    internal static PartitionedPlan Plan(DependencyGraph graph, int partitions, IReadOnlyDictionary<string, double> times, double defaultSeconds, WaveLayout layout)
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

        var depSets = new SortedSet<int>[unitCount];
        for (var u = 0; u < unitCount; u++)
        {
            depSets[u] = [];
        }

        for (var i = 0; i < names.Length; i++)
        {
            foreach (var j in adjacency[i].Where(j => scc[j] != scc[i]))
            {
                depSets[scc[i]].Add(scc[j]);
            }
        }

        var unitDeps = depSets.Select(d => d.ToArray()).ToArray();

        // Tarjan numbers a unit after every unit it depends on: ascending order is a build order.
        var level = new int[unitCount];
        var finish = new double[unitCount];
        for (var u = 0; u < unitCount; u++)
        {
            level[u] = unitDeps[u].Length == 0 ? 0 : unitDeps[u].Max(d => level[d]) + 1;
            finish[u] = unitCost[u] + (unitDeps[u].Length == 0 ? 0 : unitDeps[u].Max(d => finish[d]));
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
            .Select(g => new Component(g.ToList(), g.Sum(i => cost[i]), names[g.Min()]))
            .ToList();
        var ideal = total / partitions;

        // A component larger than the ideal load is split into units over waves; in the first two layouts the others
        // stay whole, and go, largest first, where they raise the makespan least.
        var large = components.Where(c => c.Seconds > ideal && c.Members.Count > 1).ToList();
        var largeSet = large.Select(c => c.First).ToHashSet(StringComparer.Ordinal);
        var small = components.Where(c => !largeSet.Contains(c.First))
            .OrderByDescending(c => c.Seconds).ThenBy(c => c.First, StringComparer.Ordinal).ToList();
        var largeUnits = large.SelectMany(c => c.Members).Select(i => scc[i]).Distinct().Order().ToArray();
        var units = new Units(unitCost, unitMembers, unitDeps, level);

        // Candidates in order (levels, list schedule of the large components, list schedule of every unit); the
        // shortest wins, the earliest on a tie, so the plan is never longer than an earlier candidate's.
        var budget = new Budget { Left = Budget.Slots };
        var chosen = layout is WaveLayout.Best or WaveLayout.Levels ? FillSmall(ByLevels(units, largeUnits, partitions), small) : null;
        void Consider(Layout? candidate)
        {
            if (candidate is not null && (chosen is null || candidate.Makespan < chosen.Makespan))
            {
                chosen = candidate;
            }
        }

        if (layout is WaveLayout.Best or WaveLayout.ListSchedule && largeUnits.Length > 0)
        {
            Consider(BestListSchedule(units, largeUnits, partitions, lowerBound, small, budget, eachWave: false));
        }

        // Only a cycle must stay whole: with a component larger than the ideal load there are waves anyway, and the
        // small components' units may then go in them too, each where its own dependencies allow.
        if (layout is WaveLayout.Best or WaveLayout.AllUnits && largeUnits.Length > 0)
        {
            Consider(BestListSchedule(units, [.. Enumerable.Range(0, unitCount)], partitions, lowerBound, [], budget, eachWave: true));
        }

        chosen ??= FillSmall(ByLevels(units, largeUnits, partitions), small);

        var waves = new List<WavePlan>();
        for (var w = 0; w < chosen.Loads.Count; w++)
        {
            // Each partition's packages in a build order (Tarjan's unit order puts dependencies first), ties by name.
            var parts = Enumerable.Range(0, partitions)
                .Select(p => new PartitionPlan(
                    p + 1,
                    chosen.Loads[w][p],
                    [.. chosen.Contents[w][p].OrderBy(i => scc[i]).ThenBy(i => names[i], StringComparer.Ordinal).Select(i => names[i])]))
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

    private sealed record Component(List<int> Members, double Seconds, string First);

    /// <summary>The condensed graph: each unit's build time, packages, dependencies (smaller numbers) and level.</summary>
    private sealed record Units(double[] Cost, List<int>[] Members, int[][] Deps, int[] Level);

    /// <summary>Waves of partitions: each one's load and packages.</summary>
    private sealed record Layout(List<double[]> Loads, List<List<int>[]> Contents)
    {
        public double Makespan => Loads.Sum(l => l.Max());

        public static Layout Empty(int waves, int partitions)
        {
            var layout = new Layout([], []);
            for (var w = 0; w < waves; w++)
            {
                layout.AddWave(partitions);
            }

            return layout;
        }

        public void AddWave(int partitions)
        {
            Loads.Add(new double[partitions]);
            var contents = new List<int>[partitions];
            for (var p = 0; p < partitions; p++)
            {
                contents[p] = [];
            }

            Contents.Add(contents);
        }

        public void Place(int wave, int partition, double seconds, IEnumerable<int> members)
        {
            Loads[wave][partition] += seconds;
            Contents[wave][partition].AddRange(members);
        }
    }

    /// <summary>One wave per level of the condensed graph (units of one level never depend on each other), each
    /// packed largest unit first into its least loaded partition.</summary>
    private static Layout ByLevels(Units units, int[] largeUnits, int partitions)
    {
        var layout = Layout.Empty(largeUnits.Length == 0 ? 1 : largeUnits.Max(u => units.Level[u]) + 1, partitions);
        foreach (var unit in largeUnits.OrderByDescending(u => units.Cost[u]).ThenBy(u => units.Members[u].Min()))
        {
            var w = units.Level[unit];
            layout.Place(w, LeastLoaded(layout.Loads[w]), units.Cost[unit], units.Members[unit]);
        }

        return layout;
    }

    /// <summary>Whole components, largest first, into the (wave, partition) that raises the makespan least: with one
    /// wave this is LPT (least loaded partition); with several it fills the gaps under each wave's longest partition.</summary>
    private static Layout FillSmall(Layout layout, List<Component> small)
    {
        var partitions = layout.Loads[0].Length;
        foreach (var component in small)
        {
            var (bestWave, bestPartition, bestRise, bestLoad) = (0, 0, double.MaxValue, double.MaxValue);
            for (var w = 0; w < layout.Loads.Count; w++)
            {
                var loads = layout.Loads[w];
                var max = loads.Max();
                for (var p = 0; p < partitions; p++)
                {
                    var rise = Math.Max(0, loads[p] + component.Seconds - max);
                    if (rise < bestRise || (rise == bestRise && loads[p] < bestLoad))
                    {
                        (bestWave, bestPartition, bestRise, bestLoad) = (w, p, rise, loads[p]);
                    }
                }
            }

            layout.Place(bestWave, bestPartition, component.Seconds, component.Members);
        }

        return layout;
    }

    /// <summary>
    /// The list schedule of the given units for a few wave lengths (a geometric grid from the longest unit to the
    /// lower bound, first for every wave, then for the first wave alone, then again for the others, then, with
    /// <paramref name="eachWave"/>, for each later wave alone in turn), small components filled in after each; the
    /// shortest makespan wins, the earliest tried on a tie. Null when the budget is spent before any is made.
    /// </summary>
    private static Layout? BestListSchedule(Units units, int[] largeUnits, int partitions, double lowerBound, List<Component> small, Budget budget, bool eachWave)
    {
        const int Steps = 32;
        var bottom = BottomLevels(units);
        var low = largeUnits.Max(u => units.Cost[u]);
        var high = Math.Max(low, lowerBound);
        var grid = Enumerable.Range(0, Steps).Select(k => low * Math.Pow(high / low, k / (double)(Steps - 1))).Distinct().ToArray();
        if (low <= 0)
        {
            grid = [0];
        }

        Layout? best = null;
        var (first, others) = (grid[0], grid[0]);
        bool Try(params double[] lengths)
        {
            if (budget.Left <= 0)
            {
                return false;
            }

            var scheduled = ListSchedule(units, bottom, largeUnits, partitions, lengths, best?.Makespan ?? double.PositiveInfinity, budget);
            if (scheduled is null)
            {
                return false;
            }

            var layout = FillSmall(scheduled, small);
            if (best is null || layout.Makespan < best.Makespan)
            {
                best = layout;
                return true;
            }

            return false;
        }

        foreach (var t in grid)
        {
            if (Try(t, t))
            {
                (first, others) = (t, t);
            }
        }

        foreach (var t in grid)
        {
            if (Try(t, others))
            {
                first = t;
            }
        }

        foreach (var t in grid)
        {
            if (Try(first, t))
            {
                others = t;
            }
        }

        // Then each later wave's own length, in turn (the last one given holds for any wave after it).
        var waves = eachWave ? best?.Loads.Count ?? 0 : 0;
        var lengths = Enumerable.Range(0, Math.Max(waves, 2)).Select(w => w == 0 ? first : others).ToArray();
        for (var w = 1; w < waves; w++)
        {
            foreach (var t in grid)
            {
                var tried = (double[])lengths.Clone();
                tried[w] = t;
                if (Try(tried))
                {
                    lengths = tried;
                }
            }
        }

        return best;
    }

    /// <summary>
    /// How many (wave, partition) slots the search may lay out in all: a deep graph (a chain of 20,000 packages has
    /// as many waves at the shortest wave length) stops the search early instead of taking seconds. It counts work,
    /// not time, so every CI node stops at the same schedule.
    /// </summary>
    private sealed class Budget
    {
        public const long Slots = 500_000;

        public long Left { get; set; }
    }

    /// <summary>Each unit's bottom level: its build time plus the longest chain of units that need it.</summary>
    private static double[] BottomLevels(Units units)
    {
        var bottom = (double[])units.Cost.Clone();
        for (var u = units.Cost.Length - 1; u >= 0; u--)
        {
            foreach (var d in units.Deps[u])
            {
                bottom[d] = Math.Max(bottom[d], units.Cost[d] + bottom[u]);
            }
        }

        return bottom;
    }

    /// <summary>
    /// Critical-path-first list scheduling in waves (docs/manual/graph-and-partitions.md, "Partitions"). A wave
    /// starts with every unit whose dependencies are all in earlier waves; the least loaded partition takes the
    /// ready unit with the longest chain after it (bottom level, ties by unit number) that keeps it within the wave
    /// length (an empty partition takes any). A unit whose last dependency lands in this wave is ready only in that
    /// partition, when all its dependencies of this wave are there (it then builds after them); if they are in
    /// several partitions it waits for the next wave. A partition with nothing that fits is done for the wave.
    /// </summary>
    /// <remarks>Gives up (null) once its waves add up to <paramref name="cutoff"/>: filling in the small components
    /// would only make it longer.</remarks>
    private static Layout? ListSchedule(Units units, double[] bottom, int[] largeUnits, int partitions, double[] lengths, double cutoff, Budget budget)
    {
        var count = units.Cost.Length;
        var wave = new int[count];
        var part = new int[count];
        var remaining = new int[count];
        var users = new List<int>[count];
        foreach (var u in largeUnits)
        {
            wave[u] = -1;
            remaining[u] = units.Deps[u].Length;
            users[u] = [];
        }

        foreach (var u in largeUnits)
        {
            foreach (var d in units.Deps[u])
            {
                users[d].Add(u);
            }
        }

        // The longest chain after it first, then the unit number.
        var priority = Comparer<int>.Create((a, b) => bottom[a] != bottom[b] ? bottom[b].CompareTo(bottom[a]) : a.CompareTo(b));
        var layout = new Layout([], []);
        var left = largeUnits.Length;
        // Units whose dependencies are all placed but that no partition took in their wave wait for the next one.
        var waiting = largeUnits.Where(u => remaining[u] == 0).ToList();
        var sum = 0.0;
        for (var w = 0; left > 0; w++)
        {
            var length = lengths[Math.Min(w, lengths.Length - 1)];
            budget.Left -= partitions;
            layout.AddWave(partitions);
            var loads = layout.Loads[w];
            var closed = new bool[partitions];
            var ready = waiting;
            ready.Sort(priority);
            waiting = [];
            var local = new List<int>[partitions];
            for (var p = 0; p < partitions; p++)
            {
                local[p] = [];
            }

            while (true)
            {
                var p = -1;
                for (var q = 0; q < partitions; q++)
                {
                    if (!closed[q] && (p < 0 || loads[q] < loads[p]))
                    {
                        p = q;
                    }
                }

                if (p < 0)
                {
                    waiting.AddRange(ready);
                    foreach (var list in local)
                    {
                        waiting.AddRange(list);
                    }

                    sum += loads.Max();
                    if (sum >= cutoff && left > 0)
                    {
                        return null;
                    }

                    break;
                }

                // Both lists are in priority order: the first unit that fits is the best of each.
                bool Fits(int u) => loads[p] == 0 || loads[p] + units.Cost[u] <= length;
                var fromReady = ready.FindIndex(Fits);
                var fromLocal = local[p].FindIndex(Fits);
                int unit;
                if (fromLocal >= 0 && (fromReady < 0 || priority.Compare(local[p][fromLocal], ready[fromReady]) < 0))
                {
                    unit = local[p][fromLocal];
                    local[p].RemoveAt(fromLocal);
                }
                else if (fromReady >= 0)
                {
                    unit = ready[fromReady];
                    ready.RemoveAt(fromReady);
                }
                else
                {
                    closed[p] = true;
                    continue;
                }

                (wave[unit], part[unit]) = (w, p);
                layout.Place(w, p, units.Cost[unit], units.Members[unit]);
                left--;
                foreach (var v in users[unit])
                {
                    if (--remaining[v] == 0)
                    {
                        // All its dependencies are placed; those of this wave decide where it may still go.
                        var home = -1;
                        foreach (var d in units.Deps[v].Where(d => wave[d] == w))
                        {
                            home = home == -1 || home == part[d] ? part[d] : -2;
                        }

                        if (home >= 0)
                        {
                            var at = local[home].BinarySearch(v, priority);
                            local[home].Insert(~at, v);
                        }
                        else
                        {
                            waiting.Add(v);
                        }
                    }
                }
            }
        }

        return layout;
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
