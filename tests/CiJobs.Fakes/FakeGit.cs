using System.Diagnostics;

namespace CiJobs.Fakes;

/// <summary>Reads the bare git repositories behind fake projects (branch heads, commits), the way the real forge sees pushes.</summary>
internal static class FakeGit
{
    public static string? ResolveBranch(string repository, string branch)
    {
        var (code, output) = Run(repository, "rev-parse", "--verify", "--quiet", $"refs/heads/{branch}^{{commit}}");
        return code == 0 ? output.Trim() : null;
    }

    /// <summary>Commits in <paramref name="source"/> not in <paramref name="target"/>, newest first, with full messages.</summary>
    public static IReadOnlyList<(string Sha, string Message)> Commits(string repository, string target, string source)
    {
        var (code, output) = Run(repository, "log", "--format=%H%x00%B%x1e", $"refs/heads/{target}..refs/heads/{source}");
        if (code != 0)
        {
            return [];
        }

        return [.. output.Split('\x1e', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.TrimStart('\n'))
            .Where(entry => entry.Contains('\0', StringComparison.Ordinal))
            .Select(entry => (entry[..entry.IndexOf('\0', StringComparison.Ordinal)], entry[(entry.IndexOf('\0', StringComparison.Ordinal) + 1)..]))];
    }

    public static string? CommitMessage(string repository, string sha)
    {
        var (code, output) = Run(repository, "log", "-1", "--format=%B", sha);
        return code == 0 ? output : null;
    }

    private static (int Code, string Output) Run(string repository, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repository };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
