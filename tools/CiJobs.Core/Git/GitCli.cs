using CiJobs.Core.Platform;

namespace CiJobs.Core.Git;

/// <summary>
/// Failure of a git command: the one error <see cref="GitCli"/> throws. The message, <see cref="StandardError"/> and
/// <see cref="Arguments"/> carry no secret of the session (see docs/architecture.md, "Running git").
/// </summary>
public sealed class GitCommandException(string message, int gitExitCode, string standardError)
    : Exception(message)
{
    public int GitExitCode { get; } = gitExitCode;

    /// <summary>Git's standard error, redacted.</summary>
    public string StandardError { get; } = standardError;

    /// <summary>The command's arguments, redacted (the first is the git subcommand).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    public string WorkingDirectory { get; init; } = string.Empty;

    /// <summary>Git's standard error trimmed, or the exit code when git said nothing.</summary>
    public string Detail => DetailOf(StandardError, GitExitCode);

    internal static string DetailOf(string standardError, int exitCode) =>
        standardError.Trim() is { Length: > 0 } detail ? detail : $"exit {exitCode}";
}

/// <summary>
/// The only way the core runs the git command line (the operations libgit2 lacks, and every transfer). One
/// <see cref="GitSession"/> decides the environment of every command (identity, forge header, commit date, ssh key),
/// the secrets redacted from failures, and whether transient failures are retried. See docs/architecture.md, "Running git".
/// </summary>
public sealed class GitCli(IProcessRunner runner, GitSession session)
{
    public GitCli(IProcessRunner runner)
        : this(runner, GitSession.Quiet)
    {
    }

    /// <summary>The identity of commits the bots make (merge-request mirroring, the config bot).</summary>
    public const string BotName = "cijobs bot";

    public const string BotEmail = "cijobs-bot@localhost";

    public GitSession Session { get; } = session ?? throw new ArgumentNullException(nameof(session));

    /// <summary>The same runner with another session.</summary>
    public GitCli With(GitSession other) => new(runner, other);

    public async Task<string> RunAsync(string workingDirectory, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? standardInput = null)
    {
        var result = await RunUncheckedAsync(workingDirectory, arguments, cancellationToken, standardInput);
        return result.Succeeded ? result.StandardOutput : throw FailureOf(workingDirectory, arguments, result);
    }

    /// <summary>The error <see cref="RunAsync"/> throws for a failed git command, with this session's secrets redacted.</summary>
    public GitCommandException FailureOf(string workingDirectory, IReadOnlyList<string> arguments, ProcessResult result) =>
        Failure(workingDirectory, arguments, result, Session.Secrets());

    /// <summary>The error for a failed git command of a session without secrets.</summary>
    public static GitCommandException Failure(string workingDirectory, IReadOnlyList<string> arguments, ProcessResult result) =>
        Failure(workingDirectory, arguments, result, []);

    private static GitCommandException Failure(string workingDirectory, IReadOnlyList<string> arguments, ProcessResult result, IReadOnlyList<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(result);
        var redactedArguments = arguments.Select(a => Redact(a, secrets)).ToList();
        var standardError = Redact(result.StandardError, secrets);
        return new GitCommandException(
            $"git {string.Join(' ', redactedArguments)} failed in {workingDirectory}: {GitCommandException.DetailOf(standardError, result.ExitCode)}",
            result.ExitCode,
            standardError)
        {
            Arguments = redactedArguments,
            WorkingDirectory = workingDirectory,
        };
    }

    /// <summary>
    /// Runs git; a failure is returned, not thrown, with the session's secrets redacted from its output. Transient
    /// failures are retried when the session says so.
    /// </summary>
    public async Task<ProcessResult> RunUncheckedAsync(string workingDirectory, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? standardInput = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var secrets = Session.Secrets();
        if (arguments.Any(a => secrets.Any(s => a.Contains(s, StringComparison.Ordinal))))
        {
            // A secret goes to git through the environment only: the command line is visible to every local user.
            throw new ArgumentException("a git argument holds the session's authorization secret.", nameof(arguments));
        }

        var spec = new ProcessSpec("git", arguments)
        {
            WorkingDirectory = workingDirectory,
            Environment = Session.Environment(),
            StandardInput = standardInput,
        };
        var attempts = Math.Max(1, Session.Retry?.Attempts ?? 1);
        for (var attempt = 1; ; attempt++)
        {
            var result = await runner.RunAsync(spec, cancellationToken);
            if (result.Succeeded)
            {
                return result;
            }

            var redacted = result with
            {
                StandardOutput = Redact(result.StandardOutput, secrets),
                StandardError = Redact(result.StandardError, secrets),
            };
            if (attempt >= attempts || !GitRetry.IsTransient(redacted.StandardError))
            {
                return redacted;
            }

            await Task.Delay(Session.Retry!.Delay * attempt, cancellationToken);
        }
    }

    private static string Redact(string text, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }
}
