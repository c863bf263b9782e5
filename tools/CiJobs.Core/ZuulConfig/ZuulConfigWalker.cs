using YamlDotNet.RepresentationModel;

namespace CiJobs.Core.ZuulConfig;

/// <summary>A name used somewhere, to resolve once every file is read.</summary>
internal sealed record ZuulReference(string Kind, string Name, string File, long Line, string RepositoryRoot);

/// <summary>
/// The repository a checked folder stands for: its key (<see cref="ZuulCheckContext.ProjectKey"/>), the folder as
/// given, the tenant's name of it, whether it is a config project, and its place in Zuul's load order (config
/// projects first, then untrusted projects, each in the order given).
/// </summary>
internal sealed record ZuulProject(string Key, string Display, string Name, bool Trusted, int Order, bool NameGiven = true);

/// <summary>A job listed in a project or template pipeline, with the pipeline and the project of the file.</summary>
internal sealed record ZuulJobUse(string Name, string File, long Line, YamlMappingNode? Variant, string? Pipeline, ZuulProject Project);

/// <summary>Something defined by a stanza (job, nodeset, ...), with where and in which project it was defined.</summary>
internal sealed record ZuulDefinition(string Kind, string Name, string File, long Line, YamlMappingNode Body, ZuulProject Project, int Sequence);

/// <summary>Walks one file's stanzas against <see cref="ZuulSchema"/>, collecting problems, definitions and references.</summary>
internal sealed class ZuulConfigWalker(ZuulCheckContext context)
{
    private readonly List<ZuulConfigProblem> problems = [];

    public List<ZuulReference> References { get; } = [];

    public List<(string Path, string File, long Line, string Root)> Playbooks { get; } = [];

    public List<ZuulJobUse> JobUses { get; } = [];

    public List<ZuulDefinition> Definitions { get; } = [];

    public IReadOnlyList<ZuulConfigProblem> Problems => problems;

    public int ProblemCount => problems.Count;

    /// <summary>The file being walked, as reported (relative to the checked folder).</summary>
    public string File { get; set; } = "";

    /// <summary>The repository root of the file being walked (playbook paths are relative to it).</summary>
    public string Root { get; set; } = "";

    /// <summary>The project the file being walked belongs to.</summary>
    public ZuulProject Project { get; set; } = new("", "", "", Trusted: true, 0);

    /// <summary>The key node whose value is being checked (for pipeline names in project stanzas).</summary>
    public YamlNode? CurrentKey { get; set; }

    /// <summary>The pipeline whose section of a project or template is being checked.</summary>
    public string? CurrentPipeline { get; set; }

    public bool KnowsConnections => context.ConnectionDrivers.Count > 0;

    public string? DriverOf(string connection) =>
        context.ConnectionDrivers.TryGetValue(connection, out var driver) ? driver
        : ZuulSchema.ImplicitConnections.TryGetValue(connection, out var implicitDriver) ? implicitDriver
        : null;

    public void Report(YamlNode node, string message) => problems.Add(new ZuulConfigProblem(File, node.Start.Line, message));

    public void Warn(YamlNode node, string message) => problems.Add(new ZuulConfigProblem(File, node.Start.Line, message, ZuulSeverity.Warning));

    public void Report(string file, long line, string message, ZuulSeverity severity = ZuulSeverity.Error) =>
        problems.Add(new ZuulConfigProblem(file, line, message, severity));

    public void AddReference(string kind, string name, YamlNode node) => References.Add(new ZuulReference(kind, name, File, node.Start.Line, Root));

    public void AddPlaybook(string path, YamlNode node) => Playbooks.Add((path, File, node.Start.Line, Root));

    public void AddJobUse(string name, YamlNode node, YamlMappingNode? variant) =>
        JobUses.Add(new ZuulJobUse(name, File, node.Start.Line, variant, CurrentPipeline, Project));

    /// <summary>Checks a value's tag (Zuul's loader knows only a few), then its shape.</summary>
    public void CheckValue(ValueSpec spec, YamlNode node, string where, bool allowOverrideTags = false, bool allowEncrypted = false)
    {
        var tag = ZuulYaml.TagOf(node);
        if (tag is not null
            && !(allowOverrideTags && tag is ZuulYaml.OverrideTag or ZuulYaml.InheritTag)
            && !(allowEncrypted && tag == ZuulYaml.EncryptedTag))
        {
            var hint = tag == ZuulYaml.EncryptedTag ? " (encrypted values belong in a secret's data)" : "";
            Report(node, $"{where}: tag '{tag}' is not allowed here{hint}");
            return;
        }

        spec.Check(this, node, where);
    }

    /// <summary>Walks the document of one file: a list of one-key mappings (<c>- job: {...}</c>).</summary>
    public void WalkDocument(YamlNode root)
    {
        if (root is YamlScalarNode empty && ZuulYaml.IsNull(empty))
        {
            return;
        }

        if (root is not YamlSequenceNode stanzas)
        {
            Report(root, "a Zuul configuration file must be a list of stanzas (- job: ..., - project: ...)");
            return;
        }

        foreach (var item in stanzas.Children)
        {
            if (item is not YamlMappingNode stanza || stanza.Children.Count != 1)
            {
                Report(item, "each list item must be a mapping with exactly one key naming the stanza kind (job, project, ...)");
                continue;
            }

            var (keyNode, body) = stanza.Children.First();
            var kind = ZuulYaml.Text(keyNode);
            if (!ZuulSchema.Stanzas.TryGetValue(kind, out var spec))
            {
                Report(keyNode, $"unknown stanza kind '{kind}' (expected one of {string.Join(", ", ZuulSchema.Stanzas.Keys)})");
                continue;
            }

            var name = body is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode("name"), out var nameNode)
                ? ZuulYaml.Text(nameNode)
                : null;
            var where = name is null ? kind : $"{kind} {name}";
            CheckValue(spec, body, where);
            if (body is YamlMappingNode definition && name is not null && kind is not ("project" or "pragma"))
            {
                Definitions.Add(new ZuulDefinition(kind, name, File, body.Start.Line, definition, Project, Definitions.Count));
            }

            if (kind == "pipeline" && body is YamlMappingNode pipeline)
            {
                CheckPipeline(pipeline, where, keyNode);
            }

            if (kind == "project" && body is YamlMappingNode project)
            {
                CheckProject(project);
            }

            if (kind == "job" && body is YamlMappingNode job && name is not null)
            {
                CheckJob(job, name);
            }

            if (kind == "secret" && body is YamlMappingNode secret)
            {
                var count = secret.Children.Keys.Count(k => ZuulYaml.Text(k) is "data" or "oidc");
                if (count != 1)
                {
                    Report(body, $"{where}: a secret needs exactly one of data or oidc");
                }
            }

            if (kind == "nodeset" && body is YamlMappingNode nodeset)
            {
                CheckNodesetGroups(nodeset, where);
            }
        }
    }

    private void CheckJob(YamlMappingNode job, string name)
    {
        var attributes = job.Children.ToDictionary(kv => ZuulYaml.Text(kv.Key), kv => kv.Value, StringComparer.Ordinal);
        if (!attributes.ContainsKey("parent") && name != ZuulConfigChecker.DefaultBaseJob)
        {
            // A job without a parent inherits from the tenant's base job, which must exist.
            References.Add(new ZuulReference("job", ZuulConfigChecker.DefaultBaseJob, File, job.Start.Line, Root));
        }

        if (attributes.TryGetValue("intermediate", out var intermediate) && IsTrue(intermediate)
            && !(attributes.TryGetValue("abstract", out var isAbstract) && IsTrue(isAbstract)))
        {
            Report(intermediate, $"job {name}: an intermediate job must also be abstract");
        }

    }

    /// <summary>Only config projects may define pipelines; a window's ceiling may not be below its floor.</summary>
    private void CheckPipeline(YamlMappingNode pipeline, string where, YamlNode keyNode)
    {
        if (!Project.Trusted)
        {
            Report(keyNode, $"{where}: pipelines may only be defined in a config project, and {Project.Display} is an untrusted project (mark it with --config-project if it is the tenant's config project)");
        }

        var floor = pipeline.Children.TryGetValue(new YamlScalarNode("window-floor"), out var floorNode) ? ZuulYaml.Integer(floorNode) : 3;
        if (pipeline.Children.TryGetValue(new YamlScalarNode("window-ceiling"), out var ceilingNode)
            && ZuulYaml.Integer(ceilingNode) is { } ceiling && floor is { } minimum && ceiling < minimum)
        {
            Report(ceilingNode, $"{where}: window-ceiling {ceiling} is less than window-floor {minimum}{(floorNode is null ? " (the default)" : "")}");
        }
    }

    /// <summary>An untrusted project may configure only itself; a template listed twice is used once.</summary>
    private void CheckProject(YamlMappingNode project)
    {
        if (project.Children.TryGetValue(new YamlScalarNode("name"), out var nameNode) && nameNode is YamlScalarNode { Value: { Length: > 0 } name }
            && !Project.Trusted)
        {
            if (name.StartsWith('^'))
            {
                Warn(nameNode, $"project {name}: in an untrusted project ({Project.Display}), Zuul refuses this stanza for every project the expression matches other than {Project.Name} itself");
            }
            else if (Project.NameGiven ? !NamesProject(name, Project.Name) : name.Split('/')[^1] != Project.Name)
            {
                Report(nameNode, $"project {name}: an untrusted project may only configure itself, and {Project.Display} is '{Project.Name}' (mark it with --config-project if it is a config project, or name it with --project-name {Project.Display}=NAME)");
            }
        }

        if (project.Children.TryGetValue(new YamlScalarNode("templates"), out var templates) && templates is YamlSequenceNode list)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var template in list.Children.OfType<YamlScalarNode>())
            {
                if (!seen.Add(template.Value ?? ""))
                {
                    Warn(template, $"project: template {template.Value} is listed twice; Zuul applies it once");
                }
            }
        }
    }

    /// <summary>
    /// Whether a project stanza's name denotes the project: the same name, or one is the other with a leading
    /// hostname (Zuul resolves <c>org/repo</c> and <c>host/org/repo</c> alike).
    /// </summary>
    internal static bool NamesProject(string name, string project) =>
        name == project
        || (project.EndsWith("/" + name, StringComparison.Ordinal) && !project[..^(name.Length + 1)].Contains('/'))
        || (name.EndsWith("/" + project, StringComparison.Ordinal) && !name[..^(project.Length + 1)].Contains('/'));

    /// <summary>Groups may only list nodes of the same nodeset.</summary>
    private void CheckNodesetGroups(YamlMappingNode nodeset, string where)
    {
        var nodes = new HashSet<string>(StringComparer.Ordinal);
        if (nodeset.Children.TryGetValue(new YamlScalarNode("nodes"), out var nodeList) && nodeList is YamlSequenceNode nodeItems)
        {
            foreach (var node in nodeItems.Children.OfType<YamlMappingNode>())
            {
                if (node.Children.TryGetValue(new YamlScalarNode("name"), out var nodeName))
                {
                    var names = nodeName is YamlSequenceNode many ? many.Children.Select(ZuulYaml.Text) : [ZuulYaml.Text(nodeName)];
                    foreach (var n in names)
                    {
                        if (!nodes.Add(n))
                        {
                            Report(nodeName, $"{where}: node '{n}' is listed twice");
                        }
                    }
                }
            }
        }

        if (nodeset.Children.TryGetValue(new YamlScalarNode("groups"), out var groupList) && groupList is YamlSequenceNode groups)
        {
            foreach (var group in groups.Children.OfType<YamlMappingNode>())
            {
                if (group.Children.TryGetValue(new YamlScalarNode("nodes"), out var members))
                {
                    var names = members is YamlSequenceNode many ? many.Children : [members];
                    foreach (var member in names.Where(m => !nodes.Contains(ZuulYaml.Text(m))))
                    {
                        Report(member, $"{where}: group member '{ZuulYaml.Text(member)}' is not a node of this nodeset");
                    }
                }
            }
        }
    }

    private static bool IsTrue(YamlNode node) => node is YamlScalarNode { Value: { } v } && v.ToLowerInvariant() is "true" or "yes" or "on";
}
