using LibGit2Sharp;

namespace CiJobs.Core.Rdoinfo;

/// <summary>Where rdoinfo files are read from: a folder, or a revision of an rdoinfo git repository.</summary>
public interface IRdoinfoSource
{
    /// <summary>How errors name this source, e.g. a folder path or <c>repo@rev</c>.</summary>
    string Description { get; }

    /// <summary>How errors name one file of this source.</summary>
    string DisplayPath(string relativePath);

    /// <summary>The text of a file given relative to the root, or null when it does not exist.</summary>
    Task<string?> ReadFileAsync(string relativePath, CancellationToken cancellationToken);
}

public sealed class DirectoryRdoinfoSource(string directory) : IRdoinfoSource
{
    public string Directory { get; } = Path.GetFullPath(directory);

    public string Description => Directory;

    public string DisplayPath(string relativePath) => Path.Combine(Directory, relativePath);

    public Task<string?> ReadFileAsync(string relativePath, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(Path.Combine(Directory, relativePath));
        if (!File.Exists(full))
        {
            return Task.FromResult<string?>(null);
        }

        try
        {
            // Small files read on the loader's worker threads: a synchronous read beats async I/O here.
            return Task.FromResult<string?>(File.ReadAllText(full));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CiJobsException($"cannot read {full}: {e.Message}", ExitCodes.Io, e);
        }
    }
}

/// <summary>Reads files from one commit of a git repository, without touching its work tree.</summary>
public sealed class GitRevisionRdoinfoSource : IRdoinfoSource, IDisposable
{
    private readonly Repository repository;
    private readonly Commit commit;

    public GitRevisionRdoinfoSource(string repositoryPath, string revision)
    {
        try
        {
            repository = new Repository(repositoryPath);
        }
        catch (RepositoryNotFoundException)
        {
            throw new RdoinfoException($"{repositoryPath} is not a git repository", RdoinfoExitCodes.MissingFile);
        }

        var target = repository.Lookup<Commit>(revision);
        if (target is null)
        {
            repository.Dispose();
            throw new RdoinfoException($"revision '{revision}' not found in {repositoryPath}", RdoinfoExitCodes.NotFound);
        }

        commit = target;
        Revision = revision;
        Description = $"{repositoryPath}@{revision}";
    }

    public string Revision { get; }

    public string CommitSha => commit.Sha;

    public string Description { get; }

    public string DisplayPath(string relativePath) => $"{Description}:{relativePath}";

    public Task<string?> ReadFileAsync(string relativePath, CancellationToken cancellationToken)
    {
        var normalized = Path.GetRelativePath(".", relativePath).Replace('\\', '/');
        if (normalized.StartsWith("../", StringComparison.Ordinal))
        {
            return Task.FromResult<string?>(null);
        }

        // One repository handle is not meant for concurrent use; the loader reads files in parallel.
        lock (repository)
        {
            return Task.FromResult(commit[normalized]?.Target is Blob blob ? blob.GetContentText() : null);
        }
    }

    public void Dispose() => repository.Dispose();
}
