using System.Globalization;
using System.Text;

namespace CiJobs.Core.Yaml;

/// <summary>
/// Python's <c>repr(float)</c> (and <c>str(float)</c>): the shortest digits that read back as the same double,
/// written in fixed notation when the decimal exponent is between -4 and 16, else as <c>d.ddde+XX</c>;
/// integral values end in <c>.0</c>. 1.10 is <c>1.1</c>, 1e16 is <c>1e+16</c>, 1e-5 is <c>1e-05</c>.
/// </summary>
internal static class PythonFloat
{
    public static string Repr(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // .NET's "R" gives the shortest round-trip digits, as Python's repr does; only the layout differs.
        var (digits, point) = ShortestDigits(Math.Abs(value));
        var text = new StringBuilder(digits.Length + 8);
        if (value < 0)
        {
            text.Append('-');
        }

        // Python (format_float_short, 'r'): exponent notation when point <= -4 or point > 16,
        // where the value is 0.DIGITS times 10**point.
        if (point is <= -4 or > 16)
        {
            text.Append(digits[0]);
            if (digits.Length > 1)
            {
                text.Append('.').Append(digits, 1, digits.Length - 1);
            }

            var exponent = point - 1;
            text.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (point <= 0)
        {
            text.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point >= digits.Length)
        {
            text.Append(digits).Append('0', point - digits.Length).Append(".0");
        }
        else
        {
            text.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }

        return text.ToString();
    }

    /// <summary>The significant digits (no leading or trailing zeros) and the decimal point's position.</summary>
    private static (string Digits, int Point) ShortestDigits(double positive)
    {
        var r = positive.ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }

        var dot = r.IndexOf('.', StringComparison.Ordinal);
        var integerDigits = dot < 0 ? r.Length : dot;
        var all = dot < 0 ? r : string.Concat(r.AsSpan(0, dot), r.AsSpan(dot + 1));
        var leading = 0;
        while (leading < all.Length - 1 && all[leading] == '0')
        {
            leading++;
        }

        var digits = all[leading..].TrimEnd('0');
        return (digits.Length == 0 ? "0" : digits, integerDigits - leading + exponent);
    }
}
