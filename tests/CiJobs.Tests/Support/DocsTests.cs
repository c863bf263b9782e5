using System.Reflection;
using System.Text.RegularExpressions;
using CiJobs.Core;

namespace CiJobs.Tests.Support;

/// <summary>The README stays a front door and the manual in docs/ stays true to the code.</summary>
public partial class DocsTests
{
    [GeneratedRegex(@"\]\((?!https?://|mailto:|#)([^)#\s]+)(#[^)]*)?\)")]
    private static partial Regex RelativeLink();

    [GeneratedRegex(@"^\| (\d+) \|", RegexOptions.Multiline)]
    private static partial Regex CodeRow();

    private static IEnumerable<string> MarkdownPages() =>
        new[] { Path.Combine(RepoPaths.Root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "docs"), "*.md", SearchOption.AllDirectories));

    [Fact]
    public void The_readme_is_short_and_starts_with_the_setup_and_test_commands()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "README.md"));
        lines.Length.Should().BeLessThanOrEqualTo(200);
        var firstCommands = lines.SkipWhile(l => l != "```sh").Skip(1).Take(2).ToList();
        firstCommands.Should().HaveCount(2);
        firstCommands[0].Should().StartWith("bash .ci/setup");
        firstCommands[1].Should().StartWith("bash .ci/test");
    }

    [Fact]
    public void Every_relative_link_in_the_readme_and_docs_leads_to_a_file()
    {
        var broken = new List<string>();
        foreach (var page in MarkdownPages())
        {
            foreach (Match link in RelativeLink().Matches(File.ReadAllText(page)))
            {
                var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, link.Groups[1].Value));
                if (!File.Exists(target) && !Directory.Exists(target))
                {
                    broken.Add($"{Path.GetRelativePath(RepoPaths.Root, page)}: {link.Groups[1].Value}");
                }
            }
        }

        broken.Should().BeEmpty();
    }

    [Fact]
    public void Every_exit_code_the_tool_defines_is_in_the_exit_code_table()
    {
        var table = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "exit-codes.md"));
        var documented = CodeRow().Matches(table).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        var defined = typeof(ExitCodes).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("ExitCodes", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(int)))
            .Select(f => (Name: $"{f.DeclaringType!.Name}.{f.Name}", Code: (int)f.GetRawConstantValue()!))
            .ToList();
        defined.Should().NotBeEmpty();
        defined.Where(d => !documented.Contains(d.Code)).Select(d => $"{d.Name} = {d.Code}").Should().BeEmpty();
    }
}
