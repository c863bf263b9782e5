using CiJobs.Core;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Lint;
using CiJobs.Core.Platform;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Lint;

/// <summary><see cref="LintService"/> with canned tool runs: what it runs, how it reads and refuses.</summary>
public sealed class LintServiceTests : IDisposable
{
    private readonly TempDir temp = new("lint-service");

    public void Dispose() => temp.Dispose();

    /// <summary>Answers each run with <paramref name="answer"/>, which may look at the files it was given while they exist.</summary>
    private sealed class FakeRunner(Func<ProcessSpec, ProcessResult> answer) : IProcessRunner
    {
        public List<ProcessSpec> Started { get; } = [];

        public Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken)
        {
            Started.Add(spec);
            return Task.FromResult(answer(spec));
        }
    }

    private static ProcessResult Result(int exitCode, string stdout = "", string stderr = "") => new(exitCode, stdout, stderr, TimeSpan.Zero);

    private string Shipped => temp.Write("shipped/cijobs.toml", "Filters = ['no-signature']\n");

    private string RpmResult(string folder = "result")
    {
        temp.Write($"{folder}/foo-1.0-1.src.rpm", "x");
        temp.Write($"{folder}/foo-1.0-1.noarch.rpm", "x");
        temp.Write($"{folder}/foo-doc-1.0-1.noarch.rpm", "x");
        temp.Write($"{folder}/build.log", "x");
        return temp.Combine(folder);
    }

    private Task<LintReport> LintAsync(IProcessRunner runner, string directory, string? distgit = null, string? config = null) =>
        new LintService(runner).LintAsync(new LintRequest([directory], Shipped) { Distgit = distgit, RpmlintConfig = config }, CancellationToken.None);

    [Fact]
    public async Task Rpmlint_gets_every_rpm_the_configuration_folder_and_an_rpmlintrc_and_its_messages_land_on_their_files()
    {
        var directory = RpmResult();
        var distgit = temp.Write("distgit/foo.rpmlintrc", "addFilter('no-documentation')\n");
        var user = temp.Write("mine.conf", "Filters = ['x']\n");
        var seen = new Dictionary<string, string>();
        var runner = new FakeRunner(spec =>
        {
            var config = spec.Arguments[spec.Arguments.ToList().IndexOf("--config") + 1];
            foreach (var file in Directory.GetFiles(config).Order(StringComparer.Ordinal))
            {
                seen[Path.GetFileName(file)] = File.ReadAllText(file);
            }

            seen["rpmlintrc"] = File.ReadAllText(spec.Arguments[spec.Arguments.ToList().IndexOf("--rpmlintrc") + 1]);
            return Result(64, """
                foo.noarch: E: non-executable-script /usr/bin/foo 644 /bin/sh
                foo.src:3: W: macro-in-comment %x
                foo.spec: W: no-%build-section
                bar.noarch: W: stranger
                 3 packages and 0 specfiles checked; 1 errors, 3 warnings, 1 badness; has taken 0.1 s
                """, "a warning on stderr\n");
        });

        var report = await LintAsync(runner, directory, Path.GetDirectoryName(distgit), user);

        var spec = runner.Started.Should().ContainSingle().Subject;
        spec.FileName.Should().Be("rpmlint");
        spec.Arguments.Should().ContainInOrder("--ignore-unused-rpmlintrc", Path.Combine(directory, "foo-1.0-1.noarch.rpm"), Path.Combine(directory, "foo-1.0-1.src.rpm"), Path.Combine(directory, "foo-doc-1.0-1.noarch.rpm"));
        spec.Arguments.Should().NotContain(a => a.EndsWith("build.log", StringComparison.Ordinal));
        spec.MaxOutputChars.Should().Be(InputLimits.MaxFileChars);
        seen.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["10-cijobs.toml"] = "Filters = ['no-signature']\n",
            ["20-mine.conf.toml"] = "Filters = ['x']\n",
            ["rpmlintrc"] = "addFilter('no-documentation')\n",
        });
        var run = report.Runs.Should().ContainSingle().Subject;
        run.Rpmlintrc.Should().Be(distgit);
        run.ToolExitCode.Should().Be(64);
        run.Notes.Should().Equal("a warning on stderr");
        run.Packages.Select(p => (p.Name, p.Kind, p.File is null ? null : Path.GetFileName(p.File), p.Errors, p.Warnings)).Should().Equal(
            ("foo", "binary", "foo-1.0-1.noarch.rpm", 1, 0),
            ("foo", "source", "foo-1.0-1.src.rpm", 0, 2),
            ("foo-doc", "binary", "foo-doc-1.0-1.noarch.rpm", 0, 0),
            ("bar.noarch", "binary", null, 0, 1));
        report.Errors.Should().Be(1);
        report.Warnings.Should().Be(3);
        report.Passed.Should().BeFalse();
    }

    [Fact]
    public async Task Without_a_distgit_rpmlint_gets_an_empty_rpmlintrc_so_it_loads_none_from_the_result_folder()
    {
        var directory = RpmResult();
        temp.Write("result/evil.rpmlintrc", "addFilter('.*')\n");
        string? rc = null;
        var runner = new FakeRunner(spec =>
        {
            rc = File.ReadAllText(spec.Arguments[spec.Arguments.ToList().IndexOf("--rpmlintrc") + 1]);
            return Result(0);
        });

        var report = await LintAsync(runner, directory);

        rc.Should().BeEmpty();
        report.Runs.Single().Rpmlintrc.Should().BeNull();
        report.Passed.Should().BeTrue();
    }

    [Theory]
    [InlineData(1, "Traceback (most recent call last):\nKeyError: 'x'")]
    [InlineData(2, "The file or directory 'x' does not exist")]
    [InlineData(3, "(none): E: fatal error while reading x.rpm: error reading package header")]
    [InlineData(4, "(none): E: fatal error while parsing configuration file")]
    public async Task An_rpmlint_exit_that_is_not_a_verdict_is_a_tool_failure(int exitCode, string stderr)
    {
        var act = () => LintAsync(new FakeRunner(_ => Result(exitCode, "", stderr)), RpmResult());

        var error = (await act.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(LintExitCodes.ToolFailed);
        error.Message.Should().Contain($"rpmlint failed on {temp.Combine("result")} with exit status {exitCode}").And.Contain(stderr.Split('\n')[^1]);
    }

    [Fact]
    public async Task Output_past_the_limit_is_a_tool_failure()
    {
        var act = () => LintAsync(new FakeRunner(_ => Result(0) with { Truncated = true }), RpmResult());

        (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(LintExitCodes.ToolFailed);
    }

    [Fact]
    public async Task Lintian_gets_the_changes_file_when_there_is_one_and_a_non_zero_exit_is_a_tool_failure()
    {
        temp.Write("deb/foo_1.0-1_all.deb", "x");
        temp.Write("deb/foo_1.0-1.dsc", "x");
        temp.Write("deb/foo_1.0-1_amd64.changes", "x");
        temp.Write("deb/foo_1.0-1_amd64.buildinfo", "x");
        var runner = new FakeRunner(_ => Result(0, "W: foo source: some-tag\nO: foo: other-tag [usr/bin/foo]\nW: foo-extra: third\n"));

        var report = await LintAsync(runner, temp.Combine("deb"));

        var spec = runner.Started.Should().ContainSingle().Subject;
        spec.FileName.Should().Be("lintian");
        spec.Arguments.Should().ContainInOrder("--fail-on", "none").And.EndWith(["--", temp.Combine("deb", "foo_1.0-1_amd64.changes")]);
        report.Runs.Single().Packages.Select(p => (p.Name, p.Kind, p.Warnings, p.OverriddenCount)).Should().Equal(
            ("foo", "source", 1, 0), ("foo", "binary", 0, 1), ("foo", "buildinfo", 0, 0), ("foo", "changes", 0, 0), ("foo-extra", "binary", 1, 0));
        report.Warnings.Should().Be(2);
        report.Overridden.Should().Be(1);
        report.Passed.Should().BeTrue();

        var failing = () => LintAsync(new FakeRunner(_ => Result(1, "", "dpkg-deb: error: 'x' is not a Debian format archive")), temp.Combine("deb"));
        (await failing.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(LintExitCodes.ToolFailed);
    }

    [Fact]
    public async Task Lintian_gets_the_packages_when_there_is_no_changes_file()
    {
        temp.Write("deb/foo_1.0-1_all.deb", "x");
        temp.Write("deb/foo_1.0-1.dsc", "x");
        var runner = new FakeRunner(_ => Result(0));

        await LintAsync(runner, temp.Combine("deb"));

        runner.Started.Single().Arguments.Should().EndWith(["--", temp.Combine("deb", "foo_1.0-1.dsc"), temp.Combine("deb", "foo_1.0-1_all.deb")]);
    }

    [Fact]
    public async Task A_commit_yaml_limits_the_lint_to_its_artifacts_and_every_one_must_be_there()
    {
        var directory = RpmResult();
        var commit = new DlrnCommit
        {
            ProjectName = "foo",
            CommitHash = new string('a', 40),
            DistroHash = new string('b', 40),
            Status = DlrnCommit.Success,
            DtCommit = 1,
            DtDistro = 1,
            DtBuild = 1,
        };
        var prefix = commit.ShardedDirectory + "/";
        File.WriteAllText(Path.Combine(directory, "commit.yaml"), (commit with { Artifacts = [prefix + "foo-1.0-1.src.rpm", prefix + "foo-1.0-1.noarch.rpm"] }).ToYaml());
        var runner = new FakeRunner(_ => Result(0));

        await LintAsync(runner, directory);

        runner.Started.Single().Arguments.Where(a => a.EndsWith(".rpm", StringComparison.Ordinal)).Select(Path.GetFileName)
            .Should().Equal("foo-1.0-1.noarch.rpm", "foo-1.0-1.src.rpm");

        File.WriteAllText(Path.Combine(directory, "commit.yaml"), (commit with { Artifacts = [prefix + "foo-2.0-1.src.rpm"] }).ToYaml());
        var missing = () => LintAsync(runner, directory);
        (await missing.Should().ThrowAsync<CiJobsException>()).Which.Should().Match<CiJobsException>(e =>
            e.ExitCode == LintExitCodes.InvalidResultDirectory && e.Message.Contains("foo-2.0-1.src.rpm", StringComparison.Ordinal));

        File.WriteAllText(Path.Combine(directory, "commit.yaml"), "commits: [[[");
        var garbled = () => LintAsync(runner, directory);
        (await garbled.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(LintExitCodes.InvalidResultDirectory);
        runner.Started.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_folder_that_is_missing_or_holds_no_package_is_refused_before_any_tool_runs()
    {
        var runner = new FakeRunner(_ => Result(0));
        var good = RpmResult();
        temp.Write("empty/build.log", "x");
        Directory.CreateDirectory(temp.Combine("links"));
        File.CreateSymbolicLink(temp.Combine("links", "foo-1.0-1.noarch.rpm"), Path.Combine(good, "foo-1.0-1.noarch.rpm"));

        temp.Write("pattern/foo-1.0-1.noarch.rpm", "x");
        temp.Write("pattern/f*-1.0-1.noarch.rpm", "x");

        foreach (var bad in new[] { temp.Combine("missing"), temp.Combine("empty"), temp.Combine("links"), Path.Combine(good, "build.log"), temp.Combine("pattern") })
        {
            var act = () => new LintService(runner).LintAsync(new LintRequest([good, bad], Shipped), CancellationToken.None);
            (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(LintExitCodes.InvalidResultDirectory, bad);
        }

        runner.Started.Should().BeEmpty();
    }

    [Fact]
    public async Task A_distgit_rpmlintrc_that_is_a_symlink_not_a_file_too_large_or_one_of_several_is_refused()
    {
        var runner = new FakeRunner(_ => Result(0));
        var directory = RpmResult();
        var outside = temp.Write("outside/secret", "addFilter('.*')\n");
        var cases = new List<(string Distgit, string Expected)>();

        Directory.CreateDirectory(temp.Combine("link"));
        File.CreateSymbolicLink(temp.Combine("link", "foo.rpmlintrc"), outside);
        cases.Add((temp.Combine("link"), "symlink"));
        Directory.CreateDirectory(temp.Combine("folder", "foo.rpmlintrc"));
        cases.Add((temp.Combine("folder"), "not a regular file"));
        temp.Write("big/rpmlintrc", new string('#', LintService.MaxRpmlintrcBytes + 1));
        cases.Add((temp.Combine("big"), "larger than"));
        temp.Write("several/foo.rpmlintrc", "");
        temp.Write("several/foo-rpmlintrc", "");
        cases.Add((temp.Combine("several"), "foo-rpmlintrc, foo.rpmlintrc"));
        cases.Add((temp.Combine("nowhere"), "does not exist"));

        foreach (var (distgit, expected) in cases)
        {
            var act = () => LintAsync(runner, directory, distgit);
            var error = (await act.Should().ThrowAsync<CiJobsException>()).Which;
            error.ExitCode.Should().Be(LintExitCodes.InvalidRpmlintrc, distgit);
            error.Message.Should().Contain(expected);
        }

        runner.Started.Should().BeEmpty();
    }

    [Fact]
    public async Task A_missing_rpmlint_configuration_is_refused()
    {
        var runner = new FakeRunner(_ => Result(0));
        var directory = RpmResult();

        var noUserConfig = () => LintAsync(runner, directory, config: temp.Combine("nope.toml"));
        var noShipped = () => new LintService(runner).LintAsync(new LintRequest([directory], temp.Combine("none.toml")), CancellationToken.None);

        (await noUserConfig.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(LintExitCodes.InvalidRpmlintConfig);
        (await noShipped.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(LintExitCodes.InvalidRpmlintConfig);
        FluentActions.Invoking(() => LintConfigLocator.FindShippedRpmlintConfig(temp.Path)).Should().Throw<CiJobsException>()
            .Which.ExitCode.Should().Be(LintExitCodes.InvalidRpmlintConfig);
        LintConfigLocator.FindShippedRpmlintConfig(AppContext.BaseDirectory).Should().EndWith(Path.Combine("lint", "rpmlint", "cijobs.toml"));
        runner.Started.Should().BeEmpty();
    }

    [Theory]
    [InlineData(0, 0, null, true)]
    [InlineData(1, 0, null, false)]
    [InlineData(1, 1, null, true)]
    [InlineData(0, 5, null, true)]
    [InlineData(0, 5, 5, true)]
    [InlineData(0, 6, 5, false)]
    [InlineData(0, 1, 0, false)]
    public void The_verdict_fails_past_either_threshold(int errors, int warnings, int? maxWarnings, bool passed)
    {
        var messages = Enumerable.Repeat(new LintMessage(LintSeverity.Error, "e", null, null, null, false), errors)
            .Concat(Enumerable.Repeat(new LintMessage(LintSeverity.Warning, "w", null, null, null, false), warnings))
            .Append(new LintMessage(LintSeverity.Error, "overridden", null, null, null, true))
            .Append(new LintMessage(LintSeverity.Info, "i", null, null, null, false))
            .ToList();
        var run = new LintRun("d", LintFormat.Rpm, "rpmlint", 0, [new LintPackage("p", LintFormat.Rpm, "binary", null, messages)], [], null);

        var report = new LintReport([run], new LintThresholds(errors == 1 && warnings == 1 ? 1 : 0, maxWarnings));

        report.Passed.Should().Be(passed);
        report.Errors.Should().Be(errors);
        report.Warnings.Should().Be(warnings);
        report.Info.Should().Be(1);
        report.Overridden.Should().Be(1);
    }
}
