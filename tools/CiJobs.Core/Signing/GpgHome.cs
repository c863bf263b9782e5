using System.Globalization;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Signing;

/// <summary>
/// A throwaway GNUPGHOME: a private (0700) folder with a short path (gpg-agent's sockets live in it, and a socket path
/// has a limit of about 100 bytes), owned while this object lives (<see cref="OwnedDirectory"/>, so a killed run's
/// folder is cleaned by the next one). Disposing kills its gpg-agent (<c>gpgconf --kill all</c>) and deletes it.
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

    public async ValueTask DisposeAsync()
    {
        try
        {
            // No agent was started when this fails; the folder goes either way.
            await runner.RunAsync(Spec("gpgconf", ["--homedir", Path, "--kill", "all"]), CancellationToken.None);
        }
        catch (CiJobsException)
        {
        }
        finally
        {
            directory.Dispose();
        }
    }

    public static string Code(int exitCode) => exitCode.ToString(CultureInfo.InvariantCulture);
}
