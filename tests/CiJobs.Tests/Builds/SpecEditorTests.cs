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

    private static readonly SpecEdit Edit = new("1.2.0", "0.20261123104500.abcdef0", "1.2.0-0.20261123104500.abcdef0.tar.gz", "1.2.0", KeepChangelog: false);

    [Fact]
    public void Apply_SetsVersionReleaseSource0AndPutsTheDlrnDefinitionsFirst()
    {
        var edited = SpecEditor.Apply(Spec, Edit);

        edited.Should().Be("""
            %global dlrn_nvr 1.2.0-0.20261123104500.abcdef0
            %global dlrn 1
            %define upstream_version 1.2.0
            %global upstream_version 0.1
            Name:           foo
            Version: 1.2.0
            Release: 0.20261123104500.abcdef0%{?dist}
            Summary:        Foo 1.2.0
            License:        MIT
            Source0: 1.2.0-0.20261123104500.abcdef0.tar.gz
            Source1:        foo.conf

            %description
            Foo.

            %files

            %changelog

            """);
    }

    [Fact]
    public void Apply_ReplacesExistingDlrnDefinitionsInPlace()
    {
        var spec = "%define upstream_version old\n%global dlrn 0\n%global dlrn_nvr old-nvr\n%define dlrn 7\n" + Spec;

        var edited = SpecEditor.Apply(spec, Edit);

        edited.Should().StartWith("%define upstream_version 1.2.0\n%global dlrn 1\n%global dlrn_nvr 1.2.0-0.20261123104500.abcdef0\n%define dlrn 7\n%global upstream_version 0.1\n");
    }

    [Fact]
    public void Apply_SetsEveryVersionAndReleaseFieldAndEverySourceOrSource0Line()
    {
        var spec = Spec.Replace("Source1:", "# Version: and Release: in a comment\nSource:         other.tar.gz\nSource1:", StringComparison.Ordinal);

        var edited = SpecEditor.Apply(spec, Edit);

        edited.Should().Contain("\n# Version: 1.2.0\n", "sed 's/Version:.*/…/' is not anchored and eats the rest of the line");
        edited.Should().Contain("\nSource: 1.2.0-0.20261123104500.abcdef0.tar.gz\nSource1:        foo.conf\n");
    }

    [Fact]
    public void Apply_CutsAfterTheFirstChangelogLineUnlessAskedToKeepIt()
    {
        var spec = Spec.Replace("%changelog", "%changelog -f notes", StringComparison.Ordinal);

        SpecEditor.Apply(spec, Edit).Should().EndWith("\n%changelog -f notes\n").And.NotContain("Old entry");
        SpecEditor.Apply(spec, Edit with { KeepChangelog = true }).Should().Contain("- Old entry");
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

    [Theory]
    [InlineData("1.0%(id)")]
    [InlineData("1.0\nRequires: x")]
    [InlineData("")]
    [InlineData("a/b")]
    public void Apply_RefusesAValueThatIsNotSafeInASpec(string upstream)
    {
        var act = () => SpecEditor.Apply(Spec, Edit with { UpstreamVersion = upstream });

        act.Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(BuildExitCodes.UnsafeGitValue);
    }

    [Fact]
    public void ReadVersion_ReturnsTheSecondWordOfTheFirstVersionLine()
    {
        SpecEditor.ReadVersion(Spec).Should().Be("0.1");
        SpecEditor.ReadVersion("Version: 2.0 # comment\n").Should().Be("2.0");
        SpecEditor.ReadVersion("Name: x\n").Should().BeNull();
    }
}
