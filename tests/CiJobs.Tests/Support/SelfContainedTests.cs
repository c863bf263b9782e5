using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CiJobs.Tests.Support;

/// <summary>The project stands alone: no tracked file reaches outside the clone for data or facts.</summary>
public partial class SelfContainedTests
{
    // Assembled so that this file does not match itself.
    [GeneratedRegex(@"\.\./" + "shared|shared/" + "(reference|data)\\b")]
    private static partial Regex OutsidePath();

    [Fact]
    public void No_tracked_file_mentions_a_folder_beside_the_clone()
    {
        var offenders = TrackedFiles()
            .Where(f => !f.StartsWith("tests/data/", StringComparison.Ordinal))
            .Where(f => File.Exists(Path.Combine(RepoPaths.Root, f)))
            .Where(f => OutsidePath().IsMatch(File.ReadAllText(Path.Combine(RepoPaths.Root, f))))
            .ToList();
        offenders.Should().BeEmpty("the project must build and test with nothing beside it");
    }

    [Fact]
    public void The_real_rdoinfo_is_vendored_with_its_licence_and_snapshot()
    {
        File.Exists(Path.Combine(RepoPaths.RealRdoinfo, "rdo-full.yml")).Should().BeTrue();
        File.ReadAllText(Path.Combine(RepoPaths.RealRdoinfo, "LICENSE")).Should().Contain("Apache License");
        File.ReadAllText(Path.Combine(RepoPaths.RealRdoinfo, "SNAPSHOT")).Should().MatchRegex("^[0-9a-f]{40} ");
    }

    private static List<string> TrackedFiles()
    {
        var psi = new ProcessStartInfo("git", "ls-files -z") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true };
        using var git = Process.Start(psi)!;
        var output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        git.ExitCode.Should().Be(0);
        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
