using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CiJobs.Tests.Git;

/// <summary>
/// A hostile git "server" on 127.0.0.1: it answers every smart-HTTP request with a git protocol error that repeats the
/// Authorization header it received and the token decoded from it, so git prints them on its standard error.
/// </summary>
internal sealed class EchoingGitServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task serving;

    public EchoingGitServer()
    {
        listener.Start();
        serving = ServeAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/project.git";

    public int Requests { get; private set; }

    private async Task ServeAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            using (client)
            {
                Requests++;
                var stream = client.GetStream();
                var request = new StringBuilder();
                var buffer = new byte[4096];
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer);
                    if (read == 0)
                    {
                        break;
                    }

                    request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                var authorization = request.ToString().Split("\r\n")
                    .FirstOrDefault(l => l.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase))?["Authorization:".Length..].Trim() ?? "none";
                var decoded = authorization.StartsWith("Basic ", StringComparison.Ordinal)
                    ? Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..]))
                    : "";
                var body = Pkt("# service=git-receive-pack\n") + "0000" + Pkt($"ERR you sent {authorization} = {decoded}, token {decoded[(decoded.IndexOf(':', StringComparison.Ordinal) + 1)..]}\n");
                var response = "HTTP/1.1 200 OK\r\nContent-Type: application/x-git-receive-pack-advertisement\r\nCache-Control: no-cache\r\n" +
                    $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
                await stream.WriteAsync(Encoding.UTF8.GetBytes(response));
            }
        }
    }

    private static string Pkt(string line) => (Encoding.UTF8.GetByteCount(line) + 4).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) + line;

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await serving;
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        stop.Dispose();
    }
}
