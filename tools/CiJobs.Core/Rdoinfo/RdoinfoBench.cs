namespace CiJobs.Core.Rdoinfo;

/// <summary>Hooks for bench/: the YAML-only part of a load, so the cost of merging and expansion is visible.</summary>
internal static class RdoinfoBench
{
    /// <summary>Parses the entry file and every file it reaches through imports (each once); returns the file count.</summary>
    public static int ParseOnly(string directory, string entryFile = RdoinfoLoader.DefaultEntryFile)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([entryFile]);
        while (pending.TryPop(out var relative))
        {
            if (!seen.Add(relative))
            {
                continue;
            }

            var path = Path.Combine(directory, relative);
            if (YamlTree.Parse(File.ReadAllText(path), path) is YamlMap map && map.TryGetValue("import", out var imports) && imports is YamlList list)
            {
                foreach (var import in list.OfType<string>())
                {
                    pending.Push(import);
                }
            }
        }

        return seen.Count;
    }
}
