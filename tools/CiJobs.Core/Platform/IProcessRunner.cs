namespace CiJobs.Core.Platform;

/// <summary>What to run: a program, its arguments (never a shell string), and its surroundings.</summary>
public sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments)
{
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables to set (a null value removes the variable) on top of the current environment.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    public string? StandardInput { get; init; }

    /// <summary>Standard input read from this stream while it lasts (instead of <see cref="StandardInput"/>); a stream that
    /// blocks keeps the program's standard input open, and it closes when this process ends, kill -9 included.</summary>
    public Stream? StandardInputStream { get; init; }

    /// <summary>Called with each line of standard output and standard error as it arrives.</summary>
    public Action<string>? OnOutputLine { get; init; }

    public TimeSpan? Timeout { get; init; }

    /// <summary>Most characters kept of standard output and of standard error each (the rest is read and dropped, and
    /// <see cref="ProcessResult.Truncated"/> says so); null keeps everything.</summary>
    public int? MaxOutputChars { get; init; }
}

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError, TimeSpan Duration)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Standard output or standard error was longer than <see cref="ProcessSpec.MaxOutputChars"/> and was cut there.</summary>
    public bool Truncated { get; init; }
}

/// <summary>Runs external programs; the only way the core starts a process.</summary>
public interface IProcessRunner
{
    /// <summary>Runs to completion; a non-zero exit is a result, not an exception.
    /// Throws <see cref="CiJobsException"/> with <see cref="ExitCodes.ToolMissing"/> when the program does not exist.</summary>
    Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken);

    /// <summary>Whether the process with this id is still running (a zombie is not). A runner that starts no real
    /// processes has none running, which is the default.</summary>
    bool IsRunning(int processId) => false;
}
