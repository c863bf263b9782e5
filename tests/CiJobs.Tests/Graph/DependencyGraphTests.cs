using System.Text;
using CiJobs.Core;
using CiJobs.Core.Graph;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CiJobs.Tests.Graph;

/// <summary>Random directed graphs of up to 30 nodes (self loops and repeated edges included).</summary>
public static class RandomGraphs
{
    public static Arbitrary<int[][]> Adjacency() =>
        Gen.Choose(1, 30).SelectMany(n => Gen.Zip(Gen.Choose(0, n - 1), Gen.Choose(0, n - 1)).ListOf().Select(edges =>
            Enumerable.Range(0, n).Select(i => edges.Where(e => e.Item1 == i).Select(e => e.Item2).ToArray()).ToArray()))
        .ToArbitrary();
}

public class DependencyGraphTests
{
    private static PackageDependencies Package(string name, string[] requires, string[]? binaries = null, string[]? provides = null) =>
        new(name, "rpm", name, binaries ?? [name], provides ?? binaries ?? [name], requires);

    [Fact]
    public void A_package_name_wins_over_a_binary_which_wins_over_a_provide()
    {
        var graph = DependencyGraph.Build([
            Package("app", ["lib", "python3-tools", "virtual"]),
            Package("lib", []),
            Package("other", [], binaries: ["other", "python3-tools"], provides: ["other", "python3-tools", "lib"]),
            Package("tools", [], binaries: ["tools"], provides: ["tools", "python3-tools", "virtual"]),
            Package("tools2", [], binaries: ["tools2"], provides: ["tools2", "virtual"]),
        ]);

        graph.Edges.Select(e => $"{e.From}->{e.To}:{string.Join(",", e.Via)}").Should().Equal(
            "app->lib:lib", "app->other:python3-tools", "app->tools:virtual", "app->tools2:virtual");
        graph.External.Should().BeEmpty();
    }

    [Fact]
    public void A_package_needing_what_it_builds_itself_has_no_edge_and_a_name_given_twice_is_refused()
    {
        DependencyGraph.Build([Package("a", ["a-devel"], binaries: ["a", "a-devel"])]).Edges.Should().BeEmpty();
        FluentActions.Invoking(() => DependencyGraph.Build([Package("a", []), Package("a", [])]))
            .Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(GraphExitCodes.InvalidInput);
    }

    [Property(MaxTest = 300, Arbitrary = new[] { typeof(RandomGraphs) })]
    public void Two_nodes_share_a_component_exactly_when_each_reaches_the_other(int[][] adjacency)
    {
        var component = StronglyConnected.Components(adjacency);
        var reach = Reachability(adjacency);
        for (var a = 0; a < adjacency.Length; a++)
        {
            for (var b = 0; b < adjacency.Length; b++)
            {
                (component[a] == component[b]).Should().Be(a == b || (reach[a][b] && reach[b][a]), $"nodes {a} and {b}");
            }

            // Numbered after everything it depends on: a build order.
            adjacency[a].Where(b => component[b] != component[a]).All(b => component[b] < component[a]).Should().BeTrue($"node {a} is numbered after what it needs");
        }
    }

    [Fact]
    public void A_chain_of_20000_packages_and_a_ring_of_20000_do_not_overflow_the_stack()
    {
        const int count = 20_000;
        var chain = Enumerable.Range(0, count).Select(i => i + 1 < count ? new[] { i + 1 } : []).ToArray();
        var ring = Enumerable.Range(0, count).Select(i => new[] { (i + 1) % count }).ToArray();

        StronglyConnected.Components(chain).Distinct().Should().HaveCount(count);
        StronglyConnected.Components(ring).Distinct().Should().ContainSingle();
    }

    [Fact]
    public void Cycles_are_reported_with_their_edges()
    {
        var nodes = new[] { "a", "b", "c", "d", "e" }.Select(n => new GraphNode(n, "rpm", [])).ToList();
        var edges = new[] { ("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "d") }
            .Select(e => new GraphEdge(e.Item1, e.Item2, [])).ToList();

        var graph = DependencyGraph.FromEdges(nodes, edges, []);

        graph.Cycles.Select(c => string.Join(" ", c.Packages)).Should().Equal("a b c", "d e");
        graph.Cycles[0].Edges.Select(e => e.From + e.To).Should().Equal("ab", "bc", "ca");
        graph.Cycles[1].Edges.Select(e => e.From + e.To).Should().Equal("de", "ed");
    }

    [Fact]
    public void Dot_output_is_well_formed_and_holds_every_edge_with_hostile_labels_escaped()
    {
        var graph = DependencyGraph.Build([
            Package("app", ["pkg\"quote\\back", "lib"]),
            Package("lib", ["app"], provides: ["lib", "pkg\"quote\\back"]),
            Package("alone", ["/usr/bin/x;}"]),
        ]);

        var dot = GraphText.ToDot(graph);

        var parsed = DotReader.Parse(dot);
        parsed.Edges.Should().BeEquivalentTo(new[] { ("app", "lib"), ("lib", "app") });
        parsed.Labels.Should().Contain("lib, pkg\"quote?back");
        parsed.Nodes.Should().BeEquivalentTo("alone", "app", "lib");
        parsed.Clusters.Should().ContainSingle().Which.Should().BeEquivalentTo("app", "lib");
    }

    private static bool[][] Reachability(int[][] adjacency)
    {
        var reach = new bool[adjacency.Length][];
        for (var start = 0; start < adjacency.Length; start++)
        {
            reach[start] = new bool[adjacency.Length];
            var queue = new Queue<int>([start]);
            while (queue.Count > 0)
            {
                foreach (var next in adjacency[queue.Dequeue()].Where(next => !reach[start][next]))
                {
                    reach[start][next] = true;
                    queue.Enqueue(next);
                }
            }
        }

        return reach;
    }
}

/// <summary>
/// A strict reader of the DOT subset the grammar at https://graphviz.org/doc/info/lang.html allows for
/// <c>digraph ID { stmt_list }</c>: node, edge, attribute and <c>ID = ID</c> statements and subgraphs, each optionally ended by <c>;</c>, IDs plain or
/// double-quoted (with <c>\"</c> escapes). Anything else throws, so a malformed output fails the test.
/// </summary>
internal sealed class DotReader
{
    private readonly List<(string Kind, string Text)> tokens;
    private int position;

    private DotReader(List<(string Kind, string Text)> tokens) => this.tokens = tokens;

    public HashSet<string> Nodes { get; } = [];

    public List<(string From, string To)> Edges { get; } = [];

    public List<string> Labels { get; } = [];

    public List<List<string>> Clusters { get; } = [];

    public static DotReader Parse(string text)
    {
        var reader = new DotReader(Tokenize(text));
        reader.Expect("id", "digraph");
        reader.Expect("id");
        reader.Block(null);
        reader.position.Should().Be(reader.tokens.Count, "nothing follows the graph");
        return reader;
    }

    private void Block(List<string>? cluster)
    {
        Expect("{");
        while (Peek().Kind != "}")
        {
            Statement(cluster);
        }

        Expect("}");
    }

    private void Statement(List<string>? cluster)
    {
        var first = Expect("id");
        if (first.Text == "subgraph")
        {
            var name = Expect("id").Text;
            var members = new List<string>();
            Block(members);
            if (name.StartsWith("cluster", StringComparison.Ordinal))
            {
                Clusters.Add(members);
            }
        }
        else if (Peek().Kind == "=")
        {
            Expect("=");
            Expect("id");
        }
        else if (first.Text is "node" or "edge" or "graph")
        {
            Attributes();
        }
        else if (Peek().Kind == "->")
        {
            Expect("->");
            var to = Expect("id").Text;
            Edges.Add((first.Text, to));
            Attributes();
        }
        else
        {
            Nodes.Add(first.Text);
            cluster?.Add(first.Text);
            Attributes();
        }

        if (Peek().Kind == ";")
        {
            Expect(";");
        }
    }

    private void Attributes()
    {
        if (Peek().Kind != "[")
        {
            return;
        }

        Expect("[");
        while (Peek().Kind != "]")
        {
            var key = Expect("id").Text;
            Expect("=");
            var value = Expect("id").Text;
            if (key == "label")
            {
                Labels.Add(value);
            }

            if (Peek().Kind == ",")
            {
                Expect(",");
            }
        }

        Expect("]");
    }

    private (string Kind, string Text) Peek() => position < tokens.Count ? tokens[position] : ("eof", "");

    private (string Kind, string Text) Expect(string kind, string? text = null)
    {
        var token = Peek();
        token.Kind.Should().Be(kind, $"token {position} of the DOT output");
        if (text is not null)
        {
            token.Text.Should().Be(text);
        }

        position++;
        return token;
    }

    private static List<(string Kind, string Text)> Tokenize(string text)
    {
        var tokens = new List<(string, string)>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && i + 1 < text.Length && text[i + 1] == '>')
            {
                tokens.Add(("->", "->"));
                i += 2;
            }
            else if ("{}[];=,".Contains(c, StringComparison.Ordinal))
            {
                tokens.Add((c.ToString(), c.ToString()));
                i++;
            }
            else if (c == '"')
            {
                var value = new StringBuilder();
                i++;
                while (text[i] != '"')
                {
                    if (text[i] == '\\')
                    {
                        text[i + 1].Should().Be('"', "the only escape Graphviz's scanner knows in quotes is \\\"");
                        i++;
                    }

                    text[i].Should().NotBe('\n', "a quoted ID holds no raw line end");
                    value.Append(text[i++]);
                }

                i++;
                tokens.Add(("id", value.ToString()));
            }
            else
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                (i > start).Should().BeTrue($"unexpected character '{c}' at {i} of the DOT output");
                tokens.Add(("id", text[start..i]));
            }
        }

        return tokens;
    }
}
