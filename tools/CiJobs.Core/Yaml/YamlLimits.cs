using System.Globalization;

namespace CiJobs.Core.Yaml;

/// <summary>The bounds a YAML reader enforces on one document (docs/contracts/rdoinfo.md, "Limits").</summary>
public enum YamlLimitKind
{
    /// <summary>Nesting of mappings and sequences, counting what aliases bring in.</summary>
    Depth,

    /// <summary>Alias uses (<c>*name</c>) in one document.</summary>
    Aliases,

    /// <summary>Nodes of the document with every alias expanded (keys, values and collections).</summary>
    Nodes,

    /// <summary>Bytes of one file.</summary>
    FileSize,
}

/// <summary>
/// The limits every YAML document is read under: hostile input (alias bombs, deep nesting, huge files)
/// fails with an error naming the limit instead of exhausting memory, CPU or the stack. One set serves every
/// reader; the command line sets them with <see cref="OptionName"/>.
/// </summary>
public sealed record YamlLimits
{
    public const int DefaultMaxDepth = 256;
    public const int DefaultMaxAliases = 10_000;
    public const long DefaultMaxNodes = 1_000_000;
    public const long DefaultMaxFileBytes = 16L * 1024 * 1024;

    /// <summary>The largest depth that may be set: deeper trees would outgrow the JSON writers (depth 1000) and the stack.</summary>
    public const int HighestMaxDepth = 512;

    public static YamlLimits Default { get; } = new();

    public int MaxDepth { get; init; } = DefaultMaxDepth;

    public int MaxAliases { get; init; } = DefaultMaxAliases;

    public long MaxNodes { get; init; } = DefaultMaxNodes;

    public long MaxFileBytes { get; init; } = DefaultMaxFileBytes;

    /// <summary>The command-line option that sets a limit.</summary>
    public static string OptionName(YamlLimitKind kind) => kind switch
    {
        YamlLimitKind.Depth => "--yaml-max-depth",
        YamlLimitKind.Aliases => "--yaml-max-aliases",
        YamlLimitKind.Nodes => "--yaml-max-nodes",
        _ => "--yaml-max-file-size",
    };

    public long ValueOf(YamlLimitKind kind) => kind switch
    {
        YamlLimitKind.Depth => MaxDepth,
        YamlLimitKind.Aliases => MaxAliases,
        YamlLimitKind.Nodes => MaxNodes,
        _ => MaxFileBytes,
    };

    /// <summary>The sentence an error ends with, e.g. "the YAML depth limit (256, --yaml-max-depth)".</summary>
    public string Describe(YamlLimitKind kind)
    {
        var what = kind switch
        {
            YamlLimitKind.Depth => "the YAML nesting depth limit",
            YamlLimitKind.Aliases => "the YAML alias limit",
            YamlLimitKind.Nodes => "the YAML expanded node limit",
            _ => "the file size limit",
        };
        var value = ValueOf(kind).ToString(CultureInfo.InvariantCulture) + (kind == YamlLimitKind.FileSize ? " bytes" : "");
        return $"{what} ({value}, {OptionName(kind)})";
    }
}

/// <summary>A document went past one of the <see cref="YamlLimits"/>; each reader turns it into its own error and exit code.</summary>
public sealed class YamlLimitExceededException(YamlLimitKind kind, string message, long? line) : Exception(message)
{
    public YamlLimitKind Kind { get; } = kind;

    /// <summary>The 1-based line where the limit was passed, when there is one.</summary>
    public long? Line { get; } = line;
}

/// <summary>
/// Counts one document against the limits while a reader builds it: every node, every alias use with
/// the size and height of what it brings in, and the nesting depth. Not thread-safe: one per document.
/// </summary>
public sealed class YamlBudget(YamlLimits limits)
{
    private long nodes;
    private int aliases;

    public YamlLimits Limits { get; } = limits;

    public long Nodes => nodes;

    /// <summary>One more node (scalar, key, mapping or sequence); false when that passes the node limit.</summary>
    public bool TryAddNode() => ++nodes <= Limits.MaxNodes;

    /// <summary>Whether a collection may open at <paramref name="depth"/> (the root collection is at depth 1).</summary>
    public bool DepthAllowed(int depth) => depth <= Limits.MaxDepth;

    public void AddNode(long line)
    {
        if (!TryAddNode())
        {
            throw Exceeded(YamlLimitKind.Nodes, $"the document expands to more than {Limits.MaxNodes} nodes", line);
        }
    }

    public void EnterCollection(int depth, long line)
    {
        if (!DepthAllowed(depth))
        {
            throw Exceeded(YamlLimitKind.Depth, $"mappings and sequences nest more than {Limits.MaxDepth} deep", line);
        }
    }

    /// <summary>
    /// An alias use at <paramref name="depth"/> (where its node sits) bringing in <paramref name="size"/> nodes
    /// that nest <paramref name="height"/> collections deep.
    /// </summary>
    public void AddAlias(long size, int height, int depth, long line)
    {
        if (++aliases > Limits.MaxAliases)
        {
            throw Exceeded(YamlLimitKind.Aliases, $"more than {Limits.MaxAliases} aliases in one document", line);
        }

        if (height > 0 && depth + height - 1 > Limits.MaxDepth)
        {
            throw Exceeded(YamlLimitKind.Depth, $"the alias nests mappings and sequences more than {Limits.MaxDepth} deep", line);
        }

        nodes += size;
        if (nodes > Limits.MaxNodes)
        {
            throw Exceeded(YamlLimitKind.Nodes, $"the document expands to more than {Limits.MaxNodes} nodes through its aliases", line);
        }
    }

    public YamlLimitExceededException Exceeded(YamlLimitKind kind, string what, long? line) =>
        new(kind, $"{what}: {Limits.Describe(kind)}", line);
}
