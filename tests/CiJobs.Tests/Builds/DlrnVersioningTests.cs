using CiJobs.Core;
using CiJobs.Core.Builds;

namespace CiJobs.Tests.Builds;

/// <summary>
/// DLRN's version rules (docs/contracts/dlrn-build.md, "Version"). The expected values of setversionandrelease are
/// what DLRN's own shell function gives for the same input under bash.
/// </summary>
public class DlrnVersioningTests
{
    [Theory]
    [InlineData("v1.2.3", "1.2.3")]
    [InlineData("V2.0", "2.0")]
    [InlineData("r5", "5")]
    [InlineData("R5.1", "5.1")]
    [InlineData("1.0.0", "1.0.0")]
    [InlineData("release-1", "elease-1")]
    [InlineData("vv1", "v1")]
    [InlineData("x1", "x1")]
    [InlineData("v", "")]
    public void StripLeadingLetter_DropsOneLeadingVOrRWhateverFollows(string tag, string expected) =>
        DlrnVersioning.StripLeadingLetter(tag).Should().Be(expected);

    [Theory]
    // 1. version-release: what precedes the first dash, when something follows the dash
    [InlineData("1.0-beta", "1.0")]
    [InlineData("1.0.0rc1-2", "1.0.0rc1")]
    [InlineData("1.0.dev-x", "1.0.dev")]
    [InlineData("elease-1", "elease")]
    [InlineData("-x", "")]
    [InlineData("1.0-", "0.0.1")]
    // 2. .0rc…: what precedes the last ".0rc" that has something after it
    [InlineData("2.0.0.0rc1", "2.0.0")]
    [InlineData("2.0.0rc1", "2.0")]
    [InlineData("1.0rc1.0rc2", "1.0rc1")]
    [InlineData("1.0rc2.0rc", "1")]
    [InlineData("1.pre.0rc1", "1.pre")]
    [InlineData("1.0rc", "0.0.1")]
    // 3. .0b…
    [InlineData("2.0.0.0b2", "2.0.0")]
    [InlineData("1.0b2.0b3", "1.0b2")]
    [InlineData("1.0b1.0a1", "1")]
    // 4. .0a…
    [InlineData("7.0.0.0a1.dev1", "7.0.0")]
    [InlineData("1.0a1.0b1", "1.0a1")]
    [InlineData("1.0a", "0.0.1")]
    // 5. .dev…
    [InlineData("1.2.3.dev12", "1.2.3")]
    [InlineData("1.dev2.dev", "1")]
    [InlineData("1.0.dev", "0.0.1")]
    // 6. .g…
    [InlineData("0.10.1.11.ga5f0e3c", "0.10.1.11")]
    [InlineData("1.0.gold", "1.0")]
    [InlineData("1.g.g1", "1.g")]
    [InlineData("1.g", "0.0.1")]
    // 7. .pre anywhere, nothing needed after it
    [InlineData("1.8.0.pre", "1.8.0")]
    [InlineData("a.pre.pre", "a.pre")]
    [InlineData("2.pre1", "2")]
    // 8. digits and dots only
    [InlineData("1.7.3", "1.7.3")]
    [InlineData("9", "9")]
    [InlineData("1..2", "1..2")]
    // 9. anything else: 0.0.1
    [InlineData("1.8.0pre", "0.0.1")]
    [InlineData("a.b", "0.0.1")]
    [InlineData("1_0", "0.0.1")]
    [InlineData("1+x", "0.0.1")]
    [InlineData("1.0~rc1", "0.0.1")]
    public void SetVersionAndRelease_TheFirstMatchingRuleGivesTheRpmVersion(string upstream, string expected)
    {
        var version = DlrnVersioning.SetVersionAndRelease(upstream);

        version.Version.Should().Be(expected);
        version.UpstreamVersion.Should().Be(upstream, "the upstream version is the input unchanged");
    }

    [Theory]
    [InlineData("1.2.0", "1.2.1")]
    [InlineData("9", "10")]
    [InlineData("1.0.0.0b2", "1.0.0.1")]
    [InlineData("2.0.0.0rc1", "2.0.0.1")]
    [InlineData("1.0a", "1.1")]
    [InlineData("1.0-beta", "1.1")]
    [InlineData("1.0-RC1", "1.1")]
    [InlineData("1.2.", "1.2.1")]
    [InlineData("1.09", "1.10")]
    [InlineData("2024.rc1", "2024.1")]
    [InlineData("1.1e3", "1.1001")]
    [InlineData("1.1e-3", "1.1.001")]
    [InlineData("1.-5", "1.-4")]
    [InlineData("1.0x1f", "1.1")]
    [InlineData("1.+inf", "1.+inf")]
    [InlineData("1.99999999999999999999", "1.100000000000000000000")]
    public void BumpLastNumber_AddsOneToTheLastFieldReadAsAnAwkNumber(string version, string expected) =>
        DlrnVersioning.BumpLastNumber(version).Should().Be(expected);

    [Theory]
    [InlineData("", 0)]
    [InlineData("7", 7)]
    [InlineData("0b2", 0)]
    [InlineData("12abc", 12)]
    [InlineData("rc1", 0)]
    [InlineData("1e", 1)]
    [InlineData("2E+2x", 200)]
    [InlineData("+3", 3)]
    [InlineData("-", 0)]
    [InlineData("0X10", 0)]
    public void AwkNumber_ReadsTheDecimalPrefixTheWayGawkDoes(string field, double expected) =>
        DlrnVersioning.AwkNumber(field).Should().Be(expected);

    [Theory]
    [InlineData(10.0, "10")]
    [InlineData(1.001, "1.001")]
    [InlineData(1234568.8, "1.23457e+06")]
    [InlineData(0.0000123, "1.23e-05")]
    [InlineData(double.PositiveInfinity, "+inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    public void AwkFormat_PrintsLikeGawk(double value, string expected) =>
        DlrnVersioning.AwkFormat(value).Should().Be(expected);

    [Fact]
    public void FromTag_WithoutATag_IsTheFallback() =>
        DlrnVersioning.FromTag(null).Should().Be(new DlrnVersion("0.0.1", "0.0.1"));

    [Theory]
    [InlineData("v1.2.0", false, "1.2.0", "1.2.0")]
    [InlineData("v1.2.0", true, "1.2.1", "1.2.1")]
    [InlineData("9", true, "10", "10")]
    [InlineData("1.0.0.0b2", false, "1.0.0.0b2", "1.0.0")]
    [InlineData("1.0.0.0b2", true, "1.0.0.1", "1.0.0.1")]
    [InlineData("1.0.0-rc1", true, "1.0.0-rc1", "1.0.0")]
    [InlineData("v2.0.0-rc2", true, "2.0.0-rc2", "2.0.0")]
    [InlineData("1.0a", false, "1.0a", "0.0.1")]
    [InlineData("1.0a", true, "1.1", "1.1")]
    [InlineData("release-1", false, "elease-1", "elease")]
    [InlineData("v", true, "0.0.1", "0.0.1")]
    public void FromTag_StripsBumpsPastTheTagThenParses(string tag, bool pastTag, string upstream, string version) =>
        DlrnVersioning.FromTag(new SourceTag(tag, pastTag)).Should().Be(new DlrnVersion(upstream, version));

    [Theory]
    [InlineData("v1.0%(touch${IFS}/tmp/x)")]
    [InlineData("v1.0$(id)")]
    [InlineData("1.0/../../etc")]
    [InlineData("release/1.0")]
    [InlineData("1.0\nRequires: evil")]
    [InlineData("1,0")]
    [InlineData("a@b")]
    [InlineData("1..0")]
    [InlineData("")]
    public void A_tag_with_characters_unsafe_in_a_spec_or_a_path_is_refused(string tag)
    {
        var act = () => new SourceTag(tag, pastTag: false);

        act.Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(BuildExitCodes.UnsafeGitValue);
    }

    [Theory]
    [InlineData("0689564")]
    [InlineData("06895641")]
    public void Release_IsZeroUtcBuildTimeAndTheShortHashAsGitPrintsIt(string shortHash)
    {
        var buildTime = new DateTimeOffset(2026, 1, 10, 12, 48, 45, TimeSpan.FromHours(2));

        DlrnVersioning.Release(buildTime, shortHash).Should().Be("0.20260110104845." + shortHash);
    }
}
