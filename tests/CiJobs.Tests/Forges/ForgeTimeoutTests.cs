using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CiJobs.Core;
using CiJobs.Core.Forges;
using CiJobs.Core.Forges.GitHub;
using CiJobs.Core.Forges.GitLab;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Forges;

/// <summary>A forge that never answers (docs/security.md, "Forge timeouts"): the forge's error code, the host and the timeout; never "cancelled", never the token.</summary>
public sealed class ForgeTimeoutTests : IAsyncLifetime
{
    private const string Token = "glpat-Silent-Forge-Token-41";
    private SilentServer silent = null!;
    private SilentServer stalling = null!;

    public Task InitializeAsync()
    {
        silent = new SilentServer(null);
        stalling = new SilentServer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"username\":");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await silent.DisposeAsync();
        await stalling.DisposeAsync();
    }

    [Fact]
    public async Task GitLab_without_an_answer_fails_with_the_forge_error_code_naming_host_and_timeout()
    {
        var client = new GitLabClient(ForgeHttp.CreateClient(GitLabClient.ApiRoot(silent.Url), timeout: TimeSpan.FromSeconds(0.5)), Token);
        var clock = Stopwatch.StartNew();

        var error = (await client.Invoking(c => c.GetCurrentUserAsync(CancellationToken.None)).Should().ThrowAsync<ForgeApiException>()).Which;

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
        error.ExitCode.Should().Be(ForgeExitCodes.RequestFailed);
        error.Message.Should().Contain($"127.0.0.1:{silent.Port}").And.Contain("0.5 s").And.NotContain(Token);
    }

    [Fact]
    public async Task An_answer_whose_body_never_ends_is_a_timeout_too()
    {
        var client = new GitLabClient(ForgeHttp.CreateClient(GitLabClient.ApiRoot(stalling.Url), timeout: TimeSpan.FromSeconds(0.5)), Token);

        var error = (await client.Invoking(c => c.GetCurrentUserAsync(CancellationToken.None)).Should().ThrowAsync<ForgeApiException>()).Which;

        error.ExitCode.Should().Be(ForgeExitCodes.RequestFailed);
        error.Message.Should().Contain($"127.0.0.1:{stalling.Port}").And.Contain("did not answer within 0.5 s");
    }

    [Fact]
    public async Task GitHub_without_an_answer_fails_the_same_way()
    {
        var forge = GitHubForge.Create(silent.Url + "/api/v3/", Token, timeout: TimeSpan.FromSeconds(0.5));

        var error = (await forge.Invoking(f => f.GetCurrentUserAsync(CancellationToken.None)).Should().ThrowAsync<ForgeApiException>()).Which;

        error.ExitCode.Should().Be(ForgeExitCodes.RequestFailed);
        error.Message.Should().Contain($"127.0.0.1:{silent.Port}").And.Contain("0.5 s").And.NotContain(Token);
    }

    [Fact]
    public async Task A_cancellation_by_the_caller_stays_a_cancellation()
    {
        var client = new GitLabClient(ForgeHttp.CreateClient(GitLabClient.ApiRoot(silent.Url), timeout: TimeSpan.FromSeconds(30)), Token);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(0.3));

        await client.Invoking(c => c.GetCurrentUserAsync(cancel.Token)).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    [Trait("Runs", "cijobs")]
    public async Task Mr_sync_against_a_silent_forge_exits_64_with_host_and_timeout_not_130()
    {
        var result = await CliRunner.RunAsync(
            ["mr", "sync", "--server-url", silent.Url, "--source-git-project", "src/hello", "--dist-git-project", "rpms/hello", "--mr", "1", "--timeout", "1"],
            environment: new Dictionary<string, string?> { ["CIJOBS_SOURCE_GIT_TOKEN"] = Token });

        result.ExitCode.Should().Be(ForgeExitCodes.RequestFailed, result.ToString());
        result.StandardError.Should().Contain($"127.0.0.1:{silent.Port} did not answer within 1 s").And.NotContain("cancelled");
        (result.StandardOutput + result.StandardError).Should().NotContain(Token);
    }

    /// <summary>Accepts connections on 127.0.0.1 and never finishes an answer (optionally after sending its beginning).</summary>
    private sealed class SilentServer : IAsyncDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource stop = new();
        private readonly List<TcpClient> clients = [];
        private readonly Task loop;

        public SilentServer(string? beginning)
        {
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            loop = Task.Run(async () =>
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

                    lock (clients)
                    {
                        clients.Add(client);
                    }

                    if (beginning is not null)
                    {
                        _ = client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(beginning), stop.Token).AsTask();
                    }
                }
            });
        }

        public int Port { get; }

        public string Url => $"http://127.0.0.1:{Port}";

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            listener.Stop();
            await loop;
            lock (clients)
            {
                clients.ForEach(c => c.Dispose());
            }

            stop.Dispose();
        }
    }
}
