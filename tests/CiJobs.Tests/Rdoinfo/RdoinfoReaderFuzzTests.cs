using CiJobs.Core.Rdoinfo;
using CiJobs.Core.Yaml;
using CiJobs.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CiJobs.Tests.Rdoinfo;

/// <summary>
/// Property: whatever the text, reading it as rdoinfo YAML returns a tree or fails with an <see cref="RdoinfoException"/>
/// (never another exception, a crash or a hang), and allocates at most <see cref="AllocationCap"/> bytes for a
/// document of at most a few kilobytes. Bounded: a fixed number of cases of bounded size (seconds in CI).
/// </summary>
public sealed class RdoinfoReaderFuzzTests
{
    /// <summary>The memory one small document may take, alias bombs included (the node limit stops them well below).</summary>
    private const long AllocationCap = 64L * 1024 * 1024;

    private static readonly string[] Tokens =
    [
        "a", "b", "project", ":", ": ", " ", "  ", "\n", "\n  ", "\n    ", "- ", "-", "[", "]", "{", "}", ", ", "&x ", "*x", "&y ", "*y", "<<: ",
        "!!str ", "!!int ", "!!float ", "!!python/object:x ", "! ", "!x ", "'", "''", "\"", "\\", "\\u00e9", "#", " #c", "\t", "|", ">", "? ", "%",
        "@", "`", "---", "...", "\r", "\r\n", "é", "\uFEFF", "\u2028", "\u0085", "\0", "\uFFFF", "\ud800", ".", "1.10", "0755", "0x1F", "0b", "yes",
        "~", "null", "=", "2025-01-02", "2025-13-45 25:61:61", "1:20", ".inf", "1_000", "9999999999999999999999", "[*x, *x, *x, *x, *x, *x, *x, *x]",
        "&x [*y, *y, *y, *y, *y, *y, *y, *y]", "&y [z, z, z, z, z, z, z, z]", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n",
    ];

    private static readonly string RealSample = File.ReadAllText(Path.Combine(RepoPaths.RealRdoinfo, "rdo.yml"))[..3000];

    private static Arbitrary<string> Documents()
    {
        var fromTokens = Gen.ListOf(Gen.Elements(Tokens)).Select(parts => string.Concat(parts));
        var mutatedSample =
            from start in Gen.Choose(0, RealSample.Length - 200)
            from length in Gen.Choose(20, 1500)
            from edits in Gen.ListOf(Gen.Zip(Gen.Choose(0, 1500), Gen.Elements(Tokens)))
            select Mutate(RealSample.Substring(start, Math.Min(length, RealSample.Length - start)), edits);
        var valid = Gen.Choose(0, int.MaxValue).Select(seed => Yaml.PyYamlDifferentialTests.RandomDocument(new Random(seed)));
        return Gen.Frequency((3, fromTokens), (2, mutatedSample), (2, valid)).ToArbitrary();
    }

    private static string Mutate(string text, IEnumerable<(int Position, string Token)> edits)
    {
        foreach (var (position, token) in edits)
        {
            var at = position % (text.Length + 1);
            text = position % 3 == 0 && at < text.Length ? text.Remove(at, 1) : text.Insert(at, token);
        }

        return text;
    }

    [Property(MaxTest = 1500, QuietOnSuccess = true)]
    public Property Any_text_reads_as_a_tree_or_an_rdoinfo_error_within_the_memory_cap() => Prop.ForAll(Documents(), text =>
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            YamlTree.Parse(text, "fuzz.yml");
        }
        catch (RdoinfoException e) when (e.ExitCode is RdoinfoExitCodes.Syntax or RdoinfoExitCodes.Limit && e.File == "fuzz.yml")
        {
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        allocated.Should().BeLessThan(AllocationCap, "reading {0} characters", text.Length);
    });

    [Property(MaxTest = 300, QuietOnSuccess = true)]
    public Property Tight_limits_end_every_read_with_a_limit_error_or_a_tree_that_respects_them() => Prop.ForAll(Documents(), text =>
    {
        var limits = new YamlLimits { MaxDepth = 3, MaxAliases = 2, MaxNodes = 40 };
        using var scope = YamlReadContext.Use(limits);
        object? tree;
        try
        {
            tree = YamlTree.Parse(text, "fuzz.yml");
        }
        catch (RdoinfoException e) when (e.ExitCode is RdoinfoExitCodes.Syntax or RdoinfoExitCodes.Limit)
        {
            return;
        }

        Measure(tree, 1).Should().Match<(long Nodes, int Depth)>(m => m.Nodes <= limits.MaxNodes && m.Depth <= limits.MaxDepth, text);
    });

    /// <summary>Nodes (keys included) and collection depth of a tree with aliases expanded.</summary>
    private static (long Nodes, int Depth) Measure(object? node, int depth) => node switch
    {
        YamlMap map => map.Values.Select(v => Measure(v, depth + 1)).Aggregate((Nodes: 1L + map.Count, Depth: depth), (a, m) => (a.Nodes + m.Nodes, Math.Max(a.Depth, m.Depth))),
        YamlList list => list.Select(v => Measure(v, depth + 1)).Aggregate((Nodes: 1L, Depth: depth), (a, m) => (a.Nodes + m.Nodes, Math.Max(a.Depth, m.Depth))),
        _ => (1, depth - 1),
    };
}
