namespace CiJobs.Core.Dlrn;

/// <summary>Exit codes of the DLRN verbs (<c>publish dlrn</c>, <c>report</c>, <c>promote</c>); range 40-49.</summary>
public static class DlrnExitCodes
{
    /// <summary>The server refused the credentials (401) or the user lacks the role (403).</summary>
    public const int AuthenticationFailed = 40;

    /// <summary>The server rejected the request (another 4xx: bad input, unknown commit, wrong media type).</summary>
    public const int RequestRejected = 41;

    /// <summary>The server kept failing (5xx) after every retry.</summary>
    public const int ServerError = 42;

    /// <summary>The server could not be reached or did not answer in time, after every retry.</summary>
    public const int Unreachable = 43;

    /// <summary>The server answered 201 but skipped the import: it holds a commit of the package that is not older.</summary>
    public const int ImportSkipped = 44;

    /// <summary>Artifacts listed in commit.yaml are missing at the repo URL or on the central after the import.</summary>
    public const int ArtifactsMissing = 45;

    /// <summary>No password: neither DLRN_API_PASSWORD nor --password-file, or no user.</summary>
    public const int CredentialsMissing = 46;

    /// <summary>The build at the repo URL has no readable or valid commit.yaml.</summary>
    public const int BuildResultInvalid = 47;

    /// <summary>The server answered 201 but holds neither the commit nor a newer one of the package.</summary>
    public const int ImportNotRecorded = 48;

    /// <summary>Publish cannot verify an import (GraphQL unavailable and no other way applies); nothing was sent.</summary>
    public const int CannotVerify = 49;
}
