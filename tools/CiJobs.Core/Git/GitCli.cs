using CiJobs.Core.Platform;

namespace CiJobs.Core.Git;

/// <summary>Failure of a git command; carries git's own message.</summary>
public sealed class GitCommandException(string message, int gitExitCode, string standardError)
    : Exception(message)
{
    public int GitExitCode { get; } = gitExitCode;

    public string StandardError { get; } = standardError;
}

/// <summary>
/// The git command line, for the operations libgit2 lacks (archive, format-patch, patch-id, push
/// to refs/for). Read-only repository queries can use LibGit2Sharp directly.
/// </summary>
public sealed class GitCli(IProcessRunner runner)
{
    /// <summary>Variables that make git deterministic and independent of the user's config.</summary>
    private static readonly IReadOnlyDictionary<string, string?> QuietEnvironment = new Dictionary<string, string?>
    {
        ["GIT_TERMINAL_PROMPT"] = "0",
        ["GIT_CONFIG_NOSYSTEM"] = "1",
        ["LC_ALL"] = "C",
    };

    /// <summary>The identity of commits the bots make (merge-request mirroring, the config bot).</summary>
    public const string BotName = "cijobs bot";

    public const string BotEmail = "cijobs-bot@localhost";

    /// <summary>
    /// The environment of a bot's git command: deterministic, the bot's identity, and a forge token only as an
    /// <c>http.extraHeader</c> through <c>GIT_CONFIG_*</c> variables (never on a command line, never in a message).
    /// </summary>
    public static Dictionary<string, string?> BotEnvironment(string? authorizationHeader, string name = BotName, string email = BotEmail)
    {
        var environment = new Dictionary<string, string?>(QuietEnvironment)
        {
            ["GIT_AUTHOR_NAME"] = name,
            ["GIT_AUTHOR_EMAIL"] = email,
            ["GIT_COMMITTER_NAME"] = name,
            ["GIT_COMMITTER_EMAIL"] = email,
        };
        if (authorizationHeader is not null)
        {
            environment["GIT_CONFIG_COUNT"] = "1";
            environment["GIT_CONFIG_KEY_0"] = "http.extraHeader";
            environment["GIT_CONFIG_VALUE_0"] = authorizationHeader;
        }

        return environment;
    }

    public async Task<string> RunAsync(string workingDirectory, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? standardInput = null)
    {
        var result = await RunUncheckedAsync(workingDirectory, arguments, cancellationToken, standardInput);
        return result.Succeeded ? result.StandardOutput : throw Failure(workingDirectory, arguments, result);
    }

    /// <summary>The error <see cref="RunAsync"/> throws for a failed git command.</summary>
    public static GitCommandException Failure(string workingDirectory, IReadOnlyList<string> arguments, ProcessResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var detail = result.StandardError.Trim();
        return new GitCommandException(
            $"git {string.Join(' ', arguments)} failed in {workingDirectory}: {(detail.Length > 0 ? detail : $"exit {result.ExitCode}")}",
            result.ExitCode,
            result.StandardError);
    }

    public Task<ProcessResult> RunUncheckedAsync(string workingDirectory, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? standardInput = null) =>
        runner.RunAsync(
            new ProcessSpec("git", arguments)
            {
                WorkingDirectory = workingDirectory,
                Environment = QuietEnvironment,
                StandardInput = standardInput,
            },
            cancellationToken);
}
