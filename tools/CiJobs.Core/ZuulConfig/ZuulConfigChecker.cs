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
    /// Checks the trees in <paramref name="directories"/>: each is a repository root (holding <c>zuul.yaml</c>,
    /// <c>zuul.d/</c>, <c>.zuul.yaml</c> or <c>.zuul.d/</c>, first found wins, as Zuul does) or a configuration
    /// folder itself (its parent is then the repository root, for playbook paths).
    /// </summary>
    public static async Task<ZuulConfigCheckResult> CheckAsync(
        IReadOnlyList<string> directories,
        ZuulCheckContext context,
        CancellationToken cancellationToken)
    {
        var walker = new ZuulConfigWalker(context);
        var files = new List<string>();
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var directory in directories)
        {
            var (root, configFiles) = Discover(directory);
            foreach (var file in configFiles)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var shown = Display(directory, file);
                files.Add(shown);
                walker.File = shown;
                walker.Root = root;
                await WalkFileAsync(walker, file, counts, cancellationToken);
            }
        }

        var problems = walker.Problems.ToList();
        problems.AddRange(CrossReference(walker, context));
        var ordered = problems
            .Distinct()
            .OrderBy(p => files.IndexOf(p.File))
            .ThenBy(p => p.Line)
            .ToList();
        return new ZuulConfigCheckResult(files, counts, ordered);
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

    private static IEnumerable<ZuulConfigProblem> CrossReference(ZuulConfigWalker walker, ZuulCheckContext context)
    {
        var defined = walker.Definitions.ToLookup(d => (d.Kind, d.Name));

        // Jobs may have variants (several stanzas); other named things must be unique.
        foreach (var group in walker.Definitions.Where(d => d.Kind != "job").GroupBy(d => (d.Kind, d.Name)))
        {
            var first = group.First();
            foreach (var duplicate in group.Skip(1))
            {
                yield return new ZuulConfigProblem(duplicate.File, duplicate.Line,
                    $"{duplicate.Kind} {duplicate.Name} is already defined at {first.File}:{first.Line}");
            }
        }

        var checkPipelines = walker.Definitions.Any(d => d.Kind == "pipeline") || context.ExternalNames.ContainsKey("pipeline");
        foreach (var reference in walker.References)
        {
            if (reference.Kind == "pipeline" && !checkPipelines)
            {
                continue;
            }

            // An unknown semaphore is created implicitly by Zuul with max 1; we still ask for it to be declared.
            if (!defined[(reference.Kind, reference.Name)].Any() && !context.IsExternal(reference.Kind, reference.Name))
            {
                var hint = reference.Kind == "job" && reference.Name == DefaultBaseJob
                    ? $" (jobs without a parent inherit from '{DefaultBaseJob}'; declare it external with --external job:{DefaultBaseJob} when the tenant's config project defines it)"
                    : $" (define it, or declare it external with --external {reference.Kind}:{reference.Name})";
                yield return new ZuulConfigProblem(reference.File, reference.Line, $"unknown {reference.Kind} '{reference.Name}'{hint}");
            }
        }

        // Abstract jobs cannot run; every definition must say abstract for the job to be abstract.
        foreach (var use in walker.JobUses)
        {
            var definitions = defined[("job", use.Name)].ToList();
            if (definitions.Count > 0 && definitions.All(d => IsTrue(d.Body, "abstract")))
            {
                yield return new ZuulConfigProblem(use.File, use.Line, $"job {use.Name} is abstract and cannot run in a pipeline; use a job that inherits from it");
            }
        }

        foreach (var (path, file, line, root) in walker.Playbooks)
        {
            var full = Path.GetFullPath(Path.Combine(root, path));
            if (Path.IsPathRooted(path) || !File.Exists(full))
            {
                yield return new ZuulConfigProblem(file, line, $"playbook '{path}' does not exist in the repository (paths are relative to its root and include the .yaml extension)");
            }
        }
    }

    private static bool IsTrue(YamlMappingNode body, string key) =>
        body.Children.TryGetValue(new YamlScalarNode(key), out var value)
        && value is YamlScalarNode { Value: { } v } && v.ToLowerInvariant() is "true" or "yes" or "on";

    private static (string Root, IReadOnlyList<string> Files) Discover(string directory)
    {
        if (File.Exists(directory))
        {
            return (Path.GetDirectoryName(Path.GetFullPath(directory))!, [directory]);
        }

        if (!Directory.Exists(directory))
        {
            throw new CiJobsException($"{directory} does not exist.", ZuulConfigExitCodes.NoConfig);
        }

        foreach (var location in ConfigLocations)
        {
            var candidate = Path.Combine(directory, location);
            if (File.Exists(candidate))
            {
                return (directory, [candidate]);
            }

            if (Directory.Exists(candidate))
            {
                return (directory, YamlFiles(candidate));
            }
        }

        var files = YamlFiles(directory);
        if (files.Count == 0)
        {
            throw new CiJobsException($"{directory} holds no Zuul configuration (zuul.yaml, zuul.d/, .zuul.yaml, .zuul.d/ or YAML files).", ZuulConfigExitCodes.NoConfig);
        }

        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        var root = name is "zuul.d" or ".zuul.d" ? Path.GetDirectoryName(Path.GetFullPath(directory))! : directory;
        return (root, files);
    }

    /// <summary>YAML files in sorted path order, skipping folders that hold a <c>.zuul.ignore</c> file.</summary>
    private static List<string> YamlFiles(string directory)
    {
        var result = new List<string>();
        if (File.Exists(Path.Combine(directory, ".zuul.ignore")))
        {
            return result;
        }

        result.AddRange(Directory.EnumerateFiles(directory).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)));
        foreach (var sub in Directory.EnumerateDirectories(directory))
        {
            result.AddRange(YamlFiles(sub));
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
