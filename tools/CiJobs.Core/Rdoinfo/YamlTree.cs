using System.Collections;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace CiJobs.Core.Rdoinfo;

/// <summary>A YAML mapping in file order that remembers where it and each of its keys came from.</summary>
internal sealed class YamlMap : IReadOnlyDictionary<string, object?>
{
    private readonly Dictionary<string, int> index;
    private readonly List<(string Key, object? Value, string File, long Line)> entries;

    public YamlMap(string file, long line)
    {
        File = file;
        Line = line;
        index = new Dictionary<string, int>(StringComparer.Ordinal);
        entries = [];
    }

    private YamlMap(YamlMap source)
    {
        File = source.File;
        Line = source.Line;
        index = new Dictionary<string, int>(source.index, StringComparer.Ordinal);
        entries = new List<(string, object?, string, long)>(source.entries);
        IsMergeCopy = true;
    }

    public string File { get; }

    public long Line { get; }

    /// <summary>True for maps the merge made (copies it owns and may change); parsed maps are never changed.</summary>
    public bool IsMergeCopy { get; }

    public int Count => entries.Count;

    public IEnumerable<string> Keys => entries.Select(e => e.Key);

    public IEnumerable<object?> Values => entries.Select(e => e.Value);

    public object? this[string key] => entries[index[key]].Value;

    public bool ContainsKey(string key) => index.ContainsKey(key);

    public bool TryGetValue(string key, out object? value)
    {
        if (index.TryGetValue(key, out var i))
        {
            value = entries[i].Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Adds or replaces a key; a replaced key keeps its position, as a Python dict does.</summary>
    public void Set(string key, object? value, string file, long line)
    {
        if (index.TryGetValue(key, out var i))
        {
            entries[i] = (key, value, file, line);
        }
        else
        {
            index[key] = entries.Count;
            entries.Add((key, value, file, line));
        }
    }

    /// <summary>Copies every key of <paramref name="other"/> over this map (Python's dict.update).</summary>
    public void Update(YamlMap other)
    {
        foreach (var entry in other.entries)
        {
            Set(entry.Key, entry.Value, entry.File, entry.Line);
        }
    }

    public (string File, long Line) MarkOf(string key) =>
        index.TryGetValue(key, out var i) ? (entries[i].File, entries[i].Line) : (File, Line);

    public YamlMap ShallowCopy() => new(this);

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() =>
        entries.Select(e => new KeyValuePair<string, object?>(e.Key, e.Value)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A YAML sequence that remembers where it and each item came from.</summary>
internal sealed class YamlList(string file, long line) : IReadOnlyList<object?>
{
    private readonly List<object?> items = [];
    private readonly List<long> itemLines = [];

    public string File { get; } = file;

    public long Line { get; } = line;

    /// <summary>True for lists the merge made (copies it owns and may append to).</summary>
    public bool IsMergeCopy { get; init; }

    public int Count => items.Count;

    public object? this[int index] => items[index];

    public long LineOf(int index) => itemLines[index];

    public void Add(object? item, long line)
    {
        items.Add(item);
        itemLines.Add(line);
    }

    public IEnumerator<object?> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// Reads one YAML document into <see cref="YamlMap"/>, <see cref="YamlList"/>, <c>string</c> and <c>null</c>,
/// with 1-based line numbers. Scalars stay strings (no int/bool typing); plain <c>~</c>, <c>null</c> and
/// empty values are null. Duplicate keys and syntax errors become <see cref="RdoinfoException"/>.
/// </summary>
internal static class YamlTree
{
    public static object? Parse(string text, string file)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, object?>(StringComparer.Ordinal);
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return null;
            }

            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, file, anchors);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
            {
                var next = parser.Current!;
                throw new RdoinfoException("more than one YAML document in the file", RdoinfoExitCodes.Syntax, file, next.Start.Line);
            }

            return root;
        }
        catch (YamlException e)
        {
            var message = e.InnerException?.Message ?? e.Message;
            var cut = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith("(Line", StringComparison.Ordinal) && cut > 0)
            {
                message = message[(cut + 3)..];
            }

            throw new RdoinfoException($"YAML syntax error: {message}", RdoinfoExitCodes.Syntax, file, e.Start.Line);
        }
    }

    private static object? ReadNode(IParser parser, string file, Dictionary<string, object?> anchors)
    {
        var current = parser.Current ?? throw new RdoinfoException("unexpected end of YAML", RdoinfoExitCodes.Syntax, file);
        object? node;
        switch (current)
        {
            case AnchorAlias alias:
                parser.MoveNext();
                return anchors.TryGetValue(alias.Value.Value, out var target)
                    ? target
                    : throw new RdoinfoException($"unknown YAML alias *{alias.Value}", RdoinfoExitCodes.Syntax, file, alias.Start.Line);
            case Scalar scalar:
                parser.MoveNext();
                node = IsNull(scalar) ? null : scalar.Value;
                Remember(scalar.Anchor, node, anchors);
                return node;
            case SequenceStart sequenceStart:
                {
                    parser.MoveNext();
                    var list = new YamlList(file, sequenceStart.Start.Line);
                    while (!parser.TryConsume<SequenceEnd>(out _))
                    {
                        var line = parser.Current!.Start.Line;
                        list.Add(ReadNode(parser, file, anchors), line);
                    }

                    Remember(sequenceStart.Anchor, list, anchors);
                    return list;
                }

            case MappingStart mappingStart:
                {
                    parser.MoveNext();
                    var map = new YamlMap(file, mappingStart.Start.Line);
                    while (!parser.TryConsume<MappingEnd>(out _))
                    {
                        var keyEvent = parser.Current!;
                        if (keyEvent is not Scalar keyScalar)
                        {
                            throw new RdoinfoException("a mapping key must be a plain value", RdoinfoExitCodes.Syntax, file, keyEvent.Start.Line);
                        }

                        parser.MoveNext();
                        var key = keyScalar.Value;
                        if (map.ContainsKey(key))
                        {
                            throw new RdoinfoException(
                                $"duplicate key '{key}' (first at line {map.MarkOf(key).Line})",
                                RdoinfoExitCodes.Syntax,
                                file,
                                keyScalar.Start.Line);
                        }

                        map.Set(key, ReadNode(parser, file, anchors), file, keyScalar.Start.Line);
                    }

                    Remember(mappingStart.Anchor, map, anchors);
                    return map;
                }

            default:
                throw new RdoinfoException($"unexpected YAML event {current.GetType().Name}", RdoinfoExitCodes.Syntax, file, current.Start.Line);
        }
    }

    private static void Remember(AnchorName anchor, object? node, Dictionary<string, object?> anchors)
    {
        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = node;
        }
    }

    private static bool IsNull(Scalar scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL";
}
