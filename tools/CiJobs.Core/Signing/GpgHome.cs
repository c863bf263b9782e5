using System.Globalization;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Signing;

/// <summary>
/// A throwaway GNUPGHOME: a private (0700) folder with a short path (gpg-agent's sockets live in it, and a socket path
/// has a limit of about 100 bytes), owned while this object lives (<see cref="OwnedDirectory"/>, so a killed run's
/// folder is cleaned by the next one). Disposing kills its gpg-agent (<c>gpgconf --kill all</c>), waits until the agent has exited, and deletes it.
/// docs/manual/signing.md, "The throwaway GNUPGHOME".
/// </summary>
internal sealed class GpgHome : IAsyncDisposable
{
    public const string Prefix = "cijobs-gpg-";

    /// <summary>Longest temp folder used as the parent; a longer TMPDIR is passed over for /tmp.</summary>
    public const int MaxParentLength = 40;

    private readonly OwnedDirectory directory;
    private readonly IProcessRunner runner;

    private GpgHome(OwnedDirectory directory, IProcessRunner runner)
    {
        this.directory = directory;
        this.runner = runner;
    }

    public string Path => directory.Path;

    /// <summary>What every gpg child gets: this home, the C locale (messages are parsed), no terminal.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["GNUPGHOME"] = Path,
        ["LC_ALL"] = "C",
        ["LANGUAGE"] = null,
        ["GPG_TTY"] = null,
        ["GPG_AGENT_INFO"] = null,
        ["DISPLAY"] = null,
    };

    public static string Parent(IEnvironment environment)
    {
        var tmp = environment.GetVariable("TMPDIR")?.TrimEnd('/');
        // Also passed to rpm as a macro value: only characters that neither rpm (%, white space) nor a socket path mind.
        return tmp is { Length: > 0 and <= MaxParentLength } && tmp.StartsWith('/') && tmp.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-')
            && Directory.Exists(tmp) ? tmp : "/tmp";
    }

    public static GpgHome Create(IProcessRunner runner, IEnvironment environment, string? agentConfiguration)
    {
        var parent = Parent(environment);
        OwnedDirectory directory;
        try
        {
            OwnedDirectory.CleanStale(parent, Prefix);
            directory = OwnedDirectory.Create(parent, Prefix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot make a throwaway gpg home in {parent}: {e.Message}", SigningExitCodes.SigningFailed, e);
        }

        try
        {
            File.SetUnixFileMode(directory.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (agentConfiguration is not null)
            {
                File.WriteAllText(System.IO.Path.Combine(directory.Path, "gpg-agent.conf"), agentConfiguration);
            }

            return new GpgHome(directory, runner);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            directory.Dispose();
            throw new CiJobsException($"cannot make a throwaway gpg home in {parent}: {e.Message}", SigningExitCodes.SigningFailed, e);
        }
    }

    public ProcessSpec Spec(string program, IReadOnlyList<string> arguments, string? standardInput = null) =>
        new(program, arguments)
        {
            Environment = Environment,
            StandardInput = standardInput,
            Timeout = TimeSpan.FromMinutes(10),
            MaxOutputChars = 1 << 20,
        };

    /// <summary>Most polls, 20 ms apart, for the agent to exit after it was told to: 5 s.</summary>
    public const int MaxAgentExitPolls = 250;

    public async ValueTask DisposeAsync()
    {
        try
        {
            // gpgconf --kill only asks the agent to exit; it may still run for a moment, with its --homedir on its
            // command line. Its process id is asked first (no agent: nothing to wait for), and the folder goes once
            // the agent is gone, or after MaxAgentExitPolls.
            var agent = await AgentProcessIdAsync();
            await runner.RunAsync(Spec("gpgconf", ["--homedir", Path, "--kill", "all"]), CancellationToken.None);
            for (var poll = 0; agent is { } pid && poll < MaxAgentExitPolls && runner.IsRunning(pid); poll++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20));
            }
        }
        catch (CiJobsException)
        {
            // No gpg tools: no agent was started; the folder goes either way.
        }
        finally
        {
            directory.Dispose();
        }
    }

    /// <summary>The process id of this home's running gpg-agent (<c>getinfo pid</c>, answered as <c>D PID</c>), or null
    /// when none runs; <c>--no-autostart</c> keeps the question from starting one.</summary>
    private async Task<int?> AgentProcessIdAsync()
    {
        var result = await runner.RunAsync(
            Spec("gpg-connect-agent", ["--homedir", Path, "--no-autostart", "getinfo pid", "/bye"]) with { Timeout = TimeSpan.FromSeconds(30) },
            CancellationToken.None);
        if (!result.Succeeded)
        {
            return null;
        }

        foreach (var line in result.StandardOutput.Split('\n'))
        {
            if (line.StartsWith("D ", StringComparison.Ordinal)
                && int.TryParse(line.AsSpan(2).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0)
            {
                return pid;
            }
        }

        return null;
    }

    public static string Code(int exitCode) => exitCode.ToString(CultureInfo.InvariantCulture);
}
