using System.Text;
using CliWrap;

namespace CiJobs.Tests.Support;

public sealed record CliResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}

/// <summary>
/// Runs the real <c>cijobs</c> program as a separate process: <c>dotnet cijobs.dll</c> built next to the
/// tests, or, when <c>CIJOBS_TEST_CLI</c> names an executable (the Native AOT publish, see .ci/test),
/// that program.
/// </summary>
public static class CliRunner
{
    public static string CliDll { get; } = Path.Combine(AppContext.BaseDirectory, "cijobs.dll");

    /// <summary>The native cijobs executable under test, or null for <c>dotnet cijobs.dll</c>.</summary>
    public static string? NativeCli { get; } = Environment.GetEnvironmentVariable("CIJOBS_TEST_CLI") is { Length: > 0 } native
        ? (File.Exists(native) ? Path.GetFullPath(native) : throw new InvalidOperationException($"CIJOBS_TEST_CLI: {native} does not exist"))
        : null;

    /// <summary>The program to start.</summary>
    public static string Program => NativeCli ?? "dotnet";

    /// <summary>The arguments that come before cijobs' own.</summary>
    public static IReadOnlyList<string> ProgramArguments => NativeCli is null ? [CliDll] : [];

    /// <summary>The command as one shell word list (for scripts and CI variables).</summary>
    public static string CommandLine => NativeCli is null ? $"dotnet {CliDll}" : NativeCli;

    public static async Task<CliResult> RunAsync(
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? standardInput = null,
        CancellationToken cancellationToken = default)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var command = global::CliWrap.Cli.Wrap(Program)
            .WithArguments([.. ProgramArguments, .. arguments])
            .WithValidation(CommandResultValidation.None)
            .WithWorkingDirectory(workingDirectory ?? AppContext.BaseDirectory)
            .WithEnvironmentVariables(environment ?? new Dictionary<string, string?>())
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(stdout))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr));
        if (standardInput is not null)
        {
            command = command.WithStandardInputPipe(PipeSource.FromString(standardInput));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        var result = await command.ExecuteAsync(timeout.Token);
        return new CliResult(result.ExitCode, stdout.ToString(), stderr.ToString());
    }

    public static Task<CliResult> RunAsync(params string[] arguments) => RunAsync((IEnumerable<string>)arguments);
}
