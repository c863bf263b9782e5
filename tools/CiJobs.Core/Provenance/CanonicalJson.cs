using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CiJobs.Core.Provenance;

/// <summary>
/// The canonical JSON text that <see cref="InputHash"/> and the build id hash (docs/manual/provenance.md, "Canonical
/// JSON"): UTF-8, no white space, object members sorted by the ordinal order of their names' UTF-16 code units, strings
/// escaped only where JSON requires it (<c>"</c>, <c>\</c> and the control characters below U+0020), integers in plain
/// decimal. A number with a fraction (v2's <c>build.duration_seconds</c>) is kept as written when it is already in its
/// plain form, digits '.' digits without a trailing zero (12.5, not 12.50, 1.25e1 or 1.0); any other number that is not a
/// 64-bit integer, or a string that is not valid Unicode, is refused rather than guessed at.
/// </summary>
public static class CanonicalJson
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The canonical UTF-8 bytes of <paramref name="node"/> (null is JSON's null).</summary>
    /// <exception cref="FormatException">A non-integer number or a lone surrogate.</exception>
    public static byte[] ToBytes(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(text, node);
        try
        {
            return Utf8.GetBytes(text.ToString());
        }
        catch (EncoderFallbackException e)
        {
            throw new FormatException("a string is not valid Unicode (a lone surrogate)", e);
        }
    }

    /// <summary>The canonical bytes of an already parsed element.</summary>
    public static byte[] ToBytes(JsonElement element) => ToBytes(JsonNodeOf(element));

    /// <summary>The canonical bytes of the values rdoinfo's expansion holds: strings, nulls, lists and maps.</summary>
    public static byte[] ToBytes(IReadOnlyDictionary<string, object?> map) => ToBytes(NodeOfValue(map));

    private static JsonNode? JsonNodeOf(JsonElement element) => element.ValueKind == JsonValueKind.Null ? null : JsonNode.Parse(element.GetRawText());

    private static JsonNode? NodeOfValue(object? value) => value switch
    {
        null => null,
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        long number => JsonValue.Create(number),
        int number => JsonValue.Create(number),
        IReadOnlyDictionary<string, object?> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key, NodeOfValue(p.Value)))),
        IReadOnlyList<object?> list => new JsonArray([.. list.Select(NodeOfValue)]),
        _ => throw new FormatException($"a value of type {value.GetType().Name} has no canonical JSON form"),
    };

    private static void Write(StringBuilder text, JsonNode? node)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject map:
                text.Append('{');
                var first = true;
                foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        text.Append(',');
                    }

                    first = false;
                    WriteString(text, key);
                    text.Append(':');
                    Write(text, value);
                }

                text.Append('}');
                break;
            case JsonArray list:
                text.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(',');
                    }

                    Write(text, list[i]);
                }

                text.Append(']');
                break;
            case JsonValue value:
                WriteValue(text, value);
                break;
            default:
                throw new FormatException("an unknown JSON node");
        }
    }

    private static void WriteValue(StringBuilder text, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                string content;
                try
                {
                    content = value.GetValue<string>();
                }
                catch (InvalidOperationException e)
                {
                    throw new FormatException("a string is not valid Unicode", e);
                }

                WriteString(text, content);
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            case JsonValueKind.Null:
                text.Append("null");
                break;
            case JsonValueKind.Number:
                // Integers, and fractions already in their plain form; 1.0 or 1e3 is refused rather than guessed at.
                var raw = value.ToJsonString();
                if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                {
                    text.Append(number.ToString(CultureInfo.InvariantCulture));
                }
                else if (IsPlainFraction(raw))
                {
                    text.Append(raw);
                }
                else
                {
                    throw new FormatException($"the number {raw} is neither an integer (64 bits) nor a plain fraction (digits.digits, no trailing zero)");
                }

                break;
            default:
                throw new FormatException("an unknown JSON value");
        }
    }

    private static void WriteString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\b':
                    text.Append("\\b");
                    break;
                case '\f':
                    text.Append("\\f");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                case < ' ':
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        text.Append('"');
    }

    /// <summary>-?(0|[1-9][0-9]*).[0-9]*[1-9], at most 32 characters: the form System.Text.Json writes a double with a
    /// fraction in (outside exponent ranges).</summary>
    private static bool IsPlainFraction(string raw)
    {
        var digits = raw.StartsWith('-') ? raw[1..] : raw;
        var dot = digits.IndexOf('.', StringComparison.Ordinal);
        if (raw.Length > 32 || dot <= 0 || dot == digits.Length - 1)
        {
            return false;
        }

        var whole = digits[..dot];
        var fraction = digits[(dot + 1)..];
        return whole.All(char.IsAsciiDigit) && (whole == "0" || whole[0] != '0')
            && fraction.All(char.IsAsciiDigit) && fraction[^1] != '0';
    }
}
