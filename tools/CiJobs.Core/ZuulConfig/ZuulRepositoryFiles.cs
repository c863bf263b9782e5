namespace CiJobs.Core.ZuulConfig;

/// <summary>
/// A configuration file Zuul would load: a file on disk, or a symbolic link, whose content for Zuul is the path it
/// holds (<see cref="LinkText"/>), as Zuul reads configuration from git, where a link is stored as that text.
/// </summary>
internal sealed record ZuulConfigFile(string Path, string? LinkText = null);

/// <summary>What a checked folder gives: the repository root, the files Zuul would load, and what it would not load (with why).</summary>
internal sealed record ZuulConfigDiscovery(string Root, IReadOnlyList<ZuulConfigFile> Files, IReadOnlyList<(string Path, string Message)> Ignored);

/// <summary>
/// The files of a checked repository as Zuul sees them from git: symbolic links are never followed (a link is a file
/// holding a path, never a folder), <c>.zuul.ignore</c> skips by path prefix, and playbook paths are followed the way
/// the executor's file system would, staying inside the repository (docs/contracts/zuul-config.md, "Reading untrusted
/// configuration").
/// </summary>
internal static class ZuulRepositoryFiles
{
    /// <summary>Symbolic links followed in one path before it counts as a loop (Linux's limit, so the executor agrees).</summary>
    public const int MaxLinks = 40;

    private const string IgnoreMarker = ".zuul.ignore";

    private static readonly string[] ConfigFileLocations = ["zuul.yaml", ".zuul.yaml"];

    private static readonly string[] ConfigLocations = ["zuul.yaml", "zuul.d", ".zuul.yaml", ".zuul.d"];

    /// <summary>
    /// The repository root and the files Zuul would load from <paramref name="directory"/> (a repository root, a
    /// configuration folder, or one file; what the user names is followed even when it is a link), and what it would
    /// not load there with the reason.
    /// </summary>
    public static ZuulConfigDiscovery Discover(string directory)
    {
        if (File.Exists(directory))
        {
            return new(Path.GetDirectoryName(Path.GetFullPath(directory))!, [new ZuulConfigFile(directory)], []);
        }

        if (!Directory.Exists(directory))
        {
            throw new CiJobsException($"{directory} does not exist.", ZuulConfigExitCodes.NoConfig);
        }

        // Zuul takes the first location that holds configuration (a non-empty file, a folder with .yaml files).
        var ignored = new List<(string, string)>();
        var found = new List<(string Location, List<ZuulConfigFile> Files)>();
        var present = false;
        foreach (var location in ConfigLocations)
        {
            var candidate = Path.Combine(directory, location);
            if (Entry(candidate) is not { } entry)
            {
                continue;
            }

            present = true;
            var isFileLocation = ConfigFileLocations.Contains(location);
            List<ZuulConfigFile> files;
            if (entry.LinkTarget is { } target)
            {
                if (isFileLocation)
                {
                    files = [new ZuulConfigFile(candidate, target)];
                }
                else
                {
                    ignored.Add((candidate, LinkedFolderMessage));
                    files = [];
                }
            }
            else if (entry is DirectoryInfo)
            {
                if (isFileLocation)
                {
                    ignored.Add((candidate, $"not loaded: {location} is a folder; Zuul reads zuul.yaml and .zuul.yaml only as files"));
                    files = [];
                }
                else
                {
                    files = FolderFiles(candidate, directory, ignored);
                }
            }
            else
            {
                files = !isFileLocation
                    ? []
                    : ((FileInfo)entry).Length > 0 ? [new ZuulConfigFile(candidate)] : [];
            }

            if (files.Count > 0)
            {
                found.Add((candidate, files));
            }
        }

        if (found.Count > 0)
        {
            foreach (var (other, _) in found.Skip(1))
            {
                ignored.Add((other, $"not loaded: Zuul loads only the first of zuul.yaml, zuul.d/, .zuul.yaml, .zuul.d/ that holds configuration ({Path.GetFileName(found[0].Location)} here) and warns that this one is ignored"));
            }

            return new(directory, found[0].Files, ignored);
        }

        if (present)
        {
            return new(directory, [], ignored);
        }

        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        var root = name is "zuul.d" or ".zuul.d" ? Path.GetDirectoryName(Path.GetFullPath(directory))! : directory;
        var yaml = FolderFiles(directory, root, ignored);
        if (yaml.Count == 0)
        {
            var yml = ignored.Count(i => i.Item1.EndsWith(".yml", StringComparison.Ordinal));
            var hint = yml > 0 ? $"; Zuul does not load the {yml} .yml file(s) there: it reads only files ending in .yaml" : "";
            throw new CiJobsException($"{directory} holds no Zuul configuration (zuul.yaml, zuul.d/, .zuul.yaml, .zuul.d/ or .yaml files){hint}.", ZuulConfigExitCodes.NoConfig);
        }

        return new(root, yaml, ignored);
    }

    private const string LinkedFolderMessage =
        "not loaded: a symbolic link to a folder; Zuul reads configuration from git, where a link is not a folder, so nothing under it is loaded";

    /// <summary>
    /// The <c>.yaml</c> files Zuul loads from a configuration folder, in sorted path order. Zuul walks the folder's
    /// git tree: links are entries, never folders; every entry whose path ends in <c>.zuul.ignore</c> makes Zuul skip
    /// each path that starts with the text of that entry's folder (a prefix of the text, not a folder: zuul.d/play
    /// also skips zuul.d/playbooks.yaml); <c>.yml</c> files go to <paramref name="ignored"/>.
    /// </summary>
    private static List<ZuulConfigFile> FolderFiles(string folder, string root, List<(string, string)> ignored)
    {
        var relativeFolder = Relative(root, folder);
        var entries = new List<(string Relative, FileSystemInfo Info)>();
        Collect(new DirectoryInfo(folder), relativeFolder, entries);
        var prefixes = entries
            .Where(e => e.Relative.EndsWith(IgnoreMarker, StringComparison.Ordinal))
            .Select(e => (Prefix: ParentOf(e.Relative), Marker: e.Relative))
            .ToList();
        var result = new List<(string Relative, ZuulConfigFile File)>();
        foreach (var (relative, info) in entries.Where(e => e.Info is not DirectoryInfo || e.Info.LinkTarget is not null))
        {
            var isYaml = relative.EndsWith(".yaml", StringComparison.Ordinal);
            var skips = prefixes.Where(p => relative.StartsWith(p.Prefix, StringComparison.Ordinal)).ToList();
            if (skips.Count > 0)
            {
                if (isYaml && !skips.Any(p => p.Prefix.Length == 0 || relative.StartsWith(p.Prefix + "/", StringComparison.Ordinal)))
                {
                    ignored.Add((info.FullName, $"not loaded: Zuul skips every path that starts with '{skips[0].Prefix}' because of {skips[0].Marker}; it compares the text of paths, not folders, so this file outside that folder is skipped too"));
                }

                continue;
            }

            if (info.LinkTarget is { } target)
            {
                if (isYaml)
                {
                    result.Add((relative, new ZuulConfigFile(info.FullName, target)));
                }
                else if (Directory.Exists(info.FullName))
                {
                    ignored.Add((info.FullName, LinkedFolderMessage));
                }

                continue;
            }

            if (isYaml)
            {
                // Zuul skips empty files; not opening them also keeps FIFOs and devices (size 0) from blocking the read.
                if (((FileInfo)info).Length > 0)
                {
                    result.Add((relative, new ZuulConfigFile(info.FullName)));
                }
            }
            else if (relative.EndsWith(".yml", StringComparison.Ordinal))
            {
                ignored.Add((info.FullName, "not loaded: Zuul reads only files ending in .yaml in a configuration folder; rename it to .yaml"));
            }
        }

        return [.. result.OrderBy(r => r.Relative, StringComparer.Ordinal).Select(r => r.File)];
    }

    /// <summary>Every entry under <paramref name="folder"/>, descending only into real folders, never into links.</summary>
    private static void Collect(DirectoryInfo folder, string relativeFolder, List<(string, FileSystemInfo)> entries)
    {
        IEnumerable<FileSystemInfo> children;
        try
        {
            children = [.. folder.EnumerateFileSystemInfos()];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot read {folder.FullName}: {e.Message}", ExitCodes.Io, e);
        }

        foreach (var child in children.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            var relative = relativeFolder.Length == 0 ? child.Name : $"{relativeFolder}/{child.Name}";
            entries.Add((relative, child));
            if (child is DirectoryInfo sub && child.LinkTarget is null)
            {
                Collect(sub, relative, entries);
            }
        }
    }

    /// <summary>The entry at a path without following it when it is a link; null when nothing is there.</summary>
    private static FileSystemInfo? Entry(string path)
    {
        FileSystemInfo file = new FileInfo(path);
        if (file.LinkTarget is not null)
        {
            return file;
        }

        return Directory.Exists(path) ? new DirectoryInfo(path) : file.Exists ? file : null;
    }

    /// <summary>
    /// Why Zuul's executor would not run the playbook <paramref name="path"/> of the repository at
    /// <paramref name="root"/>, or null when it would: the path is absolute, leaves the repository (through
    /// <c>..</c> or a symbolic link; the executor has only the repository's checkout, so a path that leaves it reaches
    /// something else there), loops through links, or names no file.
    /// </summary>
    public static string? PlaybookProblem(string root, string path)
    {
        const string Hint = "(paths are relative to its root and include the .yaml extension)";
        if (Path.IsPathRooted(path))
        {
            return $"playbook '{path}' is an absolute path; playbook paths are relative to the repository root, which they may not leave";
        }

        var rootParts = Components(RealPath(Path.GetFullPath(root))).ToList();
        var current = new List<string>(rootParts);
        var pending = new Stack<string>(Components(path).Reverse());
        var links = 0;
        (string Link, string Target)? lastLink = null;
        while (pending.TryPop(out var part))
        {
            if (part == "..")
            {
                if (current.Count == rootParts.Count)
                {
                    return lastLink is { } via
                        ? $"playbook '{path}' leaves the repository through the symbolic link '{via.Link}' (to {via.Target}); the executor runs only playbooks inside the repository's checkout"
                        : $"playbook '{path}' is outside the repository: its '..' leave the repository root, which playbook paths may not leave";
                }

                current.RemoveAt(current.Count - 1);
                continue;
            }

            var candidate = Join(current, part);
            if (LinkTarget(candidate) is not { } target)
            {
                current.Add(part);
                continue;
            }

            var link = string.Join('/', current.Skip(rootParts.Count).Append(part));
            if (++links > MaxLinks)
            {
                return $"playbook '{path}' goes through a loop of symbolic links (at '{link}'; more than {MaxLinks} links followed)";
            }

            if (Path.IsPathRooted(target))
            {
                return $"playbook '{path}' leaves the repository through the symbolic link '{link}' (to {target}): an absolute link names a path of this machine, not of the executor's checkout of the repository";
            }

            lastLink = (link, target);
            foreach (var component in Components(target).Reverse())
            {
                pending.Push(component);
            }
        }

        return File.Exists(Join(current, null)) ? null : $"playbook '{path}' does not exist in the repository {Hint}";
    }

    /// <summary>A full path with every symbolic link resolved (as far as the path exists); the path itself when links loop.</summary>
    internal static string RealPath(string fullPath)
    {
        var current = new List<string>();
        var pending = new Stack<string>(Components(fullPath).Reverse());
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == "..")
            {
                if (current.Count > 0)
                {
                    current.RemoveAt(current.Count - 1);
                }

                continue;
            }

            if (LinkTarget(Join(current, part)) is not { } target)
            {
                current.Add(part);
                continue;
            }

            if (++links > MaxLinks)
            {
                return fullPath;
            }

            if (Path.IsPathRooted(target))
            {
                current.Clear();
            }

            foreach (var component in Components(target).Reverse())
            {
                pending.Push(component);
            }
        }

        return Join(current, null);
    }

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<string> Components(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(c => c != ".");

    private static string Join(List<string> parts, string? last) =>
        "/" + string.Join('/', last is null ? parts : parts.Append(last));

    private static string Relative(string root, string folder)
    {
        var relative = Path.GetRelativePath(Path.GetFullPath(root), Path.GetFullPath(folder));
        return relative == "." ? "" : relative;
    }

    private static string ParentOf(string relative)
    {
        var slash = relative.LastIndexOf('/');
        return slash < 0 ? "" : relative[..slash];
    }
}
