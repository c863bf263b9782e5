using CiJobs.Core;
using CiJobs.Core.Lint;
using CiJobs.Core.Platform;
using CiJobs.Tests.Support;
using CliWrap.Buffered;

namespace CiJobs.Tests.Lint;

/// <summary>rpmlint for real, on packages built by rpmbuild (<see cref="RpmLintFixture"/>).</summary>
public sealed class RpmlintTests(RpmLintFixture packages) : IClassFixture<RpmLintFixture>, IDisposable
{
    private readonly TempDir temp = new("lint-rpmlint");

    public void Dispose() => temp.Dispose();

    private static Task<LintReport> LintAsync(LintRequest request) =>
        new LintService(new CliWrapProcessRunner()).LintAsync(request, CancellationToken.None);

    private static LintRequest Request(params string[] directories) =>
        new(directories, LintConfigLocator.FindShippedRpmlintConfig(AppContext.BaseDirectory));

    [Fact]
    public async Task A_script_that_is_not_executable_is_an_error_and_fails_the_default_verdict()
    {
        var report = await LintAsync(Request(packages.Bad));

        var binary = report.Runs.Single().Packages.Single(p => p.Kind == "binary");
        binary.Name.Should().Be("lintbad");
        binary.File.Should().Be(Path.Combine(packages.Bad, "lintbad-1.0-1.noarch.rpm"));
        binary.Messages.Should().ContainEquivalentOf(new LintMessage(LintSeverity.Error, "non-executable-script", "/usr/bin/lintbad 644 /bin/sh", null, null, false));
        report.Runs.Single().ToolExitCode.Should().Be(64);
        report.Passed.Should().BeFalse();
    }

    [Fact]
    public async Task A_package_with_warnings_only_passes_unless_warnings_are_limited()
    {
        var report = await LintAsync(Request(packages.Good));
        var limited = await LintAsync(Request(packages.Good) with { Thresholds = new LintThresholds(0, 0) });

        report.Errors.Should().Be(0, string.Join('\n', report.Runs.SelectMany(r => r.Packages).SelectMany(p => p.Messages)));
        report.Runs.Single().Packages.SelectMany(p => p.Messages).Select(m => m.Check).Should().Contain("no-manual-page-for-binary");
        report.Warnings.Should().BeGreaterThan(0);
        report.Passed.Should().BeTrue();
        limited.Passed.Should().BeFalse();
        new LintReport(limited.Runs, new LintThresholds(0, limited.Warnings)).Passed.Should().BeTrue();
    }

    [Fact]
    public async Task The_shipped_configuration_hides_what_every_ci_build_has()
    {
        // The same files without the shipped filters: rpmlint flags every unsigned package built without a Packager.
        var bare = await global::CliWrap.Cli.Wrap("rpmlint").WithArguments(Directory.GetFiles(packages.Good))
            .WithValidation(global::CliWrap.CommandResultValidation.None).ExecuteBufferedAsync();
        bare.StandardOutput.Should().Contain("E: no-signature").And.Contain("E: no-packager-tag");

        var report = await LintAsync(Request(packages.Good));

        report.Runs.Single().Packages.SelectMany(p => p.Messages).Select(m => m.Check)
            .Should().NotContain(["no-signature", "no-packager-tag", "no-changelogname-tag"]);
    }

    [Fact]
    public async Task The_distgit_rpmlintrc_filters_a_warning_and_a_user_configuration_adds_to_the_shipped_one()
    {
        var distgit = temp.Write("distgit/lintgood.rpmlintrc", "addFilter(\"no-manual-page-for-binary\")\n");
        var config = temp.Write("extra.toml", "Filters = ['no-documentation']\n");

        var report = await LintAsync(Request(packages.Good) with { Distgit = Path.GetDirectoryName(distgit), RpmlintConfig = config });

        var checks = report.Runs.Single().Packages.SelectMany(p => p.Messages).Select(m => m.Check).ToList();
        checks.Should().NotContain(["no-manual-page-for-binary", "no-documentation", "no-signature"]);
        checks.Should().Contain("no-url-tag");
        report.Runs.Single().Rpmlintrc.Should().Be(distgit);
    }

    [Fact]
    public async Task A_package_rpmlint_cannot_read_is_a_tool_failure_not_a_verdict()
    {
        temp.Write("garbled/garbled-1.0-1.noarch.rpm", "not an rpm");

        var act = () => LintAsync(Request(temp.Combine("garbled")));

        var error = (await act.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(LintExitCodes.ToolFailed);
        error.Message.Should().Contain("exit status 3").And.Contain("error reading package header");
    }
}

/// <summary>lintian for real, on packages made by dpkg-deb and linted once (<see cref="DebLintFixture"/>).</summary>
public sealed class LintianTests(DebLintFixture packages) : IClassFixture<DebLintFixture>
{
    [Fact]
    public void A_package_without_copyright_file_is_an_error()
    {
        var run = packages.Report.Runs.Single(r => r.ResultDirectory == packages.Bad);

        run.Tool.Should().Be("lintian");
        var package = run.Packages.Should().ContainSingle().Subject;
        (package.Name, package.Kind, package.File).Should().Be(("lintbad", "binary", Path.Combine(packages.Bad, "lintbad_1.0-1_all.deb")));
        package.Messages.Should().ContainEquivalentOf(new LintMessage(LintSeverity.Error, "no-copyright-file", null, null, null, false));
        package.Messages.Should().ContainEquivalentOf(new LintMessage(LintSeverity.Warning, "no-manual-page", null, "usr/bin/lintbad", null, false));
    }

    [Fact]
    public void A_package_with_warnings_only_has_its_override_reported_and_not_counted()
    {
        var package = packages.Report.Runs.Single(r => r.ResultDirectory == packages.Good).Packages.Should().ContainSingle().Subject;

        package.Errors.Should().Be(0, string.Join('\n', package.Messages));
        package.Messages.Should().ContainEquivalentOf(new LintMessage(LintSeverity.Warning, "no-manual-page", null, "usr/bin/lintgood-extra", null, false));
        package.Messages.Should().ContainEquivalentOf(new LintMessage(LintSeverity.Info, "no-manual-page", null, "usr/bin/lintgood", null, true));
        package.OverriddenCount.Should().Be(1);
        package.Warnings.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Errors_fail_the_verdict_warnings_alone_do_not_unless_limited()
    {
        var good = packages.Report.Runs.Where(r => r.ResultDirectory == packages.Good).ToList();

        packages.Report.Passed.Should().BeFalse();
        new LintReport(good, LintThresholds.Default).Passed.Should().BeTrue();
        new LintReport(good, new LintThresholds(0, 0)).Passed.Should().BeFalse();
    }
}
