using CiJobs.Core;
using CiJobs.Core.InstallTest;
using CiJobs.Core.Platform;
using CiJobs.Tests.Git;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.InstallTest;

/// <summary>install-test pieces that need no root: inputs, the left-behind rule, the root cache lock, the node target's commands.</summary>
public sealed class InstallTestUnitTests : IDisposable
{
    private readonly TempDir temp = new("install-test-unit");

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData(PackageKind.Deb, "-oAPT::Get::Foo=1")]
    [InlineData(PackageKind.Deb, "../etc")]
    [InlineData(PackageKind.Deb, "a/b")]
    [InlineData(PackageKind.Deb, "Upper")]
    [InlineData(PackageKind.Deb, "x")]
    [InlineData(PackageKind.Deb, "a..b")]
    [InlineData(PackageKind.Deb, "a b")]
    [InlineData(PackageKind.Deb, "")]
    [InlineData(PackageKind.Rpm, "--nodeps")]
    [InlineData(PackageKind.Rpm, "../x")]
    [InlineData(PackageKind.Rpm, "a/b")]
    [InlineData(PackageKind.Rpm, ".hidden")]
    [InlineData(PackageKind.Rpm, "a\nb")]
    [InlineData(PackageKind.Rpm, "+x")]
    public void Unsafe_package_names_are_refused_before_any_command(PackageKind kind, string name)
    {
        var act = () => InstallTestInputs.ValidatePackage(kind, name);

        act.Should().Throw<CiJobsException>().Where(e => e.ExitCode == InstallTestExitCodes.InvalidPackageName);
    }

    [Theory]
    [InlineData(PackageKind.Deb, "python3-foo")]
    [InlineData(PackageKind.Deb, "libstdc++6")]
    [InlineData(PackageKind.Deb, "g++-12")]
    [InlineData(PackageKind.Rpm, "python3-Foo_bar")]
    [InlineData(PackageKind.Rpm, "libstdc++")]
    public void Real_package_names_are_taken(PackageKind kind, string name) =>
        InstallTestInputs.ValidatePackage(kind, name).Should().Be(name);

    [Theory]
    [InlineData("http://127.0.0.1:8080/repo ./")]
    [InlineData("http://host/a\"b")]
    [InlineData("ftp://host/repo")]
    [InlineData("http://host/repo]")]
    [InlineData("file://relative")]
    [InlineData("-http://host")]
    public void Repository_urls_that_would_break_a_sources_line_are_refused(string url)
    {
        var act = () => InstallTestInputs.ValidateUrl(url, "--repo");

        act.Should().Throw<CiJobsException>().Where(e => e.ExitCode == InstallTestExitCodes.InvalidOption && e.Message.StartsWith("invalid --repo", StringComparison.Ordinal));
    }

    [Fact]
    public void A_smoke_dir_whose_tests_link_out_of_the_distgit_is_refused()
    {
        temp.Write("outside/smoke.sh", "exit 0\n");
        temp.Write("distgit/tests/helper.sh", "exit 0\n");
        File.CreateSymbolicLink(temp.Combine("distgit", "tests", "smoke.sh"), temp.Combine("outside", "smoke.sh"));

        var act = () => InstallTestInputs.ValidateSmokeDirectory(temp.Combine("distgit"));

        act.Should().Throw<CiJobsException>().Where(e => e.ExitCode == InstallTestExitCodes.SmokeDirInvalid);
    }

    [Fact]
    public void A_smoke_dir_with_a_link_out_beside_the_script_is_refused()
    {
        temp.Write("distgit/tests/smoke.sh", "exit 0\n");
        File.CreateSymbolicLink(temp.Combine("distgit", "tests", "data"), "/etc");

        var act = () => InstallTestInputs.ValidateSmokeDirectory(temp.Combine("distgit"));

        act.Should().Throw<CiJobsException>().WithMessage("*tests/data links outside the distgit*");
    }

    [Fact]
    public void A_smoke_dir_with_links_inside_it_is_taken()
    {
        temp.Write("distgit/tests/real.sh", "exit 0\n");
        File.CreateSymbolicLink(temp.Combine("distgit", "tests", "smoke.sh"), "real.sh");
        File.CreateSymbolicLink(temp.Combine("linked"), temp.Combine("distgit"));

        InstallTestInputs.ValidateSmokeDirectory(temp.Combine("linked")).Should().Be(temp.Combine("distgit"));
    }

    [Fact]
    public void Left_behind_is_what_is_new_outside_the_allowed_folders_and_inside_the_denied_ones()
    {
        var before = new HashSet<string> { "/etc", "/etc/passwd", "/var", "/var/log" };
        var after = new HashSet<string>(before) { "/etc/leftover", "/var/log/apt", "/var/log/apt/history.log", "/var/lib/dpkg/status-old", "/var/lib/dpkg/info/x.list", "/var/logs" };

        var left = FileSnapshot.LeftBehind(before, after, ["/var/log", "/var/lib/dpkg"], ["/var/lib/dpkg/info"]);

        left.Should().Equal("/etc/leftover", "/var/lib/dpkg/info/x.list", "/var/logs");
    }

    [Fact]
    public async Task Concurrent_callers_make_the_root_once_and_wait_for_it()
    {
        var runner = new MmdebstrapStandIn();
        var cache = new RootCache(runner, temp.Combine("cache"));

        var paths = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => cache.DebianRootAsync("bookworm", "http://127.0.0.1:9/debian", CancellationToken.None))));

        runner.Calls.Should().Be(1);
        paths.Distinct().Should().ContainSingle().Which.Should().Be(temp.Combine("cache", RootCache.DebianRootName("bookworm", "http://127.0.0.1:9/debian")));
        File.ReadAllText(paths[0]).Should().Be("root");
        Directory.EnumerateFiles(temp.Combine("cache")).Select(Path.GetFileName).Should().BeEquivalentTo(Path.GetFileName(paths[0]), Path.GetFileName(paths[0]) + ".lock");
    }

    [Fact]
    public async Task A_failed_mmdebstrap_leaves_no_root_in_the_cache()
    {
        var runner = new RecordingProcessRunner(RecordingProcessRunner.Failed("E: cannot reach the mirror", 25));
        var cache = new RootCache(runner, temp.Combine("cache"));

        var act = () => cache.DebianRootAsync("bookworm", "http://127.0.0.1:9/debian", CancellationToken.None);

        (await act.Should().ThrowAsync<CiJobsException>()).Which.Message.Should().Contain("E: cannot reach the mirror");
        Directory.EnumerateFiles(temp.Combine("cache")).Should().OnlyContain(f => f.EndsWith(".lock", StringComparison.Ordinal));
    }

    [Fact]
    public void The_root_cache_defaults_to_the_xdg_cache_home()
    {
        RootCache.DefaultDirectory(new DictionaryEnvironment(new Dictionary<string, string> { ["XDG_CACHE_HOME"] = "/c", ["HOME"] = "/h" })).Should().Be("/c/cijobs/roots");
        RootCache.DefaultDirectory(new DictionaryEnvironment(new Dictionary<string, string> { ["XDG_CACHE_HOME"] = "rel", ["HOME"] = "/h" })).Should().Be("/h/.cache/cijobs/roots");
    }

    [Fact]
    public async Task The_node_target_runs_apt_get_and_dpkg_query_themselves_not_through_chroot()
    {
        var runner = new RecordingProcessRunner(RecordingProcessRunner.Ok("/.\n/usr\n/usr/bin/foo\n"));
        var node = new NodeTestSystem(runner);
        var apt = new AptPackageManager("http://127.0.0.1:1/repo", "bookworm", "main");

        await apt.InstallAsync(node, ["foo"], CancellationToken.None);
        var owned = await apt.OwnedFilesAsync(node, "foo", CancellationToken.None);
        await apt.RemoveAsync(node, ["foo"], CancellationToken.None);

        runner.Started.Select(s => s.FileName).Should().Equal("apt-get", "dpkg-query", "apt-get");
        runner.Started[0].Arguments.Should().EndWith(["--", "foo"]);
        runner.Started[2].Arguments.Should().Equal("purge", "-y", "--autoremove", "--", "foo");
        runner.Started[0].Environment["DEBIAN_FRONTEND"].Should().Be("noninteractive");
        owned.Should().Equal("/usr", "/usr/bin/foo");
        apt.SourceLine.Should().Be("deb [trusted=yes] http://127.0.0.1:1/repo bookworm main");
        new AptPackageManager("http://127.0.0.1:1/repo", null, "main").SourceLine.Should().Be("deb [trusted=yes] http://127.0.0.1:1/repo ./");
    }

    [Fact]
    public async Task The_node_target_runs_dnf_on_the_machine_with_its_repositories_and_a_root_only_the_test_one()
    {
        var runner = new RecordingProcessRunner();
        var dnf = new DnfPackageManager(runner, "http://127.0.0.1:1/repo", "9");

        await dnf.InstallAsync(new NodeTestSystem(runner), ["foo"], CancellationToken.None);

        runner.Started[0].FileName.Should().Be("dnf");
        runner.Started[0].Arguments.Should().NotContain(a => a.StartsWith("--installroot", StringComparison.Ordinal) || a.StartsWith("--repo", StringComparison.Ordinal));
        var root = new FakeRoot("/srv/root");
        dnf.DnfOptions(root).Should().Contain(["--installroot=/srv/root", "--setopt=reposdir=/dev/null", "--repofrompath=cijobs-install-test,http://127.0.0.1:1/repo", "--repo=cijobs-install-test"]);
    }

    [Theory]
    [InlineData("dpkg: error processing package foo (--configure):\n installed foo package post-installation script subprocess returned error exit status 7\nE: Sub-process /usr/bin/dpkg returned an error code (1)", "post-installation script subprocess returned error exit status 7")]
    [InlineData("Reading package lists...\nE: Unable to locate package foo", "Unable to locate package foo")]
    [InlineData("", "apt-get exited 100")]
    public void Apt_failures_are_explained_in_one_line(string output, string expected) =>
        new AptPackageManager("http://127.0.0.1:1/", null, "main").Explain(new ProcessResult(100, output, "", TimeSpan.Zero)).Should().Be(expected);

    [Theory]
    [InlineData("Error: \n Problem: conflicting requests\n  - nothing provides python3 needed by foo-1-1.noarch", "nothing provides python3 needed by foo-1-1.noarch")]
    [InlineData("No match for argument: foo\nError: Unable to find a match: foo", "No match for argument: foo")]
    [InlineData("warning: %postun(foo-1-1.noarch) scriptlet failed, exit status 2", "%postun scriptlet failed, exit status 2")]
    public void Dnf_failures_are_explained_in_one_line(string output, string expected) =>
        new DnfPackageManager(new RecordingProcessRunner(), "http://127.0.0.1:1/", "9").Explain(new ProcessResult(1, output, "", TimeSpan.Zero)).Should().Be(expected);

    private sealed class FakeRoot(string root) : ITestSystem
    {
        public string Root => root;

        public bool IsHost => false;

        public Task<ProcessResult> RunAsync(string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("not used");

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Stands in for mmdebstrap: writes its output file slowly, counting calls.</summary>
    private sealed class MmdebstrapStandIn : IProcessRunner
    {
        private int calls;

        public int Calls => calls;

        public async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            var output = spec.Arguments[^2];
            await File.WriteAllTextAsync(output, "ro", cancellationToken);
            await Task.Delay(300, cancellationToken);
            await File.AppendAllTextAsync(output, "ot", cancellationToken);
            return new ProcessResult(0, "", "", TimeSpan.Zero);
        }
    }
}
