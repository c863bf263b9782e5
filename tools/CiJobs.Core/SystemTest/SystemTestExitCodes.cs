namespace CiJobs.Core.SystemTest;

/// <summary>Exit codes of <c>cijobs systest</c> (range 110-119); docs/exit-codes.md lists them.</summary>
public static class SystemTestExitCodes
{
    /// <summary>The tenant's system-test command ran to its end and exited non-zero (its own code is in the message).</summary>
    public const int CommandFailed = 110;

    /// <summary>The system test was stopped because a job it depends on failed (the install test), as Fuel's flow aborts it.</summary>
    public const int Aborted = 111;

    /// <summary>A test-repository description (Zuul artifacts, a dotenv file, variables) is malformed, unsafe or too large.</summary>
    public const int InvalidRepositories = 112;

    /// <summary>The abort watch or the cancel request is misconfigured: a variable it needs is missing or malformed.</summary>
    public const int WatchMisconfigured = 113;

    /// <summary>The GitLab API refused or failed the pipeline cancel request.</summary>
    public const int CancelFailed = 114;
}
