using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using CliWrap;

namespace CiJobs.Core.Platform;

/// <summary>The real <see cref="IProcessRunner"/>, on CliWrap.</summary>
public sealed class CliWrapProcessRunner : IProcessRunner
{
    /// <summary>Reads the state letter of /proc/PID/stat (after the command name, which may hold spaces and brackets):
    /// no such file, Z (zombie) or X (dead) is not running.</summary>
    public bool IsRunning(int processId)
    {
        if (processId <= 0)
        {
            return false;
        }

        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{processId}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        var end = stat.LastIndexOf(')');
        return end >= 0 && end + 2 < stat.Length && stat[end + 2] is not ('Z' or 'X');
    }

    public async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var stdout = new BoundedText(spec.MaxOutputChars);
        var stderr = new BoundedText(spec.MaxOutputChars);
        var onLine = spec.OnOutputLine;
        var command = CliWrap.Cli.Wrap(spec.FileName)
            .WithArguments(spec.Arguments)
            .WithValidation(CommandResultValidation.None)
            .WithEnvironmentVariables(spec.Environment)
            .WithStandardOutputPipe(onLine is null
                ? stdout.Target
                : PipeTarget.Merge(stdout.Target, PipeTarget.ToDelegate(onLine)))
            .WithStandardErrorPipe(onLine is null
                ? stderr.Target
                : PipeTarget.Merge(stderr.Target, PipeTarget.ToDelegate(onLine)));
        if (spec.WorkingDirectory is not null)
        {
            command = command.WithWorkingDirectory(spec.WorkingDirectory);
        }

        if (spec.StandardInput is not null)
        {
            command = command.WithStandardInputPipe(PipeSource.FromString(spec.StandardInput));
        }
        else if (spec.StandardInputStream is not null)
        {
            command = command.WithStandardInputPipe(PipeSource.FromStream(spec.StandardInputStream));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (spec.Timeout is { } limit)
        {
            timeout.CancelAfter(limit);
        }

        var clock = Stopwatch.StartNew();
        try
        {
            var result = await command.ExecuteAsync(timeout.Token);
            return new ProcessResult(result.ExitCode, stdout.ToString(), stderr.ToString(), clock.Elapsed)
            {
                Truncated = stdout.Truncated || stderr.Truncated,
            };
        }
        catch (Win32Exception e)
        {
            throw new CiJobsException($"cannot run '{spec.FileName}': {e.Message} (is it installed?)", ExitCodes.ToolMissing, e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CiJobsException($"'{spec.FileName}' did not finish within {spec.Timeout}", ExitCodes.InternalError);
        }
    }

    /// <summary>The text of one stream, kept up to a number of characters; what comes after is read and dropped, so the
    /// program never blocks on a full pipe.</summary>
    private sealed class BoundedText(int? limit)
    {
        private readonly StringBuilder text = new();

        public bool Truncated { get; private set; }

        public PipeTarget Target => PipeTarget.Create(async (stream, cancellationToken) =>
        {
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, 1 << 16, leaveOpen: true);
            var buffer = new char[1 << 16];
            int read;
            while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
            {
                var room = limit is { } max ? Math.Max(0, max - text.Length) : read;
                text.Append(buffer, 0, Math.Min(room, read));
                Truncated |= room < read;
            }
        });

        public override string ToString() => text.ToString();
    }
}
