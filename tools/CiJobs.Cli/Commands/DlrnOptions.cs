using System.CommandLine;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Platform;

namespace CiJobs.Cli.Commands;

/// <summary>The options every DLRN verb shares: where the API is, who calls it, how patiently.</summary>
internal sealed class DlrnOptions
{
    public Option<string> ApiUrl { get; } = new("--api-url")
    {
        Description = "DLRN API base URL, e.g. https://trunk.rdoproject.org/api-centos9-master-uc (endpoints are below it at /api/...).",
        Required = true,
    };

    public Option<string?> User { get; } = new("--user")
    {
        Description = $"DLRN API user (HTTP Basic). Default: ${DlrnCredentials.UserVariable}.",
    };

    public Option<FileInfo?> PasswordFile { get; } = new("--password-file")
    {
        Description = $"File whose first line is the password. Default: ${DlrnCredentials.PasswordVariable}. Never give the password itself on the command line.",
    };

    public Option<int> Retries { get; } = new Option<int>("--retries")
    {
        Description = "Retries after connection errors, timeouts and 5xx answers (never after 4xx), 0 to 20.",
        DefaultValueFactory = _ => 3,
    }.InRange(0, 20);

    public Option<double> RetryDelay { get; } = new Option<double>("--retry-delay")
    {
        Description = "Seconds before the first retry, 0 to 300; later ones double (with jitter).",
        DefaultValueFactory = _ => 2.0,
    }.InRange(0.0, 300.0);

    public Option<double> Timeout { get; } = new Option<double>("--timeout")
    {
        Description = "Seconds to wait for one answer, 0.1 to 3600; the import is synchronous on the server, so publish waits up to 30 times longer for it.",
        DefaultValueFactory = _ => 60.0,
    }.InRange(0.1, 3600.0);

    public void AddTo(Command command)
    {
        command.Options.Add(ApiUrl);
        command.Options.Add(User);
        command.Options.Add(PasswordFile);
        command.Options.Add(Retries);
        command.Options.Add(RetryDelay);
        command.Options.Add(Timeout);
    }

    /// <summary>Options to a client: credentials from --user/--password-file or the environment, never from a command-line value.</summary>
    /// <param name="anonymous">Read only: no credentials are looked for (GETs and GraphQL go anonymously).</param>
    public async Task<DlrnClientOptions> ResolveAsync(ParseResult parseResult, CancellationToken cancellationToken, bool anonymous = false)
    {
        var apiUrl = DlrnClientOptions.ParseApiUrl(parseResult.GetValue(ApiUrl)!);
        var credentials = anonymous ? null : await DlrnCredentials.ResolveAsync(
            parseResult.GetValue(User), parseResult.GetValue(PasswordFile)?.FullName, SystemEnvironment.Instance, cancellationToken);
        // The ranges are checked when the command line is parsed (NumericOptions).
        var timeout = TimeSpan.FromSeconds(parseResult.GetValue(Timeout));
        return new DlrnClientOptions(apiUrl, credentials)
        {
            MaxRetries = parseResult.GetValue(Retries),
            RetryDelay = TimeSpan.FromSeconds(parseResult.GetValue(RetryDelay)),
            RequestTimeout = timeout,
            ImportTimeout = timeout * 30,
        };
    }

    /// <summary>One HttpClient for the process; the client's resilience pipeline owns the timeouts.</summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(30),
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };
}
