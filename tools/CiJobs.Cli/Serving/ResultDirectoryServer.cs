using System.Net;
using System.Net.Sockets;

namespace CiJobs.Cli.Serving;

/// <summary>
/// Serves a result directory read-only over HTTP on 127.0.0.1 (GET and HEAD of files by path, no listing),
/// so a local or test flow can hand a repo URL to the DLRN remote import. Built on
/// <see cref="HttpListener"/>, which is part of the base framework: <c>cijobs</c> needs no web framework at
/// start-up, and this class's assembly loads only when <c>serve</c> runs.
/// </summary>
internal sealed class ResultDirectoryServer : IAsyncDisposable
{
    private readonly HttpListener listener;
    private readonly string root;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;

    private ResultDirectoryServer(HttpListener listener, string root, int port)
    {
        this.listener = listener;
        this.root = root;
        Url = $"http://127.0.0.1:{port}/";
        loop = Task.Run(AcceptAsync);
    }

    /// <summary>For example <c>http://127.0.0.1:41234/</c>.</summary>
    public string Url { get; }

    public static ResultDirectoryServer Start(string directory, int port)
    {
        var root = Path.GetFullPath(directory);
        // HttpListener cannot bind port 0 itself: ask the system for a free port, then take it (retry on a race).
        for (var attempt = 0; ; attempt++)
        {
            var chosen = port != 0 ? port : FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{chosen}/");
            try
            {
                listener.Start();
                return new ResultDirectoryServer(listener, root, chosen);
            }
            catch (HttpListenerException) when (port == 0 && attempt < 5)
            {
                listener.Close();
            }
            catch (HttpListenerException e)
            {
                listener.Close();
                throw new IOException(e.Message, e);
            }
        }
    }

    /// <summary>Runs until the token is cancelled (Ctrl-C, SIGTERM).</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Close();
        try
        {
            await loop;
        }
        catch (ObjectDisposedException)
        {
        }

        stopping.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => RespondAsync(context));
        }
    }

    private async Task RespondAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var method = context.Request.HttpMethod;
            var relative = Uri.UnescapeDataString(context.Request.Url?.AbsolutePath ?? "/").TrimStart('/');
            var full = Path.GetFullPath(Path.Combine(root, relative));
            if (method is not ("GET" or "HEAD"))
            {
                response.StatusCode = 405;
            }
            else if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(full))
            {
                response.StatusCode = 404;
            }
            else
            {
                await using var file = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                response.StatusCode = 200;
                // Served raw, as on disk: DLRN fetches files by exact name, uncompressed.
                response.ContentType = ContentType(full);
                response.ContentLength64 = file.Length;
                if (method == "GET")
                {
                    await file.CopyToAsync(response.OutputStream, stopping.Token);
                }
            }
        }
        catch (Exception e) when (e is IOException or HttpListenerException or UnauthorizedAccessException or OperationCanceledException)
        {
            // The client went away or the file vanished: nothing to answer.
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
    }

    private static string ContentType(string path) => Path.GetExtension(path) switch
    {
        ".log" or ".yaml" or ".csv" or ".repo" or ".txt" or ".md5" => "text/plain",
        ".html" => "text/html",
        ".xml" => "application/xml",
        _ => "application/octet-stream",
    };
}
