namespace CiJobs.Core.ZuulConfig;

/// <summary>Exit codes of <c>cijobs zuul-config</c> (range 70-79, shared with <c>cijobs plan</c>).</summary>
public static class ZuulConfigExitCodes
{
    /// <summary>The configuration has problems (each printed as <c>file:line: message</c>).</summary>
    public const int Invalid = 70;

    /// <summary>The folder holds no Zuul configuration (no <c>zuul.d/</c>, <c>zuul.yaml</c>, <c>.zuul.yaml</c>, <c>.zuul.d/</c>, nor YAML files).</summary>
    public const int NoConfig = 71;

    /// <summary>The context file (names defined elsewhere in the tenant) cannot be read.</summary>
    public const int BadContext = 72;
}
