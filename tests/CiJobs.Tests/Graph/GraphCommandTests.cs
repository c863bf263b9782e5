using System.Text.Json.Nodes;
using CiJobs.Core.Graph;
using CiJobs.Tests.Plan;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Graph;

[Trait("Runs", "cijobs")]
public class GraphCommandTests
{
    [Fact]
    public async Task Graph_prints_json_with_edges_cycles_and_external_dependencies()
    {
        using var dir = DependencyReaderTests.WriteSpecs();

        var result = await CliRunner.RunAsync(["graph", "--spec-dir", $"tool={dir.Combine("tool")}", "--spec-dir", $"helper={dir.Combine("helper")}", "--format", "json"]);

        result.ExitCode.Should().Be(0, result.ToString());
        var json = JsonNode.Parse(result.StandardOutput)!;
        json["nodes"]!.AsArray().Select(n => n!["name"]!.GetValue<string>()).Should().Equal("helper", "tool");
        json["edges"]!.AsArray().Select(e => $"{e!["from"]}->{e["to"]}").Should().Equal("helper->tool", "tool->helper");
        json["cycles"]![0]!["packages"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Equal("helper", "tool");
        json["external"]!.AsArray().Select(e => e!["dependency"]!.GetValue<string>()).Should().Equal("python3-other");
    }

    [Fact]
    public async Task Graph_resolves_a_release_through_rdoinfo_and_its_checkouts()
    {
        using var dir = new TempDir("graph");
        dir.Write("rdoinfo/rdo-full.yml", PlanFixture.RdoinfoText());
        dir.Write("checkouts/example-greetlib/example-greetlib.spec", DependencyReaderTests.Spec("example-greetlib", "%package -n python3-greetlib\nSummary: s\n%description -n python3-greetlib\nd\n"));
        dir.Write("checkouts/example-greeter/example-greeter.spec", DependencyReaderTests.Spec("example-greeter", "BuildRequires: python3-greetlib\n"));

        var tiny = await CliRunner.RunAsync(["graph", "--rdoinfo", dir.Combine("rdoinfo"), "--release", "tiny", "--checkouts-dir", dir.Combine("checkouts"), "--format", "text"]);
        var tiny1 = await CliRunner.RunAsync(["graph", "--rdoinfo", dir.Combine("rdoinfo"), "--release", "tiny-1", "--checkouts-dir", dir.Combine("checkouts"), "--format", "text"]);
        Directory.Delete(dir.Combine("checkouts", "example-greetlib"), recursive: true);
        var missing = await CliRunner.RunAsync(["graph", "--rdoinfo", dir.Combine("rdoinfo"), "--release", "tiny", "--checkouts-dir", dir.Combine("checkouts")]);

        tiny.ExitCode.Should().Be(0, tiny.ToString());
        tiny.StandardOutput.Should().StartWith("2 packages, 1 edges").And.Contain("example-greeter -> example-greetlib  (python3-greetlib)");
        tiny1.StandardOutput.Should().StartWith("1 packages, 0 edges", tiny1.ToString());
        missing.ExitCode.Should().Be(GraphExitCodes.DependenciesUnreadable, missing.ToString());
        missing.StandardError.Trim().Should().Be($"cijobs: error: 1 package(s) of tiny have no checkout under {dir.Combine("checkouts")}: example-greetlib");
    }

    [Theory]
    [InlineData("--spec-dir", "nodir")]
    [InlineData("--spec-dir", "../evil=/tmp")]
    [InlineData("--dist", "a/b")]
    public async Task Graph_refuses_bad_input_with_one_line(string option, string value)
    {
        using var dir = DependencyReaderTests.WriteSpecs();

        var result = await CliRunner.RunAsync(["graph", "--spec-dir", $"tool={dir.Combine("tool")}", option, value]);

        result.ExitCode.Should().Be(GraphExitCodes.InvalidInput, result.ToString());
        result.StandardError.Should().StartWith("cijobs: error: ").And.NotContain("\n ");
        result.StandardOutput.Should().BeEmpty();
    }

    [Fact]
    public async Task Graph_prints_dot()
    {
        using var dir = DependencyReaderTests.WriteSpecs();

        var result = await CliRunner.RunAsync(["graph", "--packages-dir", dir.Path, "--format", "dot"]);

        result.ExitCode.Should().Be(0, result.ToString());
        DotReader.Parse(result.StandardOutput).Edges.Should().HaveCount(3);
    }

    [Fact]
    public async Task Plan_partitions_a_graph_file_and_prints_one_partition_for_a_ci_node()
    {
        using var dir = new TempDir("graph");
        // lib <- app1..app3 is larger than a third of the total: two waves.
        var graph = dir.Write("graph.json", """
            {"nodes": [{"name": "lib"}, {"name": "app1"}, {"name": "app2"}, {"name": "app3"}, {"name": "solo"}],
             "edges": [{"from": "app1", "to": "lib"}, {"from": "app2", "to": "lib"}, {"from": "app3", "to": "lib"}]}
            """);
        var times = dir.Write("times.csv", "package,seconds\nlib,100\napp1,100\napp2,100\napp3,100\n");

        var json = await CliRunner.RunAsync(["plan", "--partitions", "3", "--graph", graph, "--build-times", times, "--default-build-time", "60", "--format", "json"]);
        var wave2 = await Task.WhenAll(Enumerable.Range(1, 3).Select(k =>
            CliRunner.RunAsync(["plan", "--partitions", "3", "--graph", graph, "--build-times", times, "--partition", k.ToString(System.Globalization.CultureInfo.InvariantCulture), "--wave", "2"])));
        var past = await CliRunner.RunAsync(["plan", "--partitions", "3", "--graph", graph, "--partition", "1", "--wave", "3", "--format", "json"]);
        var tooMany = await CliRunner.RunAsync(["plan", "--partitions", "3", "--graph", graph, "--build-times", times, "--max-waves", "1"]);
        var badPartition = await CliRunner.RunAsync(["plan", "--partitions", "3", "--graph", graph, "--partition", "4"]);

        json.ExitCode.Should().Be(0, json.ToString());
        var plan = JsonNode.Parse(json.StandardOutput)!;
        plan["waves"]!.AsArray().Should().HaveCount(2);
        plan["unknown_times"]!.GetValue<int>().Should().Be(1);
        plan["total_seconds"]!.GetValue<double>().Should().Be(460);
        plan["makespan_seconds"]!.GetValue<double>().Should().Be(200);
        plan["by_name"]!["broken_edges"]!.GetValue<int>().Should().BeGreaterThan(0);
        wave2.Select(r => r.StandardOutput.Trim()).Order().Should().Equal("app1", "app2", "app3");
        JsonNode.Parse(past.StandardOutput)!["packages"]!.AsArray().Should().BeEmpty();
        tooMany.ExitCode.Should().Be(GraphExitCodes.TooManyWaves, tooMany.ToString());
        badPartition.ExitCode.Should().Be(GraphExitCodes.InvalidInput, badPartition.ToString());
    }
}
