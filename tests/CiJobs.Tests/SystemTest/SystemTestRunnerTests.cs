using System.Diagnostics;
using CiJobs.Core.Platform;
using CiJobs.Core.SystemTest;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.SystemTest;

public sealed class SystemTestRunnerTests
{
    private sealed class ScriptedWatch(Func<int, string?> verdict) : IAbortWatch
    {
        public int Calls { get; private set; }

        public string Description => "scripted";

        public Task<string?> CheckAsync(CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(verdict(Calls));
        }
    }

    private readonly List<string> log = [];

    private SystemTestRunner Runner() => new(new CliWrapProcessRunner(), TimeProvider.System, log.Add);

    [Fact]
    public async Task A_watch_that_reports_a_failure_kills_the_whole_process_tree_quickly()
    {
        using var temp = new TempDir("systest-run");
        var marker = temp.Combine("child.pid");
        // The shell starts a child that would outlive a plain kill of the shell.
        var spec = new ProcessSpec("sh", ["-c", $"sleep 120 & echo $! > {marker}; wait"]);
        var watch = new ScriptedWatch(call => call >= 3 ? "install test failed" : null);
        var clock = Stopwatch.StartNew();

        var outcome = await Runner().RunAsync(spec, [watch], TimeSpan.FromMilliseconds(200), default);

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
        outcome.Aborted.Should().BeTrue();
        outcome.AbortReason.Should().Be("install test failed");
        outcome.ExitCode.Should().BeNull();
        outcome.Polls.Should().Be(3);
        outcome.AbortDelay!.Value.Should().BeLessThan(TimeSpan.FromSeconds(10));
        log.Should().Contain("aborting the system test: install test failed");
        var child = int.Parse(File.ReadAllText(marker).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await WaitGoneAsync(child);
    }

    [Fact]
    public async Task A_command_that_ends_first_gives_its_exit_code_and_no_abort()
    {
        var watch = new ScriptedWatch(_ => null);

        var outcome = await Runner().RunAsync(new ProcessSpec("sh", ["-c", "sleep 0.5; exit 3"]), [watch], TimeSpan.FromMilliseconds(100), default);

        outcome.Aborted.Should().BeFalse();
        outcome.ExitCode.Should().Be(3);
        watch.Calls.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task A_status_read_that_fails_is_logged_and_never_stops_the_test()
    {
        var watch = new FailingWatch();

        var outcome = await Runner().RunAsync(new ProcessSpec("sh", ["-c", "sleep 1"]), [watch], TimeSpan.FromMilliseconds(100), default);

        outcome.Aborted.Should().BeFalse();
        outcome.ExitCode.Should().Be(0);
        log.Should().ContainSingle(l => l.StartsWith("cannot read failing watch (1 time(s)): Zuul answered HTTP 503", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_test_gets_the_repository_variables()
    {
        using var temp = new TempDir("systest-env");
        var files = await TestRepositoryFiles.WriteAsync(temp.Path, [TestRepository.Create("check-1-1", TestRepositoryFormat.Rpm, "http://127.0.0.1:9/r/", null, null, "test")], default);
        var output = new List<string>();
        var spec = new ProcessSpec("sh", ["-c", "echo \"$CIJOBS_TEST_REPO_COUNT $CIJOBS_TEST_RPM_URLS\"; grep baseurl \"$CIJOBS_TEST_REPO_FILE\""])
        {
            Environment = files.Variables.ToDictionary(p => p.Key, string? (p) => p.Value),
            OnOutputLine = output.Add,
        };

        var outcome = await Runner().RunAsync(spec, [], TimeSpan.FromSeconds(1), default);

        outcome.ExitCode.Should().Be(0);
        output.Should().Equal("1 http://127.0.0.1:9/r/", "baseurl=http://127.0.0.1:9/r/");
    }

    private static async Task WaitGoneAsync(int pid)
    {
        for (var i = 0; i < 100 && Alive(pid); i++)
        {
            await Task.Delay(100);
        }

        Alive(pid).Should().BeFalse("the system test's child process is killed with it");
    }

    // A killed process that nobody reaped yet is a zombie: it no longer runs.
    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private sealed class FailingWatch : IAbortWatch
    {
        public string Description => "failing watch";

        public Task<string?> CheckAsync(CancellationToken cancellationToken) =>
            throw new HttpRequestException("Zuul answered HTTP 503 for the status of change 1,1");
    }
}
