using CiJobs.Core.Release;
using CliWrap;
using CliWrap.Buffered;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CiJobs.Tests.Release;

/// <summary>Version strings made of the pieces that decide an order: digits with leading zeros, letters, separators, '~' and '^'.</summary>
public static class VersionStrings
{
    private static readonly string[] RpmPieces = ["0", "1", "2", "9", "10", "01", "007", "a", "b", "Z", "rc", ".", "_", "+", "~", "^"];

    private static readonly string[] DebPieces = ["0", "1", "2", "9", "10", "01", "a", "b", "Z", "rc", ".", "+", "~"];

    /// <summary>Pairs that share a random prefix and end in short random tails, so that the comparison reaches the pieces that decide.</summary>
    public static Arbitrary<RpmPair> RpmPairs()
    {
        var piece = Gen.Elements(RpmPieces).ListOf().Select(p => string.Concat(p));
        var tail = Gen.Elements(RpmPieces).ListOf().Resize(3).Select(p => string.Concat(p));
        return Gen.Zip(piece, Gen.Zip(tail, tail)).Where(p => (p.Item1 + p.Item2.Item1).Length > 0 && (p.Item1 + p.Item2.Item2).Length > 0)
            .Select(p => new RpmPair(p.Item1 + p.Item2.Item1, p.Item1 + p.Item2.Item2)).ToArbitrary();
    }

    /// <summary>Debian versions <c>[epoch:]upstream[-revision]</c> that share their epoch and a prefix more often than not.</summary>
    public static Arbitrary<DebPair> DebPairs()
    {
        var tail = Gen.Elements(DebPieces).ListOf().Resize(3).Select(p => string.Concat(p));
        var upstream = Gen.Zip(Gen.Elements("0", "1", "2", "10"), Gen.Elements(DebPieces).ListOf().Select(p => string.Concat(p))).Select(p => p.Item1 + p.Item2);
        var revision = Gen.OneOf(Gen.Constant(""), Gen.Elements(DebPieces).NonEmptyListOf().Resize(3).Select(p => "-" + string.Concat(p)));
        var epoch = Gen.Elements("", "", "", "0:", "1:");
        var version = Gen.Zip(epoch, Gen.Zip(upstream, Gen.Zip(tail, revision))).Select(p => (Epoch: p.Item1, Upstream: p.Item2.Item1, Tail: p.Item2.Item2.Item1, Revision: p.Item2.Item2.Item2));
        return Gen.Zip(version, Gen.Zip(tail, Gen.Zip(revision, Gen.Elements(true, true, false))))
            .Select(p => new DebPair(
                p.Item1.Epoch + p.Item1.Upstream + p.Item1.Tail + p.Item1.Revision,
                (p.Item2.Item2.Item2 ? p.Item1.Epoch : "2:") + p.Item1.Upstream + p.Item2.Item1 + p.Item2.Item2.Item1))
            .ToArbitrary();
    }
}

public sealed record RpmPair(string Left, string Right);

public sealed record DebPair(string Left, string Right);

/// <summary>The C# comparisons against the real rpm (<c>rpm.vercmp</c>) and dpkg (<c>--compare-versions</c>) on random versions.</summary>
public class PackageVersionsTests
{
    [Theory]
    [InlineData("1.0", "1.0", 0)]
    [InlineData("1.0~rc1", "1.0", -1)]
    [InlineData("1.0^post1", "1.0", 1)]
    [InlineData("1.0^post1", "1.0.1", -1)]
    [InlineData("1.10", "1.9", 1)]
    [InlineData("1.01", "1.1", 0)]
    [InlineData("1.a", "1.1", -1)]
    [InlineData("2.0", "2.0.a", -1)]
    public void Rpm_segments_compare_as_rpmvercmp(string left, string right, int expected) =>
        PackageVersions.RpmVerCmp(left, right).Should().Be(expected);

    [Fact]
    public void An_rpm_epoch_beats_the_version_and_the_release_comes_last()
    {
        PackageVersions.CompareRpm(new RpmEvr("1", "0.5", "1"), new RpmEvr(null, "9.9", "9")).Should().Be(1);
        PackageVersions.CompareRpm(new RpmEvr("0", "1.0", "1"), new RpmEvr(null, "1.0", "1")).Should().Be(0);
        PackageVersions.CompareRpm(new RpmEvr(null, "1.0", "2"), new RpmEvr(null, "1.0", "10")).Should().Be(-1);
    }

    [Theory]
    [InlineData("1.0-1", "1.0-1", 0)]
    [InlineData("2.0~rc1-1", "2.0-1", -1)]
    [InlineData("1:0.9-1", "3.0-1", 1)]
    [InlineData("1.0", "1.0-0", 0)]
    [InlineData("1.0+b1", "1.0", 1)]
    [InlineData("1.0a", "1.0+", -1)]
    public void Debian_versions_compare_as_dpkg(string left, string right, int expected) =>
        Math.Sign(PackageVersions.CompareDeb(left, right)).Should().Be(expected);

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(VersionStrings) })]
    public void Rpm_order_is_the_real_rpms(RpmPair pair)
    {
        var script = $"%{{lua: print(rpm.vercmp([==[{pair.Left}]==], [==[{pair.Right}]==]))}}";
        var real = global::CliWrap.Cli.Wrap("rpm").WithArguments(["--eval", script]).ExecuteBufferedAsync().GetAwaiter().GetResult();
        PackageVersions.RpmVerCmp(pair.Left, pair.Right).Should().Be(int.Parse(real.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture), $"{pair.Left} vs {pair.Right}");
    }

    [Property(MaxTest = 300, Arbitrary = new[] { typeof(VersionStrings) })]
    public void Debian_order_is_dpkgs(DebPair pair)
    {
        var ours = Math.Sign(PackageVersions.CompareDeb(pair.Left, pair.Right));
        var relation = ours switch { < 0 => "lt", 0 => "eq", _ => "gt" };
        var real = global::CliWrap.Cli.Wrap("dpkg").WithArguments(["--compare-versions", pair.Left, relation, pair.Right])
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync().GetAwaiter().GetResult();
        real.ExitCode.Should().Be(0, $"dpkg does not agree that {pair.Left} {relation} {pair.Right}: {real.StandardError}");
    }
}
