using System.Collections;
using CiJobs.Core.Yaml;
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
        KeyIdentities = source.KeyIdentities;
        IsMergeCopy = true;
    }

    public string File { get; }

    public long Line { get; }

    /// <summary>True for maps the merge made (copies it owns and may change); parsed maps are never changed.</summary>
    public bool IsMergeCopy { get; }

    /// <summary>
    /// For keys that are not strings in YAML 1.1 (<c>1.10:</c>, <c>yes:</c>, <c>~:</c>): the key as printed mapped
    /// to the identity Python compares it by (see <see cref="Yaml.PyScalar.KeyIdentity"/>); null when every key is a string.
    /// </summary>
    public IReadOnlyDictionary<string, string>? KeyIdentities { get; internal set; }

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
/// with 1-based line numbers, the way distroinfo's PyYAML reads it (YAML 1.1): each scalar becomes the text
/// Python's <c>str()</c> gives for the value PyYAML constructs (<c>1.10</c> is <c>"1.1"</c>, <c>yes</c> is
/// <c>"True"</c>), None becomes null, a repeated key keeps its last value, <c>&lt;&lt;</c> merges mappings.
/// Every document is read under <see cref="YamlReadContext.Limits"/>; plain scalars that YAML 1.1 turns into
/// numbers, booleans or dates are reported through <see cref="YamlReadContext.Warn"/>.
/// Files in rdoinfo's block-style subset are read by <see cref="BlockYamlReader"/>; the rest by YamlDotNet.
/// Rules and limits: docs/contracts/rdoinfo.md.
/// </summary>
internal static class YamlTree
{
    public static object? Parse(string text, string file)
    {
        var limits = YamlReadContext.Limits;
        var warnings = new List<YamlWarning>();
        if (!BlockYamlReader.TryParse(text, file, limits, warnings, out var root))
        {
            warnings.Clear();
            root = ParseFull(text, file, limits, warnings);
        }

        YamlReadContext.Warn(warnings);
        return root;
    }

    /// <summary>The full YAML parser (YamlDotNet), for files outside the subset and for every error.</summary>
    internal static object? ParseFull(string text, string file) => ParseFull(text, file, YamlReadContext.Limits, []);

    internal static object? ParseFull(string text, string file, YamlLimits limits, List<YamlWarning> warnings)
    {
        var reader = new FullReader(new Parser(new StringReader(text)), file, new YamlBudget(limits), warnings);
        try
        {
            return reader.ReadDocument();
        }
        catch (YamlException e)
        {
            var message = e.InnerException?.Message ?? e.Message;
            var cut = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith("(Line", StringComparison.Ordinal) && cut > 0)
            {
                message = message[(cut + 3)..];
            }

            var line = message.Contains(" tab ", StringComparison.Ordinal) ? TabLine(text, e.Start.Line, e.End.Line) : e.Start.Line;
            throw new RdoinfoException($"YAML syntax error: {message}", RdoinfoExitCodes.Syntax, file, line);
        }
        catch (YamlLimitExceededException e)
        {
            throw new RdoinfoException(e.Message, RdoinfoExitCodes.Limit, file, e.Line);
        }

        // YamlDotNet fails on some malformed input with exceptions of its own state machine (found by the fuzz test).
        catch (InvalidOperationException e)
        {
            throw ParserFailed(e, file, reader);
        }
        catch (ArgumentException e)
        {
            throw ParserFailed(e, file, reader);
        }
        catch (IndexOutOfRangeException e)
        {
            throw ParserFailed(e, file, reader);
        }
    }

    private static RdoinfoException ParserFailed(Exception e, string file, FullReader reader) =>
        new($"YAML syntax error: the YAML parser gave up ({e.Message})", RdoinfoExitCodes.Syntax, file, reader.Line);

    /// <summary>The warning for a plain scalar YAML 1.1 reads as something other than a string.</summary>
    internal static string TypedScalarWarning(string text, PyScalar value, bool isKey)
    {
        var what = isKey ? "the key " : "";
        var shown = value.PythonStr;
        return shown == text
            ? $"{what}'{text}' is the {value.TypeName} {shown} in YAML 1.1 (as distroinfo reads it), not a string; quote it if a string is meant"
            : $"{what}'{text}' is the {value.TypeName} {shown} in YAML 1.1 (as distroinfo reads it): distroinfo and DLRN use '{shown}'; quote it to keep '{text}'";
    }

    /// <summary>
    /// YamlDotNet reports a tab in the indentation at the start of the enclosing node, up to several lines too
    /// early; the line is the first one from there whose indentation holds a tab (as PyYAML reports it).
    /// </summary>
    private static long TabLine(string text, long startLine, long endLine)
    {
        var line = 1L;
        var position = 0;
        while (position <= text.Length && line < startLine)
        {
            var next = text.IndexOf('\n', position);
            if (next < 0)
            {
                return endLine;
            }

            position = next + 1;
            line++;
        }

        while (position < text.Length)
        {
            for (var i = position; i < text.Length && text[i] is ' ' or '\t'; i++)
            {
                if (text[i] == '\t')
                {
                    return line;
                }
            }

            var next = text.IndexOf('\n', position);
            if (next < 0)
            {
                break;
            }

            position = next + 1;
            line++;
        }

        return Math.Max(startLine, endLine);
    }

    /// <summary>A built node and what an alias to it brings in: its node count and its collection height.</summary>
    private readonly record struct Built(object? Value, long Size, int Height);

    /// <summary>An anchored node; scalars also keep how they read as a key.</summary>
    private sealed record Anchored(Built Node, PyScalar? Scalar);

    /// <summary>A mapping key as PyYAML constructs it: the text it prints as and, for non-strings, its identity.</summary>
    private readonly record struct Key(string Text, string? Identity, long Line);

    private sealed class FullReader(IParser parser, string file, YamlBudget budget, List<YamlWarning> warnings)
    {
        private readonly Dictionary<string, Anchored> anchors = new(StringComparer.Ordinal);
        private readonly HashSet<string> open = new(StringComparer.Ordinal);

        /// <summary>The line of the last event read, for errors the parser gives without one.</summary>
        public long? Line => parser.Current?.Start.Line;

        public object? ReadDocument()
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return null;
            }

            parser.Consume<DocumentStart>();
            var root = ReadNode(1).Value;
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
            {
                var next = parser.Current!;
                throw Error("more than one YAML document in the file", next.Start.Line);
            }

            return root;
        }

        private RdoinfoException Error(string message, long line) => new(message, RdoinfoExitCodes.Syntax, file, line);

        /// <summary>Reads the node at the parser; a collection there would be at <paramref name="depth"/>.</summary>
        private Built ReadNode(int depth)
        {
            var current = parser.Current ?? throw new RdoinfoException("unexpected end of YAML", RdoinfoExitCodes.Syntax, file);
            switch (current)
            {
                case AnchorAlias alias:
                    {
                        parser.MoveNext();
                        var target = Resolve(alias);
                        budget.AddAlias(target.Node.Size, target.Node.Height, depth, alias.Start.Line);
                        return target.Node;
                    }

                case Scalar scalar:
                    {
                        parser.MoveNext();
                        budget.AddNode(scalar.Start.Line);
                        var value = ReadScalar(scalar, isKey: false);
                        var node = new Built(value.Text, 1, 0);
                        Remember(scalar.Anchor, node, value, scalar.Start.Line);
                        return node;
                    }

                case SequenceStart start:
                    {
                        parser.MoveNext();
                        BeginCollection(start, depth, "seq");
                        var list = new YamlList(file, start.Start.Line);
                        long size = 1;
                        var height = 0;
                        while (!parser.TryConsume<SequenceEnd>(out _))
                        {
                            var line = parser.Current!.Start.Line;
                            var item = ReadNode(depth + 1);
                            list.Add(item.Value, line);
                            size += item.Size;
                            height = Math.Max(height, item.Height);
                        }

                        var node = new Built(list, size, height + 1);
                        Remember(start.Anchor, node, null, start.Start.Line);
                        return node;
                    }

                case MappingStart start:
                    {
                        parser.MoveNext();
                        BeginCollection(start, depth, "map");
                        var node = ReadMapping(start, depth);
                        Remember(start.Anchor, node, null, start.Start.Line);
                        return node;
                    }

                default:
                    throw Error($"unexpected YAML event {current.GetType().Name}", current.Start.Line);
            }
        }

        private Built ReadMapping(MappingStart start, int depth)
        {
            var own = new List<(Key Key, object? Value)>();
            List<(object? Value, long Line)>? merges = null;
            long size = 1;
            var height = 0;
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyEvent = parser.Current!;
                var (key, isMerge, keySize) = ReadKey(keyEvent, depth);
                size += keySize;
                var value = ReadNode(depth + 1);
                size += value.Size;
                height = Math.Max(height, value.Height);
                if (isMerge)
                {
                    (merges ??= []).Add((value.Value, keyEvent.Start.Line));
                }
                else
                {
                    own.Add((key, value.Value));
                }
            }

            // PyYAML's flatten_mapping: the merged pairs come first (a list of mappings in reverse order, so the
            // first mapping wins), then the mapping's own pairs; the last of equal keys wins, at the first's place.
            var builder = new MapBuilder(new YamlMap(file, start.Start.Line), this, file);
            foreach (var (value, line) in merges ?? [])
            {
                switch (value)
                {
                    case YamlMap map:
                        builder.AddAll(map);
                        break;
                    case YamlList list:
                        for (var i = list.Count - 1; i >= 0; i--)
                        {
                            builder.AddAll(list[i] as YamlMap ?? throw Error("a merge key '<<' takes a list of mappings; one item is not a mapping", list.LineOf(i)));
                        }

                        break;
                    default:
                        throw Error("a merge key '<<' takes a mapping or a list of mappings", line);
                }
            }

            foreach (var (key, value) in own)
            {
                builder.Add(key, value);
            }

            return new Built(builder.Build(), size, height + 1);
        }

        /// <summary>Reads a mapping key: a scalar (or an alias to one); collections cannot be keys in Python.</summary>
        private (Key Key, bool IsMerge, long Size) ReadKey(ParsingEvent keyEvent, int depth)
        {
            var line = keyEvent.Start.Line;
            switch (keyEvent)
            {
                case Scalar scalar:
                    {
                        parser.MoveNext();
                        budget.AddNode(line);
                        var tag = TagOf(scalar);
                        if (tag == PyTag.Merge)
                        {
                            return (default, true, 1);
                        }

                        var value = tag == PyTag.Value ? PyScalar.String(scalar.Value) : ReadScalar(scalar, isKey: true);
                        Remember(scalar.Anchor, new Built(value.Text, 1, 0), value, line);
                        return (KeyOf(value, line), false, 1);
                    }

                case AnchorAlias alias:
                    {
                        parser.MoveNext();
                        var target = Resolve(alias);
                        budget.AddAlias(target.Node.Size, target.Node.Height, depth + 1, line);
                        return target.Scalar is { } scalar
                            ? (KeyOf(scalar, line), false, 1)
                            : throw Error("a mapping key must be a scalar, not a mapping or a list", line);
                    }

                default:
                    throw Error("a mapping key must be a scalar, not a mapping or a list", line);
            }
        }

        private static Key KeyOf(PyScalar value, long line) => new(value.PythonStr, value.KeyIdentity, line);

        private static PyTag TagOf(Scalar scalar)
        {
            if (scalar.Tag.IsEmpty)
            {
                return scalar.Style == ScalarStyle.Plain ? PyYaml.ResolvePlain(scalar.Value) : PyTag.Str;
            }

            // PyYAML resolves a scalar tagged '!' as if it were plain, whatever its quotes (composer.py).
            return scalar.Tag.Value == "!" ? PyYaml.ResolvePlain(scalar.Value) : PyYaml.FromExplicitTag(scalar.Tag.Value);
        }

        private PyScalar ReadScalar(Scalar scalar, bool isKey)
        {
            var tag = TagOf(scalar);
            var tagName = scalar.Tag.IsEmpty || scalar.Tag.Value == "!" ? PyYaml.TagName(tag) : scalar.Tag.Value;
            PyScalar value;
            try
            {
                value = PyYaml.Construct(tag, scalar.Value, tagName);
            }
            catch (PyYamlValueException e)
            {
                throw Error($"distroinfo cannot read this value: {e.Message}", scalar.Start.Line);
            }

            if (value.Type is not (PyType.Str or PyType.None) && scalar.Tag.IsEmpty)
            {
                warnings.Add(new YamlWarning(file, scalar.Start.Line, TypedScalarWarning(scalar.Value, value, isKey)));
            }

            return value;
        }

        /// <summary>A mapping or sequence opens at <paramref name="depth"/>: counted, its tag checked, its anchor open.</summary>
        private void BeginCollection(NodeEvent start, int depth, string kind)
        {
            budget.EnterCollection(depth, start.Start.Line);
            budget.AddNode(start.Start.Line);
            CheckCollectionTag(start.Tag, kind, start.Start.Line);
            Open(start.Anchor, start.Start.Line);
        }

        private void CheckCollectionTag(TagName tag, string kind, long line)
        {
            if (!tag.IsEmpty && tag.Value != "!" && tag.Value != PyYaml.TagPrefix + kind)
            {
                throw Error($"the tag '{tag.Value}' is not read (only plain mappings, lists and scalars are)", line);
            }
        }

        private Anchored Resolve(AnchorAlias alias)
        {
            if (anchors.TryGetValue(alias.Value.Value, out var target))
            {
                return target;
            }

            throw Error(
                open.Contains(alias.Value.Value) ? $"the alias *{alias.Value} refers to a node that contains it" : $"unknown YAML alias *{alias.Value}",
                alias.Start.Line);
        }

        private void Open(AnchorName anchor, long line)
        {
            if (!anchor.IsEmpty)
            {
                CheckNewAnchor(anchor, line);
                open.Add(anchor.Value);
            }
        }

        private void Remember(AnchorName anchor, Built node, PyScalar? scalar, long line)
        {
            if (anchor.IsEmpty)
            {
                return;
            }

            if (!open.Remove(anchor.Value))
            {
                CheckNewAnchor(anchor, line);
            }

            anchors[anchor.Value] = new Anchored(node, scalar);
        }

        /// <summary>PyYAML refuses an anchor defined twice in a document (composer.py).</summary>
        private void CheckNewAnchor(AnchorName anchor, long line)
        {
            if (anchors.ContainsKey(anchor.Value) || open.Contains(anchor.Value))
            {
                throw Error($"the anchor &{anchor.Value} is defined twice", line);
            }
        }

        /// <summary>Builds one mapping with Python's dict semantics over keys that may not be strings.</summary>
        private sealed class MapBuilder(YamlMap map, FullReader reader, string file)
        {
            private Dictionary<string, string>? textByIdentity;
            private Dictionary<string, string>? identityByText;

            public void Add(Key key, object? value) => Add(key, value, file);

            public void AddAll(YamlMap source)
            {
                for (var i = 0; i < source.Count; i++)
                {
                    var (key, value, file, line) = source.EntryAt(i);
                    string? identity = null;
                    source.KeyIdentities?.TryGetValue(key, out identity);
                    Add(new Key(key, identity, line), value, file);
                }
            }

            public YamlMap Build()
            {
                map.KeyIdentities = identityByText;
                return map;
            }

            private void Add(Key key, object? value, string entryFile)
            {
                if (key.Identity is null)
                {
                    if (identityByText?.ContainsKey(key.Text) == true)
                    {
                        throw Collision(key);
                    }

                    map.Set(key.Text, value, entryFile, key.Line);
                    return;
                }

                if (textByIdentity?.TryGetValue(key.Identity, out var first) == true)
                {
                    map.Set(first, value, entryFile, key.Line); // Python keeps the first key object and the last value
                    return;
                }

                if (map.ContainsKey(key.Text))
                {
                    throw Collision(key);
                }

                (textByIdentity ??= new(StringComparer.Ordinal))[key.Identity] = key.Text;
                (identityByText ??= new(StringComparer.Ordinal))[key.Text] = key.Identity;
                map.Set(key.Text, value, entryFile, key.Line);
            }

            private RdoinfoException Collision(Key key) => reader.Error(
                $"the key '{key.Text}' appears as a string and as a value of another type; distroinfo keeps both, this reader cannot: quote or rename one",
                key.Line);
        }
    }
}
