using System.Text.Json.Nodes;
using CiJobs.Core.Plan;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Plan;

[Trait("Runs", "cijobs")]
public class PlanCommandTests
{
    [Fact]
    public async Task Plan_with_a_zuul_vars_file_prints_the_plan_as_json()
    {
        using var fixture = await PlanFixture.CreateAsync();
        var vars = fixture.ZuulVars("example-greeter-distgit", "rpm-main", "check", change: "9", projects: ["rdoinfo"]);

        var result = await CliRunner.RunAsync(["plan", "--zuul", vars, "--src-root", fixture.Root, "--format", "json"]);

        result.ExitCode.Should().Be(0, result.ToString());
        var plan = JsonNode.Parse(result.StandardOutput)!;
        plan["trigger"]!.GetValue<string>().Should().Be("distgit");
        plan["builds"]!.AsArray().Should().ContainSingle();
        plan["builds"]![0]!["package"]!.GetValue<string>().Should().Be("example-greeter");
        plan["builds"]![0]!["distgit"]!.GetValue<string>().Should().Be(fixture.Checkout("example-greeter-distgit"));
    }

    [Fact]
    public async Task Plan_by_hand_with_flags_explains_builds_and_skips()
    {
        using var fixture = await PlanFixture.CreateAsync();

        var result = await CliRunner.RunAsync([
            "plan", "--project", "git.example.org/example-greetlib", "--branch", "stable/1", "--newrev", "abc",
            "--src-dir", fixture.Checkout("example-greetlib"), "--rdoinfo", fixture.Checkout("rdoinfo"),
            "--checkout", $"example-greetlib-distgit={fixture.Checkout("example-greetlib-distgit")}"]);

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Contain("build example-greetlib for tiny-1: source " + fixture.Checkout("example-greetlib") + "@abc, distgit " + fixture.Checkout("example-greetlib-distgit") + "@tiny-1-rdo");
    }

    [Fact]
    public async Task Plan_for_an_unrelated_project_exits_74_with_a_sentence()
    {
        using var fixture = await PlanFixture.CreateAsync();

        var result = await CliRunner.RunAsync([
            "plan", "--project", "git.example.org/website", "--branch", "main", "--src-dir", fixture.Root, "--rdoinfo", fixture.Checkout("rdoinfo")]);

        result.ExitCode.Should().Be(PlanExitCodes.UnknownProject, result.ToString());
        result.StandardError.Should().StartWith("cijobs: error: project git.example.org/website is not the rdoinfo repository");
    }

    [Fact]
    public async Task Plan_with_a_release_name_unsafe_in_a_path_in_rdoinfo_exits_73_and_prints_no_plan()
    {
        using var fixture = await PlanFixture.CreateAsync();
        await fixture.Rdoinfo.CommitAsync("A hostile release", new Dictionary<string, string> { ["rdo-full.yml"] = BuildPlannerTests.RdoinfoWithRelease("../../../somewhere") });

        var result = await CliRunner.RunAsync([
            "plan", "--project", "git.example.org/example-greetlib", "--branch", "main", "--newrev", "abc",
            "--src-dir", fixture.Checkout("example-greetlib"), "--rdoinfo", fixture.Checkout("rdoinfo"), "--format", "json"]);

        result.ExitCode.Should().Be(PlanExitCodes.InvalidInput, result.ToString());
        result.StandardError.Should().StartWith("cijobs: error: invalid rdoinfo release name '../../../somewhere'");
        result.StandardOutput.Should().BeEmpty();
    }

    [Fact]
    public async Task Plan_without_zuul_vars_or_project_exits_73()
    {
        var result = await CliRunner.RunAsync(["plan"]);

        result.ExitCode.Should().Be(PlanExitCodes.InvalidInput, result.ToString());
    }

    [Fact]
    public async Task Plan_with_an_unknown_trigger_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync(["plan", "--trigger", "svn"]);

        result.ExitCode.Should().Be(1, result.ToString());
    }
}
