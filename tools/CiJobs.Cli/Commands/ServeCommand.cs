using System.CommandLine;
using System.Runtime.CompilerServices;
using CiJobs.Core;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs serve DIR</c>: serve a result directory on 127.0.0.1 until stopped.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var directory = new Argument<DirectoryInfo>("directory") { Description = "The result directory to serve (files by path, read-only)." };
        var port = new Option<int>("--port")
        {
            Description = "TCP port on 127.0.0.1, 0 to 65535; 0 picks a free one.",
            DefaultValueFactory = _ => 0,
        }.InRange(0, 65535);
        var command = new Command(
            "serve",
            "Serve a result directory over HTTP on 127.0.0.1 and print its URL on stdout (one line), until Ctrl-C or SIGTERM. " +
            "Hand <URL>repos/<h0h1>/<h2h3>/<hash>_<d8>/ to 'cijobs publish dlrn --repo-url'.");
        command.Arguments.Add(directory);
        command.Options.Add(port);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetValue(directory)!.FullName;
            if (!Directory.Exists(path))
            {
                throw new CiJobsException($"'{path}' is not a directory", ExitCodes.Io);
            }

            return await ServeAsync(path, parseResult.GetValue(port), cancellationToken);
        });
        return command;
    }

    // Separate method, not inlined: System.Net.HttpListener loads only when serve runs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Task<int> ServeAsync(string path, int port, CancellationToken cancellationToken) =>
        RunUntilCancelledAsync(() => Serving.ResultDirectoryServer.Start(path, port), server => server.Url, port, path, cancellationToken);

    /// <summary>Starts a server on 127.0.0.1, prints its URL on standard output (for a script) and what it serves on
    /// standard error, and runs until the token is cancelled (Ctrl-C, SIGTERM).</summary>
    internal static async Task<int> RunUntilCancelledAsync<TServer>(Func<TServer> start, Func<TServer, string> url, int port, string what, CancellationToken cancellationToken)
        where TServer : IAsyncDisposable
    {
        TServer server;
        try
        {
            server = start();
        }
        catch (IOException e)
        {
            throw new CiJobsException($"cannot listen on 127.0.0.1:{port}: {e.Message}", ExitCodes.Io, e);
        }

        await using (server)
        {
            await Console.Out.WriteLineAsync(url(server));
            await Console.Out.FlushAsync(cancellationToken);
            await Console.Error.WriteLineAsync($"cijobs: serving {what} at {url(server)} (Ctrl-C to stop)");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return ExitCodes.Success;
    }
}
