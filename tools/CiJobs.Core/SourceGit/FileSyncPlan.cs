using System.Text;
using System.Text.RegularExpressions;

namespace CiJobs.Core.SourceGit;

/// <summary>One file <c>files_to_sync</c> copies: its path in source-git and in dist-git.</summary>
internal sealed record FileCopy(string Source, string Destination);

/// <summary>
/// The rsync-like copy of <c>files_to_sync</c>, computed from the tracked files of both sides:
/// which source-git file goes where, and which dist-git files <c>delete: true</c> removes.
/// Filter rules follow rsync: a pattern without <c>/</c> matches any path component, with
/// <c>/</c> the end of the path (a leading <c>/</c> anchors it); first matching include/exclude
/// wins; excluded and protected files are never deleted.
/// </summary>
internal sealed record FileSyncPlan(IReadOnlyList<FileCopy> Copies, IReadOnlyList<string> Deletions)
{
    public static FileSyncPlan Create(
        IReadOnlyList<FileSyncItem> items,
        IReadOnlyCollection<string> sourceFiles,
        IReadOnlyCollection<string> distFiles)
    {
        var copies = new Dictionary<string, string>(StringComparer.Ordinal);
        var deletions = new SortedSet<string>(StringComparer.Ordinal);
        var distDirectories = new HashSet<string>(
            distFiles.SelectMany(Ancestors),
            StringComparer.Ordinal);
        foreach (var item in items)
        {
            var rules = item.Filters.Select(FilterRule.Parse).ToList();
            var dest = Normalize(item.Destination);
            foreach (var rawSource in item.Sources)
            {
                var contents = rawSource.EndsWith('/');
                var pattern = Normalize(rawSource);
                var matched = ExpandSource(pattern, sourceFiles);
                foreach (var (path, isDirectory) in matched)
                {
                    // Transfer root: the directory's contents, the directory itself, or a single file.
                    var destRoot = contents && isDirectory
                        ? dest
                        : isDirectory
                            ? Join(dest, Path.GetFileName(path))
                            : dest;
                    var copied = new HashSet<string>(StringComparer.Ordinal);
                    if (isDirectory)
                    {
                        var prefix = path.Length == 0 ? string.Empty : path + "/";
                        foreach (var file in sourceFiles.Where(f => f.StartsWith(prefix, StringComparison.Ordinal)))
                        {
                            var relative = file[prefix.Length..];
                            var transferPath = contents ? relative : Join(Path.GetFileName(path), relative);
                            if (FilterRule.IsExcluded(rules, transferPath))
                            {
                                continue;
                            }

                            copies[file] = Join(destRoot, relative);
                            copied.Add(relative);
                        }

                        if (item.Delete)
                        {
                            var destPrefix = destRoot.Length == 0 ? string.Empty : destRoot + "/";
                            foreach (var existing in distFiles.Where(f => f.StartsWith(destPrefix, StringComparison.Ordinal)))
                            {
                                var relative = existing[destPrefix.Length..];
                                var transferPath = contents ? relative : Join(Path.GetFileName(path), relative);
                                if (!copied.Contains(relative) && !IsGitPath(existing)
                                    && !FilterRule.IsProtected(rules, transferPath))
                                {
                                    deletions.Add(existing);
                                }
                            }
                        }
                    }
                    else
                    {
                        var name = Path.GetFileName(path);
                        if (FilterRule.IsExcluded(rules, name))
                        {
                            continue;
                        }

                        // rsync: a destination that is a directory (or ends in / or is given several sources) receives the file inside it.
                        var intoDirectory = item.Destination.EndsWith('/') || dest.Length == 0 || item.Sources.Count > 1
                            || matched.Count > 1 || distDirectories.Contains(dest);
                        copies[path] = intoDirectory ? Join(dest, name) : dest;
                    }
                }
            }
        }

        foreach (var destination in copies.Values)
        {
            deletions.Remove(destination);
        }

        var ordered = new List<FileCopy>(copies.Count);
        foreach (var (source, destination) in copies)
        {
            ordered.Add(new FileCopy(source, destination));
        }

        return new FileSyncPlan(ordered.OrderBy(c => c.Destination, StringComparer.Ordinal).ToList(), deletions.ToList());
    }

    /// <summary>A path a files_to_sync source matched, and whether it is a directory.</summary>
    private sealed record SourceMatch(string Path, bool IsDirectory);

    private static bool IsGitPath(string path) => path == ".git" || path.StartsWith(".git/", StringComparison.Ordinal);

    private static IEnumerable<string> Ancestors(string file)
    {
        var index = file.LastIndexOf('/');
        while (index > 0)
        {
            file = file[..index];
            yield return file;
            index = file.LastIndexOf('/');
        }
    }

    private static List<SourceMatch> ExpandSource(string pattern, IReadOnlyCollection<string> sourceFiles)
    {
        if (pattern.IndexOfAny(['*', '?', '[']) < 0)
        {
            if (pattern.Length == 0)
            {
                return [new SourceMatch(string.Empty, true)];
            }

            if (sourceFiles.Contains(pattern))
            {
                return [new SourceMatch(pattern, false)];
            }

            var prefix = pattern + "/";
            return sourceFiles.Any(f => f.StartsWith(prefix, StringComparison.Ordinal)) ? [new SourceMatch(pattern, true)] : [];
        }

        var regex = new Regex("^" + GlobToRegex(pattern) + "$", RegexOptions.CultureInvariant);
        var results = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        foreach (var file in sourceFiles)
        {
            if (regex.IsMatch(file))
            {
                results[file] = false;
            }

            foreach (var directory in Ancestors(file))
            {
                if (regex.IsMatch(directory))
                {
                    results[directory] = true;
                }
            }
        }

        return results.Select(r => new SourceMatch(r.Key, r.Value)).ToList();
    }

    internal static string Normalize(string path)
    {
        var p = SourceGitConfig.NormalizeRelative(path).TrimEnd('/');
        return p == "." ? string.Empty : p;
    }

    private static string Join(string directory, string path) => directory.Length == 0 ? path : path.Length == 0 ? directory : $"{directory}/{path}";

    /// <summary>rsync-style wildcards: <c>**</c> crosses <c>/</c>, <c>*</c> and <c>?</c> do not.</summary>
    internal static string GlobToRegex(string glob)
    {
        var text = new StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*' when i + 1 < glob.Length && glob[i + 1] == '*':
                    text.Append(".*");
                    i++;
                    break;
                case '*':
                    text.Append("[^/]*");
                    break;
                case '?':
                    text.Append("[^/]");
                    break;
                case '[':
                    var close = glob.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        text.Append(@"\[");
                    }
                    else
                    {
                        var set = glob[(i + 1)..close];
                        text.Append('[').Append(set.StartsWith('!') ? "^" + set[1..] : set).Append(']');
                        i = close;
                    }

                    break;
                default:
                    text.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>One rsync filter rule.</summary>
    private sealed record FilterRule(char Kind, Regex Pattern, bool MatchesComponents)
    {
        public static FilterRule Parse(string rule)
        {
            var text = rule.Trim();
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0)
            {
                throw new CiJobsException($"{SourceGitConfig.ConfigPath}: filter '{rule}' has no pattern.", SourceGitExitCodes.BadConfig);
            }

            var kind = text[..space] switch
            {
                "protect" or "P" => 'P',
                "exclude" or "-" => '-',
                "include" or "+" => '+',
                _ => throw new CiJobsException(
                    $"{SourceGitConfig.ConfigPath}: filter '{rule}' is not supported (use protect, exclude or include).",
                    SourceGitExitCodes.BadConfig),
            };
            var pattern = text[(space + 1)..].Trim().TrimEnd('/');
            if (pattern.StartsWith('/'))
            {
                return new FilterRule(kind, new Regex("^" + GlobToRegex(pattern[1..]) + "(/.*)?$", RegexOptions.CultureInvariant), false);
            }

            return pattern.Contains('/', StringComparison.Ordinal)
                ? new FilterRule(kind, new Regex("(^|/)" + GlobToRegex(pattern) + "(/.*)?$", RegexOptions.CultureInvariant), false)
                : new FilterRule(kind, new Regex("^" + GlobToRegex(pattern) + "$", RegexOptions.CultureInvariant), true);
        }

        private bool Matches(string path) =>
            MatchesComponents ? path.Split('/').Any(Pattern.IsMatch) : Pattern.IsMatch(path);

        public static bool IsExcluded(IReadOnlyList<FilterRule> rules, string path) =>
            rules.FirstOrDefault(r => r.Kind is '-' or '+' && r.Matches(path))?.Kind == '-';

        public static bool IsProtected(IReadOnlyList<FilterRule> rules, string path) =>
            IsExcluded(rules, path) || rules.Any(r => r.Kind == 'P' && r.Matches(path));
    }
}
