namespace CiJobs.Core;

/// <summary>
/// An expected failure a user can act on: bad input, a missing tool, a refused request.
/// The CLI prints <see cref="Exception.Message"/> as one sentence and exits with <see cref="ExitCode"/>.
/// Anything else that escapes a command is a bug and is reported with its stack trace.
/// </summary>
public class CiJobsException : Exception
{
    public CiJobsException(string message, int exitCode, Exception? innerException = null)
        : base(message, innerException)
    {
        if (exitCode is 0 or 1)
        {
            throw new ArgumentOutOfRangeException(nameof(exitCode), "0 is success and 1 is a usage error.");
        }

        ExitCode = exitCode;
    }

    public int ExitCode { get; }
}
