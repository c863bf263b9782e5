using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Core.ZuulConfig;

/// <summary>
/// Checks Zuul configuration trees offline: every stanza against Zuul's documented attributes,
/// then cross-references (parents, nodesets, secrets, semaphores, templates, pipelines, playbooks)
/// across all given trees together, as one tenant would load them.
/// </summary>
public static class ZuulConfigChecker
{
    /// <summary>The job every job without a <c>parent</c> inherits from (the tenant's default base job).</summary>
    public const string DefaultBaseJob = "base";

    private static readonly string[] ConfigLocations = ["zuul.yaml", "zuul.d", ".zuul.yaml", ".zuul.d"];

    /// <summary>
    /// Checks the trees in <paramref name="directories"/> and the config projects of <paramref name="context"/>: each
    /// is a repository root (holding <c>zuul.yaml</c>, <c>zuul.d/</c>, <c>.zuul.yaml</c> or <c>.zuul.d/</c>, first found
    /// wins, as Zuul does) or a configuration folder itself (its parent is then the repository root, for playbook
    /// paths). Each folder is one project; it is untrusted unless the context lists it as a config project.
    /// </summary>
    public static async Task<ZuulConfigCheckResult> CheckAsync(
        IReadOnlyList<string> directories,
        ZuulCheckContext context,
        CancellationToken cancellationToken)
    {
        var given = directories.ToList();
        given.AddRange(context.ConfigProjects.Where(c => !given.Any(d => ZuulCheckContext.ProjectKey(d) == ZuulCheckContext.ProjectKey(c))));
        var projects = Projects(given, context);
        var walker = new ZuulConfigWalker(context);
        var files = new List<string>();
        var shownFiles = new List<string>();
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var directory in given)
        {
            var (root, configFiles, ignored) = Discover(directory);
            walker.Project = projects[ZuulCheckContext.ProjectKey(directory)];
            foreach (var (path, message) in ignored)
            {
                var shown = Display(directory, path);
                shownFiles.Add(shown);
                walker.Report(shown, 1, message, ZuulSeverity.Warning);
            }

            foreach (var file in configFiles)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var shown = Display(directory, file);
                files.Add(shown);
                shownFiles.Add(shown);
                walker.File = shown;
                walker.Root = root;
                await WalkFileAsync(walker, file, counts, cancellationToken);
            }
        }

        var problems = walker.Problems.ToList();
        problems.AddRange(ZuulCrossReference.Check(walker, context));
        var ordered = problems
            .Distinct()
            .OrderBy(p => shownFiles.IndexOf(p.File))
            .ThenBy(p => p.Line)
            .ToList();
        return new ZuulConfigCheckResult(files, counts, ordered);
    }

    /// <summary>One project per folder; Zuul loads config projects first, then untrusted projects, each in tenant order.</summary>
    private static Dictionary<string, ZuulProject> Projects(List<string> given, ZuulCheckContext context)
    {
        var projects = new Dictionary<string, ZuulProject>(StringComparer.Ordinal);
        var order = given
            .Select((directory, index) => (Directory: directory, Index: index, Trusted: context.IsTrusted(directory)))
            .OrderBy(d => d.Trusted ? 0 : 1)
            .ThenBy(d => d.Index);
        foreach (var (directory, _, trusted) in order)
        {
            var key = ZuulCheckContext.ProjectKey(directory);
            if (!projects.ContainsKey(key))
            {
                projects[key] = new ZuulProject(key, directory, context.ProjectName(directory), trusted, projects.Count, context.ProjectNames.ContainsKey(key));
            }
        }

        return projects;
    }

    private static async Task WalkFileAsync(ZuulConfigWalker walker, string path, IDictionary<string, int> counts, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot read {path}: {e.Message}", ExitCodes.Io, e);
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            walker.Report(walker.File, e.Start.Line, $"YAML error: {FirstSentence(e)}");
            return;
        }

        if (stream.Documents.Count > 1)
        {
            walker.Report(stream.Documents[1].RootNode, "a Zuul configuration file holds one YAML document");
        }

        foreach (var document in stream.Documents.Take(1))
        {
            walker.WalkDocument(document.RootNode);
            if (document.RootNode is YamlSequenceNode list)
            {
                foreach (var stanza in list.Children.OfType<YamlMappingNode>().Where(m => m.Children.Count == 1))
                {
                    var kind = ZuulYaml.Text(stanza.Children.First().Key);
                    counts[kind] = counts.TryGetValue(kind, out var n) ? n + 1 : 1;
                }
            }
        }
    }

    /// <summary>
    /// The repository root and the files Zuul would load from <paramref name="directory"/>, and what it would not
    /// load there (further configuration roots, files not ending in <c>.yaml</c>) with the reason.
    /// </summary>
    private static (string Root, IReadOnlyList<string> Files, IReadOnlyList<(string Path, string Message)> Ignored) Discover(string directory)
    {
        if (File.Exists(directory))
        {
            return (Path.GetDirectoryName(Path.GetFullPath(directory))!, [directory], []);
        }

        if (!Directory.Exists(directory))
        {
            throw new CiJobsException($"{directory} does not exist.", ZuulConfigExitCodes.NoConfig);
        }

        // Zuul takes the first location that holds configuration (a non-empty file, a folder with .yaml files).
        var ignored = new List<(string, string)>();
        var found = new List<(string Location, List<string> Files)>();
        foreach (var candidate in ConfigLocations.Select(l => Path.Combine(directory, l)))
        {
            List<string> candidateFiles = File.Exists(candidate) ? (new FileInfo(candidate).Length > 0 ? [candidate] : [])
                : Directory.Exists(candidate) ? YamlFiles(candidate, ignored)
                : [];
            if (candidateFiles.Count > 0)
            {
                found.Add((candidate, candidateFiles));
            }
        }

        if (found.Count > 0)
        {
            foreach (var (other, _) in found.Skip(1))
            {
                ignored.Add((other, $"not loaded: Zuul loads only the first of zuul.yaml, zuul.d/, .zuul.yaml, .zuul.d/ that holds configuration ({Path.GetFileName(found[0].Location)} here) and warns that this one is ignored"));
            }

            return (directory, found[0].Files, ignored);
        }

        if (ConfigLocations.Any(l => File.Exists(Path.Combine(directory, l)) || Directory.Exists(Path.Combine(directory, l))))
        {
            return (directory, [], ignored);
        }

        var yaml = YamlFiles(directory, ignored);
        if (yaml.Count == 0)
        {
            var hint = ignored.Count > 0 ? $"; Zuul does not load the {ignored.Count} .yml file(s) there: it reads only files ending in .yaml" : "";
            throw new CiJobsException($"{directory} holds no Zuul configuration (zuul.yaml, zuul.d/, .zuul.yaml, .zuul.d/ or .yaml files){hint}.", ZuulConfigExitCodes.NoConfig);
        }

        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        var root = name is "zuul.d" or ".zuul.d" ? Path.GetDirectoryName(Path.GetFullPath(directory))! : directory;
        return (root, yaml, ignored);
    }

    /// <summary>
    /// The <c>.yaml</c> files of a configuration folder in sorted path order, skipping folders that hold a
    /// <c>.zuul.ignore</c> file; <c>.yml</c> files go to <paramref name="ignored"/> (Zuul's merger reads only
    /// <c>.yaml</c> there).
    /// </summary>
    private static List<string> YamlFiles(string directory, List<(string, string)> ignored)
    {
        var result = new List<string>();
        if (File.Exists(Path.Combine(directory, ".zuul.ignore")))
        {
            return result;
        }

        foreach (var file in Directory.EnumerateFiles(directory))
        {
            if (file.EndsWith(".yaml", StringComparison.Ordinal))
            {
                result.Add(file);
            }
            else if (file.EndsWith(".yml", StringComparison.Ordinal))
            {
                ignored.Add((file, "not loaded: Zuul reads only files ending in .yaml in a configuration folder; rename it to .yaml"));
            }
        }

        foreach (var sub in Directory.EnumerateDirectories(directory))
        {
            result.AddRange(YamlFiles(sub, ignored));
        }

        result.Sort(StringComparer.Ordinal);
        return result;
    }

    private static string Display(string directory, string file)
    {
        var relative = Path.GetRelativePath(Path.GetFullPath(directory), Path.GetFullPath(file));
        var shown = relative == "." ? file : Path.Combine(directory, relative);
        return shown.StartsWith("./", StringComparison.Ordinal) ? shown[2..] : shown;
    }

    private static string FirstSentence(YamlException e)
    {
        var message = e.InnerException?.Message ?? e.Message;
        var closing = message.IndexOf("), ", StringComparison.Ordinal);
        return closing >= 0 && message.StartsWith('(') ? message[(closing + 3)..] : message;
    }
}
