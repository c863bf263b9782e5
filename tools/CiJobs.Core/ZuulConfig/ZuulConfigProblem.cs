namespace CiJobs.Core.ZuulConfig;

/// <summary>Whether Zuul refuses the configuration (an error) or loads it (a warning: Zuul warns, ignores it, or refuses it only when a change is queued).</summary>
public enum ZuulSeverity
{
    Error,
    Warning,
}

/// <summary>One thing found at a file (relative to the checked folder) and a 1-based line.</summary>
public sealed record ZuulConfigProblem(string File, long Line, string Message, ZuulSeverity Severity = ZuulSeverity.Error)
{
    public bool IsError => Severity == ZuulSeverity.Error;

    /// <summary>One line of output; control characters of hostile names are escaped (<see cref="ZuulYaml.Shown"/>).</summary>
    public override string ToString() => IsError
        ? $"{ZuulYaml.Shown(File)}:{Line}: {ZuulYaml.Shown(Message)}"
        : $"{ZuulYaml.Shown(File)}:{Line}: warning: {ZuulYaml.Shown(Message)}";
}

/// <summary>What a check found: the files read, the stanzas per kind, and the problems (errors and warnings) in file and line order.</summary>
public sealed record ZuulConfigCheckResult(
    IReadOnlyList<string> Files,
    IReadOnlyDictionary<string, int> StanzaCounts,
    IReadOnlyList<ZuulConfigProblem> Problems)
{
    public IReadOnlyList<ZuulConfigProblem> Errors => [.. Problems.Where(p => p.IsError)];

    public IReadOnlyList<ZuulConfigProblem> Warnings => [.. Problems.Where(p => !p.IsError)];

    /// <summary>No errors (warnings do not make the configuration invalid: Zuul loads it).</summary>
    public bool IsValid => Problems.All(p => !p.IsError);
}
