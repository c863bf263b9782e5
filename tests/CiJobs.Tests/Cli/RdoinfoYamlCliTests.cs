using System.Text.Json;
using CiJobs.Core.Rdoinfo;
using CiJobs.Tests.Rdoinfo;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Cli;

/// <summary>The command line side of reading rdoinfo YAML: YAML 1.1 values, warnings on stderr, the limit options.</summary>
[Trait("Runs", "cijobs")]
public sealed class RdoinfoYamlCliTests
{
    [Fact]
    public async Task A_version_yaml_11_reads_as_a_number_is_used_as_distroinfo_uses_it_with_a_warning_and_exit_0()
    {
        using var fixture = new RdoinfoFixture().Write("tags/epoxy.yml", "packages:\n- project: glance\n  tags:\n    epoxy:\n- project: glanceclient\n  tags:\n    epoxy:\n      source-branch: 1.10\n");

        var result = await CliRunner.RunAsync("rdoinfo", "show", "glanceclient", "--rdoinfo", fixture.Path, "--release", "epoxy", "--format", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        json.RootElement.GetProperty("source_branch").GetString().Should().Be("1.1");
        result.StandardError.Trim().Should().Be(
            $"cijobs: warning: {fixture.Path}/tags/epoxy.yml:8: '1.10' is the float 1.1 in YAML 1.1 (as distroinfo reads it): distroinfo and DLRN use '1.1'; quote it to keep '1.10'");
    }

    [Fact]
    public async Task An_alias_bomb_is_an_error_of_its_own_exit_code_and_the_option_raises_the_limit()
    {
        using var fixture = new RdoinfoFixture().Write("tags.yml", "import:\n- tags/epoxy.yml\n- tags/dalmatian.yml\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\nx1: &x1 [*x0, *x0, *x0, *x0, *x0, *x0, *x0, *x0, *x0, *x0]\nx2: [*x1, *x1, *x1, *x1, *x1, *x1, *x1, *x1, *x1, *x1]\n");

        var refused = await CliRunner.RunAsync("rdoinfo", "packages", "--rdoinfo", fixture.Path, "--yaml-max-nodes", "1000");
        var allowed = await CliRunner.RunAsync("rdoinfo", "packages", "--rdoinfo", fixture.Path, "--yaml-max-nodes", "2000");

        refused.ExitCode.Should().Be(RdoinfoExitCodes.Limit, refused.ToString());
        refused.StandardOutput.Should().BeEmpty();
        refused.StandardError.Trim().Should().Be(
            $"cijobs: error: {fixture.Path}/tags.yml:6: the document expands to more than 1000 nodes through its aliases: the YAML expanded node limit (1000, --yaml-max-nodes)");
        allowed.ExitCode.Should().Be(0, allowed.ToString());
    }

    [Theory]
    [InlineData("--yaml-max-depth", "0")]
    [InlineData("--yaml-max-depth", "513")]
    [InlineData("--yaml-max-aliases", "-1")]
    [InlineData("--yaml-max-file-size", "x")]
    [InlineData("--yaml-max-nodes", "1e6")]
    public async Task A_limit_option_out_of_range_is_a_usage_error(string option, string value)
    {
        var result = await CliRunner.RunAsync("rdoinfo", "releases", "--rdoinfo", RepoPaths.RealRdoinfo, option, value);

        result.ExitCode.Should().Be(1, result.ToString());
        result.StandardError.Should().Contain($"{option} takes a whole number from 1 to");
    }
}
