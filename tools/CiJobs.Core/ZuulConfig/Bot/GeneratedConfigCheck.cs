using CiJobs.Core.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Core.ZuulConfig.Bot;

/// <summary>
/// The generator's check of its own output: the two files are parsed with the reader <c>zuul-config check</c> uses
/// (<see cref="BoundedYaml.Load(string)"/>) and must give back exactly the model, every name a string in Zuul's YAML 1.1
/// (docs/manual/config-bot.md). Any difference is a bug of the generator: an internal error, and nothing is written.
/// </summary>
internal static class GeneratedConfigCheck
{
    /// <summary>One fact of the configuration, in file order: what it is and its text.</summary>
    private readonly record struct Fact(string What, string Value);

    public static void Verify(GeneratedConfig config, string tenantText, string projectsText)
    {
        Compare(ConfigBotNames.TenantFile, TenantFacts(config), tenantText, ReadTenant);
        Compare(ConfigBotNames.ProjectsFile, ProjectFacts(config), projectsText, ReadProjects);
    }

    private static void Compare(string file, List<Fact> expected, string text, Action<YamlNode?, List<Fact>> read)
    {
        var actual = new List<Fact>();
        try
        {
            var stream = BoundedYaml.Load(text);
            if (stream.Documents.Count > 1)
            {
                throw new FormatException("it holds more than one YAML document");
            }

            read(stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode, actual);
        }
        catch (YamlException e)
        {
            throw Internal(file, $"it does not parse at line {e.Start.Line}: {e.Message}");
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw Internal(file, e.Message);
        }

        for (var i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            var want = i < expected.Count ? expected[i] : (Fact?)null;
            var got = i < actual.Count ? actual[i] : (Fact?)null;
            if (want != got)
            {
                throw Internal(file, $"expected {Describe(want)}, read {Describe(got)}");
            }
        }
    }

    private static string Describe(Fact? fact) => fact is { } f ? $"{f.What} '{ZuulYaml.Shown(f.Value)}'" : "nothing more";

    private static CiJobsException Internal(string file, string detail) =>
        new($"internal error: the generated {file} does not read back as the configuration it was generated from ({ZuulYaml.Shown(detail)}); nothing was written. This is a bug, please report it.", ExitCodes.InternalError);

    private static List<Fact> TenantFacts(GeneratedConfig config)
    {
        var facts = new List<Fact> { new("tenant name", config.Tenant) };
        if (config.Projects.Count == 0)
        {
            return facts;
        }

        foreach (var (connection, paths) in config.TenantSources())
        {
            facts.Add(new("connection", connection));
            facts.AddRange(paths.Select(p => new Fact("project", p)));
        }

        return facts;
    }

    private static List<Fact> ProjectFacts(GeneratedConfig config)
    {
        var facts = new List<Fact>();
        foreach (var project in config.Projects)
        {
            facts.Add(new("project", project.CanonicalName));
            if (project.DefaultBranch is { } branch)
            {
                facts.Add(new("default-branch", branch));
            }

            facts.AddRange(project.Templates.Select(t => new Fact("template", t)));
            foreach (var package in project.Packages)
            {
                facts.Add(new("package", package.Name));
                if (package.UnderReview)
                {
                    facts.Add(new("under_review", "true"));
                }

                foreach (var (release, source) in package.SourceBranches)
                {
                    facts.Add(new("release", release));
                    facts.Add(new("source branch", source));
                }
            }
        }

        return facts;
    }

    private static void ReadTenant(YamlNode? root, List<Fact> facts)
    {
        var body = Map(OneKey(Single(root, "the tenant list"), "tenant"), "tenant");
        Keys(body, "tenant", "name", "source");
        facts.Add(new("tenant name", String(body.Children[new YamlScalarNode("name")])));
        foreach (var (connection, source) in Map(body.Children[new YamlScalarNode("source")], "source").Children)
        {
            facts.Add(new("connection", String(connection)));
            var group = Map(Single(OneKey(Map(source, "a connection"), "untrusted-projects"), "untrusted-projects"), "untrusted-projects");
            Keys(group, "untrusted-projects", "include", "projects");
            if (group.Children[new YamlScalarNode("include")] is not YamlSequenceNode { Children.Count: 0 })
            {
                throw new FormatException("include is not the empty list");
            }

            facts.AddRange(List(group.Children[new YamlScalarNode("projects")], "projects").Select(p => new Fact("project", String(p))));
        }
    }

    private static void ReadProjects(YamlNode? root, List<Fact> facts)
    {
        if (root is null)
        {
            return;
        }

        foreach (var item in List(root, "the project list"))
        {
            var project = Map(OneKey(item, "project"), "project");
            foreach (var (keyNode, value) in project.Children)
            {
                switch (ZuulYaml.Text(keyNode))
                {
                    case "name":
                        facts.Add(new("project", String(value)));
                        break;
                    case "default-branch":
                        facts.Add(new("default-branch", String(value)));
                        break;
                    case "templates":
                        facts.AddRange(List(value, "templates").Select(t => new Fact("template", String(t))));
                        break;
                    case "vars":
                        ReadPackages(List(OneKey(value, ConfigBotNames.PackagesVariable), ConfigBotNames.PackagesVariable), facts);
                        break;
                    default:
                        facts.Add(new("unexpected key", ZuulYaml.Text(keyNode)));
                        break;
                }
            }
        }
    }

    private static void ReadPackages(IEnumerable<YamlNode> packages, List<Fact> facts)
    {
        foreach (var package in packages.Select(p => Map(p, "a package")))
        {
            foreach (var (keyNode, value) in package.Children)
            {
                switch (ZuulYaml.Text(keyNode))
                {
                    case "name":
                        facts.Add(new("package", String(value)));
                        break;
                    case "under_review" when value is YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" } && ZuulYaml.TagOf(value) is null:
                        facts.Add(new("under_review", "true"));
                        break;
                    case "source_branches":
                        foreach (var (release, source) in Map(value, "source_branches").Children)
                        {
                            facts.Add(new("release", String(release)));
                            facts.Add(new("source branch", String(source)));
                        }

                        break;
                    default:
                        facts.Add(new("unexpected key", ZuulYaml.Text(keyNode)));
                        break;
                }
            }
        }
    }

    /// <summary>A scalar Zuul reads as a string: no tag, and quoted, or plain without turning into another YAML 1.1 type.</summary>
    private static string String(YamlNode node) =>
        node is YamlScalarNode { Value: { } value } scalar && ZuulYaml.TagOf(node) is null
        && (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted || ZuulYaml.PlainIsString(value))
            ? value
            : throw new FormatException($"line {node.Start.Line}: '{ZuulYaml.Text(node)}' is not read as a string");

    private static YamlMappingNode Map(YamlNode? node, string what) =>
        node as YamlMappingNode ?? throw new FormatException($"{what} is not a mapping");

    private static IEnumerable<YamlNode> List(YamlNode? node, string what) =>
        (node as YamlSequenceNode ?? throw new FormatException($"{what} is not a list")).Children;

    private static YamlNode Single(YamlNode? node, string what) =>
        List(node, what) is var items && items.Count() == 1 ? items.First() : throw new FormatException($"{what} does not hold exactly one item");

    /// <summary>The value of a mapping that has exactly one key, <paramref name="key"/>.</summary>
    private static YamlNode OneKey(YamlNode? node, string key)
    {
        var map = Map(node, key);
        return map.Children.Count == 1 && ZuulYaml.Text(map.Children.First().Key) == key
            ? map.Children.First().Value
            : throw new FormatException($"expected a mapping with the one key {key}");
    }

    private static void Keys(YamlMappingNode map, string what, params string[] keys)
    {
        if (!map.Children.Keys.Select(ZuulYaml.Text).SequenceEqual(keys))
        {
            throw new FormatException($"{what} has keys {string.Join(", ", map.Children.Keys.Select(ZuulYaml.Text))}, expected {string.Join(", ", keys)}");
        }
    }
}
