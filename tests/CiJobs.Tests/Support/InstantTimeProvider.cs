namespace CiJobs.Tests.Support;

/// <summary>
/// A clock whose timers fire at once and that records each wait asked of it: a retry pipeline given it waits
/// no time, and the test sees the waits it would have made. Not for pipelines with a timeout (it would fire at once too).
/// </summary>
public sealed class InstantTimeProvider(DateTimeOffset now) : TimeProvider
{
    private readonly List<TimeSpan> waits = [];

    public IReadOnlyList<TimeSpan> Waits
    {
        get
        {
            lock (waits)
            {
                return [.. waits];
            }
        }
    }

    public override DateTimeOffset GetUtcNow() => now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (waits)
        {
            waits.Add(dueTime);
        }

        return base.CreateTimer(callback, state, TimeSpan.Zero, period);
    }
}
