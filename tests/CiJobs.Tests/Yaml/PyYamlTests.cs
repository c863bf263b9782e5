using System.Globalization;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.Yaml;

namespace CiJobs.Tests.Yaml;

/// <summary>
/// Plain scalars as distroinfo's PyYAML reads them (YAML 1.1), given as the string Python's str() prints,
/// which is what DLRN ends up using; each row was checked against PyYAML 6.
/// </summary>
public sealed class PyYamlTests
{
    public static TheoryData<string, string?> Scalars => new()
    {
        // floats: the text Python prints is repr(float)
        { "1.10", "1.1" }, { "2025.2", "2025.2" }, { "0.9", "0.9" }, { "1.0", "1.0" }, { "08.5", "8.5" }, { "00.1", "0.1" },
        { "1.", "1.0" }, { ".5", "0.5" }, { "-0.0", "-0.0" }, { "+1.5", "1.5" }, { "1_000.5", "1000.5" }, { "1.5_", "1.5" },
        { "1.0e+3", "1000.0" }, { "1.e+3", "1000.0" }, { "1.0E-3", "0.001" }, { "1.0e+16", "1e+16" }, { "1.0e+15", "1000000000000000.0" },
        { "1.5e-05", "1.5e-05" }, { "0.0001", "0.0001" }, { "0.00001", "1e-05" }, { "123456789.123456789", "123456789.12345679" },
        { "1.0e+400", "inf" }, { "1.0e-400", "0.0" }, { "1:20.5", "80.5" }, { "-1:20.5", "-80.5" },
        { ".inf", "inf" }, { "-.Inf", "-inf" }, { "+.INF", "inf" }, { ".nan", "nan" }, { ".NaN", "nan" },

        // not floats in YAML 1.1 (no dot, no signed exponent, a sign before a bare dot)
        { "1e3", "1e3" }, { "1.0e3", "1.0e3" }, { "1e16", "1e16" }, { "-.5", "-.5" }, { "+.5", "+.5" }, { "-.nan", "-.nan" }, { "1.2.3", "1.2.3" },

        // integers
        { "0", "0" }, { "-0", "0" }, { "+0", "0" }, { "42", "42" }, { "-17", "-17" }, { "1_000", "1000" }, { "1__0", "10" },
        { "0755", "493" }, { "0_", "0" }, { "-010", "-8" }, { "0x1F", "31" }, { "0x_1f", "31" }, { "-0x10", "-16" }, { "0b101", "5" },
        { "1:20", "80" }, { "190:20:30", "685230" }, { "-1:20", "-80" }, { "+1_0:20", "620" }, { "1:5", "65" },
        { "12345678901234567890123", "12345678901234567890123" },

        // not integers
        { "09", "09" }, { "08", "08" }, { "0o7", "0o7" }, { "1:60", "1:60" }, { "_1", "_1" }, { "0xG", "0xG" },

        // booleans, null
        { "yes", "True" }, { "Yes", "True" }, { "YES", "True" }, { "no", "False" }, { "on", "True" }, { "ON", "True" }, { "Off", "False" },
        { "true", "True" }, { "TRUE", "True" }, { "false", "False" }, { "tRue", "tRue" }, { "oN", "oN" }, { "y", "y" }, { "n", "n" }, { "Y", "Y" },
        { "~", null }, { "null", null }, { "Null", null }, { "NULL", null }, { "nULL", "nULL" }, { "none", "none" },

        // timestamps: a date prints as itself, a datetime as Python's str(datetime)
        { "2025-01-02", "2025-01-02" }, { "2025-1-2", "2025-1-2" }, { "2025-01-02 10:00:00", "2025-01-02 10:00:00" },
        { "2025-1-2 1:02:03", "2025-01-02 01:02:03" }, { "2025-01-02t10:00:00.5Z", "2025-01-02 10:00:00.500000+00:00" },
        { "2025-01-02T10:00:00.1234567", "2025-01-02 10:00:00.123456" }, { "2025-01-02 10:00:00 -05:30", "2025-01-02 10:00:00-05:30" },
        { "2025-01-02 10:00:00+1", "2025-01-02 10:00:00+01:00" }, { "2025-01-02 10:00:00 -00:00", "2025-01-02 10:00:00+00:00" },
        { "2025-01-02 10:00:00.", "2025-01-02 10:00:00" }, { "2024-02-29", "2024-02-29" },

        // strings stay strings
        { "master", "master" }, { "stable/2025.1", "stable/2025.1" }, { "v1.10", "v1.10" }, { "1.10-rc1", "1.10-rc1" }, { "<<x", "<<x" },
    };

    [Theory]
    [MemberData(nameof(Scalars))]
    public void A_plain_value_reads_as_the_string_python_prints_for_what_pyyaml_makes_of_it(string plain, string? expected)
    {
        var yaml = $"k: {plain}\n";
        (YamlTree.ParseFull(yaml, "f.yml") as YamlMap)!["k"].Should().Be(expected, "the full parser reads '{0}' so", plain);
        if (BlockYamlReader.TryParse(yaml, "f.yml", out var fast))
        {
            (fast as YamlMap)!["k"].Should().Be(expected, "the fast reader reads '{0}' so", plain);
        }
    }

    [Theory]
    [InlineData("! 1.10", "1.1")] // PyYAML resolves '!' like a plain scalar, quotes or not
    [InlineData("! \"0755\"", "493")]
    [InlineData("!!int \"12\"", "12")]
    [InlineData("!!float 1", "1.0")]
    [InlineData("!!float '1.10'", "1.1")]
    [InlineData("!!bool YeS", "True")]
    [InlineData("!!null whatever", null)]
    [InlineData("!!timestamp 2025-1-2", "2025-01-02")]
    [InlineData("'1.10'", "1.10")] // quoted or tagged !!str: the text as written
    [InlineData("\"0755\"", "0755")]
    [InlineData("!!str 1.10", "1.10")]
    [InlineData("'yes'", "yes")]
    public void Explicit_tags_and_quotes_construct_as_pyyaml_does(string written, string? expected) =>
        (YamlTree.ParseFull($"k: {written}\n", "f.yml") as YamlMap)!["k"].Should().Be(expected);

    [Theory]
    [InlineData("k: =\n", "tag:yaml.org,2002:value")] // PyYAML has no constructor for these tags as values
    [InlineData("k: <<\n", "tag:yaml.org,2002:merge")]
    [InlineData("k: 2025-13-02\n", "not a valid date")]
    [InlineData("k: 2025-02-30 1:00:00\n", "not a valid date")]
    [InlineData("k: 2025-01-02 24:00:00\n", "not a valid time")]
    [InlineData("k: 0000-01-02\n", "not a valid date")]
    [InlineData("k: 2025-01-02 10:00:00 +24:00\n", "UTC offset")]
    [InlineData("k: 0b_\n", "not an integer")]
    [InlineData("k: 0x_\n", "not an integer")]
    [InlineData("k: !!int 1.5\n", "not an integer")]
    [InlineData("k: !!bool maybe\n", "not a YAML 1.1 boolean")]
    [InlineData("k: !!binary aGk=\n", "no constructor")]
    [InlineData("k: !!python/object/apply:os.system [true]\n", "is not read")]
    [InlineData("k: !!python/name:os.system x\n", "no constructor")]
    [InlineData("k: !local x\n", "no constructor")]
    [InlineData("k: !!set {a: ~}\n", "is not read")]
    public void Values_pyyaml_cannot_construct_are_syntax_errors_naming_the_line(string yaml, string message)
    {
        var act = () => YamlTree.ParseFull("a: 1\n" + yaml, "f.yml");
        act.Should().Throw<RdoinfoException>().Where(e => e.ExitCode == RdoinfoExitCodes.Syntax && e.Line == 2 && e.Message.Contains(message));
        BlockYamlReader.TryParse("a: 1\n" + yaml, "f.yml", out _).Should().BeFalse("the full parser reports it");
    }

    [Fact]
    public void Integers_past_pythons_4300_digit_limit_are_refused_quickly_and_up_to_it_read()
    {
        var limit = new string('7', PyYaml.MaxIntDigits);
        (YamlTree.ParseFull($"k: {limit}\n", "f.yml") as YamlMap)!["k"].Should().Be(limit);
        foreach (var huge in new[] { "1" + limit, "0x" + new string('f', 200_000), "0" + new string('7', 200_000), "0b" + new string('1', 200_000), string.Join(':', Enumerable.Repeat("59", 5000)) })
        {
            var act = () => YamlTree.ParseFull($"k: {huge}\n", "f.yml");
            act.Should().Throw<RdoinfoException>().Where(e => e.Message.Contains("4300 digits"));
        }

        (YamlTree.ParseFull($"k: 0x{new string('0', 100_000)}1f\n", "f.yml") as YamlMap)!["k"].Should().Be("31", "leading zeros add no digits");
    }

    public static TheoryData<double, string> Floats => new()
    {
        { 1.1, "1.1" }, { 0.1 + 0.2, "0.30000000000000004" }, { 1e16, "1e+16" }, { 1e15, "1000000000000000.0" }, { 123456789012345678.0, "1.2345678901234568e+17" },
        { 1e-4, "0.0001" }, { 1e-5, "1e-05" }, { 1.5e-7, "1.5e-07" }, { 5e-324, "5e-324" }, { double.MaxValue, "1.7976931348623157e+308" },
        { -2.5, "-2.5" }, { 100.0, "100.0" }, { 1e22, "1e+22" }, { 1.25e100, "1.25e+100" }, { 9999999999999998.0, "9999999999999998.0" },
        { -0.0, "-0.0" }, { 0.0, "0.0" }, { double.NaN, "nan" }, { double.PositiveInfinity, "inf" }, { double.NegativeInfinity, "-inf" },
    };

    [Theory]
    [MemberData(nameof(Floats))]
    public void Floats_print_as_pythons_repr(double value, string expected) => PythonFloat.Repr(value).Should().Be(expected);

    [Theory]
    [InlineData("source-branch: 1.10\n", 1, "'1.10' is the float 1.1 in YAML 1.1 (as distroinfo reads it): distroinfo and DLRN use '1.1'; quote it to keep '1.10'")]
    [InlineData("a: x\nsource-branch: 2025.2\n", 2, "'2025.2' is the float 2025.2 in YAML 1.1 (as distroinfo reads it), not a string; quote it if a string is meant")]
    [InlineData("a:\n  mode: 0755\n", 2, "'0755' is the integer 493")]
    [InlineData("a:\n- on\n", 2, "'on' is the boolean True")]
    [InlineData("a: 2025-01-02\n", 1, "'2025-01-02' is the date 2025-01-02")]
    [InlineData("a:\n  1.10: x\n", 2, "the key '1.10' is the float 1.1")]
    [InlineData("a: {b: [x, 0.9]}\n", 1, "'0.9' is the float 0.9")]
    public void A_plain_scalar_yaml_11_does_not_read_as_a_string_is_a_warning_with_its_line(string yaml, long line, string message)
    {
        var warnings = new List<YamlWarning>();
        using (YamlReadContext.Use(YamlLimits.Default, warnings.Add))
        {
            YamlTree.Parse(yaml, "f.yml");
        }

        warnings.Should().ContainSingle().Which.Should().Match<YamlWarning>(w => w.File == "f.yml" && w.Line == line && w.Message.Contains(message));
    }

    [Fact]
    public void Only_implicitly_typed_plain_scalars_are_warned_about_and_the_real_rdoinfo_has_none()
    {
        var warnings = new List<YamlWarning>();
        using (YamlReadContext.Use(YamlLimits.Default, warnings.Add))
        {
            YamlTree.Parse("a: '1.10'\nb: ~\nc:\nd: stable/2025.1\ne: !!float 1.5\nf: 1.10\n", "f.yml");
            foreach (var path in Directory.GetFiles(Support.RepoPaths.RealRdoinfo, "*.yml", SearchOption.AllDirectories))
            {
                YamlTree.Parse(File.ReadAllText(path), path);
            }
        }

        warnings.Should().ContainSingle().Which.Should().Match<YamlWarning>(w => w.File == "f.yml" && w.Line == 6);
    }

    /// <summary>Random plain scalars that look like numbers, dates and words YAML 1.1 types, for the differential test.</summary>
    internal static IEnumerable<string> RandomScalars(int seed, int count)
    {
        var random = new Random(seed);
        string Digits(int min, int max, string alphabet = "0123456789") =>
            new(Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        string Sign() => random.Next(3) switch { 0 => "-", 1 => "+", _ => "" };
        string Cased(string word) => string.Concat(word.Select(c => random.Next(2) == 0 ? char.ToUpperInvariant(c) : c));
        for (var n = 0; n < count; n++)
        {
            var scalar = random.Next(12) switch
            {
                0 => Sign() + Digits(1, 9, "0123456789_"),
                1 => Sign() + Digits(0, 4, "0123456789_") + "." + Digits(0, 4, "0123456789_") + (random.Next(2) == 0 ? "" : "eE"[random.Next(2)] + Sign() + Digits(1, 3)),
                2 => Sign() + Digits(1, 3) + string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => ":" + Digits(1, 2))) + (random.Next(2) == 0 ? "" : "." + Digits(0, 3)),
                3 => Sign() + "0" + "xbo"[random.Next(3)] + Digits(1, 6, "0123456789abcdefABCDEF_"),
                4 => Sign() + "0" + Digits(1, 5, "0123456789_"),
                5 => $"{Digits(4, 4)}-{Digits(1, 2)}-{Digits(1, 2)}" + (random.Next(3) == 0 ? "" :
                    new[] { "T", "t", " ", "  " }[random.Next(4)] + $"{Digits(1, 2)}:{Digits(2, 2)}:{Digits(2, 2)}"
                    + (random.Next(2) == 0 ? "" : "." + Digits(0, 8))
                    + new[] { "", "Z", " Z", "+" + Digits(1, 2), " -" + Digits(1, 2) + ":" + Digits(2, 2) }[random.Next(5)]),
                6 => $"{1990 + random.Next(60)}-{random.Next(1, 13):D2}-{random.Next(1, 29):D2}",
                7 => Sign() + "." + Cased(new[] { "inf", "nan", "Inf", "NaN" }[random.Next(4)]),
                8 => Cased(new[] { "yes", "no", "true", "false", "on", "off", "null", "y", "n", "~" }[random.Next(10)]),
                9 => RandomDouble(random).ToString(new[] { "E16", "E3", "F2", "R" }[random.Next(4)], CultureInfo.InvariantCulture),
                10 => random.Next(2) == 0 ? "1." + Digits(1, 2) : $"{random.Next(2000, 2030)}.{random.Next(1, 3)}",
                _ => Digits(1, 10, "0123456789._:+-eExob"),
            };
            if (IsSafePlain(scalar))
            {
                yield return scalar;
            }
        }
    }

    private static double RandomDouble(Random random)
    {
        Span<byte> bytes = stackalloc byte[8];
        random.NextBytes(bytes);
        var value = BitConverter.ToDouble(bytes);
        return double.IsFinite(value) ? (random.Next(2) == 0 ? value : value % 1e6) : 1.5;
    }

    /// <summary>A plain scalar YAML parsers read alike in block context (no indicator start, no ': ', no ' #').</summary>
    private static bool IsSafePlain(string scalar) =>
        scalar.Length > 0 && !scalar.EndsWith(':') && !scalar.EndsWith(' ') && !scalar.Contains(": ", StringComparison.Ordinal)
        && !scalar.Contains(" #", StringComparison.Ordinal) && scalar[0] is not (':' or ' ' or '?' or '#')
        && !(scalar[0] == '-' && (scalar.Length == 1 || scalar[1] == ' '))
        && !scalar.Contains("::", StringComparison.Ordinal);
}
