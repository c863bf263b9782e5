using CiJobs.Core;
using CiJobs.Core.Graph;
using CiJobs.Tests.Graph;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CiJobs.Tests.Plan;

/// <summary>A random build graph (random edges, so cycles too), random build times (some unknown) and a partition count.</summary>
public sealed record PartitionCase(int[][] Adjacency, int?[] Seconds, int Partitions)
{
    public string Name(int i) => $"p{i:D2}";

    public DependencyGraph Graph() => DependencyGraph.FromEdges(
        [.. Enumerable.Range(0, Adjacency.Length).Select(i => new GraphNode(Name(i), "rpm", []))],
        [.. Adjacency.SelectMany((targets, i) => targets.Distinct().Where(t => t != i).Select(t => new GraphEdge(Name(i), Name(t), [])))],
        []);

    public Dictionary<string, double> Times() => Enumerable.Range(0, Seconds.Length).Where(i => Seconds[i] is not null).ToDictionary(Name, i => (double)Seconds[i]!.Value);

    public double Cost(string name) => Seconds[int.Parse(name[1..], System.Globalization.CultureInfo.InvariantCulture)] ?? PartitionerTests.Default;

    public override string ToString() => $"N={Partitions} edges: {string.Join(" ", Adjacency.SelectMany((t, i) => t.Select(x => $"{i}->{x}")))} times: {string.Join(",", Seconds)}";
}

public static class PartitionCases
{
    public static Arbitrary<PartitionCase> Cases() =>
        RandomGraphs.Adjacency().Generator.SelectMany(adjacency =>
            Gen.Zip(
                Gen.OneOf(Gen.Choose(0, 100).Select(s => (int?)s), Gen.Constant((int?)null)).ArrayOf(adjacency.Length),
                Gen.Choose(1, 8))
            .Select(x => new PartitionCase(adjacency, x.Item1, x.Item2)))
        .ToArbitrary();
}

public class PartitionerTests
{
    public const double Default = 50;

    private static Dictionary<string, (int Wave, int Partition, int Position)> Slots(PartitionedPlan plan) =>
        plan.Waves.SelectMany(w => w.Partitions.SelectMany(p => p.Packages.Select((name, i) => (name, slot: (w.Wave, p.Partition, i)))))
            .ToDictionary(x => x.name, x => x.slot);

    [Property(MaxTest = 300, Arbitrary = new[] { typeof(PartitionCases) })]
    public void Every_package_is_planned_once_and_every_dependency_builds_first(PartitionCase input)
    {
        var graph = input.Graph();
        var plan = Partitioner.Plan(graph, input.Partitions, input.Times(), Default);

        plan.Waves.SelectMany(w => w.Partitions).SelectMany(p => p.Packages).Should().OnlyHaveUniqueItems()
            .And.BeEquivalentTo(graph.Nodes.Select(n => n.Name));
        plan.Waves.Should().OnlyContain(w => w.Partitions.Count == input.Partitions);
        var slots = Slots(plan);
        var inCycle = graph.Cycles.SelectMany(c => c.Packages.Select(p => (p, c))).ToDictionary(x => x.p, x => x.c);
        foreach (var edge in graph.Edges)
        {
            var (from, to) = (slots[edge.From], slots[edge.To]);
            var sameCycle = inCycle.TryGetValue(edge.From, out var cycle) && cycle.Packages.Contains(edge.To);
            if (sameCycle)
            {
                (from.Wave, from.Partition).Should().Be((to.Wave, to.Partition), $"{edge.From} and {edge.To} are one cycle");
            }
            else if (from.Wave == to.Wave)
            {
                from.Partition.Should().Be(to.Partition, $"{edge.From} needs {edge.To}, built in the same wave");
                to.Position.Should().BeLessThan(from.Position, $"{edge.To} builds before {edge.From}");
            }
            else
            {
                to.Wave.Should().BeLessThan(from.Wave, $"{edge.From} needs {edge.To}");
            }
        }
    }

    [Property(MaxTest = 300, Arbitrary = new[] { typeof(PartitionCases) })]
    public void Without_a_component_larger_than_the_ideal_load_there_is_one_wave_and_every_component_is_whole(PartitionCase input)
    {
        var graph = input.Graph();
        var plan = Partitioner.Plan(graph, input.Partitions, input.Times(), Default);
        var slots = Slots(plan);
        var ideal = plan.TotalSeconds / input.Partitions;

        var components = WeakComponents(graph);
        if (components.All(c => c.Sum(input.Cost) <= ideal || c.Count == 1))
        {
            plan.Waves.Should().ContainSingle();
            foreach (var component in components)
            {
                component.Select(n => (slots[n].Wave, slots[n].Partition)).Distinct().Should().ContainSingle($"{string.Join(" ", component)} is one component");
            }
        }
    }

    [Property(MaxTest = 300, Arbitrary = new[] { typeof(PartitionCases) })]
    public void The_makespan_adds_up_and_is_never_under_the_lower_bound(PartitionCase input)
    {
        var graph = input.Graph();
        var plan = Partitioner.Plan(graph, input.Partitions, input.Times(), Default);

        foreach (var part in plan.Waves.SelectMany(w => w.Partitions))
        {
            part.Seconds.Should().BeApproximately(part.Packages.Sum(input.Cost), 1e-6);
        }

        plan.TotalSeconds.Should().BeApproximately(graph.Nodes.Sum(n => input.Cost(n.Name)), 1e-6);
        plan.MakespanSeconds.Should().BeApproximately(plan.Waves.Sum(w => w.Partitions.Max(p => p.Seconds)), 1e-6);
        plan.LowerBoundSeconds.Should().BeApproximately(Math.Max(plan.TotalSeconds / input.Partitions, plan.CriticalPathSeconds), 1e-6);
        plan.MakespanSeconds.Should().BeGreaterThanOrEqualTo(plan.LowerBoundSeconds - 1e-6);
        plan.UnknownTimes.Should().Be(input.Seconds.Count(s => s is null));
    }

    [Property(MaxTest = 100, Arbitrary = new[] { typeof(PartitionCases) })]
    public void The_plan_does_not_depend_on_the_order_of_the_input(PartitionCase input)
    {
        var graph = input.Graph();
        var reversed = new DependencyGraph([.. graph.Nodes.Reverse()], [.. graph.Edges.Reverse()], [], []);

        var a = Partitioner.Plan(graph, input.Partitions, input.Times(), Default);
        var b = Partitioner.Plan(reversed, input.Partitions, input.Times(), Default);

        b.Should().BeEquivalentTo(a, o => o.WithStrictOrdering());
    }

    [Fact]
    public void The_split_by_name_deals_sorted_names_in_turn_and_counts_the_dependencies_it_breaks()
    {
        var nodes = new[] { "d", "a", "c", "b", "e" }.Select(n => new GraphNode(n, "rpm", [])).ToList();
        var graph = DependencyGraph.FromEdges(nodes, [new GraphEdge("b", "a", []), new GraphEdge("c", "a", []), new GraphEdge("e", "c", [])], []);
        var times = new Dictionary<string, double> { ["a"] = 10, ["b"] = 20, ["c"] = 30, ["d"] = 40, ["e"] = 5 };

        var plan = Partitioner.Plan(graph, 2, times, Default);

        // a c e | b d: 45 and 60; b->a and e->c... e->c are both in partition 1, b->a and c->a: c is with a.
        plan.ByName.MakespanSeconds.Should().Be(60);
        plan.ByName.BrokenEdges.Should().Be(1);
        plan.CriticalPathSeconds.Should().Be(45); // e, c, a
        plan.LowerBoundSeconds.Should().Be(52.5);
        plan.ByName.RatioToLowerBound.Should().Be(Math.Round(60 / 52.5, 4));
    }

    [Fact]
    public void A_large_component_is_split_into_waves_of_its_levels()
    {
        // lib <- app1..app4 (each needs lib), and a separate small pair.
        var nodes = new[] { "lib", "app1", "app2", "app3", "app4", "x", "y" }.Select(n => new GraphNode(n, "rpm", [])).ToList();
        var edges = new[] { "app1", "app2", "app3", "app4" }.Select(a => new GraphEdge(a, "lib", [])).Append(new GraphEdge("y", "x", [])).ToList();
        var times = new Dictionary<string, double> { ["lib"] = 100, ["app1"] = 100, ["app2"] = 100, ["app3"] = 100, ["app4"] = 100, ["x"] = 50, ["y"] = 50 };

        var plan = Partitioner.Plan(DependencyGraph.FromEdges(nodes, edges, []), 4, times, Default);

        plan.Waves.Should().HaveCount(2);
        plan.Waves[0].Partitions.SelectMany(p => p.Packages).Should().Contain("lib");
        plan.Waves[1].Partitions.Select(p => p.Packages.Count(a => a.StartsWith("app", StringComparison.Ordinal))).Should().Equal(1, 1, 1, 1);
        plan.MakespanSeconds.Should().Be(200);
        plan.LowerBoundSeconds.Should().Be(200);
    }

    [Fact]
    public void Build_times_are_read_from_json_or_csv_and_bad_ones_are_refused()
    {
        GraphFiles.ParseBuildTimes("{\"a\": 12.5, \"b\": 0}", "t.json").Should().BeEquivalentTo(new Dictionary<string, double> { ["a"] = 12.5, ["b"] = 0 });
        GraphFiles.ParseBuildTimes("# recorded\npackage,seconds\na,12\r\n\nb,3.5\n", "t.csv").Should().BeEquivalentTo(new Dictionary<string, double> { ["a"] = 12, ["b"] = 3.5 });

        foreach (var bad in new[] { "{\"a\": -1}", "{\"a\": \"12\"}", "{\"../x\": 1}", "a,1\na,2", "a,1\nb,x", "a;1", "a,1,2", "[1]" })
        {
            FluentActions.Invoking(() => GraphFiles.ParseBuildTimes(bad, "t")).Should().Throw<CiJobsException>(bad)
                .Which.ExitCode.Should().Be(GraphExitCodes.InvalidInput, bad);
        }

        FluentActions.Invoking(() => GraphFiles.ParseBuildTimes("a,1\nb,2\nc,3", "t", maxPackages: 2)).Should().Throw<CiJobsException>()
            .Which.ExitCode.Should().Be(GraphExitCodes.LimitExceeded);
    }

    [Fact]
    public void A_graph_file_naming_unknown_or_unsafe_packages_is_refused()
    {
        foreach (var bad in new[]
                 {
                     "{\"nodes\": [{\"name\": \"a\"}], \"edges\": [{\"from\": \"a\", \"to\": \"b\"}]}",
                     "{\"nodes\": [{\"name\": \"a/../b\"}], \"edges\": []}",
                     "{\"nodes\": [{\"name\": \"a\"}, {\"name\": \"a\"}], \"edges\": []}",
                     "{\"nodes\": {}, \"edges\": []}",
                     "[]",
                 })
        {
            FluentActions.Invoking(() => GraphFiles.ParseGraph(bad, "g.json")).Should().Throw<CiJobsException>(bad)
                .Which.ExitCode.Should().Be(GraphExitCodes.InvalidInput, bad);
        }

        FluentActions.Invoking(() => GraphFiles.ParseGraph("{\"nodes\": [{\"name\": \"a\"}, {\"name\": \"b\"}], \"edges\": []}", "g.json", maxPackages: 1))
            .Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(GraphExitCodes.LimitExceeded);
    }

    private static List<List<string>> WeakComponents(DependencyGraph graph)
    {
        var neighbours = graph.Nodes.ToDictionary(n => n.Name, _ => new List<string>());
        foreach (var edge in graph.Edges)
        {
            neighbours[edge.From].Add(edge.To);
            neighbours[edge.To].Add(edge.From);
        }

        var seen = new HashSet<string>();
        var components = new List<List<string>>();
        foreach (var start in neighbours.Keys.Where(seen.Add))
        {
            var component = new List<string> { start };
            for (var i = 0; i < component.Count; i++)
            {
                component.AddRange(neighbours[component[i]].Where(seen.Add));
            }

            components.Add(component);
        }

        return components;
    }
}
