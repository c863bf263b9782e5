using System.Text.Json.Nodes;
using CiJobs.Core;
using CiJobs.Core.Graph;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Graph;

/// <summary>plan --changed --with-reverse-deps: an incremental rebuild (docs/manual/mass-rebuild.md, "Incremental rebuilds").</summary>
public class IncrementalRebuildTests
{
    // app -> mid -> lib, tool -> lib (app build-requires mid...), other2 -> other apart.
    private const string GraphText = """
        {"nodes": [{"name": "lib"}, {"name": "mid"}, {"name": "app"}, {"name": "tool"}, {"name": "other"}, {"name": "other2"}],
         "edges": [{"from": "app", "to": "mid"}, {"from": "mid", "to": "lib"}, {"from": "tool", "to": "lib"}, {"from": "other2", "to": "other"}]}
        """;

    private static DependencyGraph Graph() => GraphFiles.ParseGraph(GraphText, "graph.json", 100);

    private static IEnumerable<string> Names(DependencyGraph graph) => graph.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal);

    [Fact]
    public void Reverse_dependencies_are_followed_through_every_level_and_only_upwards()
    {
        Names(IncrementalSelection.Select(Graph(), ["lib"], withReverseDependencies: true)).Should().Equal("app", "lib", "mid", "tool");
        Names(IncrementalSelection.Select(Graph(), ["mid"], withReverseDependencies: true)).Should().Equal("app", "mid");
        Names(IncrementalSelection.Select(Graph(), ["lib", "other"], withReverseDependencies: false)).Should().Equal("lib", "other");
        IncrementalSelection.Select(Graph(), ["lib"], withReverseDependencies: true).Edges.Select(e => $"{e.From}->{e.To}")
            .Should().BeEquivalentTo("app->mid", "mid->lib", "tool->lib");
        IncrementalSelection.Select(Graph(), ["mid"], withReverseDependencies: true).Edges.Select(e => $"{e.From}->{e.To}")
            .Should().Equal("app->mid");
    }

    [Fact]
    public void A_changed_package_the_graph_does_not_hold_is_refused()
    {
        var act = () => IncrementalSelection.Select(Graph(), ["nope"], withReverseDependencies: true);
        act.Should().Throw<CiJobsException>().Where(e => e.ExitCode == GraphExitCodes.InvalidInput && e.Message.Contains("nope"));
    }

    [Fact]
    [Trait("Runs", "cijobs")]
    public async Task Plan_rebuilds_the_changed_package_and_its_reverse_dependencies_in_build_order()
    {
        using var dir = new TempDir("incremental");
        var graph = dir.Write("graph.json", GraphText);

        var all = await CliRunner.RunAsync(["plan", "--partitions", "1", "--graph", graph, "--changed", "lib", "--with-reverse-deps", "--format", "json"]);
        var share = await CliRunner.RunAsync(["plan", "--partitions", "1", "--graph", graph, "--changed", "mid", "--with-reverse-deps", "--partition", "1"]);
        var only = await CliRunner.RunAsync(["plan", "--partitions", "1", "--graph", graph, "--changed", "mid", "--partition", "1"]);
        var alone = await CliRunner.RunAsync(["plan", "--partitions", "1", "--graph", graph, "--with-reverse-deps"]);

        all.ExitCode.Should().Be(0, all.ToString());
        JsonNode.Parse(all.StandardOutput)!["packages"]!.GetValue<int>().Should().Be(4);
        share.ExitCode.Should().Be(0, share.ToString());
        share.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal("mid", "app");
        only.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal("mid");
        alone.ExitCode.Should().Be(GraphExitCodes.InvalidInput, alone.ToString());
    }
}
