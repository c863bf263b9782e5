namespace CiJobs.Core.Dlrn;

/// <summary>Where the DLRN API is and how patiently to talk to it.</summary>
/// <param name="ApiUrl">The API base, for example <c>https://trunk.rdoproject.org/api-centos9-master-uc</c>; endpoints sit below it at <c>/api/...</c>.</param>
/// <param name="Credentials">Needed for every POST; GETs are sent anonymously.</param>
public sealed record DlrnClientOptions(Uri ApiUrl, DlrnCredentials? Credentials)
{
    /// <summary>Per attempt, for every call but the import.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Per attempt for the import, which is synchronous on the server (downloads, createrepo, reports).</summary>
    public TimeSpan ImportTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Retries after the first attempt, on connection errors, timeouts and 5xx answers; never on 4xx.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>First retry delay; later ones grow exponentially (with jitter).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Checks the URL: http or https, no user info (credentials never go in a URL).</summary>
    public static Uri ParseApiUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CiJobsException($"the DLRN API URL must be an http or https URL", DlrnExitCodes.RequestRejected);
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new CiJobsException("the DLRN API URL must not carry credentials; use --user and DLRN_API_PASSWORD or --password-file", DlrnExitCodes.CredentialsMissing);
        }

        return uri;
    }
}
