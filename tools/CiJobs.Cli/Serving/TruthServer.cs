using System.Net;
using CiJobs.Core.Truth;

namespace CiJobs.Cli.Serving;

/// <summary>
/// The truth store's HTTP server on 127.0.0.1 (docs/manual/truth.md, "HTTP API and page"): GET and HEAD only; / and
/// /truth.js are the page (embedded in cijobs, nothing fetched from elsewhere), /api/... the JSON queries of
/// <see cref="TruthApi"/>. Built on <see cref="LoopbackHttpServer"/> like <see cref="ResultDirectoryServer"/>; its prefix
/// names 127.0.0.1, so a request for another Host (DNS rebinding) is not answered.
/// </summary>
internal sealed class TruthServer : IAsyncDisposable
{
    /// <summary>The page may run its own script and call this server, nothing else.</summary>
    private const string ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly Dictionary<string, (string Resource, string ContentType)> Assets = new(StringComparer.Ordinal)
    {
        ["/"] = ("truth.html", "text/html; charset=utf-8"),
        ["/truth.js"] = ("truth.js", "text/javascript; charset=utf-8"),
        ["/truth.css"] = ("truth.css", "text/css; charset=utf-8"),
    };

    private readonly TruthApi api;
    private readonly LoopbackHttpServer http;

    private TruthServer(TruthApi api, int port)
    {
        this.api = api;
        http = LoopbackHttpServer.Start(port, RespondAsync);
    }

    public string Url => http.Url;

    /// <exception cref="IOException">The port cannot be taken.</exception>
    public static TruthServer Start(TruthApi api, int port) => new(api, port);

    /// <summary>An embedded page file, or null.</summary>
    internal static byte[]? Asset(string name)
    {
        using var stream = typeof(TruthServer).Assembly.GetManifestResourceStream($"CiJobs.Cli.Serving.{name}");
        if (stream is null)
        {
            return null;
        }

        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    public ValueTask DisposeAsync() => http.DisposeAsync();

    private async Task RespondAsync(HttpListenerContext context, CancellationToken stopping)
    {
        var response = context.Response;
        try
        {
            var method = context.Request.HttpMethod;
            var path = context.Request.Url?.AbsolutePath ?? "/";
            TruthApiResponse answer;
            if (method is not ("GET" or "HEAD"))
            {
                answer = TruthApi.Error(405, "the API is read-only: GET or HEAD");
            }
            else if (Assets.TryGetValue(path, out var asset))
            {
                answer = Asset(asset.Resource) is { } bytes ? new TruthApiResponse(200, asset.ContentType, bytes) : TruthApi.Error(500, "the page is missing from this cijobs");
            }
            else
            {
                answer = await api.HandleAsync(path, context.Request.Url?.Query ?? "", stopping);
            }

            response.StatusCode = answer.Status;
            response.ContentType = answer.ContentType;
            response.ContentLength64 = answer.Body.Length;
            response.AddHeader("Content-Security-Policy", ContentSecurityPolicy);
            response.AddHeader("X-Content-Type-Options", "nosniff");
            response.AddHeader("Cache-Control", "no-store");
            if (method != "HEAD")
            {
                await response.OutputStream.WriteAsync(answer.Body, stopping);
            }
        }
        catch (Exception e) when (e is IOException or HttpListenerException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the server stops: nothing to answer.
        }
        catch (Exception e) when (e is CiJobs.Core.CiJobsException or ArgumentException or InvalidOperationException or FormatException)
        {
            // A bug, not a bad request: the client still gets an answer.
            TryError(response, 500, e is CiJobs.Core.CiJobsException ? e.Message : "internal error");
        }
    }

    private static void TryError(HttpListenerResponse response, int status, string message)
    {
        try
        {
            var body = TruthApi.Error(status, message).Body;
            response.StatusCode = status;
            response.ContentType = TruthApi.JsonType;
            response.ContentLength64 = body.Length;
            response.OutputStream.Write(body);
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
        {
        }
    }
}
