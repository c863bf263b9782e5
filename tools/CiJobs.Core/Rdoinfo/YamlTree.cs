using System.Collections;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace CiJobs.Core.Rdoinfo;

/// <summary>A YAML mapping in file order that remembers where it and each of its keys came from.</summary>
/// <remarks>
/// rdoinfo holds tens of thousands of small maps (a package entry of a tag file has two keys), so entries live
/// in one array searched in order, and a key index is built only once a map grows past <see cref="IndexFrom"/> keys.
/// </remarks>
internal sealed class YamlMap : IReadOnlyDictionary<string, object?>
{
    private const int IndexFrom = 8;

    private Entry[] entries;
    private int count;
    private Dictionary<string, int>? index;

    public YamlMap(string file, long line)
    {
        File = file;
        Line = line;
        entries = new Entry[2];
    }

    private YamlMap(YamlMap source, int extra)
    {
        File = source.File;
        Line = source.Line;
        entries = new Entry[source.count + extra];
        Array.Copy(source.entries, entries, source.count);
        count = source.count;
        index = source.index is null ? null : new Dictionary<string, int>(source.index, StringComparer.Ordinal);
        IsMergeCopy = true;
    }

    public string File { get; }

    public long Line { get; }

    /// <summary>True for maps the merge made (copies it owns and may change); parsed maps are never changed.</summary>
    public bool IsMergeCopy { get; }

    public int Count => count;

    public IEnumerable<string> Keys
    {
        get
        {
            for (var i = 0; i < count; i++)
            {
                yield return entries[i].Key;
            }
        }
    }

    public IEnumerable<object?> Values
    {
        get
        {
            for (var i = 0; i < count; i++)
            {
                yield return entries[i].Value;
            }
        }
    }

    public object? this[string key] => Find(key) is var i and >= 0 ? entries[i].Value : throw new KeyNotFoundException(key);

    public bool ContainsKey(string key) => Find(key) >= 0;

    public bool TryGetValue(string key, out object? value)
    {
        var i = Find(key);
        value = i >= 0 ? entries[i].Value : null;
        return i >= 0;
    }

    /// <summary>The key, value and mark of the entry at <paramref name="position"/> (0 ≤ position &lt; Count), in file order.</summary>
    public (string Key, object? Value, string File, long Line) EntryAt(int position)
    {
        var entry = entries[position];
        return (entry.Key, entry.Value, entry.File, entry.Line);
    }

    /// <summary>Adds or replaces a key; a replaced key keeps its position, as a Python dict does.</summary>
    public void Set(string key, object? value, string file, long line)
    {
        var i = Find(key);
        if (i >= 0)
        {
            entries[i] = new Entry(key, value, file, line);
            return;
        }

        if (count == entries.Length)
        {
            Array.Resize(ref entries, count * 2);
        }

        entries[count] = new Entry(key, value, file, line);
        if (index is not null)
        {
            index[key] = count;
        }
        else if (count + 1 == IndexFrom)
        {
            index = new Dictionary<string, int>(IndexFrom * 2, StringComparer.Ordinal);
            for (var j = 0; j <= count; j++)
            {
                index[entries[j].Key] = j;
            }
        }

        count++;
    }

    /// <summary>Copies every key of <paramref name="other"/> over this map (Python's dict.update).</summary>
    public void Update(YamlMap other)
    {
        for (var i = 0; i < other.count; i++)
        {
            var entry = other.entries[i];
            Set(entry.Key, entry.Value, entry.File, entry.Line);
        }
    }

    public (string File, long Line) MarkOf(string key) =>
        Find(key) is var i and >= 0 ? (entries[i].File, entries[i].Line) : (File, Line);

    /// <summary>A copy the caller owns, with room for <paramref name="extra"/> more keys.</summary>
    public YamlMap ShallowCopy(int extra = 2) => new(this, extra);

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < count; i++)
        {
            yield return new KeyValuePair<string, object?>(entries[i].Key, entries[i].Value);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int Find(string key)
    {
        if (index is not null)
        {
            return index.TryGetValue(key, out var i) ? i : -1;
        }

        for (var i = 0; i < count; i++)
        {
            if (string.Equals(entries[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private readonly record struct Entry(string Key, object? Value, string File, long Line);
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
/// Files in rdoinfo's block-style subset are read by <see cref="BlockYamlReader"/>; the rest by YamlDotNet.
/// </summary>
internal static class YamlTree
{
    public static object? Parse(string text, string file) =>
        BlockYamlReader.TryParse(text, file, out var root) ? root : ParseFull(text, file);

    /// <summary>The full YAML parser (YamlDotNet), for files outside the subset and for every error.</summary>
    internal static object? ParseFull(string text, string file)
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
