using CiJobs.Core;
using CiJobs.Core.Plan;
using CiJobs.Tests.Forges;
using CiJobs.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CiJobs.Tests.Plan;

/// <summary>The Zuul variables reader (JSON or YAML) on hostile input (docs/security.md, "Nesting and size of input").</summary>
public sealed class ZuulContextLimitTests
{
    [Theory]
    [InlineData(65)]
    [InlineData(10_000)]
    [InlineData(100_000)]
    [InlineData(1_000_000)]
    public void Json_nested_deeper_than_the_limit_is_an_input_error_with_file_and_line(int depth)
    {
        var text = "{\"zuul\": {\"project\": {\"name\": \"x\"},\n \"branch\": " + new string('[', depth) + new string(']', depth) + "}}";

        var error = FluentActions.Invoking(() => ZuulContext.Parse(text, "zuul.json")).Should().Throw<CiJobsException>().Which;

        error.ExitCode.Should().Be(PlanExitCodes.InvalidInput);
        error.Message.Should().MatchRegex(@"^zuul\.json:2:\d+: nested deeper than 64 levels$");
    }

    [Fact]
    public void Yaml_nested_deeper_than_the_limit_is_refused_too()
    {
        var text = "zuul:\n  project:\n    name: x\n" + string.Concat(Enumerable.Range(0, 70).Select(i => new string(' ', 2 * (i + 1)) + "k:\n"));

        var error = FluentActions.Invoking(() => ZuulContext.Parse(text, "vars.yaml")).Should().Throw<CiJobsException>().Which;

        error.ExitCode.Should().Be(PlanExitCodes.InvalidInput);
        error.Message.Should().MatchRegex(@"^vars\.yaml:\d+:\d+: nested deeper than 64 levels$");
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_read()
    {
        // The root mapping is the first level: 63 more make 64.
        var filler = new string('[', InputLimits.MaxDepth - 1) + new string(']', InputLimits.MaxDepth - 1);

        var zuul = ZuulContext.Parse($$"""{"project": {"name": "x"}, "branch": "main", "extra": {{filler}}}""", "zuul.json");

        zuul.EffectiveBranch.Should().Be("main");
    }

    [Fact]
    public void A_collection_as_a_mapping_key_is_refused_before_it_is_turned_into_text()
    {
        // Each level is the previous one twice, through aliases: 41 lines describe a key of 2^40 items, which the
        // message about the nameless project used to spell out (time and memory doubled with each level).
        var lines = new List<string> { "a0: &a0 [x]" };
        for (var i = 1; i <= 40; i++)
        {
            lines.Add($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]");
        }

        lines.AddRange(["zuul:", "  project: {name: x}", "  projects:", "    ? *a40", "    : {src_dir: y}"]);
        var text = string.Join('\n', lines) + "\n";

        var error = FluentActions.Invoking(() => ZuulContext.Parse(text, "vars.yaml")).Should().Throw<CiJobsException>().Which;

        error.ExitCode.Should().Be(PlanExitCodes.InvalidInput);
        error.Message.Should().Be("vars.yaml:45:7: a mapping key must be a plain value, not a list, a mapping or an alias");
    }

    /// <summary>Whatever the text, the reader gives a context or a one-line input error: never another exception.</summary>
    [Property(MaxTest = 400, Arbitrary = new[] { typeof(HostileVars) })]
    public bool Any_text_gives_a_context_or_a_clean_error(string text)
    {
        try
        {
            ZuulContext.Parse(text, "vars.yaml");
            return true;
        }
        catch (CiJobsException e)
        {
            return e.ExitCode == PlanExitCodes.InvalidInput
                && e.Message.StartsWith("vars.yaml", StringComparison.Ordinal)
                && !EventPayloadTests.RawResourceKey().IsMatch(e.Message);
        }
    }

    [Fact]
    [Trait("Runs", "cijobs")]
    public async Task Plan_with_a_hostile_zuul_file_exits_73_with_file_and_line_instead_of_crashing()
    {
        using var temp = new TempDir("zuul");
        var deep = temp.Write("zuul.json", "{\"zuul\": {\"project\": {\"name\": \"x\"},\n\"branch\": " + new string('[', 100_000) + new string(']', 100_000) + "}}");

        var result = await CliRunner.RunAsync("plan", "--zuul", deep);
        var absent = await CliRunner.RunAsync("plan", "--zuul", temp.Combine("absent.json"));

        result.ExitCode.Should().Be(PlanExitCodes.InvalidInput, result.ToString());
        result.StandardError.Should().Be($"cijobs: error: {deep}:2:73: nested deeper than 64 levels\n");
        absent.ExitCode.Should().Be(PlanExitCodes.InvalidInput, absent.ToString());
        absent.StandardError.Should().Be($"cijobs: error: the Zuul variables file {temp.Combine("absent.json")} does not exist\n");
    }

    /// <summary>Zuul-variable-shaped YAML and JSON, and YAML token soup (anchors, aliases, tags, complex keys, flow and block mixed).</summary>
    public static class HostileVars
    {
        private static readonly string[] Keys = ["zuul", "project", "projects", "items", "name", "canonical_name", "src_dir", "branch", "ref", "change", "newrev", "x"];

        private static readonly string[] Scalars = ["x", "main", "refs/heads/main", "''", "\"\"", "null", "~", "None", "1", "-1e400", "!!str 5", "&a x", "*a", "*missing", "|\n  text", "\"\\u0000\"", "'it''s'"];

        private static readonly string[] Tokens =
        [
            "zuul:", "project:", "name:", "projects:", "items:", "- ", "? ", ": ", "{", "}", "[", "]", ",", "\n", "\n  ", "\n    ", "&a ", "*a", "&b ", "*b",
            "!!map ", "!tag ", "|", ">", "---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "#", "\"", "'", "\t", "@", "`", "\ud800", "<<: *a",
        ];

        public static Arbitrary<string> Texts() => Arb.From(Gen.Frequency(
            (2, Block(3, 0)),
            (1, Flow(4)),
            (2, Gen.ListOf(Gen.Elements(Tokens).Or(Gen.Elements(Keys)).Or(Gen.Elements(Scalars))).Select(parts => string.Concat(parts)))));

        private static Gen<string> Flow(int depth) => depth == 0
            ? Gen.Elements(Scalars.Where(s => !s.Contains('\n', StringComparison.Ordinal)).ToArray())
            : Gen.Frequency(
                (2, Gen.Elements(Scalars.Where(s => !s.Contains('\n', StringComparison.Ordinal)).ToArray())),
                (3, Gen.Choose(0, 4).SelectMany(n => Gen.ListOf(Gen.Zip(Gen.Elements(Keys), Flow(depth - 1)), n))
                    .Select(members => "{" + string.Join(", ", members.Select(m => $"{m.Item1}: {m.Item2}")) + "}")),
                (1, Gen.Choose(0, 3).SelectMany(n => Gen.ListOf(Flow(depth - 1), n)).Select(items => "[" + string.Join(", ", items) + "]")));

        private static Gen<string> Block(int depth, int indent)
        {
            var pad = new string(' ', indent);
            var leaf = Gen.Zip(Gen.Elements(Keys), Gen.Elements(Scalars)).Select(m => $"{pad}{m.Item1}: {m.Item2.Replace("\n", "\n" + pad, StringComparison.Ordinal)}\n");
            return depth == 0
                ? leaf
                : Gen.Choose(1, 4).SelectMany(n => Gen.ListOf(
                    Gen.Frequency(
                        (2, leaf),
                        (1, Gen.Zip(Gen.Elements(Keys), Block(depth - 1, indent + 2)).Select(m => $"{pad}{m.Item1}:\n{m.Item2}")),
                        (1, Gen.Zip(Gen.Elements(Keys), Flow(2)).Select(m => $"{pad}{m.Item1}: {m.Item2}\n"))),
                    n)).Select(parts => string.Concat(parts));
        }
    }
}
