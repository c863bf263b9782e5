namespace CiJobs.Core.Yaml;

/// <summary>Something a reader noticed that is not an error, with the file and line it is about.</summary>
public sealed record YamlWarning(string File, long Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}

/// <summary>
/// The limits and the warning sink YAML readers use, for the current flow of execution. The command line
/// sets them once per command (from its options, with warnings going to stderr); library callers and tests
/// may set their own with <see cref="Use"/>. Readers on worker threads see the values of the flow that
/// started them. Without a scope the defaults apply and warnings are dropped.
/// </summary>
public static class YamlReadContext
{
    private static readonly AsyncLocal<Scope?> Current = new();

    public static YamlLimits Limits => Current.Value?.Limits ?? YamlLimits.Default;

    /// <summary>Sets limits and a warning sink until the returned scope is disposed (the previous ones come back).</summary>
    public static IDisposable Use(YamlLimits limits, Action<YamlWarning>? warn = null)
    {
        var previous = Current.Value;
        Current.Value = new Scope(limits, warn);
        return new Restore(previous);
    }

    /// <summary>Passes warnings to the sink, in the order given; the sink may be called from several threads.</summary>
    public static void Warn(IReadOnlyList<YamlWarning> warnings)
    {
        if (warnings.Count == 0 || Current.Value is not { Warn: { } sink } scope)
        {
            return;
        }

        // One file's warnings stay together even when files are read in parallel.
        lock (scope.Gate)
        {
            foreach (var warning in warnings)
            {
                sink(warning);
            }
        }
    }

    private sealed record Scope(YamlLimits Limits, Action<YamlWarning>? Warn)
    {
        public object Gate { get; } = new();
    }

    private sealed class Restore(Scope? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
