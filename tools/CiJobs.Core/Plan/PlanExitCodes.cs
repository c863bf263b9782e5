namespace CiJobs.Core.Plan;

/// <summary>Exit codes of <c>cijobs plan</c> (range 70-79, shared with <c>cijobs zuul-config</c>).</summary>
public static class PlanExitCodes
{
    /// <summary>The Zuul variables file or the flags do not describe a trigger (unreadable, not a mapping, no project or branch).</summary>
    public const int InvalidInput = 73;

    /// <summary>The triggering project is neither the rdoinfo repository nor the source or distgit of any package.</summary>
    public const int UnknownProject = 74;

    /// <summary>A checkout Zuul should have prepared (a <c>src_dir</c>, or the rdoinfo repository) is not on disk.</summary>
    public const int MissingCheckout = 75;

    /// <summary>A revision to compare (the change's parent, <c>oldrev</c>, <c>newrev</c>) is not in the rdoinfo checkout.</summary>
    public const int RevisionNotFound = 76;
}
