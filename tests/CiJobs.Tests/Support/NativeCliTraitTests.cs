using System.Text.RegularExpressions;

namespace CiJobs.Tests.Support;

/// <summary>
/// .ci/test runs the tests marked <c>[Trait("Runs", "cijobs")]</c> a second time against the Native AOT
/// build (<see cref="CliRunner"/> with <c>CIJOBS_TEST_CLI</c>); a test class that starts cijobs without the mark would
/// silently skip that pass.
/// </summary>
public sealed partial class NativeCliTraitTests
{
    [Fact]
    public void Every_test_class_that_starts_cijobs_is_marked_for_the_native_pass()
    {
        var tests = Path.Combine(RepoPaths.Root, "tests", "CiJobs.Tests");
        var starters = Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path: f, Text: File.ReadAllText(f)))
            .Where(f => TestClass().IsMatch(f.Text) && StartsCijobs().IsMatch(f.Text))
            .ToList();

        starters.Should().HaveCountGreaterThan(10, "the command-line tests are found");
        starters.Where(f => !f.Text.Contains("[Trait(\"Runs\", \"cijobs\")]", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(tests, f.Path))
            .Should().BeEmpty("these files start cijobs (CliRunner, ServeProcess or AnsibleJobHarness) but lack [Trait(\"Runs\", \"cijobs\")]");
    }

    [GeneratedRegex(@"\[(Fact|Theory)\b")]
    private static partial Regex TestClass();

    [GeneratedRegex(@"\b(CliRunner|ServeProcess|AnsibleJobHarness)\.")]
    private static partial Regex StartsCijobs();
}
