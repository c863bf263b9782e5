using System.Text.RegularExpressions;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Git;

/// <summary>One wrapper runs git in the core (docs/architecture.md, "Running git").</summary>
public sealed partial class OnlyGitCliRunsGitTests
{
    [GeneratedRegex(@"ProcessSpec\s*\(\s*""git""")]
    private static partial Regex GitProcessSpec();

    [Fact]
    public void No_file_of_the_core_outside_Git_builds_a_git_ProcessSpec()
    {
        var core = Path.Combine(RepoPaths.Root, "tools", "CiJobs.Core");
        var gitFolder = Path.Combine(core, "Git") + Path.DirectorySeparatorChar;
        var files = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        files.Should().Contain(f => f.StartsWith(gitFolder, StringComparison.Ordinal) && GitProcessSpec().IsMatch(File.ReadAllText(f)), "GitCli itself builds it");
        files.Where(f => !f.StartsWith(gitFolder, StringComparison.Ordinal) && GitProcessSpec().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(RepoPaths.Root, f))
            .Should().BeEmpty();
    }
}
