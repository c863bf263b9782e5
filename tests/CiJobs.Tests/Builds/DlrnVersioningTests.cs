using CiJobs.Core.Builds;

namespace CiJobs.Tests.Builds;

public class DlrnVersioningTests
{
    [Theory]
    [InlineData("v1.2.3", "1.2.3")]
    [InlineData("V2.0", "2.0")]
    [InlineData("r5", "5")]
    [InlineData("R5.1", "5.1")]
    [InlineData("1.0.0", "1.0.0")]
    [InlineData("release-1", "release-1")]
    [InlineData(null, "0.0.1")]
    [InlineData("", "0.0.1")]
    public void UpstreamVersionFromTag_StripsOneLeadingLetterBeforeADigit(string? tag, string expected) =>
        DlrnVersioning.UpstreamVersionFromTag(tag).Should().Be(expected);

    [Theory]
    [InlineData("1.2.3", "1.2.3")]
    [InlineData("1.2.3.dev12", "1.2.3")]
    [InlineData("2.0.0.0rc1", "2.0.0")]
    [InlineData("2.0.0.0b2", "2.0.0")]
    [InlineData("2.0.0.0a1", "2.0.0")]
    [InlineData("1.4.g1a2b3c", "1.4")]
    [InlineData("3.1.pre4", "3.1")]
    [InlineData("1.0-beta", "1.0")]
    [InlineData("release-1", "release")]
    [InlineData("-x", "0.0.1")]
    [InlineData("1/2", "0.0.1")]
    public void RpmVersion_DropsPreReleaseSuffixes(string upstream, string expected) =>
        DlrnVersioning.RpmVersion(upstream).Should().Be(expected);

    [Fact]
    public void Release_IsZeroUtcBuildTimeAndSevenCharHash()
    {
        var buildTime = new DateTimeOffset(2026, 1, 10, 12, 48, 45, TimeSpan.FromHours(2));

        DlrnVersioning.Release(buildTime, "0689564abcdef0123456789").Should().Be("0.20260110104845.0689564");
    }
}
