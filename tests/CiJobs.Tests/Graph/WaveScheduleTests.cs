using CiJobs.Core.Graph;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CiJobs.Tests.Graph;

/// <summary>A random graph that is mostly a DAG (each package needs up to three earlier ones, a few edges back make
/// cycles), random build times (some unknown), a partition count and a permutation of the input.</summary>
public sealed record WaveCase(int[][] Deps, int?[] Seconds, int Partitions, int[] Permutation)
{
    public const double Default = 50;

    public static string Name(int i) => $"q{i:D2}";

    public DependencyGraph Graph(bool permuted = false)
    {
        var order = permuted ? Permutation : [.. Enumerable.Range(0, Deps.Length)];
        var edges = Deps.SelectMany((targets, i) => targets.Distinct().Where(t => t != i).Select(t => new GraphEdge(Name(i), Name(t), []))).ToList();
        if (permuted)
        {
            edges = [.. edges.OrderBy(e => Permutation[int.Parse(e.From[1..], System.Globalization.CultureInfo.InvariantCulture)]).ThenByDescending(e => e.To, StringComparer.Ordinal)];
        }

        return DependencyGraph.FromEdges([.. order.Select(i => new GraphNode(Name(i), "rpm", []))], edges, []);
    }

    public Dictionary<string, double> Times() => Enumerable.Range(0, Seconds.Length).Where(i => Seconds[i] is not null).ToDictionary(Name, i => (double)Seconds[i]!.Value);

    public double Cost(string name) => Seconds[int.Parse(name[1..], System.Globalization.CultureInfo.InvariantCulture)] ?? Default;

    public override string ToString() =>
        $"N={Partitions} edges: {string.Join(" ", Deps.SelectMany((t, i) => t.Select(x => $"{i}->{x}")))} times: {string.Join(",", Seconds)} order: {string.Join(",", Permutation)}";
}

public static class WaveCases
{
    public static Arbitrary<WaveCase> Cases() =>
        Gen.Choose(2, 40).SelectMany(n =>
            Gen.Zip(
                Gen.Zip(
                    Gen.Choose(0, 9999).ListOf().ArrayOf(n).Select(raw => raw.Select((r, i) => i == 0 ? Array.Empty<int>() : r.Take(3).Select(x => x % i).ToArray()).ToArray()),
                    Gen.Zip(Gen.Choose(0, n - 1), Gen.Choose(0, n - 1)).ListOf().Select(back => back.Take(2).ToList())),
                Gen.Zip(
                    Gen.OneOf(Gen.Choose(0, 400).Select(s => (int?)s), Gen.Choose(0, 20).Select(s => (int?)s), Gen.Constant((int?)null)).ArrayOf(n),
                    Gen.Zip(Gen.Choose(1, 8), Gen.Shuffle(Enumerable.Range(0, n)))))
            .Select(x =>
            {
                var deps = x.Item1.Item1.Select(d => d.ToList()).ToArray();
                foreach (var (from, to) in x.Item1.Item2)
                {
                    deps[from].Add(to);
                }

                return new WaveCase([.. deps.Select(d => d.ToArray())], x.Item2.Item1, x.Item2.Item2.Item1, [.. x.Item2.Item2.Item2]);
            }))
        .ToArbitrary();
}

/// <summary>Waves laid out by critical-path-first list scheduling (docs/manual/graph-and-partitions.md, "Partitions").</summary>
public class WaveScheduleTests
{
    private static void RespectsTheRules(WaveCase input, PartitionedPlan plan, bool smallComponentsWhole)
    {
        var graph = input.Graph();
        plan.Waves.SelectMany(w => w.Partitions).SelectMany(p => p.Packages).Should().OnlyHaveUniqueItems()
            .And.BeEquivalentTo(graph.Nodes.Select(n => n.Name));
        plan.Waves.Should().OnlyContain(w => w.Partitions.Count == input.Partitions);
        var slots = plan.Waves.SelectMany(w => w.Partitions.SelectMany(p => p.Packages.Select((name, i) => (name, slot: (w.Wave, p.Partition, Position: i)))))
            .ToDictionary(x => x.name, x => x.slot);
        var cycleOf = graph.Cycles.SelectMany((c, k) => c.Packages.Select(p => (p, k))).ToDictionary(x => x.p, x => x.k);
        foreach (var edge in graph.Edges)
        {
            var (from, to) = (slots[edge.From], slots[edge.To]);
            if (cycleOf.TryGetValue(edge.From, out var a) && cycleOf.TryGetValue(edge.To, out var b) && a == b)
            {
                (from.Wave, from.Partition).Should().Be((to.Wave, to.Partition), $"{edge.From} and {edge.To} are one cycle");
            }
            else if (from.Wave == to.Wave)
            {
                from.Partition.Should().Be(to.Partition, $"{edge.From} needs {edge.To}, built in the same wave");
                to.Position.Should().BeLessThan(from.Position, $"{edge.To} builds before {edge.From} in their partition");
            }
            else
            {
                to.Wave.Should().BeLessThan(from.Wave, $"{edge.From} needs {edge.To}");
            }
        }

        // Only a cycle must stay whole; the layouts that fill whole components in keep every component no larger than
        // the ideal load in one partition of one wave.
        var ideal = plan.TotalSeconds / input.Partitions;
        var neighbours = graph.Nodes.ToDictionary(n => n.Name, _ => new List<string>());
        foreach (var edge in graph.Edges)
        {
            neighbours[edge.From].Add(edge.To);
            neighbours[edge.To].Add(edge.From);
        }

        var seen = new HashSet<string>();
        foreach (var start in neighbours.Keys.Where(seen.Add).ToList())
        {
            var component = new List<string> { start };
            for (var i = 0; i < component.Count; i++)
            {
                component.AddRange(neighbours[component[i]].Where(seen.Add));
            }

            if (smallComponentsWhole && component.Sum(input.Cost) <= ideal)
            {
                component.Select(n => (slots[n].Wave, slots[n].Partition)).Distinct().Should().ContainSingle($"{string.Join(" ", component)} is one small component");
            }
        }

        foreach (var part in plan.Waves.SelectMany(w => w.Partitions))
        {
            part.Seconds.Should().BeApproximately(part.Packages.Sum(input.Cost), 1e-6);
        }

        plan.MakespanSeconds.Should().BeApproximately(plan.Waves.Sum(w => w.Partitions.Max(p => p.Seconds)), 1e-6);
        plan.MakespanSeconds.Should().BeGreaterThanOrEqualTo(plan.LowerBoundSeconds - 1e-6);
    }

    [Property(MaxTest = 400, Arbitrary = new[] { typeof(WaveCases) })]
    public void The_list_schedule_and_the_chosen_plan_respect_every_rule(WaveCase input)
    {
        RespectsTheRules(input, Partitioner.Plan(input.Graph(), input.Partitions, input.Times(), WaveCase.Default, WaveLayout.Levels), smallComponentsWhole: true);
        RespectsTheRules(input, Partitioner.Plan(input.Graph(), input.Partitions, input.Times(), WaveCase.Default, WaveLayout.ListSchedule), smallComponentsWhole: true);
        RespectsTheRules(input, Partitioner.Plan(input.Graph(), input.Partitions, input.Times(), WaveCase.Default, WaveLayout.AllUnits), smallComponentsWhole: false);
        RespectsTheRules(input, Partitioner.Plan(input.Graph(), input.Partitions, input.Times(), WaveCase.Default), smallComponentsWhole: false);
    }

    [Property(MaxTest = 400, Arbitrary = new[] { typeof(WaveCases) })]
    public void The_chosen_plan_is_never_longer_than_levels_as_waves_nor_than_the_list_schedules(WaveCase input)
    {
        var best = Partitioner.Plan(input.Graph(), input.Partitions, input.Times(), WaveCase.Default);
        var levels = Partitioner.Plan(input.Graph(), input.Partitions, input.Times(), WaveCase.Default, WaveLayout.Levels);
        var listed = Partitioner.Plan(input.Graph(), input.Partitions, input.Times(), WaveCase.Default, WaveLayout.ListSchedule);

        best.MakespanSeconds.Should().BeLessThanOrEqualTo(levels.MakespanSeconds + 1e-6);
        best.MakespanSeconds.Should().BeLessThanOrEqualTo(listed.MakespanSeconds + 1e-6);
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(WaveCases) })]
    public void The_plan_is_the_same_whatever_the_order_of_the_input(WaveCase input)
    {
        foreach (var layout in new[] { WaveLayout.Best, WaveLayout.ListSchedule, WaveLayout.AllUnits })
        {
            var a = Partitioner.Plan(input.Graph(), input.Partitions, input.Times(), WaveCase.Default, layout);
            var b = Partitioner.Plan(input.Graph(permuted: true), input.Partitions, input.Times(), WaveCase.Default, layout);
            b.Should().BeEquivalentTo(a, o => o.WithStrictOrdering(), layout.ToString());
        }
    }

    [Fact]
    public void A_chain_stays_in_its_partition_within_a_wave_where_levels_would_wait_for_each_level()
    {
        // a1 (200) <- a2 (10) and b1 (10) <- b2 (200); z needs a2 and b2. Levels as waves: {a1, b1}, {a2, b2}, {z},
        // 200 + 200 + 10. Each chain in its own partition of one wave, then z: 210 + 10, the critical path.
        var nodes = new[] { "z", "b2", "a2", "b1", "a1" }.Select(n => new GraphNode(n, "rpm", [])).ToList();
        var edges = new[] { ("a2", "a1"), ("b2", "b1"), ("z", "a2"), ("z", "b2") }.Select(e => new GraphEdge(e.Item1, e.Item2, [])).ToList();
        var times = new Dictionary<string, double> { ["a1"] = 200, ["a2"] = 10, ["b1"] = 10, ["b2"] = 200, ["z"] = 10 };
        var graph = DependencyGraph.FromEdges(nodes, edges, []);

        var plan = Partitioner.Plan(graph, 2, times, WaveCase.Default);
        var levels = Partitioner.Plan(graph, 2, times, WaveCase.Default, WaveLayout.Levels);

        levels.MakespanSeconds.Should().Be(410);
        levels.Waves.Should().HaveCount(3);
        plan.CriticalPathSeconds.Should().Be(220);
        plan.LowerBoundSeconds.Should().Be(220);
        plan.MakespanSeconds.Should().Be(220);
        plan.Waves.Should().HaveCount(2);
        plan.Waves[0].Partitions.Select(p => string.Join(" ", p.Packages)).Should().BeEquivalentTo("a1 a2", "b1 b2");
        plan.Waves[1].Partitions.SelectMany(p => p.Packages).Should().Equal("z");
    }

    [Fact]
    public void A_small_component_is_split_by_its_own_order_when_that_brings_the_plan_to_the_lower_bound()
    {
        // a (10) <- c (10) <- d (40); b (50) <- e (30), which needs c too: 140 s, larger than the ideal load 90 s at
        // N = 2. x (30) <- y (10) is a small component, 40 s: kept whole it makes one wave longer (100 s at best);
        // split, x builds in the first wave and y in the second, and the plan meets the lower bound, 90 s.
        var nodes = new[] { "y", "x", "e", "d", "c", "b", "a" }.Select(n => new GraphNode(n, "rpm", [])).ToList();
        var edges = new[] { ("c", "a"), ("d", "c"), ("e", "b"), ("e", "c"), ("y", "x") }.Select(e => new GraphEdge(e.Item1, e.Item2, [])).ToList();
        var times = new Dictionary<string, double> { ["a"] = 10, ["b"] = 50, ["c"] = 10, ["d"] = 40, ["e"] = 30, ["x"] = 30, ["y"] = 10 };
        var graph = DependencyGraph.FromEdges(nodes, edges, []);

        var plan = Partitioner.Plan(graph, 2, times, WaveCase.Default);
        var levels = Partitioner.Plan(graph, 2, times, WaveCase.Default, WaveLayout.Levels);
        var listed = Partitioner.Plan(graph, 2, times, WaveCase.Default, WaveLayout.ListSchedule);

        plan.LowerBoundSeconds.Should().Be(90);
        Math.Min(levels.MakespanSeconds, listed.MakespanSeconds).Should().BeGreaterThan(1.05 * 90);
        plan.MakespanSeconds.Should().Be(90);
        plan.RatioToLowerBound.Should().Be(1);
        plan.Waves.Select(w => w.Partitions.Select(p => string.Join(" ", p.Packages))).Should().BeEquivalentTo(
            new[] { new[] { "b", "a c x" }, new[] { "d", "e y" } }, o => o.WithStrictOrdering());
    }
}
