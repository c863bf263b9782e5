using System.Diagnostics;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.Yaml;

namespace CiJobs.Tests.Rdoinfo;

/// <summary>How a document reads: PyYAML's dict semantics, merge keys, anchors, and the limits hostile input meets.</summary>
public sealed class YamlTreeTests
{
    private static YamlMap Read(string yaml) => (YamlMap)YamlTree.Parse(yaml, "f.yml")!;

    private static RdoinfoException Refused(string yaml, YamlLimits? limits = null)
    {
        using var scope = YamlReadContext.Use(limits ?? YamlLimits.Default);
        var act = () => YamlTree.Parse(yaml, "f.yml");
        return act.Should().Throw<RdoinfoException>().Which;
    }

    [Theory]
    [InlineData("a: 1\nb: 2\na: 3\n")] // the fast reader
    [InlineData("a: 1\nb: [2]\na: 3\n")] // the full parser (flow list)
    [InlineData("{a: 1, b: 2, a: 3}\n")]
    public void A_repeated_key_keeps_its_last_value_at_its_first_place(string yaml)
    {
        var map = Read(yaml);
        map.Keys.Should().Equal("a", "b");
        map["a"].Should().Be("3");
        map.MarkOf("a").Line.Should().Be(yaml.StartsWith('{') ? 1 : 3);
    }

    [Fact]
    public void A_repeated_package_key_in_an_rdoinfo_file_keeps_the_last_value()
    {
        var map = Read("packages:\n- project: nova\n  source-branch: '1.0'\n  source-branch: '2.0'\n");
        ((YamlMap)((YamlList)map["packages"]!)[0]!)["source-branch"].Should().Be("2.0");
    }

    [Fact]
    public void A_merge_key_merges_the_aliased_mapping_and_own_keys_win()
    {
        var map = Read("base: &b {x: 1, y: 2}\nc:\n  z: 0\n  <<: *b\n  x: 9\n");
        var c = (YamlMap)map["c"]!;
        c.Keys.Should().Equal("x", "y", "z"); // PyYAML puts merged pairs first
        c["x"].Should().Be("9");
        c["y"].Should().Be("2");
        c.ContainsKey("<<").Should().BeFalse();
        c.MarkOf("y").Line.Should().Be(1, "a merged key keeps the line it was written at");
    }

    [Fact]
    public void A_merge_key_with_a_list_lets_earlier_mappings_win_and_inline_mappings_merge_too()
    {
        var map = Read("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc: {<<: [*a, *b]}\nd: {<<: {x: 1}, <<: {x: 2}}\ne: {'<<': {x: 1}}\nf: {<<: []}\n");
        ((YamlMap)map["c"]!).Select(kv => $"{kv.Key}={kv.Value}").Should().Equal("x=1", "y=2");
        ((YamlMap)map["d"]!)["x"].Should().Be("2", "of two merge keys, the later wins");
        ((YamlMap)map["e"]!).Keys.Should().Equal(["<<"], "a quoted '<<' is an ordinary key");
        ((YamlMap)map["f"]!).Should().BeEmpty();
    }

    [Theory]
    [InlineData("c: {<<: 1}\n")]
    [InlineData("c: {<<: ~}\n")]
    [InlineData("c: {<<: [1]}\n")]
    [InlineData("a: &a [1]\nc: {<<: *a}\n")]
    public void A_merge_key_takes_only_mappings(string yaml) =>
        Refused(yaml).Should().Match<RdoinfoException>(e => e.ExitCode == RdoinfoExitCodes.Syntax && e.Message.Contains("'<<'"));

    [Fact]
    public void Keys_python_finds_equal_are_one_key_that_keeps_the_first_spelling()
    {
        var map = Read("{1: a, 1.0: b, true: c, ~: d, null: e, .nan: f, .NaN: g, 2025-01-02: h}\n");
        map.Select(kv => $"{kv.Key}={kv.Value}").Should().Equal("1=c", "None=e", "nan=g", "2025-01-02=h");
        map.KeyIdentities.Should().NotBeNull();
    }

    [Fact]
    public void A_string_key_and_a_typed_key_that_print_the_same_are_refused()
    {
        Refused("'1': a\n1: b\n").Should().Match<RdoinfoException>(e => e.ExitCode == RdoinfoExitCodes.Syntax && e.Line == 2 && e.Message.Contains("the key '1'"));
        Refused("None: a\n~: b\n").Line.Should().Be(2);
    }

    [Fact]
    public void Typed_keys_of_a_merged_mapping_stay_typed()
    {
        var map = Read("a: &a {1: x}\nb: {<<: *a, 1.0: y}\n");
        ((YamlMap)map["b"]!).Select(kv => $"{kv.Key}={kv.Value}").Should().Equal("1=y");
    }

    [Fact]
    public void An_anchor_defined_twice_is_refused_as_pyyaml_refuses_it() =>
        Refused("a: &x 1\nb: &x 2\n").Should().Match<RdoinfoException>(e => e.Line == 2 && e.Message.Contains("&x is defined twice"));

    [Fact]
    public void An_alias_to_a_node_that_contains_it_is_refused() =>
        Refused("a: &x [1, *x]\n").Message.Should().Contain("*x refers to a node that contains it");

    [Fact]
    public void An_alias_to_a_scalar_can_be_a_key_and_to_a_collection_cannot()
    {
        Read("a: &x k\n*x : v\n")["k"].Should().Be("v");
        Refused("a: &x [k]\n? *x\n: v\n").Message.Should().Contain("a mapping key must be a scalar");
    }

    [Theory]
    [InlineData("a: 1\nb:\n\tc: 2\n", 3)]
    [InlineData("a: 1\nb: 2\nc:\n  d: 1\n\te: 2\n", 5)]
    [InlineData("a: 1\nb: 2\n\t\nc: 3\n", 3)]
    [InlineData("a: 1\nb:\n  - x\n\t- y\n", 4)]
    public void A_tab_in_the_indentation_is_reported_on_its_own_line(string yaml, long line) =>
        Refused(yaml).Should().Match<RdoinfoException>(e => e.ExitCode == RdoinfoExitCodes.Syntax && e.Line == line && e.Message.Contains("tab"));

    [Fact]
    public void An_alias_bomb_stops_at_the_node_limit_quickly_naming_the_limit_and_its_option()
    {
        var lines = new List<string> { "a0: &a0 [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 1; i < 10; i++)
        {
            lines.Add($"a{i}: &a{i} [" + string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10)) + "]");
        }

        var yaml = string.Join('\n', lines) + "\n";
        yaml.Length.Should().BeLessThan(700);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var error = Refused(yaml);
        clock.Stop();

        error.ExitCode.Should().Be(RdoinfoExitCodes.Limit);
        error.Message.Should().Be("f.yml:6: the document expands to more than 1000000 nodes through its aliases: the YAML expanded node limit (1000000, --yaml-max-nodes)");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(16 * 1024 * 1024);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void The_alias_count_is_bounded()
    {
        var yaml = "a: &a x\nb: [" + string.Join(", ", Enumerable.Repeat("*a", 101)) + "]\n";
        Read(yaml)["b"].Should().BeOfType<YamlList>().Which.Should().HaveCount(101);
        Refused(yaml, new YamlLimits { MaxAliases = 100 }).Should().Match<RdoinfoException>(e =>
            e.ExitCode == RdoinfoExitCodes.Limit && e.Line == 2 && e.Message.EndsWith("more than 100 aliases in one document: the YAML alias limit (100, --yaml-max-aliases)"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Deep_nesting_is_an_error_with_the_line_and_no_crash(bool flow)
    {
        var yaml = flow
            ? "a: 1\nb: " + new string('[', 100_000) + "\n"
            : "a: 1\nb:\n" + string.Concat(Enumerable.Range(0, 100_000).Select(_ => "- ")) + "x\n";

        var error = Refused(yaml);

        error.ExitCode.Should().Be(RdoinfoExitCodes.Limit);
        error.Line.Should().Be(flow ? 2 : 3);
        error.Message.Should().EndWith("mappings and sequences nest more than 256 deep: the YAML nesting depth limit (256, --yaml-max-depth)");
    }

    [Fact]
    public void The_depth_limit_applies_exactly_in_both_readers_and_counts_what_aliases_bring_in()
    {
        // Block(n): n mappings nested in each other, the innermost starting on line n.
        string Block(int depth) => "a:\n" + string.Concat(Enumerable.Range(1, depth - 2).Select(i => new string(' ', 2 * i) + "b:\n")) + new string(' ', 2 * (depth - 1)) + "c: 1\n";
        var limits = new YamlLimits { MaxDepth = 5 };
        using (YamlReadContext.Use(limits))
        {
            BlockYamlReader.TryParse(Block(5), "f.yml", out _).Should().BeTrue();
            BlockYamlReader.TryParse(Block(6), "f.yml", out _).Should().BeFalse();
            YamlTree.ParseFull(Block(5), "f.yml").Should().NotBeNull();
        }

        Refused(Block(6), limits).Line.Should().Be(6);
        Refused("x: &x [[[1]]]\ny: [[*x]]\n", limits).Should().Match<RdoinfoException>(e => e.Line == 2 && e.Message.Contains("the alias nests"));
    }

    [Fact]
    public void The_node_limit_applies_alike_in_both_readers()
    {
        var yaml = "a: 1\nb:\n- x\n- y\n"; // mapping, a, 1, b, list, x, y: 7 nodes
        using (YamlReadContext.Use(new YamlLimits { MaxNodes = 7 }))
        {
            BlockYamlReader.TryParse(yaml, "f.yml", out _).Should().BeTrue();
            YamlTree.ParseFull(yaml, "f.yml").Should().NotBeNull();
        }

        Refused(yaml, new YamlLimits { MaxNodes = 6 }).Should().Match<RdoinfoException>(e => e.ExitCode == RdoinfoExitCodes.Limit && e.Message.Contains("--yaml-max-nodes"));
    }

    [Fact]
    public void Warnings_of_a_declined_fast_read_are_not_repeated()
    {
        var warnings = new List<YamlWarning>();
        using (YamlReadContext.Use(YamlLimits.Default, warnings.Add))
        {
            Read("a: 1.10\nb: [x]\n"); // the fast reader reads line 1, then declines the flow list
        }

        warnings.Should().ContainSingle().Which.Line.Should().Be(1);
    }
}
