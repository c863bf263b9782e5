using CiJobs.Core.Platform;

namespace CiJobs.Core.Builds;

/// <summary>An append-only log file (rpmbuild.log) written line by line as the build goes.</summary>
public sealed class BuildLog : IAsyncDisposable
{
    private readonly StreamWriter writer;
    private readonly Lock gate = new();

    public BuildLog(string path)
    {
        Path = path;
        writer = new StreamWriter(path, append: true) { AutoFlush = true };
    }

    public string Path { get; }

    public void WriteLine(string line)
    {
        lock (gate)
        {
            writer.WriteLine(line);
        }
    }

    /// <summary>
    /// Runs a build tool (rpmbuild, dpkg-buildpackage, …) in <paramref name="workingDirectory"/> with <c>LC_ALL=C</c>:
    /// the command line, every line of its output (also copied to <paramref name="copy"/>, the binary build's log) and
    /// its exit code go into this log.
    /// </summary>
    public async Task<ProcessResult> RunToolAsync(IProcessRunner runner, string tool, IReadOnlyList<string> arguments, string workingDirectory, BuildLog? copy, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(arguments);
        var variables = new Dictionary<string, string?> { ["LC_ALL"] = "C" };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            variables[name] = value;
            WriteLine($"+ {name}={value}");
        }

        WriteLine(string.Join(' ', ["+", tool, .. arguments.Select(Quote)]));
        var result = await runner.RunAsync(
            new ProcessSpec(tool, arguments)
            {
                WorkingDirectory = workingDirectory,
                Environment = variables,
                OnOutputLine = line =>
                {
                    WriteLine(line);
                    copy?.WriteLine(line);
                },
            },
            cancellationToken);
        WriteLine($"{tool} exited with code {result.ExitCode} after {result.Duration.TotalSeconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} s");
        return result;
    }

    private static string Quote(string argument) => argument.Contains(' ', StringComparison.Ordinal) ? $"'{argument}'" : argument;

    public ValueTask DisposeAsync() => writer.DisposeAsync();
}
