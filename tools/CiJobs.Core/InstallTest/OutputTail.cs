using CiJobs.Core.Platform;

namespace CiJobs.Core.InstallTest;

/// <summary>The bounded part of a command's output that results keep: the last lines, each cut to a length.</summary>
public static class OutputTail
{
    public const int MaxLines = 20;
    public const int MaxLineLength = 300;

    public static IReadOnlyList<string> Of(ProcessResult? result) => result is null
        ? []
        : Lines(result).TakeLast(MaxLines).Select(Cut).ToList();

    /// <summary>The last non-empty line of output, or the exit status.</summary>
    public static string LastLine(ProcessResult result) =>
        Lines(result).Select(Cut).LastOrDefault() ?? $"exit status {result.ExitCode}";

    internal static IEnumerable<string> Lines(ProcessResult result) =>
        (result.StandardOutput + "\n" + result.StandardError)
            .Split('\n')
            .Select(l => l.TrimEnd('\r', ' '))
            .Where(l => l.Length > 0);

    internal static string Cut(string line)
    {
        var clean = new string(line.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return clean.Length <= MaxLineLength ? clean : clean[..MaxLineLength] + "...";
    }
}
