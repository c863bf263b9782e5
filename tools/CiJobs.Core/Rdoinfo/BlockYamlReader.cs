using System.Buffers;
using CiJobs.Core.Yaml;

namespace CiJobs.Core.Rdoinfo;

/// <summary>
/// A fast reader for the block-style YAML subset rdoinfo is written in: block mappings and sequences
/// (including <c>- key: value</c> entries and sequences at their key's indentation), one-line plain,
/// single-quoted and double-quoted scalars without escapes, and comments. It builds the same tree, with
/// the same line marks and warnings, as <see cref="YamlTree"/>'s full YamlDotNet path: plain values are
/// typed as PyYAML types them (YAML 1.1) and a repeated key keeps its last value. Anything outside the subset
/// (flow collections, block scalars, anchors, tags, merge keys, keys that are not strings, multi-line scalars,
/// document markers, tabs, escapes), anything wrong (bad indentation, a value PyYAML cannot construct) and
/// anything past the depth or node limit makes it decline, and the full parser reads the file instead, so
/// errors and rare constructs keep the full parser's behaviour and messages.
/// </summary>
internal sealed class BlockYamlReader
{
    private readonly string text;
    private readonly string file;
    private readonly List<Line> lines;
    private readonly YamlBudget budget;
    private readonly List<YamlWarning> warnings;

    // Keys repeat thousands of times ("project", "tags", release names): one string each per file.
    private readonly Dictionary<string, string> keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> keyLookup;
    private int cursor;

    /// <summary>
    /// Characters the subset leaves to the full parser: tabs, carriage returns and other control characters,
    /// the other YAML line breaks, a byte-order mark and non-characters.
    /// </summary>
    private static readonly SearchValues<char> OutsideSubset = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Where(c => c != '\n').Select(c => (char)c))
        + string.Concat(Enumerable.Range(0x7F, 0x9F - 0x7F + 1).Select(c => (char)c))
        + "\u2028\u2029\uFEFF\uFFFE\uFFFF");

    private BlockYamlReader(string text, string file, List<Line> lines, YamlBudget budget, List<YamlWarning> warnings)
    {
        this.text = text;
        this.file = file;
        this.lines = lines;
        this.budget = budget;
        this.warnings = warnings;
        keyLookup = keys.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Reads <paramref name="text"/> under the current limits; false when the full parser must read it.</summary>
    public static bool TryParse(string text, string file, out object? root) =>
        TryParse(text, file, YamlReadContext.Limits, [], out root);

    /// <summary>
    /// Reads <paramref name="text"/>; false when the full parser must read it. Warnings are added to
    /// <paramref name="warnings"/> (left partly filled on a decline).
    /// </summary>
    public static bool TryParse(string text, string file, YamlLimits limits, List<YamlWarning> warnings, out object? root)
    {
        root = null;
        if (!TrySplitLines(text, out var lines))
        {
            return false;
        }

        if (lines.Count == 0)
        {
            return true;
        }

        var reader = new BlockYamlReader(text, file, lines, new YamlBudget(limits), warnings);
        var first = lines[0];
        if (IsSequenceEntry(text, first))
        {
            return false; // rdoinfo files are mappings; the full parser reports anything else.
        }

        if (!reader.TryParseMapping(first.Column, 1, out var map) || reader.cursor != lines.Count)
        {
            return false;
        }

        root = map;
        return true;
    }

    /// <summary>One line with content: its 1-based number, the column and text index where content starts, and its end.</summary>
    private record struct Line(int Number, int Column, int Start, int End);

    private static bool TrySplitLines(string text, out List<Line> lines)
    {
        lines = new List<Line>(text.Length / 24);
        if (text.AsSpan().IndexOfAny(OutsideSubset) >= 0)
        {
            return false;
        }

        var number = 0;
        var position = 0;
        while (position < text.Length)
        {
            number++;
            var end = text.IndexOf('\n', position);
            if (end < 0)
            {
                end = text.Length;
            }

            var indent = position;
            while (indent < end && text[indent] == ' ')
            {
                indent++;
            }

            var contentEnd = end;
            while (contentEnd > indent && text[contentEnd - 1] == ' ')
            {
                contentEnd--;
            }

            if (indent < contentEnd && text[indent] != '#')
            {
                // Document markers and directives: the full parser's business.
                if (indent == position && (text[indent] == '%' || IsDocumentMarker(text, indent, contentEnd)))
                {
                    return false;
                }

                lines.Add(new Line(number, indent - position, indent, contentEnd));
            }
            position = end + 1;
        }

        return true;
    }

    private static bool IsDocumentMarker(string text, int start, int end) =>
        end - start >= 3
        && (string.CompareOrdinal(text, start, "---", 0, 3) == 0 || string.CompareOrdinal(text, start, "...", 0, 3) == 0)
        && (end - start == 3 || text[start + 3] == ' ');

    private static bool IsSequenceEntry(string text, Line line) =>
        text[line.Start] == '-' && (line.End - line.Start == 1 || text[line.Start + 1] == ' ');

    private bool AtColumn(int column, out Line line)
    {
        if (cursor < lines.Count && lines[cursor].Column == column)
        {
            line = lines[cursor];
            return true;
        }

        line = default;
        return false;
    }

    /// <summary>A collection at <paramref name="depth"/> (the root is 1), counted against the limits; false past them.</summary>
    private bool TryOpenCollection(int depth) => budget.DepthAllowed(depth) && budget.TryAddNode();

    private bool TryParseMapping(int column, int depth, out YamlMap? map)
    {
        map = new YamlMap(file, lines[cursor].Number);
        if (!TryOpenCollection(depth))
        {
            return false;
        }

        while (AtColumn(column, out var line) && !IsSequenceEntry(text, line))
        {
            // A repeated key keeps its last value at its first place, as in a Python dict.
            if (!TryReadKey(line, out var key, out var valueStart) || !budget.TryAddNode())
            {
                return false;
            }

            object? value;
            if (valueStart < line.End)
            {
                if (!TryReadScalar(valueStart, line.End, line.Number, out value))
                {
                    return false;
                }

                cursor++;
            }
            else
            {
                cursor++;
                if (cursor < lines.Count && lines[cursor].Column > column)
                {
                    if (!TryParseBlock(lines[cursor].Column, depth + 1, out value))
                    {
                        return false;
                    }
                }
                else if (AtColumn(column, out var next) && IsSequenceEntry(text, next))
                {
                    // A sequence at its key's indentation ("key:" then "- item").
                    if (!TryParseSequence(column, depth + 1, out var list))
                    {
                        return false;
                    }

                    value = list;
                }
                else
                {
                    value = null;
                    if (!budget.TryAddNode())
                    {
                        return false;
                    }
                }
            }

            map.Set(key, value, file, line.Number);
        }

        // The next line must belong to an enclosing block: deeper or stray lines are not in the subset.
        return cursor == lines.Count || lines[cursor].Column < column;
    }

    private bool TryParseBlock(int column, int depth, out object? node)
    {
        if (IsSequenceEntry(text, lines[cursor]))
        {
            var ok = TryParseSequence(column, depth, out var list);
            node = list;
            return ok;
        }

        var mapped = TryParseMapping(column, depth, out var map);
        node = map;
        return mapped;
    }

    private bool TryParseSequence(int column, int depth, out YamlList? list)
    {
        list = new YamlList(file, lines[cursor].Number);
        if (!TryOpenCollection(depth))
        {
            return false;
        }

        while (AtColumn(column, out var line) && IsSequenceEntry(text, line))
        {
            var content = line.Start + 1;
            while (content < line.End && text[content] == ' ')
            {
                content++;
            }

            if (content == line.End)
            {
                return false; // "-" alone: its node is on the next lines.
            }

            object? item;
            if (text[content] == '-' && (content + 1 == line.End || text[content + 1] == ' ') || IsMappingEntry(content, line.End))
            {
                // The entry's node starts on this line: continue as if the line began there.
                var inner = line with { Column = line.Column + (content - line.Start), Start = content };
                lines[cursor] = inner;
                if (!TryParseBlock(inner.Column, depth + 1, out item))
                {
                    return false;
                }
            }
            else
            {
                if (!TryReadScalar(content, line.End, line.Number, out item))
                {
                    return false;
                }

                cursor++;
            }

            list.Add(item, line.Number);
        }

        // A sequence at its key's indentation may be followed by the next key of that mapping.
        return cursor == lines.Count || lines[cursor].Column <= column;
    }

    private bool IsMappingEntry(int start, int end) =>
        TryReadKey(new Line(0, 0, start, end), out _, out _);

    /// <summary>Reads <c>key:</c> at the start of <paramref name="line"/>; <paramref name="valueStart"/> is past the spaces after the colon.</summary>
    private bool TryReadKey(Line line, out string key, out int valueStart)
    {
        key = "";
        valueStart = line.End;
        var start = line.Start;
        var end = line.End;
        int colon;
        var first = text[start];
        if (first is '"' or '\'')
        {
            var close = FindClosingQuote(start, end);
            if (close < 0)
            {
                return false;
            }

            colon = close + 1;
            if (colon >= end || text[colon] != ':')
            {
                return false;
            }

            key = Unquote(start, close);
        }
        else
        {
            if (!CanStartPlain(start, end))
            {
                return false;
            }

            colon = -1;
            for (var i = start; i < end; i++)
            {
                var c = text[i];
                if (c == ':' && (i + 1 == end || text[i + 1] == ' '))
                {
                    colon = i;
                    break;
                }

                if (c == '#' && text[i - 1] == ' ')
                {
                    return false;
                }
            }

            if (colon < 0)
            {
                return false;
            }

            var keyEnd = colon;
            while (text[keyEnd - 1] == ' ')
            {
                keyEnd--;
            }

            if (!TryInternPlainKey(start, keyEnd, out key))
            {
                return false;
            }
        }

        if (colon + 1 < end && text[colon + 1] != ' ')
        {
            return false;
        }

        valueStart = colon + 1;
        while (valueStart < end && text[valueStart] == ' ')
        {
            valueStart++;
        }

        if (valueStart < end && text[valueStart] == '#')
        {
            valueStart = end; // only a comment after the colon
        }

        return true;
    }

    /// <summary>
    /// A one-line scalar value: quoted without escapes (a string), or plain, typed as PyYAML types it and
    /// kept as the text Python's str() gives (null for None).
    /// </summary>
    private bool TryReadScalar(int start, int end, long lineNumber, out object? value)
    {
        if (!budget.TryAddNode())
        {
            value = null;
            return false;
        }

        value = null;
        var first = text[start];
        if (first is '"' or '\'')
        {
            var close = FindClosingQuote(start, end);
            if (close < 0)
            {
                return false;
            }

            var after = close + 1;
            while (after < end && text[after] == ' ')
            {
                after++;
            }

            if (after < end && (text[after] != '#' || after == close + 1))
            {
                return false;
            }

            value = Unquote(start, close);
            return true;
        }

        if (!CanStartPlain(start, end))
        {
            return false;
        }

        var valueEnd = end;
        for (var i = start + 1; i < end; i++)
        {
            var c = text[i];
            if (c == ':' && (i + 1 == end || text[i + 1] == ' '))
            {
                return false; // "a: b: c" is an error; the full parser says so.
            }

            if (c == '#' && text[i - 1] == ' ')
            {
                valueEnd = i - 1;
                while (text[valueEnd - 1] == ' ')
                {
                    valueEnd--;
                }

                break;
            }
        }

        var plain = text[start..valueEnd];
        var tag = PyYaml.ResolvePlain(plain);
        switch (tag)
        {
            case PyTag.Str:
                value = plain;
                return true;
            case PyTag.Null:
                return true;
            case PyTag.Bool or PyTag.Int or PyTag.Float or PyTag.Timestamp:
                PyScalar typed;
                try
                {
                    typed = PyYaml.Construct(tag, plain, PyYaml.TagName(tag));
                }
                catch (PyYamlValueException)
                {
                    return false; // the full parser reports it
                }

                warnings.Add(new YamlWarning(file, lineNumber, YamlTree.TypedScalarWarning(plain, typed, isKey: false)));
                value = typed.Text;
                return true;
            default:
                return false; // '<<' or '=' as a value: the full parser reports it
        }
    }

    /// <summary>Plain scalars may not start with an indicator (YAML 1.1 §7.3.3, as YamlDotNet reads them).</summary>
    private bool CanStartPlain(int start, int end)
    {
        var c = text[start];
        if (c == '-')
        {
            return start + 1 < end && text[start + 1] != ' ';
        }

        return c is not ('?' or ':' or '[' or ']' or '{' or '}' or ',' or '#' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`');
    }

    /// <summary>Index of the quote closing the scalar opened at <paramref name="open"/> on this line, or -1.</summary>
    private int FindClosingQuote(int open, int end)
    {
        var quote = text[open];
        for (var i = open + 1; i < end; i++)
        {
            if (text[i] == '\\' && quote == '"')
            {
                return -1; // escapes: the full parser's business
            }

            if (text[i] == quote)
            {
                if (quote == '\'' && i + 1 < end && text[i + 1] == '\'')
                {
                    i++;
                    continue;
                }

                return i;
            }
        }

        return -1;
    }

    /// <summary>One string per distinct plain key; false for keys PyYAML does not read as strings (the full parser's business).</summary>
    private bool TryInternPlainKey(int start, int end, out string key)
    {
        var span = text.AsSpan(start, end - start);
        if (!keyLookup.TryGetValue(span, out key!))
        {
            key = span.ToString();
            if (PyYaml.ResolvePlain(key) != PyTag.Str)
            {
                return false;
            }

            keys.Add(key, key);
        }

        return true;
    }

    private string Unquote(int open, int close)
    {
        var value = text[(open + 1)..close];
        return text[open] == '\'' ? value.Replace("''", "'", StringComparison.Ordinal) : value;
    }
}
