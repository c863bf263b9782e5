using CiJobs.Core.Yaml;
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

/// <summary>
/// Reads rdoinfo files from a folder. A file must resolve, through any symlinks, to a regular file inside the
/// folder (<c>import: [/dev/zero]</c> and <c>../../etc/passwd</c> are refused) and be no larger than the file
/// size limit (docs/contracts/rdoinfo.md, "Imports").
/// </summary>
public sealed class DirectoryRdoinfoSource(string directory) : IRdoinfoSource
{
    private readonly Lazy<string?> realDirectory = new(() =>
        RealPath.Resolve(Path.GetFullPath(directory), out var exists, out _) is { } real && exists ? real : null);

    public string Directory { get; } = Path.GetFullPath(directory);

    public string Description => Directory;

    public string DisplayPath(string relativePath) => Path.Combine(Directory, relativePath);

    public Task<string?> ReadFileAsync(string relativePath, CancellationToken cancellationToken)
    {
        var display = DisplayPath(relativePath);
        if (realDirectory.Value is not { } root)
        {
            return Task.FromResult<string?>(null);
        }

        var full = RealPath.Resolve(relativePath, root, out var exists, out var loop);
        if (full is null || loop)
        {
            throw new RdoinfoException("too many levels of symbolic links", RdoinfoExitCodes.Invalid, display);
        }

        if (!full.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal))
        {
            throw new RdoinfoException($"resolves to {full}, outside the rdoinfo folder {Directory}; rdoinfo files must stay inside it", RdoinfoExitCodes.Invalid, display);
        }

        if (!exists)
        {
            return Task.FromResult<string?>(null);
        }

        var kind = RealPath.KindOf(full);
        if (kind != RealPath.FileKind.Regular)
        {
            throw new RdoinfoException($"is {(kind == RealPath.FileKind.Directory ? "a folder" : "not a regular file")}; only regular files are read", RdoinfoExitCodes.Invalid, display);
        }

        var limits = YamlReadContext.Limits;
        try
        {
            // Small files read on the loader's worker threads: a synchronous read beats async I/O here.
            using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            if (stream.Length > limits.MaxFileBytes)
            {
                throw FileTooLarge(display, stream.Length, limits);
            }

            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return Task.FromResult<string?>(Decode(bytes));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CiJobsException($"cannot read {full}: {e.Message}", ExitCodes.Io, e);
        }
        catch (IOException e)
        {
            throw new CiJobsException($"cannot read {full}: {e.Message}", ExitCodes.Io, e);
        }
    }

    internal static RdoinfoException FileTooLarge(string display, long size, YamlLimits limits) =>
        new($"the file has {size} bytes, more than {limits.Describe(YamlLimitKind.FileSize)}", RdoinfoExitCodes.Limit, display);

    /// <summary>The text as <see cref="File.ReadAllText(string)"/> decodes it: UTF-8 unless a byte-order mark says otherwise.</summary>
    internal static string Decode(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
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

    /// <summary>
    /// The file at <paramref name="relativePath"/> in the commit's tree, following symlinks stored in the tree as
    /// a checkout would, but never out of it; only regular files (blobs) are read, up to the file size limit.
    /// </summary>
    public Task<string?> ReadFileAsync(string relativePath, CancellationToken cancellationToken)
    {
        var display = DisplayPath(relativePath);
        var limits = YamlReadContext.Limits;

        // One repository handle is not meant for concurrent use; the loader reads files in parallel.
        lock (repository)
        {
            var blob = FindBlob(relativePath, display);
            if (blob is null)
            {
                return Task.FromResult<string?>(null);
            }

            if (blob.Size > limits.MaxFileBytes)
            {
                throw DirectoryRdoinfoSource.FileTooLarge(display, blob.Size, limits);
            }

            return Task.FromResult<string?>(blob.GetContentText());
        }
    }

    private Blob? FindBlob(string relativePath, string display)
    {
        var pending = new Stack<string>();
        if (relativePath.StartsWith('/'))
        {
            throw Outside(display);
        }

        PushParts(pending, relativePath);
        var trees = new List<Tree> { commit.Tree };
        var hops = 0;
        while (pending.TryPop(out var part))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (trees.Count == 1)
                {
                    throw Outside(display);
                }

                trees.RemoveAt(trees.Count - 1);
                continue;
            }

            var entry = trees[^1][part];
            if (entry is null)
            {
                return null;
            }

            if (entry.Mode == Mode.SymbolicLink)
            {
                var target = ((Blob)entry.Target).GetContentText();
                if (++hops > RealPath.MaxSymlinkHops)
                {
                    throw new RdoinfoException("too many levels of symbolic links", RdoinfoExitCodes.Invalid, display);
                }

                if (target.StartsWith('/'))
                {
                    throw Outside(display);
                }

                PushParts(pending, target);
                continue;
            }

            switch (entry.Target)
            {
                case Tree tree:
                    trees.Add(tree);
                    if (pending.Count == 0)
                    {
                        throw new RdoinfoException("is a folder; only regular files are read", RdoinfoExitCodes.Invalid, display);
                    }

                    break;
                case Blob blob when pending.Count == 0:
                    return blob;
                case Blob:
                    return null; // a file used as a folder
                default:
                    throw new RdoinfoException("is not a regular file (a submodule?); only regular files are read", RdoinfoExitCodes.Invalid, display);
            }
        }

        throw new RdoinfoException("is a folder; only regular files are read", RdoinfoExitCodes.Invalid, display);
    }

    private static void PushParts(Stack<string> pending, string path)
    {
        var parts = path.Split('/');
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }

    private RdoinfoException Outside(string display) =>
        new($"is outside the rdoinfo repository {Description}; rdoinfo files must stay inside it", RdoinfoExitCodes.Invalid, display);

    public void Dispose() => repository.Dispose();
}
