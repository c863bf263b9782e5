using System.Collections.Concurrent;
using CiJobs.Core.Rdoinfo;

namespace CiJobs.Bench;

/// <summary>
/// The YAML-only part of an rdoinfo load, so the cost of merging and expansion is visible. It lives in the bench, not in
/// the core: it reaches the core's internal YAML readers through InternalsVisibleTo.
/// </summary>
internal static class RdoinfoBench
{
    /// <summary>
    /// Parses the entry file and every file it reaches through imports, each once, with the same
    /// parallelism as the loader (one level of imports at a time); returns the file count. With
    /// <paramref name="fullParser"/>, every file goes through YamlDotNet instead of the fast block-style reader.
    /// </summary>
    public static int ParseOnly(string directory, bool fullParser = false, string entryFile = RdoinfoLoader.DefaultEntryFile)
    {
        var seen = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        IReadOnlyCollection<string> level = [entryFile];
        while (level.Count > 0)
        {
            var next = new ConcurrentBag<string>();
            Parallel.ForEach(level.Where(f => seen.TryAdd(f, true)), relative =>
            {
                var path = Path.Combine(directory, relative);
                var text = File.ReadAllText(path);
                if ((fullParser ? YamlTree.ParseFull(text, path) : YamlTree.Parse(text, path)) is YamlMap map && map.TryGetValue("import", out var imports) && imports is YamlList list)
                {
                    foreach (var import in list.OfType<string>())
                    {
                        next.Add(import);
                    }
                }
            });
            level = next.Distinct(StringComparer.Ordinal).Where(f => !seen.ContainsKey(f)).ToList();
        }

        return seen.Count;
    }
}
