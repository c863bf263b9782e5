using System.Reflection;
using System.Text.RegularExpressions;
using CiJobs.Cli.Commands;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Cli;

/// <summary><c>cijobs --version</c> prints the version computed from git tags (docs/releasing.md), not the SDK's 1.0.0.</summary>
[Trait("Runs", "cijobs")]
public sealed partial class VersionOptionTests
{
    [GeneratedRegex(@"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-dev(\.[1-9][0-9]*)?(\+[0-9a-f]{7,})?)?$")]
    private static partial Regex CiJobsVersion();

    [Fact]
    public async Task Version_prints_the_version_the_build_computed_from_git()
    {
        // The cijobs assembly the tests are built with (the same build and commit as the program under test).
        var built = typeof(CommandCatalog).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        var result = await CliRunner.RunAsync("--version");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardError.Should().BeEmpty();
        var printed = result.StandardOutput.TrimEnd('\n');
        printed.Should().Be(built);
        CiJobsVersion().IsMatch(printed).Should().BeTrue($"'{printed}' is X.Y.Z, X.Y.Z-dev.N+SHA or 0.0.0-dev[+SHA]");
        printed.Should().NotStartWith("1.0.0+", "that is the SDK's default, whatever the commit");
    }
}
