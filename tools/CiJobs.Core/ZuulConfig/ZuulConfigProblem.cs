namespace CiJobs.Core.ZuulConfig;

/// <summary>One thing Zuul would reject, at a file (relative to the checked folder) and a 1-based line.</summary>
public sealed record ZuulConfigProblem(string File, long Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}

/// <summary>What a check found: the files read, the stanzas per kind, and the problems in file and line order.</summary>
public sealed record ZuulConfigCheckResult(
    IReadOnlyList<string> Files,
    IReadOnlyDictionary<string, int> StanzaCounts,
    IReadOnlyList<ZuulConfigProblem> Problems)
{
    public bool IsValid => Problems.Count == 0;
}
