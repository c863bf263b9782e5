namespace CiJobs.Core.Lint;

/// <summary>What <c>cijobs lint</c> checks and how. <see cref="ShippedRpmlintConfig"/> is the configuration cijobs ships
/// (<see cref="LintConfigLocator"/>); <see cref="RpmlintConfig"/> an extra one given by the user, added to it.</summary>
public sealed record LintRequest(IReadOnlyList<string> ResultDirectories, string ShippedRpmlintConfig)
{
    public string? Distgit { get; init; }

    public string? RpmlintConfig { get; init; }

    public LintThresholds Thresholds { get; init; } = LintThresholds.Default;
}
