namespace CiJobs.Core.Forges;

/// <summary>Exit codes of the forge clients and <c>cijobs mr</c> (range 60-69).</summary>
public static class ForgeExitCodes
{
    /// <summary>The merge request to work on could not be determined (missing flags, variables or payload fields).</summary>
    public const int InputInvalid = 60;

    /// <summary>The forge refused the token (401 or 403).</summary>
    public const int Unauthorized = 61;

    /// <summary>A project, merge request or commit does not exist (404).</summary>
    public const int NotFound = 62;

    /// <summary>The forge reported a conflict that re-reading could not resolve (409, 422).</summary>
    public const int Conflict = 63;

    /// <summary>Any other refused or failed request (4xx, 5xx after retries, network failure).</summary>
    public const int RequestFailed = 64;

    /// <summary>Cloning, fetching or pushing a repository failed.</summary>
    public const int GitTransferFailed = 65;

    /// <summary>The operation does not exist on this forge (for example retrigger on GitHub).</summary>
    public const int NotSupported = 66;

    /// <summary>The dist-git project has no branch named like the source-git merge request's target branch.</summary>
    public const int DistGitBranchMissing = 67;

    /// <summary>Converting between source-git and dist-git failed.</summary>
    public const int ConversionFailed = 68;

    /// <summary>No token in the environment (or token file) for a forge that needs one.</summary>
    public const int TokenMissing = 69;
}
