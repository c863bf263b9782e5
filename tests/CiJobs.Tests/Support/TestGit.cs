using System.Text;
using CliWrap;

namespace CiJobs.Tests.Support;

/// <summary>Builds real git repositories for tests with the git command line, with fixed identities.</summary>
public sealed class TestGit(string directory)
{
    public string Directory { get; } = directory;

    public static async Task<TestGit> InitAsync(string directory, string branch = "main", bool bare = false)
    {
        System.IO.Directory.CreateDirectory(directory);
        var repo = new TestGit(directory);
        await repo.RunAsync(bare ? ["init", "--quiet", "--bare", $"--initial-branch={branch}"] : ["init", "--quiet", $"--initial-branch={branch}"]);
        return repo;
    }

    public Task<string> RunAsync(params string[] arguments) => RunWithEnvironmentAsync(new Dictionary<string, string?>(), arguments);

    public async Task<string> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string?> extraEnvironment, params string[] arguments)
    {
        var environment = new Dictionary<string, string?>
        {
            ["GIT_AUTHOR_NAME"] = "Test Author",
            ["GIT_AUTHOR_EMAIL"] = "author@example.org",
            ["GIT_COMMITTER_NAME"] = "Test Committer",
            ["GIT_COMMITTER_EMAIL"] = "committer@example.org",
            ["GIT_CONFIG_NOSYSTEM"] = "1",
        };
        foreach (var (key, value) in extraEnvironment)
        {
            environment[key] = value;
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var result = await global::CliWrap.Cli.Wrap("git")
            .WithArguments(arguments)
            .WithWorkingDirectory(Directory)
            .WithEnvironmentVariables(environment)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(stdout))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr))
            .ExecuteAsync();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {stderr}");
        }

        return stdout.ToString().Trim();
    }

    /// <summary>Writes the files (path → content), stages everything and commits; returns the new commit hash.</summary>
    public async Task<string> CommitAsync(string message, IReadOnlyDictionary<string, string> files, DateTimeOffset? date = null)
    {
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(Directory, path);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(full, content);
        }

        await RunAsync("add", "--all");
        var dates = new Dictionary<string, string?>();
        if (date is { } fixedDate)
        {
            // Author and committer dates both fixed, so commit hashes and timestamps are reproducible.
            var when = fixedDate.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
            dates["GIT_AUTHOR_DATE"] = when;
            dates["GIT_COMMITTER_DATE"] = when;
        }

        await RunWithEnvironmentAsync(dates, "commit", "--quiet", "--allow-empty", "-m", message);

        return await RunAsync("rev-parse", "HEAD");
    }
}
