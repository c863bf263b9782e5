using CiJobs.Core.Http;
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

    /// <summary>Retries after the first attempt, for the failures <see cref="RetryPolicy"/> retries; never on 4xx (but 408, 429) or 501.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>First retry delay; later ones grow exponentially (with jitter). A Retry-After header replaces it.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest Retry-After the client honours; an answer asking for more is final.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The one retry policy of every call, made of the settings above.</summary>
    public RetryPolicy RetryPolicy => new(MaxRetries, RetryDelay) { MaxRetryAfter = MaxRetryAfter };

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
