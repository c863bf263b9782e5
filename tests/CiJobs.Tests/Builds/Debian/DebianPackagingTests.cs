using CiJobs.Core;
using CiJobs.Core.Builds;
using CiJobs.Core.Builds.Debian;
using CiJobs.Tests.Support;
using CliWrap;
using CliWrap.Buffered;

namespace CiJobs.Tests.Builds.Debian;

/// <summary>The Debian side of a build without dpkg-buildpackage: control, changelog, version, dpkg's messages.</summary>
public sealed class DebianPackagingTests
{
    private const string Control = """
        # a comment
        Source: hello-world
        Maintainer: Ada Lovelace <ada@example.org>
        Build-Depends: debhelper-compat (= 13),
         libfoo-dev
        
        Package: hello-world
        Architecture: any
        Description: says hello
         Long text.
        
        Package: hello-world-doc
        Architecture: all
        Description: docs
        """;

    [Fact]
    public void Control_gives_the_source_maintainer_and_binaries()
    {
        var control = DebianControl.Parse(Control);

        control.Should().BeEquivalentTo(new { Source = "hello-world", Maintainer = "Ada Lovelace <ada@example.org>" });
        control.Binaries.Should().Equal("hello-world", "hello-world-doc");
    }

    [Theory]
    [InlineData("Maintainer: x\n\nPackage: a1\n", "no Source field")]
    [InlineData("Source: ../evil\n\nPackage: a1\n", "is not a Debian package name")]
    [InlineData("Source: Upper\n\nPackage: a1\n", "is not a Debian package name")]
    [InlineData("Source: ok1\n\nPackage: ../../etc/x\n", "is not a Debian package name")]
    [InlineData("Source: ok1\n", "names no binary package")]
    [InlineData("Source: ok1\nSource: ok2\n\nPackage: a1\n", "appears twice")]
    [InlineData(" continued\nSource: ok1\n", "continuation line")]
    [InlineData("Source ok1\n", "is not a 'Field: value' line")]
    [InlineData("", "is empty")]
    [InlineData("Source: ok1\nMaintainer: a\n\tb\n\nPackage: a1\n", "spans several lines")]
    public void A_broken_control_is_refused_with_where_and_why(string text, string expected)
    {
        var act = () => DebianControl.Parse(text);

        act.Should().Throw<CiJobsException>().Where(e => e.ExitCode == BuildExitCodes.SpecInvalid && e.Message.StartsWith("debian/control", StringComparison.Ordinal))
            .WithMessage($"*{expected}*");
    }

    [Fact]
    public void A_huge_control_is_refused_before_it_is_read()
    {
        var act = () => DebianControl.Parse("Source: a1\n" + new string('#', DebianControl.MaxBytes));

        act.Should().Throw<CiJobsException>().WithMessage("*larger than*");
    }

    [Theory]
    [InlineData("1.2.1", DebianSourceFormat.WithUpstreamTarball, "1.2.1-0.20261206093000.1a2b3c4")]
    [InlineData("0.0.1", DebianSourceFormat.Native, "0.0.1+0.20261206093000.1a2b3c4")]
    public void The_version_is_dlrn_version_and_release(string upstream, DebianSourceFormat format, string expected) =>
        DebianPackaging.Version(upstream, "0.20261206093000.1a2b3c4", format).Should().Be(expected);

    [Theory]
    [InlineData("v1.0")]
    [InlineData("1.0-rc1")]
    [InlineData("1.0 ")]
    [InlineData("")]
    public void A_version_dpkg_cannot_take_is_refused(string upstream)
    {
        var act = () => DebianPackaging.Version(upstream, "0.1.abc", DebianSourceFormat.WithUpstreamTarball);

        act.Should().Throw<CiJobsException>().Where(e => e.ExitCode == BuildExitCodes.SpecInvalid);
    }

    [Theory]
    [InlineData("3.0 (quilt)\n", DebianSourceFormat.WithUpstreamTarball)]
    [InlineData("1.0", DebianSourceFormat.WithUpstreamTarball)]
    [InlineData(null, DebianSourceFormat.WithUpstreamTarball)]
    [InlineData("3.0 (native)\n", DebianSourceFormat.Native)]
    public void The_source_format_decides_the_version_shape(string? file, DebianSourceFormat expected) =>
        DebianPackaging.Format(file).Should().Be(expected);

    [Fact]
    public void An_unsupported_source_format_is_refused() =>
        FluentActions.Invoking(() => DebianPackaging.Format("3.0 (git)")).Should().Throw<CiJobsException>().WithMessage("*not supported*");

    [Fact]
    public void The_changelog_entry_has_dpkgs_shape_and_keeps_old_entries_only_on_request()
    {
        var old = "hello (1.0-1) unstable; urgency=low\n\n  * Old.\n\n -- A <a@b.c>  Mon, 02 Nov 2026 10:00:00 +0000\n";
        var time = new DateTimeOffset(2026, 12, 6, 9, 30, 0, TimeSpan.Zero);

        var fresh = DebianPackaging.Changelog("hello", "1.1-0.1.abc", "bookworm", ["Built."], "Ada <ada@example.org>", time, old, keepOld: false);
        var kept = DebianPackaging.Changelog("hello", "1.1-0.1.abc", "bookworm", ["Built."], null, time, old, keepOld: true);

        fresh.Should().Be("hello (1.1-0.1.abc) bookworm; urgency=medium\n\n  * Built.\n\n -- Ada <ada@example.org>  Sun, 06 Dec 2026 09:30:00 +0000\n");
        kept.Should().StartWith("hello (1.1-0.1.abc) bookworm;").And.Contain(" -- cijobs <cijobs@localhost>  Sun, 06 Dec 2026").And.EndWith(old);
    }

    [Fact]
    public async Task Dpkg_parsechangelog_reads_the_entry_back()
    {
        using var temp = new TempDir("deb-changelog");
        var debian = Directory.CreateDirectory(temp.Combine("debian")).FullName;
        var text = DebianPackaging.Changelog("hello", "1.1-0.20261206093000.abc1234", "bookworm", ["Built."], "Ada <ada@example.org>", DateTimeOffset.UnixEpoch.AddYears(56), null, keepOld: false);
        await File.WriteAllTextAsync(Path.Combine(debian, "changelog"), text);

        var parsed = await global::CliWrap.Cli.Wrap("dpkg-parsechangelog").WithArguments(["-l", Path.Combine(debian, "changelog")]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();

        parsed.ExitCode.Should().Be(0, parsed.StandardError);
        parsed.StandardOutput.Should().Contain("Source: hello").And.Contain("Version: 1.1-0.20261206093000.abc1234").And.Contain("Distribution: bookworm");
    }

    [Theory]
    [InlineData("hello (2:1.4.2-3) unstable; urgency=low\n", "1.4.2")]
    [InlineData("hello (1.0) unstable; urgency=low\n", "1.0")]
    [InlineData("not a changelog\n", null)]
    [InlineData(null, null)]
    public void Keep_version_reads_the_upstream_part_of_the_top_entry(string? changelog, string? expected) =>
        DebianPackaging.ChangelogUpstreamVersion(changelog).Should().Be(expected);

    [Fact]
    public void Dpkg_checkbuilddeps_messages_become_a_list()
    {
        const string stderr = "dpkg-checkbuilddeps: error: Unmet build dependencies: debhelper-compat (= 13) libfoo-dev (>= 2.0) python3-a | python3-b cijobs-x:native tool <!nocheck>\n"
            + "dpkg-checkbuilddeps: error: Build conflicts: old-tool (<< 3)\n";

        DpkgBuildpackageBuilder.UnmetDependencies(stderr).Should().Equal(
            "debhelper-compat (= 13)", "libfoo-dev (>= 2.0)", "python3-a | python3-b", "cijobs-x:native", "tool <!nocheck>", "conflicts with old-tool (<< 3)");
    }

    [Fact]
    public void The_changes_file_lists_plain_file_names_only()
    {
        const string good = "Format: 1.8\nFiles:\n 0123 10 misc optional a_1.0-1.dsc\n 4567 20 misc optional a_1.0-1_all.deb\nChecksums-Sha256:\n x 1 y\n";
        const string evil = "Files:\n 0123 10 misc optional ../../etc/passwd\n";

        DpkgBuildpackageBuilder.ChangesFiles(good).Should().Equal("a_1.0-1.dsc", "a_1.0-1_all.deb");
        FluentActions.Invoking(() => DpkgBuildpackageBuilder.ChangesFiles(evil)).Should().Throw<CiJobsException>().WithMessage("*unsafe*");
    }

    /// <summary>Every later build time gives a version dpkg sorts later, for the same upstream version and any short hashes.</summary>
    [Fact]
    public async Task Later_builds_sort_later_for_dpkg()
    {
        var random = new Random(20261206);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 40; i++)
        {
            var first = start.AddSeconds(random.Next(0, 300_000_000));
            var second = first.AddSeconds(random.Next(1, 100_000_000));
            var format = i % 2 == 0 ? DebianSourceFormat.WithUpstreamTarball : DebianSourceFormat.Native;
            var older = DebianPackaging.Version("1.2.1", DlrnVersioning.Release(first, $"{random.Next(0x1000000, 0xfffffff):x7}"), format);
            var newer = DebianPackaging.Version("1.2.1", DlrnVersioning.Release(second, $"{random.Next(0x1000000, 0xfffffff):x7}"), format);

            var compare = await global::CliWrap.Cli.Wrap("dpkg").WithArguments(["--compare-versions", newer, "gt", older]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();

            compare.ExitCode.Should().Be(0, $"{newer} should sort after {older}");
        }
    }
}
