namespace CiJobs.Core;

/// <summary>
/// Exit codes shared by every verb. Each capability owns a range and defines its own codes
/// in its folder (for example <c>Rdoinfo/RdoinfoExitCodes</c>); docs/exit-codes.md lists them all.
/// </summary>
/// <remarks>
/// Ranges: 10-19 rdoinfo, 20-39 build, 40-49 DLRN/publish, 50-59 source-git,
/// 60-69 forges and merge-request mirroring, 70-79 plan and Zuul configuration, 80-89 test repositories,
/// 90-99 lint, 100-109 install-test, 110-114 system test,
/// 115-119 release publish and build once, 120-124 signing, 125-129 mirror sync,
/// 131-134 build-dependency graph and partitions (130 is <see cref="Cancelled"/>), 135-139 truth store,
/// 140-144 audit (whose drift report exits 2, as its issue asks), 145-149 replay.
/// </remarks>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Usage = 1;
    public const int InternalError = 2;
    public const int ToolMissing = 3;
    public const int Io = 4;

    /// <summary>
    /// A URL carries credentials (<c>user:password@</c> or <c>token@</c>); refused everywhere a URL is taken
    /// (<see cref="UrlCredentials"/>). The code publish has always used for it (DLRN's 46); see docs/security.md.
    /// </summary>
    public const int CredentialsInUrl = 46;
    public const int Cancelled = 130;
}
