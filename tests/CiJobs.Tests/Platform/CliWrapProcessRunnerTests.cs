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

    [Fact]
    public async Task A_process_is_running_until_it_exits_and_a_zombie_is_not_running()
    {
        var runner = new CliWrapProcessRunner();
        runner.IsRunning(Environment.ProcessId).Should().BeTrue();
        runner.IsRunning(0).Should().BeFalse();
        runner.IsRunning(-1).Should().BeFalse();

        var exited = await runner.RunAsync(new ProcessSpec("sh", ["-c", "echo $$"]), CancellationToken.None);
        runner.IsRunning(int.Parse(exited.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture)).Should().BeFalse();

        // The background sleep's parent becomes a sleep that never waits for it: it is a zombie until that one ends.
        var pid = new TaskCompletionSource<int>();
        var run = runner.RunAsync(
            new ProcessSpec("sh", ["-c", "sleep 0.01 & echo $!; exec sleep 3"])
            {
                OnOutputLine = line => pid.TrySetResult(int.Parse(line, System.Globalization.CultureInfo.InvariantCulture)),
            },
            CancellationToken.None);
        var zombie = await pid.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var stat = "";
        for (var i = 0; i < 100 && !stat.Contains(") Z ", StringComparison.Ordinal); i++)
        {
            await Task.Delay(20);
            stat = File.ReadAllText($"/proc/{zombie}/stat");
        }

        stat.Should().Contain(") Z ");
        runner.IsRunning(zombie).Should().BeFalse();
        (await run).ExitCode.Should().Be(0);
    }
}
