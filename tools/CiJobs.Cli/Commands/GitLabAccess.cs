using CiJobs.Core;
using CiJobs.Core.Forges;
using CiJobs.Core.Forges.GitLab;
using CiJobs.Core.Forges.Mirroring;
using CiJobs.Core.Platform;

namespace CiJobs.Cli.Commands;

/// <summary>
/// One way for the commands to reach a GitLab server with the job's token: the token from
/// <c>CIJOBS_GITLAB_TOKEN</c> (or <c>CIJOBS_GITLAB_TOKEN_FILE</c>), the server URL checked to carry no credentials, and an
/// HTTP client on its API root with the forge retry policy (docs/security.md).
/// </summary>
internal sealed class GitLabAccess : IDisposable
{
    public const string TokenVariable = "CIJOBS_GITLAB_TOKEN";

    private GitLabAccess(HttpClient http, string token)
    {
        Http = http;
        Token = token;
        Client = new GitLabClient(http, token);
    }

    /// <summary>The HTTP client on the API root (<c>…/api/v4/</c>); it sends no token by itself.</summary>
    public HttpClient Http { get; }

    /// <summary>The API client, which sends the token as <c>PRIVATE-TOKEN</c>.</summary>
    public GitLabClient Client { get; }

    /// <summary>The token, for a caller that sends raw requests (never printed).</summary>
    public string Token { get; }

    /// <param name="serverUrl">The server URL as given.</param>
    /// <param name="urlSource">Where the URL came from (an option or a variable), for the error.</param>
    /// <param name="allowedTo">What the token must be allowed to do, for the error when it is missing.</param>
    /// <param name="missing">Turns the missing-token message into the caller's exception (default: ForgeExitCodes.TokenMissing).</param>
    public static GitLabAccess Open(
        IEnvironment environment,
        string serverUrl,
        string urlSource,
        string allowedTo,
        TimeSpan? timeout = null,
        Func<string, CiJobsException>? missing = null)
    {
        var token = ForgeTokens.Read(environment, TokenVariable)
            ?? throw (missing ?? (message => new CiJobsException(message, ForgeExitCodes.TokenMissing)))(
                $"no GitLab token: set {TokenVariable} (or {TokenVariable}_FILE), a token allowed to {allowedTo}");
        UrlCredentials.EnsureNone(serverUrl, urlSource);
        return new GitLabAccess(ForgeHttp.CreateClient(GitLabClient.ApiRoot(serverUrl), timeout: timeout), token);
    }

    public void Dispose() => Http.Dispose();
}
