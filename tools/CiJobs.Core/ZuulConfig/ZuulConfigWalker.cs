using YamlDotNet.RepresentationModel;

namespace CiJobs.Core.ZuulConfig;

/// <summary>A name used somewhere, to resolve once every file is read.</summary>
internal sealed record ZuulReference(string Kind, string Name, string File, long Line, string RepositoryRoot);

/// <summary>A job listed in a project or template pipeline.</summary>
internal sealed record ZuulJobUse(string Name, string File, long Line, YamlMappingNode? Variant);

/// <summary>Something defined by a stanza (job, nodeset, ...), with where it was defined.</summary>
internal sealed record ZuulDefinition(string Kind, string Name, string File, long Line, YamlMappingNode Body);

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

    /// <summary>The key node whose value is being checked (for pipeline names in project stanzas).</summary>
    public YamlNode? CurrentKey { get; set; }

    public bool KnowsConnections => context.ConnectionDrivers.Count > 0;

    public string? DriverOf(string connection) =>
        context.ConnectionDrivers.TryGetValue(connection, out var driver) ? driver
        : ZuulSchema.ImplicitConnections.TryGetValue(connection, out var implicitDriver) ? implicitDriver
        : null;

    public void Report(YamlNode node, string message) => problems.Add(new ZuulConfigProblem(File, node.Start.Line, message));

    public void Report(string file, long line, string message) => problems.Add(new ZuulConfigProblem(file, line, message));

    public void AddReference(string kind, string name, YamlNode node) => References.Add(new ZuulReference(kind, name, File, node.Start.Line, Root));

    public void AddPlaybook(string path, YamlNode node) => Playbooks.Add((path, File, node.Start.Line, Root));

    public void AddJobUse(string name, YamlNode node, YamlMappingNode? variant) => JobUses.Add(new ZuulJobUse(name, File, node.Start.Line, variant));

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
                Definitions.Add(new ZuulDefinition(kind, name, File, body.Start.Line, definition));
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

        if (attributes.TryGetValue("semaphore", out var semaphore) && attributes.ContainsKey("semaphores"))
        {
            Report(semaphore, $"job {name}: use either semaphore or semaphores, not both");
        }
    }

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
