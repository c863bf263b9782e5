namespace CiJobs.Core.InstallTest;

/// <summary>One step of one test: <c>install</c>, <c>smoke</c> or <c>remove</c>; status <c>passed</c>, <c>failed</c> or <c>skipped</c>.</summary>
public sealed record InstallTestStep(string Name, string Status, double DurationSeconds, string? Detail, IReadOnlyList<string> OutputTail);

/// <summary>One package tested alone, or (<see cref="Name"/> <c>all</c>) every package together.</summary>
public sealed record InstallTestPackageResult(
    string Name,
    IReadOnlyList<string> Packages,
    string Status,
    double DurationSeconds,
    IReadOnlyList<InstallTestStep> Steps,
    IReadOnlyList<string> Warnings);

/// <summary>The whole run; <see cref="Failure"/> is the error line (without <c>cijobs: error: </c>) when a test failed.</summary>
public sealed record InstallTestResult(
    string Kind,
    string Target,
    string Repo,
    string Status,
    int ExitCode,
    string? Failure,
    double DurationSeconds,
    IReadOnlyList<InstallTestPackageResult> Packages,
    InstallTestPackageResult? Together);

public static class InstallTestStatus
{
    public const string Passed = "passed";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}
