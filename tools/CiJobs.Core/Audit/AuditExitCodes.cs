namespace CiJobs.Core.Audit;

/// <summary>Exit codes of <c>cijobs audit</c> (docs/manual/audit.md, docs/exit-codes.md).</summary>
public static class AuditExitCodes
{
    /// <summary>The audit ran and found drift: the report lists it (the contract: a scheduled job's failure is the alert).</summary>
    public const int DriftFound = 2;

    /// <summary>Bad input: an option, a heads file that is not what docs/manual/audit.md describes.</summary>
    public const int InvalidInput = 140;

    /// <summary>A package's heads could not be read (git ls-remote failed, or the ref names nothing).</summary>
    public const int HeadsUnavailable = 141;

    /// <summary>--replay asked for work again and at least one request failed (the report says which).</summary>
    public const int ReplayFailed = 143;
}
