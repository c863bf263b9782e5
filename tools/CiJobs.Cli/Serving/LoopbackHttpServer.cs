using System.Net;
using System.Net.Sockets;

namespace CiJobs.Cli.Serving;

/// <summary>
/// An <see cref="HttpListener"/> on 127.0.0.1 that hands each request to a responder and closes its response after: the
/// start (port 0 picks a free port), accept loop and stop shared by <see cref="ResultDirectoryServer"/> and
/// <see cref="TruthServer"/>. Its prefix names 127.0.0.1, so a request for another Host is not answered.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly HttpListener listener;
    private readonly Func<HttpListenerContext, CancellationToken, Task> respond;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;

    private LoopbackHttpServer(HttpListener listener, int port, Func<HttpListenerContext, CancellationToken, Task> respond)
    {
        this.listener = listener;
        this.respond = respond;
        Url = $"http://127.0.0.1:{port}/";
        loop = Task.Run(AcceptAsync);
    }

    /// <summary>For example <c>http://127.0.0.1:41234/</c>.</summary>
    public string Url { get; }

    /// <param name="respond">Answers one request; the token is cancelled when the server stops. The response is closed after it.</param>
    /// <exception cref="IOException">The port cannot be taken.</exception>
    public static LoopbackHttpServer Start(int port, Func<HttpListenerContext, CancellationToken, Task> respond)
    {
        // HttpListener cannot bind port 0 itself: ask the system for a free port, then take it (retry on a race).
        for (var attempt = 0; ; attempt++)
        {
            var chosen = port != 0 ? port : FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{chosen}/");
            try
            {
                listener.Start();
                return new LoopbackHttpServer(listener, chosen, respond);
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
        try
        {
            await respond(context, stopping.Token);
        }
        finally
        {
            try
            {
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
    }
}
