namespace CiJobs.Core.InstallTest;

/// <summary>
/// Every path (file, link, folder) of a system outside the folders that hold no package content, as absolute paths inside
/// the system. Two snapshots, before install and after removal, give what a package left behind
/// (docs/manual/install-test.md, "Left behind").
/// </summary>
public static class FileSnapshot
{
    /// <summary>Top-level folders never walked: kernel and runtime file systems, temporary space, mount points and homes.</summary>
    public static IReadOnlyList<string> SkippedTopLevel { get; } =
        ["/proc", "/sys", "/dev", "/run", "/tmp", "/var/tmp", "/mnt", "/media", "/home", "/lost+found"];

    public static IReadOnlySet<string> Take(ITestSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push("/");
        while (pending.Count > 0)
        {
            var inSystem = pending.Pop();
            IEnumerable<FileSystemInfo> entries;
            try
            {
                entries = new DirectoryInfo(system.HostPath(inSystem)).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true }).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var entry in entries)
            {
                var path = inSystem == "/" ? "/" + entry.Name : inSystem + "/" + entry.Name;
                if (SkippedTopLevel.Contains(path, StringComparer.Ordinal))
                {
                    continue;
                }

                paths.Add(path);
                // Links are recorded, never followed (a link to / would loop; one out of a root leaves it).
                if (entry is DirectoryInfo && !entry.Attributes.HasFlag(FileAttributes.ReparsePoint))
                {
                    pending.Push(path);
                }
            }
        }

        return paths;
    }

    /// <summary>Paths in <paramref name="after"/> that were not in <paramref name="before"/> and are not under an allowed prefix, sorted.</summary>
    public static IReadOnlyList<string> LeftBehind(IReadOnlySet<string> before, IReadOnlySet<string> after, IReadOnlyList<string> allowedPrefixes, IReadOnlyList<string> deniedPrefixes)
    {
        ArgumentNullException.ThrowIfNull(after);
        return after
            .Where(p => !before.Contains(p))
            .Where(p => deniedPrefixes.Any(d => Under(p, d)) || !allowedPrefixes.Any(a => Under(p, a)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static bool Under(string path, string prefix) =>
        path == prefix || path.StartsWith(prefix.TrimEnd('/') + "/", StringComparison.Ordinal);
}
