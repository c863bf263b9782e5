using CiJobs.Core;
using CiJobs.Core.Truth;

namespace CiJobs.Tests.Truth;

public sealed class TruthQueryInputTests
{
    [Theory]
    [InlineData("1764000000", 1_764_000_000)]
    [InlineData("2026-12-06T14:00:00Z", 1_796_565_600)]
    [InlineData("2026-12-06T15:00:00+01:00", 1_796_565_600)]
    [InlineData("2026-12-06T14:00Z", 1_796_565_600)]
    [InlineData("2026-12-06", 1_796_515_200)]
    public void Times_are_unix_seconds_or_iso_8601_with_an_offset(string value, long expected) =>
        TruthQueryInput.Time(value, "--from").Should().Be(expected);

    [Theory]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("2026-12-06T14:00:00")]
    [InlineData("06/12/2026")]
    [InlineData("1e9")]
    [InlineData("9999999999999")]
    [InlineData("2026-13-01")]
    public void Other_times_are_usage_errors(string value) =>
        FluentActions.Invoking(() => TruthQueryInput.Time(value, "--from")).Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(TruthExitCodes.StoreOption);

    [Fact]
    public void A_sha256_is_64_hex_digits_and_an_input_may_be_a_commit()
    {
        var sha = new string('A', 64);
        TruthQueryInput.Sha256(sha, "x").Should().Be(new string('a', 64));
        TruthQueryInput.Input(new string('b', 40), "x").Kind.Should().Be(TruthInputKind.Commit);
        TruthQueryInput.Input(new string('b', 64), "x").Kind.Should().Be(TruthInputKind.Artifact);
        foreach (var bad in new[] { new string('a', 63), new string('g', 64), new string('a', 64) + "\n", "../etc/passwd", "" })
        {
            FluentActions.Invoking(() => TruthQueryInput.Sha256(bad, "artifact")).Should().Throw<CiJobsException>().Which.Message.Should().Contain("artifact");
        }

        FluentActions.Invoking(() => TruthQueryInput.Input(new string('a', 50), "input")).Should().Throw<CiJobsException>();
    }

    [Fact]
    public void Repository_hashes_aggregates_names_and_bounds_are_checked()
    {
        var commit = new string('1', 40);
        TruthQueryInput.RepoHash($"{commit}_abcdef01", "r").Value.Should().Be($"{commit}_abcdef01");
        TruthQueryInput.RepoHash($"{commit}_abcdef01_20261206", "r").Kind.Should().Be(QeSubjectKind.Repo);
        foreach (var bad in new[] { commit, $"{commit}_abc", $"{commit}_abcdef01_", $"{commit}_abcdef01_x_y", "' OR 1=1 --" })
        {
            FluentActions.Invoking(() => TruthQueryInput.RepoHash(bad, "r")).Should().Throw<CiJobsException>();
        }

        TruthQueryInput.Aggregate(new string('f', 32), "a").Should().HaveLength(32);
        FluentActions.Invoking(() => TruthQueryInput.Aggregate(new string('f', 31), "a")).Should().Throw<CiJobsException>();
        FluentActions.Invoking(() => TruthQueryInput.Name("../x", "package")).Should().Throw<CiJobsException>();
        TruthQueryInput.Bounded("1000", "limit", 1000).Should().Be(1000);
        foreach (var bad in new[] { "0", "1001", "-1", "1.5", " 5", "" })
        {
            FluentActions.Invoking(() => TruthQueryInput.Bounded(bad, "limit", 1000)).Should().Throw<CiJobsException>();
        }

        FluentActions.Invoking(() => TruthQueryInput.Range(5, 5)).Should().Throw<CiJobsException>();
    }
}
