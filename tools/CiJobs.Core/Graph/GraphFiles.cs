using System.Globalization;
using System.Text;
using System.Text.Json;
using CiJobs.Core.Builds;

namespace CiJobs.Core.Graph;

/// <summary>
/// Reads the inputs of <c>cijobs plan --partitions</c>: a graph written by <c>cijobs graph --format json</c>, and
/// build times (docs/manual/graph-and-partitions.md, "Build times"). Every failure is
/// <see cref="GraphExitCodes.InvalidInput"/> naming the file.
/// </summary>
public static class GraphFiles
{
    /// <summary>Most packages (nodes, or build-time entries) accepted in one input.</summary>
    public const int DefaultMaxPackages = 20_000;

    /// <summary>Most edges accepted in a graph file.</summary>
    public const int MaxEdges = 1_000_000;

    public static DependencyGraph ParseGraph(string text, string source, int maxPackages = DefaultMaxPackages)
    {
        using var document = InputLimits.ParseJson(text, source, GraphExitCodes.InvalidInput);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("nodes", out var nodesElement) || nodesElement.ValueKind != JsonValueKind.Array
            || !root.TryGetProperty("edges", out var edgesElement) || edgesElement.ValueKind != JsonValueKind.Array)
        {
            throw Bad(source, "not a graph: an object with the arrays 'nodes' and 'edges' (what cijobs graph --format json prints)");
        }

        if (nodesElement.GetArrayLength() > maxPackages)
        {
            throw new CiJobsException($"{source}: more than {maxPackages} packages (--max-packages)", GraphExitCodes.LimitExceeded);
        }

        if (edgesElement.GetArrayLength() > MaxEdges)
        {
            throw new CiJobsException($"{source}: more than {MaxEdges} edges", GraphExitCodes.LimitExceeded);
        }

        var nodes = new List<GraphNode>();
        foreach (var node in nodesElement.EnumerateArray())
        {
            var name = PackageName(StringProperty(node, "name", source), source);
            var format = node.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : "rpm";
            nodes.Add(new GraphNode(name, format, []));
        }

        var edges = new List<GraphEdge>();
        foreach (var edge in edgesElement.EnumerateArray())
        {
            edges.Add(new GraphEdge(PackageName(StringProperty(edge, "from", source), source), PackageName(StringProperty(edge, "to", source), source), []));
        }

        try
        {
            return DependencyGraph.FromEdges(nodes, edges, []);
        }
        catch (CiJobsException e)
        {
            throw Bad(source, e.Message);
        }
    }

    /// <summary>
    /// Build times in seconds by package name: a JSON object <c>{"name": seconds}</c>, or CSV lines <c>name,seconds</c>
    /// (an optional first line that is a header, blank lines and <c>#</c> comments skipped). Times are finite and not negative.
    /// </summary>
    public static IReadOnlyDictionary<string, double> ParseBuildTimes(string text, string source, int maxPackages = DefaultMaxPackages)
    {
        ArgumentNullException.ThrowIfNull(text);
        var times = new Dictionary<string, double>(StringComparer.Ordinal);
        void Add(string name, double seconds, string where)
        {
            if (!double.IsFinite(seconds) || seconds < 0)
            {
                throw Bad(where, $"the build time of {name} is not a finite number of seconds >= 0");
            }

            if (!times.TryAdd(PackageName(name, where), seconds))
            {
                throw Bad(where, $"{name} is given twice");
            }

            if (times.Count > maxPackages)
            {
                throw new CiJobsException($"{source}: more than {maxPackages} entries (--max-packages)", GraphExitCodes.LimitExceeded);
            }
        }

        if (text.TrimStart().StartsWith('{'))
        {
            using var document = InputLimits.ParseJson(text, source, GraphExitCodes.InvalidInput);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.Number)
                {
                    throw Bad(source, $"the build time of {property.Name} is not a number");
                }

                Add(property.Name, property.Value.GetDouble(), source);
            }

            return times;
        }

        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split(',');
            var where = $"{source}:{lineNumber}";
            if (fields.Length != 2)
            {
                throw Bad(where, "write each line as name,seconds");
            }

            if (!double.TryParse(fields[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                if (times.Count == 0 && lineNumber == FirstContentLine(text))
                {
                    continue; // a header
                }

                throw Bad(where, $"'{Printable(fields[1])}' is not a number of seconds");
            }

            Add(fields[0].Trim(), seconds, where);
        }

        return times;
    }

    private static int FirstContentLine(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                return i + 1;
            }
        }

        return 0;
    }

    private static string StringProperty(JsonElement element, string name, string source) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Bad(source, $"an entry without the string '{name}'");

    private static string PackageName(string name, string source) => PackageNames.IsSafe(name)
        ? name
        : throw Bad(source, $"invalid package name '{Printable(name)}': use letters, digits and . _ + - only");

    private static string Printable(string text) => PackageNames.Printable(text.Length > 200 ? text[..200] + "..." : text);

    private static CiJobsException Bad(string where, string message) => new($"{where}: {message}", GraphExitCodes.InvalidInput);
}

/// <summary>The text forms of a graph: DOT for Graphviz, and plain lines for people.</summary>
public static class GraphText
{
    /// <summary>
    /// DOT: every name quoted (<see cref="Quote"/>), edges drawn from a package to what it build-requires, labelled
    /// with the dependency names, packages of a cycle in a red cluster.
    /// </summary>
    public static string ToDot(DependencyGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var dot = new StringBuilder();
        dot.Append("digraph builddeps {\n  rankdir=LR;\n  node [shape=box];\n");
        var cycleNumber = 0;
        foreach (var cycle in graph.Cycles)
        {
            dot.Append(CultureInfo.InvariantCulture, $"  subgraph cluster_cycle{++cycleNumber} {{\n    label=\"cycle {cycleNumber}\";\n    color=red;\n");
            foreach (var package in cycle.Packages)
            {
                dot.Append(CultureInfo.InvariantCulture, $"    {Quote(package)};\n");
            }

            dot.Append("  }\n");
        }

        foreach (var node in graph.Nodes)
        {
            dot.Append(CultureInfo.InvariantCulture, $"  {Quote(node.Name)};\n");
        }

        foreach (var edge in graph.Edges)
        {
            var label = edge.Via.Count == 0 ? "" : $" [label={Quote(string.Join(", ", edge.Via))}]";
            dot.Append(CultureInfo.InvariantCulture, $"  {Quote(edge.From)} -> {Quote(edge.To)}{label};\n");
        }

        dot.Append("}\n");
        return dot.ToString();
    }

    public static string ToText(DependencyGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{graph.Nodes.Count} packages, {graph.Edges.Count} edges, {graph.External.Count} external dependencies, {graph.Cycles.Count} cycles\n");
        foreach (var edge in graph.Edges)
        {
            text.Append(CultureInfo.InvariantCulture, $"{edge.From} -> {edge.To}  ({string.Join(", ", edge.Via)})\n");
        }

        foreach (var cycle in graph.Cycles)
        {
            text.Append(CultureInfo.InvariantCulture, $"cycle: {string.Join(" ", cycle.Packages)}\n");
            foreach (var edge in cycle.Edges)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {edge.From} -> {edge.To}\n");
            }
        }

        foreach (var external in graph.External)
        {
            text.Append(CultureInfo.InvariantCulture, $"external: {external.Package} needs {external.Dependency}\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// A DOT double-quoted string. Graphviz's scanner knows only <c>\"</c> inside quotes (a backslash before the
    /// closing quote would escape it) and gives labels escapes of its own (<c>\n</c>, <c>\N</c>), so a backslash is
    /// written <c>?</c>, as are control characters; the JSON output keeps every name as it is.
    /// </summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var safe = new string([.. text.Select(c => c == '\\' || char.IsControl(c) ? '?' : c)]);
        return "\"" + safe.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
