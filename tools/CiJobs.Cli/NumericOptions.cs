using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace CiJobs.Cli;

/// <summary>A numeric option's accepted range, as declared with <see cref="NumericOptions.InRange{T}(Option{T}, T, T)"/>.</summary>
internal interface IRangeRule
{
    string OptionName { get; }

    double Minimum { get; }

    double Maximum { get; }
}

/// <summary>
/// Range checks of numeric options (docs/security.md, "Numeric options"): every int, long and double option declares
/// its range with <c>InRange</c> (a test walks every verb to make sure), and a value outside it (NaN included) is a
/// usage error, exit 1, naming the option, the range and the value.
/// </summary>
internal static class NumericOptions
{
    public static Option<T> InRange<T>(this Option<T> option, T minimum, T maximum)
        where T : struct, INumber<T>
    {
        var rule = new RangeRule<T>(option.Name, minimum, maximum, result => result.GetValue(option));
        option.Validators.Add(rule.Validate);
        return option;
    }

    public static Option<T?> InRange<T>(this Option<T?> option, T minimum, T maximum)
        where T : struct, INumber<T>
    {
        var rule = new RangeRule<T>(option.Name, minimum, maximum, result => result.GetValue(option));
        option.Validators.Add(rule.Validate);
        return option;
    }

    /// <summary>The range declared on <paramref name="option"/>, or null when it has none.</summary>
    public static IRangeRule? RangeOf(Option option) => option.Validators.Select(v => v.Target).OfType<IRangeRule>().FirstOrDefault();

    private sealed class RangeRule<T>(string name, T minimum, T maximum, Func<OptionResult, T?> read) : IRangeRule
        where T : struct, INumber<T>
    {
        public string OptionName => name;

        public double Minimum => double.CreateSaturating(minimum);

        public double Maximum => double.CreateSaturating(maximum);

        public void Validate(OptionResult result)
        {
            T? value;
            try
            {
                value = read(result);
            }
            catch (InvalidOperationException)
            {
                return; // Not a number at all: System.CommandLine reports that itself.
            }

            // Written so that NaN, which compares false with everything, is outside.
            if (value is { } number && !(number >= minimum && number <= maximum))
            {
                result.AddError(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{name} must be between {minimum} and {maximum}, not {number}."));
            }
        }
    }
}
