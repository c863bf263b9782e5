using CiJobs.Core.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Core.Plan;

/// <summary>A project as Zuul describes it (<c>zuul.project</c>, <c>zuul.projects[...]</c>).</summary>
public sealed record ZuulProject(string Name, string? ShortName, string? CanonicalHostname, string? CanonicalName, string? SrcDir, string? Checkout = null)
{
    public string Canonical => CanonicalName ?? (CanonicalHostname is null ? Name : $"{CanonicalHostname}/{Name}");
}

/// <summary>The part of Zuul's <c>zuul</c> variable that decides what to build.</summary>
public sealed record ZuulContext(
    ZuulProject Project,
    string? Branch,
    string? Ref,
    string? NewRev,
    string? OldRev,
    string? Change,
    string? Patchset,
    string? Pipeline,
    IReadOnlyList<ZuulProject> Projects,
    IReadOnlyList<ZuulProject> Items,
    string? Tag = null)
{
    /// <summary>The branch of the item: <c>zuul.branch</c>, else the ref without <c>refs/heads/</c>.</summary>
    public string? EffectiveBranch => Branch ?? (Ref is { } r && r.StartsWith("refs/heads/", StringComparison.Ordinal) ? r["refs/heads/".Length..] : null);

    /// <summary>The tag of a tag item: <c>zuul.tag</c>, else the ref without <c>refs/tags/</c>.</summary>
    public string? EffectiveTag => Tag ?? (Ref is { } r && r.StartsWith("refs/tags/", StringComparison.Ordinal) ? r["refs/tags/".Length..] : null);

    /// <summary>A change under review (check, gate) rather than a branch update (post, ref-updated, periodic).</summary>
    public bool IsChange => Change is not null;

    /// <summary>Finds a project Zuul prepared, by canonical name, name or short name (in that order).</summary>
    public ZuulProject? FindProject(string reference) =>
        Projects.FirstOrDefault(p => p.Canonical == reference)
        ?? Projects.FirstOrDefault(p => p.Name == reference)
        ?? Projects.FirstOrDefault(p => p.ShortName == reference);

    /// <summary>
    /// Reads the <c>zuul</c> dict from JSON or YAML text: either the dict itself or a mapping holding it
    /// under <c>zuul</c> (as Ansible's <c>{{ zuul | to_json }}</c> or the executor's vars file has it).
    /// </summary>
    /// <remarks>Nesting is limited to <see cref="InputLimits.MaxDepth"/> levels and mapping keys must be plain values
    /// (docs/security.md, "Nesting and size of input"): both are checked on the event stream before the tree is built.</remarks>
    public static ZuulContext Parse(string text, string source)
    {
        InputLimits.CheckYaml(text, source, PlanExitCodes.InvalidInput);
        YamlStream stream;
        try
        {
            stream = BoundedYaml.Load(text);
        }
        catch (YamlException e)
        {
            throw new CiJobsException($"{source}:{e.Start.Line}: not valid JSON or YAML: {e.Message}", PlanExitCodes.InvalidInput, e);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new CiJobsException($"{source}: expected the zuul variables as a mapping.", PlanExitCodes.InvalidInput);
        }

        var zuul = Map(root, "zuul") ?? root;
        var projectNode = Map(zuul, "project")
            ?? throw new CiJobsException($"{source}: zuul.project is missing.", PlanExitCodes.InvalidInput);
        var project = ReadProject(projectNode, source, "zuul.project");
        var projects = new List<ZuulProject>();
        if (Map(zuul, "projects") is { } projectMap)
        {
            foreach (var (key, value) in projectMap.Children)
            {
                if (value is YamlMappingNode p)
                {
                    projects.Add(ReadProject(p, source, $"zuul.projects[{Text(key)}]"));
                }
            }
        }

        var items = new List<ZuulProject>();
        if (zuul.Children.TryGetValue(new YamlScalarNode("items"), out var itemsNode) && itemsNode is YamlSequenceNode itemList)
        {
            foreach (var item in itemList.Children.OfType<YamlMappingNode>())
            {
                if (Map(item, "project") is { } itemProject)
                {
                    items.Add(ReadProject(itemProject, source, "zuul.items[].project"));
                }
            }
        }

        // The triggering project is always prepared; make sure lookups find it even when projects omits it.
        if (!projects.Any(p => p.Canonical == project.Canonical))
        {
            projects.Insert(0, project);
        }

        return new ZuulContext(
            project,
            Scalar(zuul, "branch"),
            Scalar(zuul, "ref"),
            Scalar(zuul, "newrev"),
            Scalar(zuul, "oldrev"),
            Scalar(zuul, "change"),
            Scalar(zuul, "patchset"),
            Scalar(zuul, "pipeline"),
            projects,
            items,
            Scalar(zuul, "tag"));
    }

    private static ZuulProject ReadProject(YamlMappingNode node, string source, string where)
    {
        var name = Scalar(node, "name") ?? Scalar(node, "canonical_name")
            ?? throw new CiJobsException($"{source}: {where} has no name.", PlanExitCodes.InvalidInput);
        return new ZuulProject(
            name,
            Scalar(node, "short_name"),
            Scalar(node, "canonical_hostname"),
            Scalar(node, "canonical_name"),
            Scalar(node, "src_dir"),
            Scalar(node, "checkout"));
    }

    private static YamlMappingNode? Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value as YamlMappingNode : null;

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { } v }
        && !(value is YamlScalarNode { Style: ScalarStyle.Plain } && v is "" or "null" or "~" or "None")
            ? v
            : null;

    private static string Text(YamlNode node) => node is YamlScalarNode { Value: { } v } ? v : node.ToString();
}
