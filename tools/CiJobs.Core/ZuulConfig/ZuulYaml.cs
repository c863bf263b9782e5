using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Core.ZuulConfig;

/// <summary>Small helpers for reading YAML the way Zuul's loader (PyYAML, YAML 1.1) does.</summary>
internal static partial class ZuulYaml
{
    public const string EncryptedTag = "!encrypted/pkcs1-oaep";
    public const string OverrideTag = "!override";
    public const string InheritTag = "!inherit";

    /// <summary>
    /// Text made safe for one line of output: line breaks, tabs and other control characters (C0, DEL, C1, U+2028,
    /// U+2029) are written as escapes (<c>\n</c>, <c>\t</c>, <c>\u0085</c>), so a hostile name cannot forge lines.
    /// </summary>
    public static string Shown(string text)
    {
        if (!text.Any(IsControl))
        {
            return text;
        }

        var shown = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\n' => shown.Append("\\n"),
                '\r' => shown.Append("\\r"),
                '\t' => shown.Append("\\t"),
                _ when IsControl(c) => shown.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
                _ => shown.Append(c),
            };
        }

        return shown.ToString();
    }

    private static bool IsControl(char c) => c < ' ' || c is >= '\u007F' and <= '\u009F' or '\u2028' or '\u2029';

    public static string Text(YamlNode node) => node is YamlScalarNode scalar ? scalar.Value ?? "" : node.ToString();

    /// <summary>The explicit tag of a node, or null when it has none.</summary>
    public static string? TagOf(YamlNode node) => node.Tag.IsEmpty || node.Tag.IsNonSpecific ? null : node.Tag.Value;

    public static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style is YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any
        && TagOf(scalar) is null
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    /// <summary>The value of a plain integer scalar, or null.</summary>
    public static long? Integer(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any, Value: { } text }
        && TagOf(node) is null
        && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    /// <summary>
    /// Whether a plain scalar reads as a string in Zuul's loader: PyYAML's safe loader (YAML 1.1) turns plain
    /// booleans (yes/no/on/off/true/false in three casings), nulls (empty, ~, null), integers (binary 0b, octal 0,
    /// decimal, hex 0x, base 60 1:20), floats (1.5, 1e5 only with a dot, base 60 1:20.5, .inf, .nan), timestamps
    /// (2024-01-01, with a time), the merge key &lt;&lt; and = into other types (PyYAML's resolver.py, cited in
    /// docs/contracts/zuul-config.md, "Reading untrusted configuration").
    /// </summary>
    public static bool PlainIsString(string value) => !Yaml11Typed().IsMatch(value);

    [System.Text.RegularExpressions.GeneratedRegex(
        """
        ^(?:
          (?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)
        | (?:~|null|Null|NULL|)
        | [-+]?(?:0b[01_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)
        | [-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?
        | \.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
        | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
        | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)
        | [0-9]{4}-[0-9]{2}-[0-9]{2}
        | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[\ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[\ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?
        | << | =
        )\z
        """,
        System.Text.RegularExpressions.RegexOptions.IgnorePatternWhitespace | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex Yaml11Typed();

    public static bool IsBool(string value) => value.ToLowerInvariant() is "true" or "false" or "yes" or "no" or "on" or "off";

    public static bool IsNumber(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && !value.Any(char.IsLetter);
}
