using CiJobs.Core.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Core.ZuulConfig;

/// <summary>
/// What the checked folders may refer to without defining it: names defined elsewhere in the tenant
/// (the site's <c>base</c> job, nodesets, pipelines of the config project) and the driver of each
/// connection, so triggers are checked against that driver's schema; which checked folders are config
/// projects (trusted; every other one is an untrusted project), the tenant's name of each project, and the
/// tenant's limits (see docs/contracts/zuul-config.md).
/// </summary>
public sealed record ZuulCheckContext(
    IReadOnlyDictionary<string, IReadOnlySet<string>> ExternalNames,
    IReadOnlyDictionary<string, string> ConnectionDrivers)
{
    public static readonly IReadOnlyList<string> Kinds = ["job", "project-template", "nodeset", "secret", "semaphore", "pipeline", "queue"];

    /// <summary>Zuul's default tenant <c>max-job-timeout</c> in seconds (-1: no limit).</summary>
    public const int DefaultMaxJobTimeout = 10800;

    /// <summary>Zuul's default tenant <c>max-nodes-per-job</c> (-1: no limit).</summary>
    public const int DefaultMaxNodesPerJob = 5;

    public static ZuulCheckContext Empty { get; } = new(new Dictionary<string, IReadOnlySet<string>>(), new Dictionary<string, string>());

    /// <summary>The folders (as given) that are config projects; every other checked folder is an untrusted project.</summary>
    public IReadOnlyList<string> ConfigProjects { get; init; } = [];

    /// <summary>The tenant's name of a project, by <see cref="ProjectKey"/>; by default a project is named after its folder.</summary>
    public IReadOnlyDictionary<string, string> ProjectNames { get; init; } = new Dictionary<string, string>();

    public int MaxJobTimeout { get; init; } = DefaultMaxJobTimeout;

    public int MaxNodesPerJob { get; init; } = DefaultMaxNodesPerJob;

    /// <summary>
    /// The repository a folder or file stands for, as a full path: a <c>zuul.d</c> or <c>.zuul.d</c> folder (or a
    /// file) stands for the folder holding it.
    /// </summary>
    public static string ProjectKey(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (File.Exists(full))
        {
            full = Path.GetDirectoryName(full)!;
        }

        return Path.GetFileName(full) is "zuul.d" or ".zuul.d" ? Path.GetDirectoryName(full)! : full;
    }

    public bool IsTrusted(string path) => ConfigProjects.Any(p => ProjectKey(p) == ProjectKey(path));

    public string ProjectName(string path) =>
        ProjectNames.TryGetValue(ProjectKey(path), out var name) ? name : Path.GetFileName(ProjectKey(path));

    /// <summary>
    /// Marks folders as config projects and names projects, given as <c>DIR=NAME</c>; sets the tenant limits when given.
    /// </summary>
    public ZuulCheckContext WithProjects(IEnumerable<string> configProjects, IEnumerable<string> projectNames, int? maxJobTimeout = null, int? maxNodesPerJob = null)
    {
        var names = new Dictionary<string, string>(ProjectNames, StringComparer.Ordinal);
        foreach (var item in projectNames)
        {
            var equals = item.LastIndexOf('=');
            if (equals <= 0 || equals == item.Length - 1)
            {
                throw new CiJobsException($"'{item}': a project name must be written DIR=NAME, for example .=opendev.org/org/repo.", ZuulConfigExitCodes.BadContext);
            }

            names[ProjectKey(item[..equals])] = item[(equals + 1)..];
        }

        foreach (var limit in new[] { maxJobTimeout, maxNodesPerJob }.OfType<int>())
        {
            if (limit < -1)
            {
                throw new CiJobsException($"a tenant limit is a number, or -1 for no limit (got {limit}).", ZuulConfigExitCodes.BadContext);
            }
        }

        return this with
        {
            ConfigProjects = [.. ConfigProjects, .. configProjects],
            ProjectNames = names,
            MaxJobTimeout = maxJobTimeout ?? MaxJobTimeout,
            MaxNodesPerJob = maxNodesPerJob ?? MaxNodesPerJob,
        };
    }

    public bool IsExternal(string kind, string name) => ExternalNames.TryGetValue(kind, out var names) && names.Contains(name);

    /// <summary>Adds names given as <c>kind:name</c> (for example <c>job:base</c>) and connections given as <c>name:driver</c>.</summary>
    public ZuulCheckContext With(IEnumerable<string> externals, IEnumerable<string> connections)
    {
        var names = ExternalNames.ToDictionary(kv => kv.Key, kv => new HashSet<string>(kv.Value, StringComparer.Ordinal));
        foreach (var item in externals)
        {
            var (kind, name) = Split(item, "an external name must be written kind:name, for example job:base");
            if (!Kinds.Contains(kind))
            {
                throw new CiJobsException($"unknown kind '{kind}' in '{item}'; use one of {string.Join(", ", Kinds)}.", ZuulConfigExitCodes.BadContext);
            }

            Add(names, kind, name);
        }

        var drivers = new Dictionary<string, string>(ConnectionDrivers, StringComparer.Ordinal);
        foreach (var item in connections)
        {
            var (name, driver) = Split(item, "a connection must be written name:driver, for example review:gerrit");
            drivers[name] = driver;
        }

        return this with
        {
            ExternalNames = names.ToDictionary(kv => kv.Key, kv => (IReadOnlySet<string>)kv.Value),
            ConnectionDrivers = drivers,
        };
    }

    /// <summary>
    /// Reads a context file: a mapping with optional lists <c>jobs</c>, <c>project-templates</c>, <c>nodesets</c>,
    /// <c>secrets</c>, <c>semaphores</c>, <c>pipelines</c>, <c>queues</c> and a mapping <c>connections</c> (name → driver).
    /// </summary>
    public static async Task<ZuulCheckContext> LoadAsync(string path, CancellationToken cancellationToken)
    {
        // Bounded (16 MiB), and a directory, a device or a missing file is a bad context file too.
        var text = await InputLimits.ReadTextFileAsync(path, "the context file", ZuulConfigExitCodes.BadContext, cancellationToken);

        YamlStream stream;
        try
        {
            stream = BoundedYaml.Load(text);
        }
        catch (YamlException e)
        {
            throw new CiJobsException($"{path}:{e.Start.Line}: {e.Message}", ZuulConfigExitCodes.BadContext, e);
        }

        var names = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var drivers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (stream.Documents.Count == 0)
        {
            return Empty;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new CiJobsException($"{path}: the context file must be a mapping.", ZuulConfigExitCodes.BadContext);
        }

        foreach (var (keyNode, value) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (key == "connections" && value is YamlMappingNode map)
            {
                foreach (var (name, driver) in map.Children)
                {
                    drivers[((YamlScalarNode)name).Value ?? ""] = (driver as YamlScalarNode)?.Value ?? "";
                }

                continue;
            }

            var kind = Kinds.FirstOrDefault(k => key == k + "s");
            if (kind is null || value is not YamlSequenceNode list)
            {
                throw new CiJobsException($"{path}:{keyNode.Start.Line}: unknown key '{key}' (expected lists {string.Join(", ", Kinds.Select(k => k + "s"))} and a connections mapping).", ZuulConfigExitCodes.BadContext);
            }

            foreach (var item in list.Children.OfType<YamlScalarNode>())
            {
                Add(names, kind, item.Value ?? "");
            }
        }

        return new ZuulCheckContext(names.ToDictionary(kv => kv.Key, kv => (IReadOnlySet<string>)kv.Value), drivers);
    }

    private static void Add(Dictionary<string, HashSet<string>> names, string kind, string name)
    {
        if (!names.TryGetValue(kind, out var set))
        {
            names[kind] = set = new HashSet<string>(StringComparer.Ordinal);
        }

        set.Add(name);
    }

    private static (string, string) Split(string item, string message)
    {
        var colon = item.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == item.Length - 1)
        {
            throw new CiJobsException($"'{item}': {message}.", ZuulConfigExitCodes.BadContext);
        }

        return (item[..colon], item[(colon + 1)..]);
    }
}
