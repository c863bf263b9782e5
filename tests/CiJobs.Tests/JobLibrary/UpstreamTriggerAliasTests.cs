using CiJobs.Core.ZuulConfig.Bot;
using CiJobs.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Tests.JobLibrary;

/// <summary>
/// The upstream-source trigger was renamed from source-git to upstream (docs/manual/plan.md); the old job and
/// project-template names stay as deprecated aliases that behave exactly like the new ones.
/// </summary>
public class UpstreamTriggerAliasTests
{
    private static YamlMappingNode Stanza(string file, string kind, string name)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(RepoPaths.Root, "zuul.d", file))));
        var matches = ((YamlSequenceNode)stream.Documents[0].RootNode).Children.Cast<YamlMappingNode>()
            .Where(s => s.Children.ContainsKey(new YamlScalarNode(kind)))
            .Select(s => (YamlMappingNode)s.Children[new YamlScalarNode(kind)])
            .Where(body => Scalar(body, "name") == name)
            .ToList();
        matches.Should().ContainSingle($"{kind} {name} is defined once in zuul.d/{file}");
        return matches[0];
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode s ? s.Value : null;

    private static IEnumerable<string> Keys(YamlMappingNode node) => node.Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!);

    /// <summary>Pipeline → job names a project-template wires.</summary>
    private static Dictionary<string, List<string>> Wiring(YamlMappingNode template) =>
        template.Children
            .Where(kv => kv.Value is YamlMappingNode pipeline && pipeline.Children.ContainsKey(new YamlScalarNode("jobs")))
            .ToDictionary(
                kv => ((YamlScalarNode)kv.Key).Value!,
                kv => ((YamlSequenceNode)((YamlMappingNode)kv.Value).Children[new YamlScalarNode("jobs")]).Children
                    .Select(j => j is YamlScalarNode s ? s.Value! : ((YamlScalarNode)((YamlMappingNode)j).Children.Keys.Single()).Value!)
                    .ToList(),
                StringComparer.Ordinal);

    [Fact]
    public void The_upstream_build_job_plans_with_the_upstream_trigger()
    {
        var job = Stanza("build-jobs.yaml", "job", "cijobs-build-upstream");

        Scalar(job, "parent").Should().Be("cijobs-build-base");
        var vars = (YamlMappingNode)job.Children[new YamlScalarNode("vars")];
        Scalar(vars, "cijobs_plan_trigger").Should().Be("upstream");
    }

    [Fact]
    public void The_deprecated_source_git_build_job_is_a_child_of_the_upstream_job_that_changes_nothing()
    {
        var job = Stanza("build-jobs.yaml", "job", "cijobs-build-source-git");

        Scalar(job, "parent").Should().Be("cijobs-build-upstream");
        Keys(job).Should().Equal(["name", "parent", "description"], "anything more would make the alias differ from cijobs-build-upstream");
        Scalar(job, "description").Should().StartWith("Deprecated").And.Contain("``cijobs-build-upstream``");
    }

    [Fact]
    public void The_deprecated_source_git_template_wires_the_same_jobs_as_the_upstream_template()
    {
        var upstream = Stanza("project-templates.yaml", "project-template", "cijobs-upstream");
        var deprecated = Stanza("project-templates.yaml", "project-template", "cijobs-source-git");

        var wiring = Wiring(upstream);
        wiring.Should().NotBeEmpty();
        wiring.Values.Should().AllSatisfy(jobs => jobs.Should().Equal("cijobs-build-upstream"));
        Wiring(deprecated).Should().BeEquivalentTo(wiring);
        Scalar(deprecated, "description").Should().StartWith("Deprecated").And.Contain("``cijobs-upstream``");
    }

    [Fact]
    public void The_config_bot_applies_the_upstream_template_not_the_deprecated_alias()
    {
        ConfigBotNames.PackageSourceTemplate.Should().Be("cijobs-upstream");
        Scalar(Stanza("project-templates.yaml", "project-template", ConfigBotNames.PackageSourceTemplate), "description")
            .Should().NotStartWith("Deprecated");
    }
}
