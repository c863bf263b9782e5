using System.CommandLine;
using System.Globalization;
using CiJobs.Cli;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Cli;

/// <summary>Numeric options (docs/security.md): each declares its range, and a value outside it is a usage error naming it.</summary>
public sealed class NumericOptionTests
{
    private static readonly Type[] NumericTypes = [typeof(int), typeof(long), typeof(double), typeof(short), typeof(float), typeof(decimal), typeof(uint), typeof(ulong)];

    [Fact]
    public void Every_numeric_option_of_every_verb_declares_its_range()
    {
        var numeric = AllOptions().Where(o => NumericTypes.Contains(Nullable.GetUnderlyingType(o.Option.ValueType) ?? o.Option.ValueType)).ToList();

        numeric.Select(o => o.Option.Name).Should().Contain(["--retries", "--retry-delay", "--timeout", "--port", "--mr", "--timestamp"]);
        numeric.Where(o => NumericOptions.RangeOf(o.Option) is null).Select(o => $"{string.Join(' ', o.Path)} {o.Option.Name}")
            .Should().BeEmpty("every numeric option is declared with InRange");
    }

    [Fact]
    public void A_value_outside_the_range_is_a_parse_error_naming_the_option_the_range_and_the_value()
    {
        var root = CommandTree.Root();
        foreach (var (path, command, option) in AllOptions())
        {
            if (NumericOptions.RangeOf(option) is not { } range)
            {
                continue;
            }

            var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
            var isInteger = type != typeof(double);
            var step = isInteger ? 1 : 0.05;
            var (typeMinimum, typeMaximum) = type == typeof(int) ? (int.MinValue, int.MaxValue) : (double.MinValue, double.MaxValue);
            // Values the type holds (others are System.CommandLine's own "cannot parse" error).
            var outside = new[] { range.Minimum - step, range.Maximum + step }.Where(v => v >= typeMinimum && v <= typeMaximum).ToList();

            var values = outside.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToList();
            if (!isInteger)
            {
                values.AddRange(["NaN", "Infinity", "-Infinity"]);
            }

            foreach (var value in values)
            {
                var errors = root.Parse([.. path, .. CommandTree.Required(command, option), option.Name, value]).Errors.Select(e => e.Message).ToList();
                errors.Should().ContainSingle(e => e.StartsWith($"{option.Name} must be between ", StringComparison.Ordinal) && e.EndsWith($", not {value}.", StringComparison.Ordinal),
                    $"{string.Join(' ', path)} {option.Name} {value}");
            }

            foreach (var value in new[] { range.Minimum, range.Maximum }.Select(v => v.ToString(CultureInfo.InvariantCulture)))
            {
                root.Parse([.. path, .. CommandTree.Required(command, option), option.Name, value]).Errors.Should().BeEmpty($"{string.Join(' ', path)} {option.Name} {value} is inside");
            }
        }
    }

    [Fact]
    [Trait("Runs", "cijobs")]
    public async Task Negative_retries_exit_1_with_a_clear_message_before_anything_runs()
    {
        var result = await CliRunner.RunAsync(
            "report", "--api-url", "http://127.0.0.1:9", "--job-id", "j", "--url", "http://l/1", "--success", "true",
            "--commit-hash", "a", "--distro-hash", "b", "--retries", "-1");

        result.ExitCode.Should().Be(1, result.ToString());
        result.StandardError.Should().Contain("--retries must be between 0 and 20, not -1.");
    }

    private static IEnumerable<(string[] Path, Command Command, Option Option)> AllOptions() =>
        CommandTree.Leaves().SelectMany(leaf => leaf.Command.Options.Select(option => (leaf.Path, leaf.Command, option)));
}
