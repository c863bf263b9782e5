using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace CiJobs.Core.Yaml;

/// <summary>The tag PyYAML gives a scalar: resolved from a plain scalar's text, or written explicitly.</summary>
internal enum PyTag
{
    Str,
    Null,
    Bool,
    Int,
    Float,
    Timestamp,

    /// <summary><c>&lt;&lt;</c>: a merge key in a mapping; as a value, PyYAML has no constructor for it.</summary>
    Merge,

    /// <summary><c>=</c>: a plain string as a key; as a value, PyYAML has no constructor for it.</summary>
    Value,

    /// <summary>A tag PyYAML's loader has no safe constructor for (<c>!!python/...</c>, <c>!local</c>, <c>!!binary</c>, ...).</summary>
    Unsupported,
}

/// <summary>The Python type of a constructed scalar.</summary>
internal enum PyType
{
    Str,
    None,
    Bool,
    Int,
    Float,
    Date,
    DateTime,
}

/// <summary>
/// A scalar as PyYAML constructs it: its Python type, the text Python's <c>str()</c> gives (null for None),
/// and for non-strings an identity string equal for values Python's <c>==</c> finds equal (1, 1.0 and True
/// are one dictionary key).
/// </summary>
internal readonly record struct PyScalar(PyType Type, string? Text, string? KeyIdentity)
{
    public static PyScalar String(string text) => new(PyType.Str, text, null);

    public static PyScalar None { get; } = new(PyType.None, null, "none");

    /// <summary>What a Python program prints for the value: <c>str(value)</c>.</summary>
    public string PythonStr => Text ?? "None";

    /// <summary>The name of the Python type, for messages.</summary>
    public string TypeName => Type switch
    {
        PyType.Str => "string",
        PyType.None => "null",
        PyType.Bool => "boolean",
        PyType.Int => "integer",
        PyType.Float => "float",
        PyType.Date => "date",
        _ => "datetime",
    };
}

/// <summary>A value PyYAML cannot construct (it raises), so distroinfo cannot read the file either.</summary>
internal sealed class PyYamlValueException(string message) : Exception(message);

/// <summary>
/// YAML 1.1 scalars exactly as PyYAML's <c>Loader</c>/<c>CLoader</c> (what distroinfo and Zuul use) resolve and
/// construct them, and the text Python's <c>str()</c> gives for the result: <c>1.10</c> is the float 1.1,
/// <c>on</c> is True, <c>0755</c> is 493. The rules and their upstream lines: docs/contracts/rdoinfo.md.
/// </summary>
internal static partial class PyYaml
{
    public const string TagPrefix = "tag:yaml.org,2002:";

    /// <summary>Python 3.11's limit on integer/string conversion (sys.int_info.default_max_str_digits).</summary>
    public const int MaxIntDigits = 4300;

    private static readonly BigInteger TooManyDigits = BigInteger.Pow(10, MaxIntDigits);

    /// <summary>PyYAML's implicit resolvers for a plain scalar (resolver.py), tried in its order for the first character.</summary>
    public static PyTag ResolvePlain(string value)
    {
        if (value.Length == 0)
        {
            return PyTag.Null;
        }

        // Python's '$' also matches before one final newline; only a '!'-tagged quoted scalar can end in one.
        var anchored = value[^1] == '\n' ? value.AsSpan(0, value.Length - 1) : value.AsSpan();
        switch (value[0])
        {
            case 'y' or 'Y' or 'o' or 'O' or 't' or 'T' or 'f' or 'F':
                return IsBoolWord(anchored) ? PyTag.Bool : PyTag.Str;
            case 'n' or 'N':
                return IsBoolWord(anchored) ? PyTag.Bool : anchored is "null" or "Null" or "NULL" ? PyTag.Null : PyTag.Str;
            case '~':
                return anchored is "~" ? PyTag.Null : PyTag.Str;
            case '<':
                return anchored is "<<" ? PyTag.Merge : PyTag.Str;
            case '=':
                return anchored is "=" ? PyTag.Value : PyTag.Str;
            case '!' or '&' or '*':
                // resolver.py's 'tag:yaml.org,2002:yaml' resolver: no constructor exists for it.
                return anchored.Length == 1 ? PyTag.Unsupported : PyTag.Str;
            case '.':
                return FloatPattern().IsMatch(value) ? PyTag.Float : PyTag.Str;
            case '-' or '+':
                return FloatPattern().IsMatch(value) ? PyTag.Float : IntPattern().IsMatch(value) ? PyTag.Int : PyTag.Str;
            case >= '0' and <= '9':
                return FloatPattern().IsMatch(value) ? PyTag.Float
                    : IntPattern().IsMatch(value) ? PyTag.Int
                    : TimestampPattern().IsMatch(value) ? PyTag.Timestamp
                    : PyTag.Str;
            default:
                return PyTag.Str;
        }
    }

    /// <summary>The tag an explicit YAML tag names (as the parser expands it, e.g. <c>tag:yaml.org,2002:int</c>).</summary>
    public static PyTag FromExplicitTag(string tag) => tag switch
    {
        TagPrefix + "str" => PyTag.Str,
        TagPrefix + "null" => PyTag.Null,
        TagPrefix + "bool" => PyTag.Bool,
        TagPrefix + "int" => PyTag.Int,
        TagPrefix + "float" => PyTag.Float,
        TagPrefix + "timestamp" => PyTag.Timestamp,
        TagPrefix + "merge" => PyTag.Merge,
        TagPrefix + "value" => PyTag.Value,
        _ => PyTag.Unsupported,
    };

    /// <summary>Constructs a scalar value of <paramref name="tag"/>; throws <see cref="PyYamlValueException"/> where PyYAML raises.</summary>
    public static PyScalar Construct(PyTag tag, string value, string tagName) => tag switch
    {
        PyTag.Str => PyScalar.String(value),
        PyTag.Null => PyScalar.None,
        PyTag.Bool => ConstructBool(value),
        PyTag.Int => ConstructInt(value),
        PyTag.Float => ConstructFloat(value),
        PyTag.Timestamp => ConstructTimestamp(value),
        _ => throw new PyYamlValueException($"PyYAML has no constructor for the tag '{tagName}'"),
    };

    /// <summary>The tag name PyYAML's messages use for a resolved tag.</summary>
    public static string TagName(PyTag tag) => tag switch
    {
        PyTag.Merge => TagPrefix + "merge",
        PyTag.Value => TagPrefix + "value",
        PyTag.Unsupported => TagPrefix + "yaml",
        _ => TagPrefix + tag.ToString().ToLowerInvariant(),
    };

    private static bool IsBoolWord(ReadOnlySpan<char> value) => value is
        "yes" or "Yes" or "YES" or "no" or "No" or "NO"
        or "true" or "True" or "TRUE" or "false" or "False" or "FALSE"
        or "on" or "On" or "ON" or "off" or "Off" or "OFF";

    private static PyScalar ConstructBool(string value) => value.ToLowerInvariant() switch
    {
        "yes" or "true" or "on" => new PyScalar(PyType.Bool, "True", "n:1"),
        "no" or "false" or "off" => new PyScalar(PyType.Bool, "False", "n:0"),
        _ => throw new PyYamlValueException($"'{value}' is not a YAML 1.1 boolean (PyYAML raises KeyError)"),
    };

    private static PyScalar ConstructInt(string text)
    {
        // Python's int() ignores whitespace around the digits, but PyYAML looks at the first character first.
        var value = text.Replace("_", "", StringComparison.Ordinal).TrimEnd(PythonWhitespace);
        if (value.Length == 0)
        {
            throw NotAnInt(text);
        }

        var negative = value.StartsWith('-');
        if (value.StartsWith('-') || value.StartsWith('+'))
        {
            value = value[1..];
        }

        BigInteger result;
        if (value == "0")
        {
            result = BigInteger.Zero;
        }
        else if (value.StartsWith("0b", StringComparison.Ordinal))
        {
            result = ParseBase(value.AsSpan(2), 1, text);
        }
        else if (value.StartsWith("0x", StringComparison.Ordinal))
        {
            result = ParseBase(value.AsSpan(2), 4, text);
        }
        else if (value.StartsWith('0'))
        {
            result = ParseBase(value.AsSpan(1), 3, text);
        }
        else if (value.Contains(':', StringComparison.Ordinal))
        {
            var parts = value.Split(':');
            if ((parts.Length - 1) * Math.Log10(60) > MaxIntDigits + 1)
            {
                throw TooLong(text);
            }

            result = BigInteger.Zero;
            var place = BigInteger.One;
            for (var i = parts.Length - 1; i >= 0; i--)
            {
                result += ParseDecimal(parts[i], text) * place;
                place *= 60;
            }
        }
        else
        {
            result = ParseDecimal(value, text);
        }

        if (negative)
        {
            result = -result;
        }

        if (BigInteger.Abs(result) >= TooManyDigits)
        {
            throw TooLong(text);
        }

        var digits = result.ToString(CultureInfo.InvariantCulture);
        return new PyScalar(PyType.Int, digits, "n:" + digits);
    }

    private static PyYamlValueException TooLong(string text) =>
        new($"the integer '{Shorten(text)}' has more than {MaxIntDigits} digits: Python refuses to convert it (ValueError)");

    private static PyYamlValueException NotAnInt(string text) =>
        new($"'{Shorten(text)}' is not an integer Python's int() reads (PyYAML raises ValueError)");

    private static BigInteger ParseDecimal(string digits, string text)
    {
        var trimmed = digits.Trim(PythonWhitespace);
        var start = trimmed.StartsWith('-') || trimmed.StartsWith('+') ? 1 : 0;
        if (trimmed.Length == start || trimmed.AsSpan(start).ContainsAnyExceptInRange('0', '9'))
        {
            throw NotAnInt(text);
        }

        if (trimmed.Length - start > MaxIntDigits)
        {
            throw TooLong(text);
        }

        return BigInteger.Parse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }

    /// <summary>Python's <c>int(digits, 2**bits)</c>: binary, octal or hexadecimal digits.</summary>
    private static BigInteger ParseBase(ReadOnlySpan<char> digits, int bits, string text)
    {
        if (digits.IsEmpty)
        {
            throw NotAnInt(text);
        }

        digits = digits.TrimStart('0');

        // Bounded before any arithmetic: more bits than 4300 decimal digits hold is refused anyway.
        if ((long)digits.Length * bits > (MaxIntDigits + 1) * 3.33 + 64)
        {
            throw TooLong(text);
        }

        var result = BigInteger.Zero;
        foreach (var c in digits)
        {
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => int.MaxValue,
            };
            if (digit >= 1 << bits)
            {
                throw NotAnInt(text);
            }

            result = (result << bits) + digit;
        }

        return result;
    }

    private static PyScalar ConstructFloat(string text)
    {
        var value = text.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        if (value.Length == 0)
        {
            throw NotAFloat(text);
        }

        var sign = value[0] == '-' ? -1.0 : 1.0;
        if (value[0] is '-' or '+')
        {
            value = value[1..];
        }

        double result;
        if (value == ".inf")
        {
            result = sign * double.PositiveInfinity;
        }
        else if (value == ".nan")
        {
            result = double.NaN;
        }
        else if (value.Contains(':', StringComparison.Ordinal))
        {
            // As construct_yaml_float: parts from the last, each times an integer power of 60 made a float.
            var parts = value.Split(':');
            var place = BigInteger.One;
            var sum = 0.0;
            for (var i = parts.Length - 1; i >= 0; i--)
            {
                if (place.GetBitLength() > 1024)
                {
                    throw new PyYamlValueException($"'{Shorten(text)}' needs a power of 60 too large for a float (Python raises OverflowError)");
                }

                sum += ParsePythonFloat(parts[i], text) * (double)place;
                place *= 60;
            }

            result = sign * sum;
        }
        else
        {
            result = sign * ParsePythonFloat(value, text);
        }

        return Float(result);
    }

    /// <summary>A float value: its <c>repr</c> and its key identity (integral floats equal the integers).</summary>
    public static PyScalar Float(double value)
    {
        string identity;
        if (double.IsNaN(value))
        {
            identity = "nan"; // PyYAML returns one shared NaN object, so every .nan key is the same key
        }
        else if (double.IsFinite(value) && Math.Floor(value) == value)
        {
            identity = "n:" + new BigInteger(value).ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            identity = "f:" + value.ToString("R", CultureInfo.InvariantCulture);
        }

        return new PyScalar(PyType.Float, PythonFloat.Repr(value), identity);
    }

    private static PyYamlValueException NotAFloat(string text) =>
        new($"'{Shorten(text)}' is not a number Python's float() reads (PyYAML raises ValueError)");

    /// <summary>Python's <c>float()</c> on the decimal literals PyYAML hands it (sign already removed).</summary>
    private static double ParsePythonFloat(string value, string text)
    {
        var trimmed = value.Trim(PythonWhitespace);
        switch (trimmed)
        {
            case "inf" or "infinity" or "+inf" or "+infinity":
                return double.PositiveInfinity;
            case "-inf" or "-infinity":
                return double.NegativeInfinity;
            case "nan" or "+nan" or "-nan":
                return double.NaN;
        }

        if (!PythonFloatLiteral().IsMatch(trimmed))
        {
            throw NotAFloat(text);
        }

        return double.Parse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static PyScalar ConstructTimestamp(string value)
    {
        var match = TimestampParts().Match(value);
        if (!match.Success)
        {
            throw new PyYamlValueException($"'{Shorten(value)}' is not a YAML 1.1 timestamp (PyYAML raises AttributeError)");
        }

        var year = Number(match, "year");
        var month = Number(match, "month");
        var day = Number(match, "day");
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            throw new PyYamlValueException($"'{value}' is not a valid date (Python's datetime raises ValueError)");
        }

        var date = $"{year:D4}-{month:D2}-{day:D2}";
        if (!match.Groups["hour"].Success)
        {
            return new PyScalar(PyType.Date, date, "d:" + date);
        }

        var hour = Number(match, "hour");
        var minute = Number(match, "minute");
        var second = Number(match, "second");
        if (hour > 23 || minute > 59 || second > 59)
        {
            throw new PyYamlValueException($"'{value}' is not a valid time (Python's datetime raises ValueError)");
        }

        var fraction = match.Groups["fraction"].Value;
        var micro = fraction.Length == 0 ? 0 : int.Parse(fraction.Length > 6 ? fraction[..6] : fraction.PadRight(6, '0'), CultureInfo.InvariantCulture);
        var text = new StringBuilder(32).Append(date).Append(' ')
            .Append(CultureInfo.InvariantCulture, $"{hour:D2}:{minute:D2}:{second:D2}");
        if (micro != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $".{micro:D6}");
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(micro * 10L);
        if (!match.Groups["tz"].Success)
        {
            return new PyScalar(PyType.DateTime, text.ToString(), "t:" + local.Ticks.ToString(CultureInfo.InvariantCulture));
        }

        var offsetMinutes = 0;
        if (match.Groups["sign"].Success)
        {
            offsetMinutes = Number(match, "tzhour") * 60 + (match.Groups["tzminute"].Success ? Number(match, "tzminute") : 0);
            if (offsetMinutes >= 24 * 60)
            {
                throw new PyYamlValueException($"'{value}' has a UTC offset of a day or more (Python's timezone raises ValueError)");
            }

            if (match.Groups["sign"].Value == "-")
            {
                offsetMinutes = -offsetMinutes;
            }
        }

        var offset = Math.Abs(offsetMinutes);
        text.Append(offsetMinutes < 0 ? '-' : '+').Append(CultureInfo.InvariantCulture, $"{offset / 60:D2}:{offset % 60:D2}");
        var utcTicks = local.Ticks - offsetMinutes * TimeSpan.TicksPerMinute;
        return new PyScalar(PyType.DateTime, text.ToString(), "z:" + utcTicks.ToString(CultureInfo.InvariantCulture));
    }

    private static int Number(Match match, string group) => int.Parse(match.Groups[group].ValueSpan, CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";

    /// <summary>The characters Python's int() and float() strip around a number (ASCII whitespace).</summary>
    private static readonly char[] PythonWhitespace = [' ', '\t', '\n', '\r', '\v', '\f'];

    [GeneratedRegex(@"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$", RegexOptions.CultureInvariant)]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$", RegexOptions.CultureInvariant)]
    private static partial Regex TimestampPattern();

    [GeneratedRegex(@"^(?<year>[0-9][0-9][0-9][0-9])-(?<month>[0-9][0-9]?)-(?<day>[0-9][0-9]?)(?:(?:[Tt]|[ \t]+)(?<hour>[0-9][0-9]?):(?<minute>[0-9][0-9]):(?<second>[0-9][0-9])(?:\.(?<fraction>[0-9]*))?(?:[ \t]*(?<tz>Z|(?<sign>[-+])(?<tzhour>[0-9][0-9]?)(?::(?<tzminute>[0-9][0-9]))?))?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex TimestampParts();

    /// <summary>The decimal literals Python's float() reads, without sign (after PyYAML lower-cased them and removed '_').</summary>
    [GeneratedRegex(@"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex PythonFloatLiteral();
}
