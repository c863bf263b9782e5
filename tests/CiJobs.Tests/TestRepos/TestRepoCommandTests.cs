using System.Text.Json;
using CiJobs.Core.TestRepos;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.TestRepos;

/// <summary><c>cijobs testrepo</c> as a process: the JSON and dotenv outputs jobs read, the name helper, errors.</summary>
[Trait("Runs", "cijobs")]
public sealed class TestRepoCommandTests(TestRepoPackagesFixture packages) : IClassFixture<TestRepoPackagesFixture>, IDisposable
{
    private readonly TempDir temp = new("testrepo-cli");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Publish_prints_json_and_dotenv_for_the_derived_gate_name()
    {
        var root = temp.Combine("root");
        string[] publish = ["testrepo", "publish", packages.RpmAlpha, packages.Deb, "--root", root, "--change", "55", "--patchset", "3", "--pipeline", "gate", "--item", "abcdef0123456789abcdef0123456789", "--codename", "trixie", "--base-url", "http://127.0.0.1:8080/repos/"];

        var dotenvFile = temp.Combine("testrepo.env");
        var json = await CliRunner.RunAsync([.. publish, "--format", "json", "--dotenv-file", dotenvFile]);
        var dotenv = await CliRunner.RunAsync([.. publish, "--format", "dotenv"]);

        json.ExitCode.Should().Be(0, json.ToString());
        using var document = JsonDocument.Parse(json.StandardOutput);
        var top = document.RootElement;
        top.GetProperty("name").GetString().Should().Be("gate-55-3-abcdef012345");
        top.GetProperty("path").GetString().Should().Be(Path.Combine(root, "gate-55-3-abcdef012345"));
        var rpm = top.GetProperty("rpm");
        rpm.GetProperty("url").GetString().Should().Be("http://127.0.0.1:8080/repos/gate-55-3-abcdef012345/rpm/");
        rpm.GetProperty("repo_file").GetString().Should().Be(Path.Combine(root, "gate-55-3-abcdef012345", "rpm", "gate-55-3-abcdef012345.repo"));
        rpm.GetProperty("packages")[0].GetProperty("name").GetString().Should().Be("tr-alpha");
        rpm.GetProperty("packages")[0].GetProperty("version").GetString().Should().Be("1.0-1");
        rpm.GetProperty("packages")[0].GetProperty("arch").GetString().Should().Be("noarch");
        rpm.GetProperty("packages")[0].GetProperty("file").GetString().Should().Be("tr-alpha-1.0-1.noarch.rpm");
        var deb = top.GetProperty("deb");
        deb.GetProperty("url").GetString().Should().Be("http://127.0.0.1:8080/repos/gate-55-3-abcdef012345/deb");
        deb.GetProperty("list_file").GetString().Should().EndWith("/deb/gate-55-3-abcdef012345.list");
        deb.GetProperty("codename").GetString().Should().Be("trixie");
        deb.GetProperty("component").GetString().Should().Be("main");
        deb.GetProperty("architectures").GetArrayLength().Should().BePositive();
        deb.GetProperty("packages").EnumerateArray().Select(p => p.GetProperty("arch").GetString()).Should().Equal("all", "source");
        File.Exists(Path.Combine(root, "gate-55-3-abcdef012345", "deb", "dists", "trixie", "Release")).Should().BeTrue();

        dotenv.ExitCode.Should().Be(0, dotenv.ToString());
        dotenv.StandardOutput.Should().Be(
            "CIJOBS_TESTREPO_NAME=gate-55-3-abcdef012345\n" +
            "CIJOBS_TESTREPO_RPM_URL=http://127.0.0.1:8080/repos/gate-55-3-abcdef012345/rpm/\n" +
            "CIJOBS_TESTREPO_DEB_URL=http://127.0.0.1:8080/repos/gate-55-3-abcdef012345/deb\n" +
            "CIJOBS_TESTREPO_DEB_CODENAME=trixie\n" +
            "CIJOBS_TESTREPO_DEB_COMPONENT=main\n");
        File.ReadAllText(dotenvFile).Should().Be(dotenv.StandardOutput, "--dotenv-file writes the same variables beside the JSON");
        Directory.GetFileSystemEntries(root).Select(Path.GetFileName).Should().Equal("gate-55-3-abcdef012345");
    }

    [Fact]
    public async Task Name_prints_the_derived_name_and_bad_input_exits_with_its_code_writing_nothing()
    {
        var check = await CliRunner.RunAsync(["testrepo", "name", "--change", "9", "--patchset", "1"]);
        var gateWithoutItem = await CliRunner.RunAsync(["testrepo", "name", "--change", "9", "--patchset", "1", "--pipeline", "gate"]);
        var root = temp.Combine("root");
        var escape = await CliRunner.RunAsync(["testrepo", "publish", packages.RpmAlpha, "--root", root, "--name", "../escape"]);
        var empty = await CliRunner.RunAsync(["testrepo", "publish", temp.Path, "--root", root, "--name", "empty"]);

        check.Should().Be(new CliResult(0, "check-9-1\n", ""));
        gateWithoutItem.ExitCode.Should().Be(TestRepoExitCodes.InvalidOption);
        gateWithoutItem.StandardError.Should().StartWith("cijobs: error: a gate test repository needs --item");
        escape.ExitCode.Should().Be(TestRepoExitCodes.InvalidOption, escape.ToString());
        escape.StandardError.Should().Be("cijobs: error: invalid --name '../escape': use 1 to 100 letters, digits and . _ + - (starting with a letter or digit, no '..')\n");
        empty.ExitCode.Should().Be(TestRepoExitCodes.InvalidInput, empty.ToString());
        Directory.Exists(root).Should().BeFalse();
        Directory.Exists(Path.Combine(temp.Path, "escape")).Should().BeFalse();
    }
}
