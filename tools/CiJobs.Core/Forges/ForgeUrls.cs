namespace CiJobs.Core.Forges;

/// <summary>Checks a forge server or API URL before a client is built on it (docs/security.md, "Credentials in URLs").</summary>
public static class ForgeUrls
{
    /// <summary>
    /// <paramref name="url"/> itself when it is an absolute http or https URL without credentials; otherwise a
    /// <see cref="CiJobsException"/> (<see cref="ExitCodes.CredentialsInUrl"/> for credentials,
    /// <see cref="ForgeExitCodes.InputInvalid"/> else) naming <paramref name="what"/>, never the URL.
    /// </summary>
    public static string Check(string url, string what)
    {
        UrlCredentials.EnsureNone(url, what);
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0
            ? url
            : throw new CiJobsException($"{what} is not an http or https URL", ForgeExitCodes.InputInvalid);
    }
}
