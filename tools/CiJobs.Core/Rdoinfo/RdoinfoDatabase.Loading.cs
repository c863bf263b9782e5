using System.Collections.Concurrent;

namespace CiJobs.Core.Rdoinfo;

// Loading and merging (docs/contracts/rdoinfo.md): this part holds the database's state and constructor, reads the
// entry file and its imports depth-first (each file parsed once, in the background), refuses import cycles and
// missing files, folds the 'packages' and 'releases' lists keyed by project and name with distroinfo's deep merge
// (tag files add to packages and releases this way), merges every other top-level key, and parses the releases.
// Expansion lives in RdoinfoDatabase.Expansion.cs, look-up and suggestions in RdoinfoDatabase.Lookup.cs.
public sealed partial class RdoinfoDatabase
{
    private const string PackagesKey = "packages";
    private const string ReleasesKey = "releases";
    private const string ImportKey = "import";

    private readonly YamlMap packageDefault;
    private readonly YamlMap packageConfigs;
    private readonly Dictionary<string, YamlMap> packages;
    private readonly Lazy<Dictionary<string, RdoPackage>> byName;

    private RdoinfoDatabase(IReadOnlyList<RdoRelease> releases, IReadOnlyList<string> projects, YamlMap packageDefault, YamlMap packageConfigs, Dictionary<string, YamlMap> packages, string description)
    {
        Releases = releases;
        Projects = projects;
        this.packageDefault = packageDefault;
        this.packageConfigs = packageConfigs;
        this.packages = packages;
        Description = description;
        byName = new Lazy<Dictionary<string, RdoPackage>>(() =>
        {
            var index = new Dictionary<string, RdoPackage>(StringComparer.Ordinal);
            foreach (var project in Projects)
            {
                var package = Expand(project);
                index.TryAdd(package.Name, package);
            }

            return index;
        });
    }

    /// <summary>Where the database was read from (a folder, or <c>repo@revision</c>).</summary>
    public string Description { get; }

    internal static async Task<RdoinfoDatabase> LoadCoreAsync(IRdoinfoSource source, string entryFile, CancellationToken cancellationToken)
    {
        var documents = new List<YamlMap>();
        var parsed = new ParseCache(source, cancellationToken);
        await FetchAsync(source, entryFile, [], null, documents, parsed, cancellationToken);

        var info = new YamlMap(source.DisplayPath(entryFile), 1);
        var packageEntries = new Dictionary<string, YamlMap>(StringComparer.Ordinal);
        var packageOrder = new List<string>();
        var releaseEntries = new Dictionary<string, YamlMap>(StringComparer.Ordinal);
        var releaseOrder = new List<string>();
        var sawPackages = false;
        var sawReleases = false;
        foreach (var document in documents)
        {
            for (var i = 0; i < document.Count; i++)
            {
                var (key, value, _, _) = document.EntryAt(i);
                switch (key)
                {
                    case ImportKey:
                        break;
                    case PackagesKey:
                        sawPackages = true;
                        MergeKeyed(document, key, value, "project", "package", packageEntries, packageOrder);
                        break;
                    case ReleasesKey:
                        sawReleases = true;
                        MergeKeyed(document, key, value, "name", "release", releaseEntries, releaseOrder);
                        break;
                    default:
                        var (file, line) = document.MarkOf(key);
                        info.Set(key, info.TryGetValue(key, out var old) ? Merge(old, value) : value, file, line);
                        break;
                }
            }
        }

        var entryDisplay = source.DisplayPath(entryFile);
        if (!sawReleases)
        {
            throw new RdoinfoException("no 'releases' section in the database", RdoinfoExitCodes.Invalid, entryDisplay);
        }

        if (!sawPackages)
        {
            throw new RdoinfoException("no 'packages' section in the database", RdoinfoExitCodes.Invalid, entryDisplay);
        }

        var packageDefault = OptionalMap(info, "package-default") ?? new YamlMap(entryDisplay, 1);
        var packageConfigs = OptionalMap(info, "package-configs") ?? new YamlMap(entryDisplay, 1);
        var releases = releaseOrder.Select(name => ParseRelease(releaseEntries[name])).ToList();
        var database = new RdoinfoDatabase(releases, packageOrder, packageDefault, packageConfigs, packageEntries, source.Description);

        // Expanding every package once validates them all: conf templates, substitutions, required fields.
        foreach (var project in packageOrder)
        {
            database.Expand(project);
        }

        return database;
    }

    private static async Task FetchAsync(
        IRdoinfoSource source,
        string relativePath,
        List<string> importChain,
        (string File, long Line)? importedAt,
        List<YamlMap> documents,
        ParseCache parsed,
        CancellationToken cancellationToken)
    {
        if (importChain.Contains(relativePath, StringComparer.Ordinal))
        {
            var cycle = string.Join(" -> ", importChain.SkipWhile(f => f != relativePath).Append(relativePath));
            throw new RdoinfoException($"import cycle: {cycle}", RdoinfoExitCodes.ImportCycle, importedAt?.File, importedAt?.Line);
        }

        var (exists, document) = await parsed.GetAsync(relativePath);
        if (!exists)
        {
            throw importedAt is { } at
                ? new RdoinfoException($"imported file '{relativePath}' not found in {source.Description}", RdoinfoExitCodes.MissingFile, at.File, at.Line)
                : new RdoinfoException($"entry file '{relativePath}' not found in {source.Description}", RdoinfoExitCodes.MissingFile);
        }

        if (document is null)
        {
            return;
        }

        documents.Add(document);
        if (!document.TryGetValue(ImportKey, out var imports) || imports is null)
        {
            return;
        }

        if (imports is not YamlList list)
        {
            throw new RdoinfoException("'import' must be a list of file names", RdoinfoExitCodes.Invalid, document.File, document.MarkOf(ImportKey).Line);
        }

        importChain.Add(relativePath);
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not string file || file.Length == 0)
            {
                throw new RdoinfoException(
                    "an import must be a file name (imports from remote-info are not supported)",
                    RdoinfoExitCodes.Invalid,
                    document.File,
                    list.LineOf(i));
            }

            await FetchAsync(source, file, importChain, (document.File, list.LineOf(i)), documents, parsed, cancellationToken);
        }

        importChain.RemoveAt(importChain.Count - 1);
    }

    /// <summary>
    /// Parses each file once, in the background: parsing a file starts the parse of its imports, so the
    /// many tag files parse on every core while the depth-first walk consumes them in order.
    /// </summary>
    private sealed class ParseCache(IRdoinfoSource source, CancellationToken cancellationToken)
    {
        private readonly ConcurrentDictionary<string, Lazy<Task<(bool Exists, YamlMap? Document)>>> files = new(StringComparer.Ordinal);

        public Task<(bool Exists, YamlMap? Document)> GetAsync(string relativePath) =>
            files.GetOrAdd(relativePath, path => new Lazy<Task<(bool, YamlMap?)>>(() => Task.Run(() => ParseAsync(path), cancellationToken))).Value;

        private async Task<(bool Exists, YamlMap? Document)> ParseAsync(string relativePath)
        {
            var text = await source.ReadFileAsync(relativePath, cancellationToken);
            if (text is null)
            {
                return (false, null);
            }

            var display = source.DisplayPath(relativePath);
            var document = YamlTree.Parse(text, display) switch
            {
                null => null,
                YamlMap map => map,
                _ => throw new RdoinfoException("the top level of an rdoinfo file must be a mapping", RdoinfoExitCodes.Invalid, display, 1),
            };
            if (document is not null && document.TryGetValue(ImportKey, out var imports) && imports is YamlList list)
            {
                foreach (var import in list.OfType<string>())
                {
                    _ = GetAsync(import);
                }
            }

            return (true, document);
        }
    }

    /// <summary>Folds a list of entries into <paramref name="entries"/> keyed by <paramref name="keyField"/>, deep-merging repeats.</summary>
    private static void MergeKeyed(YamlMap document, string section, object? value, string keyField, string what, Dictionary<string, YamlMap> entries, List<string> order)
    {
        if (value is null)
        {
            return;
        }

        if (value is not YamlList list)
        {
            throw new RdoinfoException($"'{section}' must be a list", RdoinfoExitCodes.Invalid, document.File, document.MarkOf(section).Line);
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not YamlMap entry)
            {
                throw new RdoinfoException($"each {what} must be a mapping", RdoinfoExitCodes.Invalid, list.File, list.LineOf(i));
            }

            if (!entry.TryGetValue(keyField, out var keyValue) || keyValue is not string key || key.Length == 0)
            {
                throw new RdoinfoException($"{what} entry without '{keyField}'", RdoinfoExitCodes.Invalid, entry.File, entry.Line);
            }

            if (entries.TryGetValue(key, out var existing))
            {
                entries[key] = (YamlMap)Merge(existing, entry)!;
            }
            else
            {
                entries[key] = entry;
                order.Add(key);
            }
        }
    }

    /// <summary>
    /// distroinfo's merge: map+map recursive, list+list concatenated, a new null keeps the old value,
    /// otherwise the new value wins. Parsed trees are never changed: the first merge into a map or list
    /// copies it, and later merges change that copy in place.
    /// </summary>
    private static object? Merge(object? old, object? @new)
    {
        switch (old, @new)
        {
            case (_, null):
                return old;
            case (YamlMap oldMap, YamlMap newMap):
                {
                    var merged = oldMap.IsMergeCopy ? oldMap : oldMap.ShallowCopy(newMap.Count);
                    for (var i = 0; i < newMap.Count; i++)
                    {
                        var (key, value, file, line) = newMap.EntryAt(i);
                        merged.Set(key, merged.TryGetValue(key, out var previous) ? Merge(previous, value) : value, file, line);
                    }

                    return merged;
                }

            case (YamlList oldList, YamlList newList):
                {
                    var merged = oldList;
                    if (!oldList.IsMergeCopy)
                    {
                        merged = new YamlList(oldList.File, oldList.Line) { IsMergeCopy = true };
                        for (var i = 0; i < oldList.Count; i++)
                        {
                            merged.Add(oldList[i], oldList.LineOf(i));
                        }
                    }

                    for (var i = 0; i < newList.Count; i++)
                    {
                        merged.Add(newList[i], newList.LineOf(i));
                    }

                    return merged;
                }

            default:
                return @new;
        }
    }

    private static YamlMap? OptionalMap(YamlMap info, string key) => info.TryGetValue(key, out var value) switch
    {
        false => null,
        true when value is null => null,
        true when value is YamlMap map => map,
        _ => throw new RdoinfoException($"'{key}' must be a mapping", RdoinfoExitCodes.Invalid, info.MarkOf(key).File, info.MarkOf(key).Line),
    };

    private static RdoRelease ParseRelease(YamlMap release)
    {
        var name = (string)release["name"]!;
        var branch = release.TryGetValue("branch", out var b) ? b as string : null;
        var repos = new List<RdoReleaseRepo>();
        if (!release.TryGetValue("repos", out var reposValue) || reposValue is not YamlList repoList)
        {
            throw new RdoinfoException($"release '{name}' has no 'repos' list", RdoinfoExitCodes.Invalid, release.File, release.Line);
        }

        for (var i = 0; i < repoList.Count; i++)
        {
            if (repoList[i] is not YamlMap repo || repo.TryGetValue("name", out var repoName) is false || repoName is not string repoNameText)
            {
                throw new RdoinfoException($"a repo of release '{name}' has no 'name'", RdoinfoExitCodes.Invalid, repoList.File, repoList.LineOf(i));
            }

            var repoBranch = (repo.TryGetValue("branch", out var rb) ? rb as string : null) ?? branch
                ?? throw new RdoinfoException($"repo '{repoNameText}' of release '{name}' has no branch and the release has none", RdoinfoExitCodes.Invalid, repo.File, repo.Line);
            var buildsysTags = repo.TryGetValue("buildsys-tags", out var tags) && tags is YamlList tagList
                ? tagList.OfType<string>().ToList()
                : [];
            repos.Add(new RdoReleaseRepo(repoNameText, repoBranch, repo.TryGetValue("buildsys", out var buildsys) ? buildsys as string : null, buildsysTags));
        }

        return new RdoRelease(
            name,
            release.TryGetValue("status", out var status) ? status as string : null,
            branch,
            release.TryGetValue("upstream_branch", out var upstreamBranch) ? upstreamBranch as string : null,
            release.TryGetValue("identifier", out var identifier) ? identifier as string : null,
            repos);
    }
}
