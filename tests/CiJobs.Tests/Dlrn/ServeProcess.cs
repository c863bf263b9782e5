using System.Diagnostics;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Dlrn;

/// <summary>The real <c>cijobs serve DIR --port 0</c> as a child process; stopped with SIGTERM on dispose.</summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process process;

    private ServeProcess(Process process, string url)
    {
        this.process = process;
        Url = url;
    }

    /// <summary>The URL the command printed, with a trailing slash.</summary>
    public string Url { get; }

    public int? ExitCode { get; private set; }

    public static async Task<ServeProcess> StartAsync(string directory)
    {
        var info = new ProcessStartInfo(CliRunner.Program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[.. CliRunner.ProgramArguments, "serve", directory, "--port", "0"])
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || !line.StartsWith("http://127.0.0.1:", StringComparison.Ordinal))
        {
            process.Kill();
            throw new InvalidOperationException($"cijobs serve printed '{line}' instead of its URL");
        }

        return new ServeProcess(process, line);
    }

    /// <summary>Sends SIGTERM and waits for the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (ExitCode is { } done)
        {
            return done;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        ExitCode = process.ExitCode;
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
    }
}
