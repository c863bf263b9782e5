using System.Text.Json;
using CiJobs.Core.InstallTest;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.InstallTest;

/// <summary><c>cijobs install-test</c> as a process: the one error line, the exit code, and the JSON written before it.</summary>
[Trait("Runs", "cijobs")]
public sealed class InstallTestCliTests(InstallTestFixture fixture) : IClassFixture<InstallTestFixture>
{
    [RootFact]
    public async Task A_deb_that_leaves_a_file_behind_fails_with_the_package_the_step_and_the_file()
    {
        var result = await CliRunner.RunAsync(
            "install-test", "--kind", "deb", "--repo", fixture.DebRepoUrl, "--codename", InstallTestFixture.Codename, "--root-codename", "bookworm",
            "--package", InstallTestFixture.Leftover, "--root-cache", InstallTestFixture.RootCacheDirectory, "--format", "json");

        result.ExitCode.Should().Be(InstallTestExitCodes.LeftBehind, result.ToString());
        result.StandardError.Split('\n').Should().Contain("cijobs: error: install test: example-leftover: remove: files left behind: /etc/leftover");
        using var json = JsonDocument.Parse(result.StandardOutput);
        json.RootElement.GetProperty("status").GetString().Should().Be("failed");
        json.RootElement.GetProperty("exit_code").GetInt32().Should().Be(InstallTestExitCodes.LeftBehind);
        var steps = json.RootElement.GetProperty("packages")[0].GetProperty("steps");
        steps.EnumerateArray().Select(s => s.GetProperty("status").GetString()).Should().Equal("passed", "passed", "failed");
        steps[2].GetProperty("detail").GetString().Should().Be("files left behind: /etc/leftover");
        steps[0].GetProperty("output_tail").GetArrayLength().Should().BeInRange(1, 20);
        steps[0].GetProperty("duration_seconds").GetDouble().Should().BePositive();
    }

    [RootFact]
    public async Task An_rpm_whose_smoke_script_fails_names_the_script_and_its_exit_status()
    {
        var result = await CliRunner.RunAsync(
            "install-test", "--kind", "rpm", "--repo", fixture.RpmRepoUrl, "--package", InstallTestFixture.BadSmoke,
            "--smoke-dir", fixture.SmokeDirectory, "--root-cache", InstallTestFixture.RootCacheDirectory);

        result.ExitCode.Should().Be(InstallTestExitCodes.SmokeFailed, result.ToString());
        result.StandardError.Split('\n').Should().Contain("cijobs: error: install test: example-badsmoke: smoke: tests/smoke.sh exited 3");
        result.StandardOutput.Should().Contain("FAILED example-badsmoke");
    }

    [Fact]
    public async Task A_package_name_that_looks_like_an_option_is_refused()
    {
        var result = await CliRunner.RunAsync("install-test", "--kind", "deb", "--repo", "http://127.0.0.1:1/", "--package=-oDebug::x=1");

        result.ExitCode.Should().Be(InstallTestExitCodes.InvalidPackageName, result.ToString());
        result.StandardError.Should().StartWith("cijobs: error: invalid Debian package name '-oDebug::x=1'");
    }
}
