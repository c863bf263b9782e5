using System.Text;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.Yaml;
using CiJobs.Tests.Support;
using FluentAssertions;
using Xunit;

namespace CiJobs.Tests.Rdoinfo;

/// <summary>
/// The fast block-style reader against the full YamlDotNet path: whatever the fast reader accepts must give
/// the same tree, with the same line marks, as the full parser; everything else it must leave to the full parser.
/// </summary>
public sealed class BlockYamlReaderTests
{
    [Fact]
    public void Every_file_of_the_real_rdoinfo_is_read_by_the_fast_reader_into_the_full_parsers_tree()
    {
        var root = RepoPaths.RealRdoinfo;
        var files = Directory.GetFiles(root, "*.yml", SearchOption.AllDirectories);
        files.Should().HaveCountGreaterThan(50);
        foreach (var path in files)
        {
            var text = File.ReadAllText(path);
            BlockYamlReader.TryParse(text, path, out var fast).Should().BeTrue($"{path} is block-style YAML");
            Dump(fast).Should().Be(Dump(YamlTree.ParseFull(text, path)), path);
        }
    }

    [Theory]
    [InlineData("a: 1\nb: two words\nc:\nd: ~\ne: null\nf: 'x'\ng: \"y\"\n")]
    [InlineData("# head\n\nimport:\n- tags.yml\n- other.yml\nreleases: # trailing\n  - name: x # why\n    repos:\n    - name: el9\n      url: http://h/p#frag\n")]
    [InlineData("packages:\n- project: nova\n  conf: core\n  maintainers:\n  - a@b.c\n  tags:\n    antelope:\n    bobcat:\n      source-branch: 1.2.3\n")]
    [InlineData("a:\n  - - x\n    - y\n  - - z\n")]
    [InlineData("a: 'it''s'\n'quoted key': 1\n\"dq key\": v\nempty: ''\nnul: \"null\"\n")]
    [InlineData("  indented: root\n  second: 2\n")]
    [InlineData("a: -1\nb: x-y\nc: a:b\nd: a#b\ne: '#not a comment'\n")]
    [InlineData("a:\n    deep:\n        deeper: 1\n    back: 2\nz: 3\n")]
    [InlineData("list:\n-   spaced: 1\n    more: 2\n-   scalar\n")]
    [InlineData("k: v   \nk2:   \n  sub: 1  # c\n")]
    [InlineData("a: 1\nb: 2\na: 3\n")] // a repeated key keeps its last value
    [InlineData("a: 1.10\nb: 0755\nc: on\nd: 2025-01-02\ne: 1_000\nf: -.inf\ng: 1:20\nh: 0x1F\ni: '1.10'\n")] // YAML 1.1 types
    [InlineData("")]
    [InlineData("# only a comment\n\n")]
    public void Accepted_documents_give_the_full_parsers_tree(string yaml)
    {
        BlockYamlReader.TryParse(yaml, "f.yml", out var fast).Should().BeTrue();
        Dump(fast).Should().Be(Dump(YamlTree.ParseFull(yaml, "f.yml")));
    }

    [Theory]
    [InlineData("a: [1, 2]\n")] // flow sequence
    [InlineData("a: {b: 1}\n")] // flow mapping
    [InlineData("a: |\n  text\n")] // block scalar
    [InlineData("a: >\n  text\n")]
    [InlineData("a: &x 1\nb: *x\n")] // anchor and alias
    [InlineData("a: !tag 1\n")]
    [InlineData("---\na: 1\n")] // document marker
    [InlineData("%YAML 1.1\n---\na: 1\n")]
    [InlineData("a: one\n  two\n")] // multi-line plain scalar
    [InlineData("a: 'one\n  two'\n")]
    [InlineData("a: \"tab\\there\"\n")] // escape
    [InlineData("a:\tb\n")] // tab
    [InlineData("a: 1\r\nb: 2\r\n")] // carriage returns
    [InlineData("a: 1\nb: <<\n")] // PyYAML has no constructor for '<<' or '=' as values: the full parser's error
    [InlineData("a: 1\nb: =\n")]
    [InlineData("a: 1\n<<: {}\n")] // merge key
    [InlineData("a: 1\n1.10: b\n")] // a key that is not a string in YAML 1.1
    [InlineData("a: 1\nyes: b\n")]
    [InlineData("a: 1\n~: b\n")]
    [InlineData("a: 2025-13-01\n")] // a value PyYAML cannot construct
    [InlineData("a: b: c\n")] // error
    [InlineData("a: 1\n  b: 2\n")] // bad indentation
    [InlineData("a:\n  - x\n  b: 1\n")]
    [InlineData("- a\n- b\n")] // not a mapping: the loader's error
    [InlineData("plain scalar\n")]
    [InlineData("a:\n-\n  b: 1\n")] // entry on the next line
    [InlineData("? complex\n: value\n")]
    [InlineData("a: 1\n- b\n")]
    [InlineData("a: \"unclosed\n")]
    [InlineData("a: 'x' y\n")]
    public void Documents_outside_the_subset_are_left_to_the_full_parser(string yaml)
    {
        BlockYamlReader.TryParse(yaml, "f.yml", out _).Should().BeFalse();
    }

    [Fact]
    public void Random_documents_accepted_by_the_fast_reader_parse_the_same_with_the_full_parser()
    {
        var random = new Random(20261123);
        var accepted = 0;
        for (var n = 0; n < 10000; n++)
        {
            var yaml = RandomDocument(random);
            var fastWarnings = new List<YamlWarning>();
            if (!BlockYamlReader.TryParse(yaml, "r.yml", YamlLimits.Default, fastWarnings, out var fast))
            {
                continue;
            }

            accepted++;
            object? full;
            var fullWarnings = new List<YamlWarning>();
            try
            {
                full = YamlTree.ParseFull(yaml, "r.yml", YamlLimits.Default, fullWarnings);
            }
            catch (RdoinfoException e)
            {
                throw new Xunit.Sdk.XunitException($"the fast reader accepted a document the full parser rejects ({e.Message}):\n{yaml}");
            }

            Dump(fast).Should().Be(Dump(full), yaml);
            fastWarnings.Should().Equal(fullWarnings, yaml);
        }

        accepted.Should().BeGreaterThan(1000, "the generator must exercise the accepted subset, not only the declines");
    }

    /// <summary>Mostly well-formed block YAML with random indentation slips and awkward scalars.</summary>
    private static string RandomDocument(Random random)
    {
        string[] keys = ["a", "project", "name", "'q k'", "\"dq\"", "x-y", "k#h", "~", "url", "-k", "a b"];
        string[] scalars = ["v", "two words", "", "~", "null", "'it''s'", "\"dq\"", "http://h/p#f", "a:b", "v # c", "-1", "v  ", "'#'", "x-y", "%(project)s-distgit", "1.10", "0755", "yes", "Off", "2025-01-02", "1_0", "0x1f", "1:20", ".inf", "-0.0", "1.0e+16", "2025-1-2 3:04:05"];
        string[] awkward = ["- x", "x: y", "'x' y", "&a v", "*a", "[1]", "{a: 1}", "|", "@v", "%v", "'", "\"", "?x", ":x", "\\x", "\"a\\\"b\"", "#c"];
        var text = new StringBuilder();
        var lines = random.Next(1, 14);
        var indent = 0;
        for (var i = 0; i < lines; i++)
        {
            indent = random.Next(40) switch
            {
                0 => indent + 2,
                1 => indent + 1,
                2 => Math.Max(0, indent - 1),
                < 8 => Math.Max(0, indent - 2),
                < 10 => 0,
                _ => indent,
            };
            var pad = new string(' ', indent);
            var key = random.Next(3) == 0 ? keys[random.Next(keys.Length)] : $"k{random.Next(1000)}";
            var value = random.Next(10) == 0 ? awkward[random.Next(awkward.Length)] : scalars[random.Next(scalars.Length)];
            switch (random.Next(8))
            {
                case 0:
                    text.Append(pad).Append(key).Append(":\n");
                    indent += random.Next(2) * 2;
                    break;
                case 1:
                    text.Append(pad).Append("- ").Append(value).Append('\n');
                    break;
                case 2:
                    text.Append(pad).Append("- ").Append(key).Append(": ").Append(value).Append('\n');
                    indent += 2;
                    break;
                case 3:
                    text.Append(pad).Append("# comment\n");
                    break;
                case 4:
                    text.Append(pad).Append("- ").Append(key).Append(":\n");
                    indent += 2 + random.Next(2) * 2;
                    break;
                default:
                    text.Append(pad).Append(key).Append(": ").Append(value).Append('\n');
                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>A canonical text of a tree: kinds, values, key order and every line mark.</summary>
    private static string Dump(object? node)
    {
        var text = new StringBuilder();
        Write(node, text);
        return text.ToString();

        static void Write(object? node, StringBuilder text)
        {
            switch (node)
            {
                case null:
                    text.Append("null");
                    break;
                case string s:
                    text.Append('"').Append(s).Append('"');
                    break;
                case YamlMap map:
                    text.Append($"map@{map.Line}{{");
                    foreach (var key in map.Keys)
                    {
                        text.Append($"\"{key}\"@{map.MarkOf(key).Line}: ");
                        Write(map[key], text);
                        text.Append(", ");
                    }

                    text.Append('}');
                    break;
                case YamlList list:
                    text.Append($"list@{list.Line}[");
                    for (var i = 0; i < list.Count; i++)
                    {
                        text.Append($"@{list.LineOf(i)} ");
                        Write(list[i], text);
                        text.Append(", ");
                    }

                    text.Append(']');
                    break;
                default:
                    throw new InvalidOperationException(node.GetType().Name);
            }
        }
    }
}

public sealed class YamlMapTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(40)]
    public void Keys_keep_file_order_and_a_replaced_key_keeps_its_place_below_and_above_the_index_size(int keys)
    {
        var map = new YamlMap("a.yml", 1);
        for (var i = 0; i < keys; i++)
        {
            map.Set($"k{i}", $"v{i}", "a.yml", i + 1);
        }

        map.Set("k1", "new", "b.yml", 99);

        map.Count.Should().Be(keys);
        map.Keys.Should().Equal(Enumerable.Range(0, keys).Select(i => $"k{i}"));
        map["k1"].Should().Be("new");
        map.MarkOf("k1").Should().Be(("b.yml", 99L));
        map.TryGetValue($"k{keys - 1}", out var last).Should().BeTrue();
        last.Should().Be($"v{keys - 1}");
        map.ContainsKey("missing").Should().BeFalse();
        map.MarkOf("missing").Should().Be(("a.yml", 1L));
    }

    [Fact]
    public void A_shallow_copy_is_owned_by_the_merge_and_changing_it_leaves_the_parsed_map_alone()
    {
        var parsed = new YamlMap("a.yml", 1);
        for (var i = 0; i < 10; i++)
        {
            parsed.Set($"k{i}", "v", "a.yml", i + 1);
        }

        var copy = parsed.ShallowCopy();
        copy.Set("k0", "changed", "b.yml", 5);
        copy.Set("extra", "x", "b.yml", 6);

        copy.IsMergeCopy.Should().BeTrue();
        parsed.IsMergeCopy.Should().BeFalse();
        parsed["k0"].Should().Be("v");
        parsed.ContainsKey("extra").Should().BeFalse();
        copy.Keys.Should().EndWith("extra").And.HaveCount(11);
    }
}
