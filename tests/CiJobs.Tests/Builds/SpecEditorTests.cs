using CiJobs.Core;
using CiJobs.Core.Builds;

namespace CiJobs.Tests.Builds;

public class SpecEditorTests
{
    private const string Spec = """
        %global upstream_version 0.1
        Name:           foo
        Version:        0.1
        Release:        3%{?dist}
        Summary:        Foo UPSTREAMVERSION
        License:        MIT
        Source0:        https://example.org/foo-%{version}.tar.gz
        Source1:        foo.conf

        %description
        Foo.

        %files

        %changelog
        * Mon Nov 02 2026 Someone <someone@example.org> - 0.1-3
        - Old entry
        """;

    private static readonly SpecEdit Edit = new("1.2.0", "0.20261123104500.abcdef0", "foo-1.2.0-0.20261123104500.abcdef0.tar.gz", "1.2.0", KeepChangelog: false);

    [Fact]
    public void Apply_SetsVersionReleaseSource0AndDlrnGlobals()
    {
        var edited = SpecEditor.Apply(Spec, Edit);

        edited.Should().Contain("\nVersion:        1.2.0\n");
        edited.Should().Contain("\nRelease:        0.20261123104500.abcdef0%{?dist}\n");
        edited.Should().Contain("\nSource0:        foo-1.2.0-0.20261123104500.abcdef0.tar.gz\n");
        edited.Should().Contain("\nSource1:        foo.conf\n");
        edited.Should().StartWith("%global dlrn 1\n%global dlrn_nvr foo-1.2.0-0.20261123104500.abcdef0\n%global upstream_version 1.2.0\n");
        edited.Should().NotContain("%global upstream_version 0.1");
        edited.Should().Contain("Summary:        Foo 1.2.0");
    }

    [Fact]
    public void Apply_TruncatesTheChangelogUnlessAskedToKeepIt()
    {
        SpecEditor.Apply(Spec, Edit).Should().EndWith("%changelog\n").And.NotContain("Old entry");
        SpecEditor.Apply(Spec, Edit with { KeepChangelog = true }).Should().Contain("- Old entry");
    }

    [Fact]
    public void Apply_WithoutVersion_KeepsTheSpecVersion()
    {
        SpecEditor.Apply(Spec, Edit with { Version = null }).Should().Contain("\nVersion:        0.1\n");
    }

    [Theory]
    [InlineData("Release:")]
    [InlineData("Source0:")]
    [InlineData("Version:")]
    public void Apply_WhenALineIsMissing_ThrowsSpecInvalid(string line)
    {
        var spec = string.Join('\n', Spec.Split('\n').Where(l => !l.StartsWith(line, StringComparison.Ordinal)));

        var act = () => SpecEditor.Apply(spec, Edit);

        act.Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(BuildExitCodes.SpecInvalid);
    }

    [Fact]
    public void ReadVersion_ReturnsTheLiteralValue() => SpecEditor.ReadVersion(Spec).Should().Be("0.1");
}
