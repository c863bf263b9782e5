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

    [RootFact]
    public async Task The_testrepo_json_gives_the_repository_and_its_binary_packages()
    {
        using var temp = new TempDir("install-testrepo");
        var json = temp.Combine("testrepo.json");
        // Shaped as 'cijobs testrepo publish --format json' prints it; the source package is not installed.
        await File.WriteAllTextAsync(json, $$$"""
            {"name": "check-1-1", "path": "/x", "deb": null,
             "rpm": {"url": "{{{fixture.RpmRepoUrl}}}", "repo_file": "/x/check-1-1.repo", "packages": [
               {"name": "{{{InstallTestFixture.BadSmoke}}}", "version": "1-1", "arch": "noarch", "file": "a.rpm"},
               {"name": "{{{InstallTestFixture.BadSmoke}}}", "version": "1-1", "arch": "src", "file": "a.src.rpm"}]}}
            """);

        var rpm = await CliRunner.RunAsync(
            "install-test", "--kind", "rpm", "--testrepo", json, "--smoke-dir", fixture.SmokeDirectory, "--root-cache", InstallTestFixture.RootCacheDirectory);
        var deb = await CliRunner.RunAsync("install-test", "--kind", "deb", "--testrepo", json);
        var both = await CliRunner.RunAsync("install-test", "--kind", "rpm", "--testrepo", json, "--package", "x");

        rpm.ExitCode.Should().Be(InstallTestExitCodes.SmokeFailed, rpm.ToString());
        rpm.StandardError.Split('\n').Should().Contain("cijobs: error: install test: example-badsmoke: smoke: tests/smoke.sh exited 3");
        deb.ExitCode.Should().Be(0, deb.ToString());
        deb.StandardError.Should().Contain("testrepo.json has no deb repository; nothing to test");
        both.ExitCode.Should().Be(InstallTestExitCodes.InvalidOption, both.ToString());
    }
}
