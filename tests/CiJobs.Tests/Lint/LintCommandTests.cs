using System.Text.Json;
using CiJobs.Core;
using CiJobs.Core.Lint;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Lint;

/// <summary>The <c>cijobs lint</c> verb as a process, on the packages of <see cref="RpmLintFixture"/>.</summary>
[Trait("Runs", "cijobs")]
public sealed class LintCommandTests(RpmLintFixture packages) : IClassFixture<RpmLintFixture>
{
    [Fact]
    public async Task Json_output_has_the_verdict_thresholds_totals_and_every_message_in_a_stable_key_order()
    {
        var result = await CliRunner.RunAsync(["lint", packages.Good, packages.Bad, "--max-warnings", "100", "--format", "json"]);

        result.ExitCode.Should().Be(LintExitCodes.LintFailed, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var root = json.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().Equal("verdict", "passed", "thresholds", "totals", "runs");
        root.GetProperty("verdict").GetString().Should().Be("failed");
        root.GetProperty("passed").GetBoolean().Should().BeFalse();
        root.GetProperty("thresholds").EnumerateObject().Select(p => (p.Name, p.Value.GetInt32())).Should().Equal(("max_errors", 0), ("max_warnings", 100));
        root.GetProperty("totals").EnumerateObject().Select(p => p.Name).Should().Equal("packages", "errors", "warnings", "info", "overridden");
        root.GetProperty("totals").GetProperty("packages").GetInt32().Should().Be(4);
        root.GetProperty("totals").GetProperty("errors").GetInt32().Should().BeGreaterThan(0);
        var runs = root.GetProperty("runs").EnumerateArray().ToList();
        runs.Select(r => r.GetProperty("result_dir").GetString()).Should().Equal(packages.Good, packages.Bad);
        runs[0].EnumerateObject().Select(p => p.Name).Should().Equal("result_dir", "format", "tool", "tool_exit_code", "rpmlintrc", "counts", "packages", "notes");
        runs[0].GetProperty("tool").GetString().Should().Be("rpmlint");
        runs[0].GetProperty("counts").GetProperty("errors").GetInt32().Should().Be(0);
        var bad = runs[1].GetProperty("packages").EnumerateArray().Single(p => p.GetProperty("kind").GetString() == "binary");
        bad.EnumerateObject().Select(p => p.Name).Should().Equal("name", "format", "kind", "file", "counts", "messages");
        var message = bad.GetProperty("messages").EnumerateArray().First(m => m.GetProperty("check").GetString() == "non-executable-script");
        message.EnumerateObject().Select(p => p.Name).Should().Equal("severity", "check", "detail", "location", "line", "overridden");
        message.GetProperty("severity").GetString().Should().Be("error");
        message.GetProperty("detail").GetString().Should().Be("/usr/bin/lintbad 644 /bin/sh");
    }

    [Fact]
    public async Task Warnings_pass_by_default_and_fail_with_max_warnings_0_with_the_summary_printed_either_way()
    {
        var passing = await CliRunner.RunAsync(["lint", packages.Good]);
        var failing = await CliRunner.RunAsync(["lint", packages.Good, "--max-warnings", "0"]);

        passing.ExitCode.Should().Be(0, passing.ToString());
        passing.StandardOutput.Should().Contain("warning: no-manual-page-for-binary lintgood").And.MatchRegex(@"lint: 2 package\(s\): 0 error\(s\) \(max 0\), [1-9][0-9]* warning\(s\) \(max none\), .*: passed");
        failing.ExitCode.Should().Be(LintExitCodes.LintFailed, failing.ToString());
        failing.StandardOutput.Should().MatchRegex(@"[1-9][0-9]* warning\(s\) \(max 0\), .*: FAILED");
        failing.StandardError.Should().MatchRegex(@"^cijobs: error: lint failed: 0 error\(s\) \(max 0\), [1-9][0-9]* warning\(s\) \(max 0\)\n$");
        passing.StandardError.Should().BeEmpty();
    }

    [Fact]
    public async Task A_missing_rpmlint_is_a_missing_tool()
    {
        var result = await CliRunner.RunAsync(["lint", packages.Good], environment: new Dictionary<string, string?> { ["PATH"] = packages.Combine("no-tools-here") });

        result.ExitCode.Should().Be(ExitCodes.ToolMissing, result.ToString());
        result.StandardError.Should().StartWith("cijobs: error: cannot run 'rpmlint'");
        result.StandardOutput.Should().BeEmpty();
    }
}
