using CiJobs.Core.Yaml;
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
            var (root, configFiles, ignored) = ZuulRepositoryFiles.Discover(directory);
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
                var shown = Display(directory, file.Path);
                files.Add(shown);
                shownFiles.Add(shown);
                walker.File = shown;
                walker.Root = root;
                if (file.LinkText is { } target)
                {
                    // Zuul reads the link from git: its content is the path it holds, which is what Zuul parses.
                    walker.Report(shown, 1, $"a symbolic link (to {target}): Zuul reads configuration from git, where a link's content is the path it holds, so it loads the text '{target}', not the file it points to; commit the file itself", ZuulSeverity.Warning);
                    WalkText(walker, target, counts);
                    continue;
                }

                var limits = YamlReadContext.Limits;
                if (new FileInfo(file.Path).Length > limits.MaxFileBytes)
                {
                    // Not read at all: the limit is on what is held in memory, not only on what is parsed.
                    walker.Report(shown, 1, $"YAML error: the file is too large: {limits.Describe(YamlLimitKind.FileSize)}");
                    continue;
                }

                WalkText(walker, await ReadAsync(file.Path, cancellationToken), counts);
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

    private static async Task<string> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot read {path}: {e.Message}", ExitCodes.Io, e);
        }
    }

    /// <summary>Parses one file's text and walks its stanzas, counting them by kind.</summary>
    internal static void WalkText(ZuulConfigWalker walker, string text, IDictionary<string, int> counts)
    {
        YamlStream stream;
        try
        {
            stream = BoundedYaml.Load(text);
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
