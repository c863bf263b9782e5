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

    private static string[] UpstreamPlanArgs(PlanFixture fixture, params string[] more) =>
    [
        "plan", "--project", "git.example.org/example-greetlib", "--branch", "main", "--newrev", "abc",
        "--src-dir", fixture.Checkout("example-greetlib"), "--rdoinfo", fixture.Checkout("rdoinfo"), "--format", "json", .. more,
    ];

    [Theory]
    [InlineData]
    [InlineData("--trigger", "upstream")]
    public async Task Plan_of_an_upstream_source_update_names_the_trigger_upstream_in_json(params string[] trigger)
    {
        using var fixture = await PlanFixture.CreateAsync();

        var result = await CliRunner.RunAsync(UpstreamPlanArgs(fixture, trigger));

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardError.Should().BeEmpty();
        var plan = JsonNode.Parse(result.StandardOutput)!;
        plan["trigger"]!.GetValue<string>().Should().Be("upstream");
        plan["builds"]!.AsArray().Should().ContainSingle();
        plan["builds"]![0]!["package"]!.GetValue<string>().Should().Be("example-greetlib");
        plan["builds"]![0]!["source_ref"]!.GetValue<string>().Should().Be("abc");
    }

    [Fact]
    public async Task Plan_with_the_deprecated_source_git_trigger_warns_once_and_plans_exactly_like_upstream()
    {
        using var fixture = await PlanFixture.CreateAsync();

        var upstream = await CliRunner.RunAsync(UpstreamPlanArgs(fixture, "--trigger", "upstream"));
        var deprecated = await CliRunner.RunAsync(UpstreamPlanArgs(fixture, "--trigger", "source-git"));

        deprecated.ExitCode.Should().Be(0, deprecated.ToString());
        deprecated.StandardError.Should().Be("cijobs: warning: --trigger source-git is deprecated; use upstream" + Environment.NewLine);
        deprecated.StandardOutput.Should().Be(upstream.StandardOutput);
        JsonNode.Parse(deprecated.StandardOutput)!["trigger"]!.GetValue<string>().Should().Be("upstream");
    }

    [Fact]
    public async Task Plan_with_the_deprecated_source_git_trigger_is_forced_like_upstream_not_auto()
    {
        using var fixture = await PlanFixture.CreateAsync();
        string[] args = [
            "plan", "--project", "git.example.org/example-greeter-distgit", "--branch", "rpm-main", "--newrev", "abc",
            "--src-dir", fixture.Checkout("example-greeter-distgit"), "--rdoinfo", fixture.Checkout("rdoinfo"), "--format", "json", "--trigger"];

        var upstream = await CliRunner.RunAsync([.. args, "upstream"]);
        var deprecated = await CliRunner.RunAsync([.. args, "source-git"]);

        upstream.ExitCode.Should().Be(PlanExitCodes.UnknownProject, "the trigger is forced, not decided from rdoinfo (auto would plan distgit): " + upstream);
        upstream.StandardError.Should().StartWith("cijobs: error: project git.example.org/example-greeter-distgit is not the upstream of any package");
        deprecated.ExitCode.Should().Be(upstream.ExitCode, deprecated.ToString());
        deprecated.StandardOutput.Should().Be(upstream.StandardOutput);
        deprecated.StandardError.Should().Be("cijobs: warning: --trigger source-git is deprecated; use upstream" + Environment.NewLine + upstream.StandardError);
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
