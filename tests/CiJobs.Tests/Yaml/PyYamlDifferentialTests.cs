using System.Text;
using CiJobs.Core.Rdoinfo;

namespace CiJobs.Tests.Yaml;

/// <summary>
/// This project's reading against the real PyYAML (python3 with python3-yaml, as .ci/setup installs): every
/// scalar and document must read the same (as Python's str() of each value), or be refused by both.
/// </summary>
public sealed class PyYamlDifferentialTests
{
    [Fact]
    public async Task Scalars_read_as_pyyaml_reads_them_as_values_and_as_keys()
    {
        var scalars = PyYamlTests.Scalars.Select(row => (string)row[0])
            .Concat(PyYamlTests.RandomScalars(seed: 20250118, count: 3000))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var documents = scalars.Select(s => $"k: {s}\n").Concat(scalars.Select(s => $"{s}: v\n")).ToList();

        var python = await PyYamlProcess.LoadAsync(documents);

        var mismatches = new List<string>();
        for (var i = 0; i < documents.Count; i++)
        {
            var full = PyYamlProcess.Shape(() => YamlTree.ParseFull(documents[i], "f.yml"));
            if (!PyYamlProcess.Agree(python[i], full))
            {
                mismatches.Add($"{documents[i].TrimEnd()}  PyYAML {PyYamlProcess.Show(python[i])}  full {PyYamlProcess.Show(full)}");
            }

            if (BlockYamlReader.TryParse(documents[i], "f.yml", out var fast) && !PyYamlProcess.Agree(python[i], PyYamlProcess.Shape(() => fast)))
            {
                mismatches.Add($"{documents[i].TrimEnd()}  PyYAML {PyYamlProcess.Show(python[i])}  fast {PyYamlProcess.Show(PyYamlProcess.Shape(() => fast))}");
            }
        }

        mismatches.Should().BeEmpty();
        documents.Should().HaveCountGreaterThan(4000);
    }

    [Fact]
    public async Task Documents_with_anchors_merge_keys_repeated_and_typed_keys_read_as_pyyaml_reads_them()
    {
        var random = new Random(20250119);
        var documents = Enumerable.Range(0, 2500).Select(_ => RandomDocument(random)).ToList();

        var python = await PyYamlProcess.LoadAsync(documents);

        var mismatches = new List<string>();
        var read = 0;
        for (var i = 0; i < documents.Count; i++)
        {
            var ours = PyYamlProcess.Shape(() => YamlTree.Parse(documents[i], "f.yml"));
            read += ours.ContainsKey("ok") ? 1 : 0;
            if (!PyYamlProcess.Agree(python[i], ours))
            {
                mismatches.Add($"---\n{documents[i]}PyYAML {PyYamlProcess.Show(python[i])}\nours   {PyYamlProcess.Show(ours)}");
            }
        }

        mismatches.Should().BeEmpty();
        read.Should().BeGreaterThan(1500, "most generated documents are valid, so the comparison is about values, not errors");
    }

    private static readonly string[] Keys = ["a", "b", "c", "x", "name", "1", "1.0", "yes", "true", "~", "null", "1.10", "0755", "2025-01-02", "'q'", "\"b\"", "=", "on", "0x1"];
    private static readonly string[] Scalars = ["v", "1", "1.10", "0755", "yes", "off", "~", "'q'", "\"1.10\"", "2025-01-02", "1_000", "0x1F", ".inf", "1e3", "1:20", "stable/2025.1"];

    /// <summary>A block mapping of a few keys whose values are flow collections, aliases and merges over earlier anchors.</summary>
    internal static string RandomDocument(Random random)
    {
        var text = new StringBuilder();
        var anchors = new List<(string Name, bool IsMap)>();
        var entries = random.Next(1, 7);
        for (var i = 0; i < entries; i++)
        {
            var key = random.Next(4) == 0 ? Keys[random.Next(Keys.Length)] : $"k{random.Next(6)}";
            text.Append(key).Append(": ");
            if (random.Next(3) == 0)
            {
                var name = $"a{i}";
                var isMap = random.Next(3) != 0;
                text.Append('&').Append(name).Append(' ');
                text.Append(isMap ? FlowMap(random, anchors, 0) : FlowList(random, anchors, 0));
                anchors.Add((name, isMap));
            }
            else
            {
                text.Append(random.Next(3) switch
                {
                    0 => FlowMap(random, anchors, 0),
                    1 => Value(random, anchors, 0),
                    _ => BlockValue(random, anchors),
                });
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static string BlockValue(Random random, List<(string Name, bool IsMap)> anchors)
    {
        var text = new StringBuilder("\n");
        var keys = random.Next(1, 5);
        for (var i = 0; i < keys; i++)
        {
            var maps = anchors.Where(a => a.IsMap).ToList();
            if (maps.Count > 0 && random.Next(4) == 0)
            {
                text.Append("  <<: ").Append(random.Next(2) == 0
                    ? "*" + maps[random.Next(maps.Count)].Name
                    : "[" + string.Join(", ", Enumerable.Range(0, random.Next(1, 3)).Select(_ => "*" + maps[random.Next(maps.Count)].Name)) + "]").Append('\n');
                continue;
            }

            text.Append("  ").Append(Keys[random.Next(Keys.Length)]).Append(": ").Append(Value(random, anchors, 1)).Append('\n');
        }

        return text.ToString().TrimEnd('\n');
    }

    private static string Value(Random random, List<(string Name, bool IsMap)> anchors, int depth) => random.Next(depth > 2 ? 2 : 6) switch
    {
        0 or 1 => Scalars[random.Next(Scalars.Length)],
        2 when anchors.Count > 0 => "*" + anchors[random.Next(anchors.Count)].Name,
        3 => FlowList(random, anchors, depth + 1),
        _ => FlowMap(random, anchors, depth + 1),
    };

    private static string FlowMap(Random random, List<(string Name, bool IsMap)> anchors, int depth)
    {
        var pairs = new List<string>();
        for (var i = random.Next(0, 4); i > 0; i--)
        {
            var maps = anchors.Where(a => a.IsMap).ToList();
            pairs.Add(maps.Count > 0 && random.Next(5) == 0
                ? "<<: *" + maps[random.Next(maps.Count)].Name
                : Keys[random.Next(Keys.Length)] + ": " + Value(random, anchors, depth));
        }

        return "{" + string.Join(", ", pairs) + "}";
    }

    private static string FlowList(Random random, List<(string Name, bool IsMap)> anchors, int depth) =>
        "[" + string.Join(", ", Enumerable.Range(0, random.Next(0, 4)).Select(_ => Value(random, anchors, depth))) + "]";
}
