using CiJobs.Core.Platform;

namespace CiJobs.Tests.Platform;

/// <summary>The real process runner's output limit (<see cref="ProcessSpec.MaxOutputChars"/>).</summary>
public sealed class CliWrapProcessRunnerTests
{
    private static Task<ProcessResult> RunAsync(int? limit) => new CliWrapProcessRunner().RunAsync(
        new ProcessSpec("sh", ["-c", "head -c 200000 /dev/zero | tr '\\0' o; head -c 50000 /dev/zero | tr '\\0' e >&2; exit 7"]) { MaxOutputChars = limit },
        CancellationToken.None);

    [Fact]
    public async Task Output_past_the_limit_is_read_and_dropped_and_the_result_says_so()
    {
        var limited = await RunAsync(1000);
        var whole = await RunAsync(null);

        limited.ExitCode.Should().Be(7);
        limited.StandardOutput.Should().Be(new string('o', 1000));
        limited.StandardError.Should().Be(new string('e', 1000));
        limited.Truncated.Should().BeTrue();
        whole.StandardOutput.Should().HaveLength(200000);
        whole.StandardError.Should().HaveLength(50000);
        whole.Truncated.Should().BeFalse();
    }

    [Fact]
    public async Task Output_within_the_limit_is_whole()
    {
        var result = await new CliWrapProcessRunner().RunAsync(new ProcessSpec("printf", ["a\\nb\\n"]) { MaxOutputChars = 4 }, CancellationToken.None);

        result.StandardOutput.Should().Be("a\nb\n");
        result.Truncated.Should().BeFalse();
    }
}
