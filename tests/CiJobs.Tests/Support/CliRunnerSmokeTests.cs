namespace CiJobs.Tests.Support;

[Trait("Runs", "cijobs")]
public class CliRunnerSmokeTests
{
    [Fact]
    public async Task The_cijobs_program_prints_help_and_exits_zero()
    {
        var result = await CliRunner.RunAsync("--help");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Contain("cijobs");
    }

    [Fact]
    public async Task An_unknown_verb_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync("no-such-verb");

        result.ExitCode.Should().Be(1, result.ToString());
    }
}
