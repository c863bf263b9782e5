using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using CliWrap;

namespace CiJobs.Core.Platform;

/// <summary>The real <see cref="IProcessRunner"/>, on CliWrap.</summary>
public sealed class CliWrapProcessRunner : IProcessRunner
{
    public async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var onLine = spec.OnOutputLine;
        var command = CliWrap.Cli.Wrap(spec.FileName)
            .WithArguments(spec.Arguments)
            .WithValidation(CommandResultValidation.None)
            .WithEnvironmentVariables(spec.Environment)
            .WithStandardOutputPipe(onLine is null
                ? PipeTarget.ToStringBuilder(stdout)
                : PipeTarget.Merge(PipeTarget.ToStringBuilder(stdout), PipeTarget.ToDelegate(onLine)))
            .WithStandardErrorPipe(onLine is null
                ? PipeTarget.ToStringBuilder(stderr)
                : PipeTarget.Merge(PipeTarget.ToStringBuilder(stderr), PipeTarget.ToDelegate(onLine)));
        if (spec.WorkingDirectory is not null)
        {
            command = command.WithWorkingDirectory(spec.WorkingDirectory);
        }

        if (spec.StandardInput is not null)
        {
            command = command.WithStandardInputPipe(PipeSource.FromString(spec.StandardInput));
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
            return new ProcessResult(result.ExitCode, stdout.ToString(), stderr.ToString(), clock.Elapsed);
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
}
