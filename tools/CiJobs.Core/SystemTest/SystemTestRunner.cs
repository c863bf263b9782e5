using System.Globalization;
using CiJobs.Core.Platform;

namespace CiJobs.Core.SystemTest;

/// <summary>How a system test ended.</summary>
/// <param name="ExitCode">The command's exit code; null when it was stopped.</param>
/// <param name="AbortReason">Why it was stopped (a watch's reason); null when it ran to its end.</param>
/// <param name="AbortDelay">From the poll that saw the reason to the command's end, once stopped.</param>
/// <param name="AbortSeenAt">When the poll saw the reason (to compare with when the install test failed).</param>
public sealed record SystemTestOutcome(int? ExitCode, string? AbortReason, TimeSpan Duration, TimeSpan? AbortDelay, int Polls)
{
    public DateTimeOffset? AbortSeenAt { get; init; }

    public bool Aborted => AbortReason is not null;

    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs the tenant's system-test command with the test repositories in its environment, and asks the abort watches every
/// poll interval whether to stop it; on a reason, the command's process tree is killed and the outcome says why
/// (docs/manual/systest.md). A watch whose status request fails is reported and asked again; it never stops the test.
/// </summary>
public sealed class SystemTestRunner(IProcessRunner runner, TimeProvider clock, Action<string> log)
{
    public async Task<SystemTestOutcome> RunAsync(
        ProcessSpec command, IReadOnlyList<IAbortWatch> watches, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(watches);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = clock.GetTimestamp();
        var run = runner.RunAsync(command, stop.Token);
        string? reason = null;
        long abortedAt = 0;
        DateTimeOffset? seenAt = null;
        var polls = 0;
        var failures = new Dictionary<IAbortWatch, int>();
        while (!run.IsCompleted && watches.Count > 0)
        {
            try
            {
                await Task.WhenAny(run, Task.Delay(pollInterval, clock, cancellationToken));
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (run.IsCompleted || cancellationToken.IsCancellationRequested)
            {
                break;
            }

            polls++;
            foreach (var watch in watches)
            {
                try
                {
                    reason = await watch.CheckAsync(cancellationToken);
                }
                catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or CiJobsException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    failures[watch] = failures.GetValueOrDefault(watch) + 1;
                    if (failures[watch] is 1 or 10 or 100)
                    {
                        log($"cannot read {watch.Description} ({failures[watch].ToString(CultureInfo.InvariantCulture)} time(s)): {e.Message}; the system test goes on");
                    }
                }

                if (reason is not null)
                {
                    break;
                }
            }

            if (reason is not null)
            {
                abortedAt = clock.GetTimestamp();
                seenAt = clock.GetUtcNow();
                log($"aborting the system test: {reason}");
                await stop.CancelAsync();
                break;
            }
        }

        try
        {
            var result = await run;
            return new SystemTestOutcome(result.ExitCode, null, clock.GetElapsedTime(started), null, polls);
        }
        catch (OperationCanceledException) when (reason is not null)
        {
            return new SystemTestOutcome(null, reason, clock.GetElapsedTime(started), clock.GetElapsedTime(abortedAt), polls) { AbortSeenAt = seenAt };
        }
    }
}
