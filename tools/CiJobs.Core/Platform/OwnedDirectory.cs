namespace CiJobs.Core.Platform;

/// <summary>
/// A working folder (a build's temp folder, a result's staging folder) that says whether its owner is alive: beside it,
/// <c>&lt;folder&gt;.owner</c> is held locked (flock, through <see cref="FileShare.None"/>) for as long as this object lives,
/// and the kernel drops the lock when the process dies, kill -9 included. <see cref="CleanStale"/> deletes the folders
/// whose owner is gone. The lock file is created before the folder and deleted after it, so a folder without a lock
/// file is stale too. docs/contracts/dlrn-build.md, "Crash safety of the result folder".
/// </summary>
public sealed class OwnedDirectory : IDisposable
{
    public const string OwnerSuffix = ".owner";

    private readonly FileStream owner;

    private OwnedDirectory(string path, FileStream owner)
    {
        Path = path;
        this.owner = owner;
    }

    public string Path { get; }

    /// <summary>
    /// Creates the folder <c>&lt;parent&gt;/&lt;prefix&gt;&lt;32 hex digits&gt;</c> and takes its owner lock. Only names of this
    /// shape are ever cleaned (<see cref="CleanStale"/>), so other folders that share the prefix are safe.
    /// </summary>
    public static OwnedDirectory Create(string parent, string prefix)
    {
        var path = System.IO.Path.Combine(parent, prefix + Guid.NewGuid().ToString("N"));
        var owner = new FileStream(path + OwnerSuffix, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try
        {
            Directory.CreateDirectory(path);
            return new OwnedDirectory(path, owner);
        }
        catch
        {
            owner.Dispose();
            File.Delete(path + OwnerSuffix);
            throw;
        }
    }

    /// <summary>
    /// Deletes every folder in <paramref name="parent"/> named <c>&lt;prefix&gt;&lt;32 hex digits&gt;</c>, where the prefix matches
    /// <paramref name="prefixPattern"/> (<c>*</c> and <c>?</c> wildcards), whose owner is gone, with its lock file, and such lock
    /// files left without their folder. Returns the folders deleted. Folders of live owners, in this process or another,
    /// and every other name are left alone.
    /// </summary>
    public static IReadOnlyList<string> CleanStale(string parent, string prefixPattern)
    {
        var pattern = prefixPattern + "*";
        var removed = new List<string>();
        if (!Directory.Exists(parent))
        {
            return removed;
        }

        foreach (var folder in Directory.EnumerateDirectories(parent, pattern).Where(f => IsOwnedName(System.IO.Path.GetFileName(f), prefixPattern)))
        {
            if (File.GetAttributes(folder).HasFlag(FileAttributes.ReparsePoint) || !TryTakeOver(folder + OwnerSuffix, out var stale))
            {
                continue;
            }

            using (stale)
            {
                TryDelete(folder);
                if (!Directory.Exists(folder))
                {
                    removed.Add(folder);
                }
            }

            TryDeleteFile(folder + OwnerSuffix);
        }

        foreach (var lockFile in Directory.EnumerateFiles(parent, pattern + OwnerSuffix))
        {
            var folder = lockFile[..^OwnerSuffix.Length];
            if (IsOwnedName(System.IO.Path.GetFileName(folder), prefixPattern) && !Directory.Exists(folder) && TryTakeOver(lockFile, out var stale))
            {
                stale?.Dispose();
                TryDeleteFile(lockFile);
            }
        }

        return removed;
    }

    private static bool IsOwnedName(string name, string prefixPattern) =>
        name.Length > 32
        && name[^32..].All(char.IsAsciiHexDigitLower)
        && System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(prefixPattern, name.AsSpan()[..^32], ignoreCase: false);

    public void Dispose()
    {
        TryDelete(Path);
        owner.Dispose();
        TryDeleteFile(Path + OwnerSuffix);
    }

    /// <summary>True when nobody holds <paramref name="lockFile"/> (or there is none); then <paramref name="held"/> is its lock, taken.</summary>
    private static bool TryTakeOver(string lockFile, out FileStream? held)
    {
        held = null;
        try
        {
            held = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (FileNotFoundException)
        {
            return true;
        }
        catch (IOException)
        {
            return false; // Locked: the owner is alive.
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next clean-up.
        }
    }

    private static void TryDeleteFile(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
