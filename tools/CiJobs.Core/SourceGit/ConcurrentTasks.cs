namespace CiJobs.Core.SourceGit;

/// <summary>
/// Tasks an operation runs side by side, under one <see cref="CancellationTokenSource"/> linked to the caller's token.
/// </summary>
/// <remarks>
/// The rule for failures (docs/manual/source-git.md, "Errors of concurrent steps"): the operation awaits the results
/// in a fixed order, the order a user needs the errors in (for update-dist-git: dirty work tree, sync state,
/// upstream_ref, patches, spec and files_to_sync), and the first failure met in that order is thrown as is, so its
/// exit code is the step's own. When several steps fail, the reported one is therefore always the first in that
/// order, never merely the fastest. Leaving the scope, by a result or by that exception, cancels what still runs and
/// awaits every task (<see cref="DisposeAsync"/>): no git process and no file write outlives the operation. A failure
/// of a task whose result the operation no longer needed (a step earlier in the order already decided the outcome)
/// is superseded by that outcome; it is mostly the cancellation itself.
/// </remarks>
internal sealed class ConcurrentTasks : IAsyncDisposable
{
    private readonly CancellationTokenSource cancellation;
    private readonly List<Task> started = [];

    public ConcurrentTasks(CancellationToken cancellationToken)
    {
        cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>Cancelled when the operation leaves the scope, or when the caller cancels.</summary>
    public CancellationToken Token => cancellation.Token;

    /// <summary>Starts a task with the scope's token and keeps it, to be awaited on leaving.</summary>
    public Task<T> Start<T>(Func<CancellationToken, Task<T>> start)
    {
        ArgumentNullException.ThrowIfNull(start);
        var task = start(cancellation.Token);
        started.Add(task);
        return task;
    }

    /// <summary>
    /// Keeps a task that must not be killed half-way (it was started with the caller's token, not <see cref="Token"/>):
    /// <c>git status</c> rewrites the index when it refreshes it, and a killed one leaves <c>index.lock</c> behind, which
    /// would block the user's next git command. Leaving the scope waits for it to end.
    /// </summary>
    public Task KeepUncancelled(Task task)
    {
        started.Add(task);
        return task;
    }

    public async ValueTask DisposeAsync()
    {
        await cancellation.CancelAsync();

        // Waits for every task; their outcomes were looked at, in order, by the operation (see the remarks).
        await Task.WhenAll(started).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellation.Dispose();
    }
}
