using CiJobs.Core.Git;
using CiJobs.Core.Platform;

namespace CiJobs.Core.SourceGit;

/// <summary>A work tree and the git queries conversion needs, all through the git command line.</summary>
internal sealed class GitRepo(GitCli git, string root, string label)
{
    public string Root { get; } = root;

    public string Label { get; } = label;

    /// <summary>Opens a work tree; <paramref name="label"/> (SRC, DIST) names it in messages.</summary>
    public static async Task<GitRepo> OpenAsync(GitCli git, string directory, string label, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            throw new CiJobsException($"{label} '{directory}' does not exist.", SourceGitExitCodes.NotAGitRepository);
        }

        // One call: work tree root, git directory and HEAD (fails on a repository without commits too).
        var result = await git.RunUncheckedAsync(directory, ["rev-parse", "--show-toplevel", "--absolute-git-dir", "--verify", "HEAD^{commit}"], cancellationToken);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!result.Succeeded || lines.Length < 3)
        {
            var inside = await git.RunUncheckedAsync(directory, ["rev-parse", "--show-toplevel"], cancellationToken);
            throw new CiJobsException(
                inside.Succeeded ? $"{label} '{directory}' has no commit yet." : $"{label} '{directory}' is not a git work tree.",
                SourceGitExitCodes.NotAGitRepository);
        }

        return new GitRepo(git, lines[0], label) { GitDirectory = lines[1], InitialHead = lines[2] };
    }

    /// <summary>The repository's git directory (for scratch files on the same file system).</summary>
    public string GitDirectory { get; private init; } = string.Empty;

    /// <summary>HEAD when the repository was opened.</summary>
    public string InitialHead { get; private init; } = string.Empty;

    public Task<string> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? standardInput = null) =>
        git.RunAsync(Root, arguments, cancellationToken, standardInput);

    /// <summary>Runs git; a failure is returned, not thrown (<see cref="GitCli.Failure"/> makes the usual error of it).</summary>
    public Task<ProcessResult> RunUncheckedAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? standardInput = null) =>
        git.RunUncheckedAsync(Root, arguments, cancellationToken, standardInput);

    /// <summary>
    /// Runs git and turns its output into a value. Queries share this one async method (and
    /// <see cref="QueryUncheckedAsync"/>) instead of one each: every distinct async method costs the
    /// process JIT work at start-up, which a short command feels.
    /// </summary>
    public async Task<T> QueryAsync<T>(IReadOnlyList<string> arguments, Func<string, T> parse, CancellationToken cancellationToken) =>
        parse(await RunAsync(arguments, cancellationToken));

    /// <summary>As <see cref="QueryAsync"/>, for commands whose failure is an answer.</summary>
    public async Task<T> QueryUncheckedAsync<T>(IReadOnlyList<string> arguments, Func<ProcessResult, T> parse, CancellationToken cancellationToken) =>
        parse(await RunUncheckedAsync(arguments, cancellationToken));

    public Task<bool> SucceedsAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        QueryUncheckedAsync(arguments, result => result.Succeeded, cancellationToken);

    public Task<string?> TryResolveCommitAsync(string revision, CancellationToken cancellationToken) =>
        QueryUncheckedAsync(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"],
            result => result.Succeeded ? result.StandardOutput.Trim() : null,
            cancellationToken);

    public Task<string> HeadAsync(CancellationToken cancellationToken) =>
        QueryAsync(["rev-parse", "HEAD"], output => output.Trim(), cancellationToken);

    /// <summary>Fails with <see cref="SourceGitExitCodes.DirtyWorkTree"/> unless the work tree matches HEAD and has no untracked files.</summary>
    public Task EnsurePristineAsync(CancellationToken cancellationToken) =>
        QueryAsync(["status", "--porcelain", "--untracked-files=all"], EnsureClean, cancellationToken);

    private string EnsureClean(string status)
    {
        if (status.Trim().Length > 0)
        {
            var first = status.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Trim();
            throw new CiJobsException(
                $"{Label} '{Root}' has uncommitted changes or untracked files (first: '{first}'); commit or stash them first.",
                SourceGitExitCodes.DirtyWorkTree);
        }

        return status;
    }

    /// <summary>Commits oldest first: full hash, parents, author, author date (ISO), sanitized subject, raw message.</summary>
    public Task<IReadOnlyList<CommitInfo>> LogAsync(IReadOnlyList<string> revisionArguments, CancellationToken cancellationToken) =>
        QueryAsync(["log", "--no-show-signature", "--reverse", "--format=%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%f%x1f%B%x1e", .. revisionArguments, "--"], ParseLog, cancellationToken);

    private static IReadOnlyList<CommitInfo> ParseLog(string output)
    {
        var commits = new List<CommitInfo>();
        foreach (var record in output.Split('\x1e'))
        {
            var fields = record.TrimStart('\n').Split('\x1f');
            if (fields.Length < 7)
            {
                continue;
            }

            commits.Add(new CommitInfo(
                fields[0],
                fields[1].Split(' ', StringSplitOptions.RemoveEmptyEntries),
                fields[2],
                fields[3],
                fields[4],
                fields[5],
                fields[6]));
        }

        return commits;
    }

    /// <summary>Tracked files (paths relative to the root) with their mode and blob id.</summary>
    public Task<IReadOnlyDictionary<string, TrackedFile>> TrackedFilesAsync(CancellationToken cancellationToken) =>
        QueryAsync(["ls-files", "-z", "-s"], ParseTrackedFiles, cancellationToken);

    private static IReadOnlyDictionary<string, TrackedFile> ParseTrackedFiles(string output)
    {
        var files = new Dictionary<string, TrackedFile>(StringComparer.Ordinal);
        foreach (var entry in output.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            // "<mode> <object> <stage>\t<path>"
            var tab = entry.IndexOf('\t', StringComparison.Ordinal);
            var fields = entry[..tab].Split(' ');
            files[entry[(tab + 1)..]] = new TrackedFile(fields[0], fields[1]);
        }

        return files;
    }
}

/// <summary>A tracked file's mode (<c>100644</c>, <c>100755</c>, <c>120000</c>) and blob id.</summary>
internal sealed record TrackedFile(string Mode, string ObjectId);

/// <summary>One commit as <see cref="GitRepo.LogAsync"/> reads it.</summary>
/// <param name="SanitizedSubject">The subject as git puts it in file names (<c>%f</c>): what format-patch names the commit's patch after.</param>
internal sealed record CommitInfo(string Hash, IReadOnlyList<string> Parents, string AuthorName, string AuthorEmail, string AuthorDate, string SanitizedSubject, string Message)
{
    public string Short => Hash[..Math.Min(12, Hash.Length)];
}
