namespace CiJobs.Core.ZuulConfig.Bot;

/// <summary>
/// Exit codes of <c>cijobs zuul-config generate|diff|propose</c> (the 70-79 range is shared with
/// <c>zuul-config check</c> (70-72) and <c>plan</c> (73-76)).
/// </summary>
public static class ConfigBotExitCodes
{
    /// <summary>The config repository cannot take the generated files: not a folder, or a bot-owned path holds a hand-written file.</summary>
    public const int ConfigRepoInvalid = 77;

    /// <summary>The review system refused the proposal (push to Gerrit rejected, or a git step of the proposal failed).</summary>
    public const int ProposalFailed = 78;

    /// <summary>The inputs are incomplete or malformed: no token, no forge project, a bad --connection, a revision without --rdoinfo-repo.</summary>
    public const int InputInvalid = 79;
}
