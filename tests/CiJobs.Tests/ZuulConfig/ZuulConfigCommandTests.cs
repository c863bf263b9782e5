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
    public async Task Check_with_warnings_only_exits_0_and_lists_them_in_json()
    {
        using var temp = new TempDir("zuulcli");
        temp.Write("lib/zuul.d/jobs.yaml", "- job:\n    name: a\n    parent: base\n    semaphores: [lock]\n    files: ['^(?!doc/).*$']\n");

        var result = await CliRunner.RunAsync(["zuul-config", "check", "lib", "--external", "job:base", "--format", "json"], workingDirectory: temp.Path);

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.StandardOutput);
        json.RootElement.GetProperty("valid").GetBoolean().Should().BeTrue();
        json.RootElement.GetProperty("errors").GetInt32().Should().Be(0);
        json.RootElement.GetProperty("warnings").GetInt32().Should().Be(2);
        json.RootElement.GetProperty("problems").EnumerateArray()
            .Select(p => (p.GetProperty("severity").GetString(), p.GetProperty("line").GetInt64(), p.GetProperty("file").GetString()))
            .Should().BeEquivalentTo([("warning", 4L, "lib/zuul.d/jobs.yaml"), ("warning", 5L, "lib/zuul.d/jobs.yaml")]);
    }

    [Fact]
    public async Task Check_with_errors_and_warnings_exits_70_lists_both_and_honours_the_trust_and_limit_options()
    {
        using var temp = new TempDir("zuulcli");
        temp.Write("config/zuul.d/pipelines.yaml",
            "- pipeline:\n    name: check\n    manager: independent\n    trigger:\n      timer:\n        - time: '0 0 * * *'\n" +
            "- job:\n    name: base\n    parent: null\n");
        temp.Write("lib/zuul.d/jobs.yaml",
            "- job:\n    name: a\n    timeout: 4000\n- project:\n    name: org/lib\n    check:\n      jobs: [a]\n    gate:\n      jobs: [a]\n");

        var result = await CliRunner.RunAsync(
            ["zuul-config", "check", "lib", "--config-project", "config", "--project-name", "lib=example.org/org/lib", "--max-job-timeout", "3600", "--format", "json"],
            workingDirectory: temp.Path);
        var text = await CliRunner.RunAsync(["zuul-config", "check", "lib", "--config-project", "config", "--project-name", "lib=org/lib"], workingDirectory: temp.Path);

        result.ExitCode.Should().Be(ZuulConfigExitCodes.Invalid, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.StandardOutput);
        json.RootElement.GetProperty("valid").GetBoolean().Should().BeFalse();
        json.RootElement.GetProperty("problems").EnumerateArray()
            .Select(p => (p.GetProperty("severity").GetString(), p.GetProperty("line").GetInt64()))
            .Should().BeEquivalentTo([("error", 3L), ("warning", 8L)]);
        text.ExitCode.Should().Be(0, text.ToString());
        text.StandardOutput.Should().Be("lib/zuul.d/jobs.yaml:8: warning: unknown pipeline 'gate': Zuul ignores this section, so its jobs never run (define the pipeline, or declare it external with --external pipeline:gate)\n");
        text.StandardError.Should().Contain("0 error(s), 1 warning(s)");
    }

    [Fact]
    public async Task Check_with_a_malformed_project_name_exits_72()
    {
        using var temp = new TempDir("zuulcli");
        temp.Write("zuul.d/jobs.yaml", "- job:\n    name: a\n    parent: base\n");

        var result = await CliRunner.RunAsync(["zuul-config", "check", temp.Path, "--project-name", "lib"]);

        result.ExitCode.Should().Be(ZuulConfigExitCodes.BadContext, result.ToString());
        result.StandardError.Should().StartWith("cijobs: error: 'lib': a project name must be written DIR=NAME");
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
