using CiJobs.Core.ZuulConfig;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.ZuulConfig;

[Trait("Runs", "cijobs")]
public class ZuulConfigCommandTests
{
    [Fact]
    public async Task Check_on_a_bad_tree_prints_file_and_line_and_exits_70()
    {
        using var temp = new TempDir("zuulcli");
        temp.Write("zuul.d/jobs.yaml", "- job:\n    name: a\n    parent: base\n    timeout: soon\n");

        var result = await CliRunner.RunAsync(["zuul-config", "check", "."], workingDirectory: temp.Path);

        result.ExitCode.Should().Be(ZuulConfigExitCodes.Invalid, result.ToString());
        result.StandardOutput.Should().Contain("zuul.d/jobs.yaml:4: job a: timeout: expected an integer");
        result.StandardOutput.Should().Contain("zuul.d/jobs.yaml:3: unknown job 'base'");
    }

    [Fact]
    public async Task Check_with_externals_and_json_output_reports_a_valid_tree()
    {
        using var temp = new TempDir("zuulcli");
        temp.Write("zuul.d/jobs.yaml", "- job:\n    name: a\n    parent: base\n- project:\n    check:\n      jobs: [a]\n");

        var result = await CliRunner.RunAsync(["zuul-config", "check", temp.Path, "--external", "job:base", "--format", "json"]);

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Contain("\"valid\": true");
    }

    [Fact]
    public async Task Check_on_a_folder_without_configuration_exits_71()
    {
        using var temp = new TempDir("zuulcli");

        var result = await CliRunner.RunAsync(["zuul-config", "check", temp.Path]);

        result.ExitCode.Should().Be(ZuulConfigExitCodes.NoConfig, result.ToString());
        result.StandardError.Should().Contain("holds no Zuul configuration");
    }
}
