using CiJobs.Core.InstallTest;

namespace CiJobs.Tests.InstallTest;

/// <summary>
/// install-test with the real tools: a Debian root from mmdebstrap (made once per run in the shared root cache) and an RPM
/// root with busybox, packages from an APT and an RPM repository served on 127.0.0.1 (docs/manual/install-test.md).
/// </summary>
public sealed class InstallTestRealToolsTests(InstallTestFixture fixture) : IClassFixture<InstallTestFixture>
{
    private static readonly string[] EveryPackage =
        [InstallTestFixture.Good, InstallTestFixture.Quiet, InstallTestFixture.BadPost, InstallTestFixture.BadSmoke, InstallTestFixture.Leftover];

    private InstallTestRequest Request(PackageKind kind, params string[] packages) => new()
    {
        Kind = kind,
        RepoUrl = kind == PackageKind.Deb ? fixture.DebRepoUrl : fixture.RpmRepoUrl,
        Codename = kind == PackageKind.Deb ? InstallTestFixture.Codename : null,
        Packages = packages,
        SmokeDirectory = InstallTestInputs.ValidateSmokeDirectory(fixture.SmokeDirectory),
    };

    private static void ShouldBeCleanedUp(RecordingFactory systems)
    {
        systems.Roots.Should().NotBeEmpty();
        foreach (var root in systems.Roots)
        {
            Directory.Exists(root).Should().BeFalse($"{root} is deleted after its test");
            ChrootTestSystem.MountsUnder(root).Should().BeEmpty();
        }

        var mounts = File.ReadAllText("/proc/self/mounts");
        systems.Roots.Should().OnlyContain(root => !mounts.Contains(root, StringComparison.Ordinal));
    }

    private static InstallTestStep Step(InstallTestResult result, string package, string step) =>
        result.Packages.Single(p => p.Name == package).Steps.Single(s => s.Name == step);

    [RootFact]
    public async Task Deb_each_package_fails_at_its_own_step_and_the_first_failure_decides()
    {
        var (runner, systems) = InstallTestSetup.Deb(fixture);

        var result = await runner.RunAsync(Request(PackageKind.Deb, EveryPackage), CancellationToken.None);

        result.Packages.Select(p => p.Status).Should().Equal("passed", "passed", "failed", "failed", "failed");
        result.Packages[0].Steps.Select(s => s.Status).Should().Equal("passed", "passed", "passed");
        result.Packages[1].Warnings.Should().ContainSingle().Which.Should().Be("example-quiet: /usr/bin/example-quiet answers neither --version nor --help with exit status 0");
        Step(result, InstallTestFixture.BadPost, "install").Detail.Should().Be("post-installation script subprocess returned error exit status 1");
        Step(result, InstallTestFixture.BadPost, "smoke").Status.Should().Be("skipped");
        Step(result, InstallTestFixture.BadSmoke, "smoke").Detail.Should().Be("tests/smoke.sh exited 3");
        Step(result, InstallTestFixture.BadSmoke, "remove").Status.Should().Be("passed");
        Step(result, InstallTestFixture.Leftover, "remove").Detail.Should().Be("files left behind: /etc/leftover");
        result.Together!.Status.Should().Be("skipped");
        result.Failure.Should().Be("install test: example-badpost: install: post-installation script subprocess returned error exit status 1");
        result.ExitCode.Should().Be(InstallTestExitCodes.InstallFailed);
        Step(result, InstallTestFixture.BadPost, "install").OutputTail.Should().Contain(l => l.Contains("example-badpost", StringComparison.Ordinal));
        ShouldBeCleanedUp(systems);
    }

    [RootFact]
    public async Task Deb_good_packages_pass_alone_and_together()
    {
        var (runner, systems) = InstallTestSetup.Deb(fixture);

        var result = await runner.RunAsync(Request(PackageKind.Deb, InstallTestFixture.Good, InstallTestFixture.Quiet), CancellationToken.None);

        result.Failure.Should().BeNull();
        result.Status.Should().Be("passed");
        result.Together!.Status.Should().Be("passed");
        result.Together.Packages.Should().Equal(InstallTestFixture.Good, InstallTestFixture.Quiet);
        systems.Roots.Should().HaveCount(3, "each test gets a fresh root");
        ShouldBeCleanedUp(systems);
    }

    [RootFact]
    public async Task Rpm_each_package_fails_at_its_own_step_and_the_first_failure_decides()
    {
        var (runner, systems) = InstallTestSetup.Rpm(fixture);

        var result = await runner.RunAsync(Request(PackageKind.Rpm, EveryPackage), CancellationToken.None);

        result.Packages.Select(p => p.Status).Should().Equal("passed", "passed", "failed", "failed", "failed");
        result.Packages[1].Warnings.Should().ContainSingle().Which.Should().Be("example-quiet: /usr/bin/example-quiet answers neither --version nor --help with exit status 0");
        Step(result, InstallTestFixture.BadPost, "install").Detail.Should().Be("%post scriptlet failed, exit status 1");
        Step(result, InstallTestFixture.BadSmoke, "smoke").Detail.Should().Be("tests/smoke.sh exited 3");
        Step(result, InstallTestFixture.Leftover, "remove").Detail.Should().Be("files left behind: /etc/leftover");
        result.Failure.Should().Be("install test: example-badpost: install: %post scriptlet failed, exit status 1");
        result.ExitCode.Should().Be(InstallTestExitCodes.InstallFailed);
        ShouldBeCleanedUp(systems);
    }

    [RootFact]
    public async Task Rpm_good_packages_pass_alone_and_together()
    {
        var (runner, systems) = InstallTestSetup.Rpm(fixture);

        var result = await runner.RunAsync(Request(PackageKind.Rpm, InstallTestFixture.Good, InstallTestFixture.Quiet), CancellationToken.None);

        result.Failure.Should().BeNull();
        result.Together!.Status.Should().Be("passed");
        ShouldBeCleanedUp(systems);
    }

    [RootFact]
    public async Task A_cancelled_test_leaves_no_mount_and_no_root()
    {
        using var cancel = new CancellationTokenSource();
        // Cancelled two seconds after the root is made and mounted: inside apt-get update or install.
        var (runner, systems) = InstallTestSetup.Deb(fixture, () => cancel.CancelAfter(TimeSpan.FromSeconds(2)));

        var act = () => runner.RunAsync(Request(PackageKind.Deb, InstallTestFixture.Good, InstallTestFixture.Quiet), cancel.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        ShouldBeCleanedUp(systems);
    }
}
