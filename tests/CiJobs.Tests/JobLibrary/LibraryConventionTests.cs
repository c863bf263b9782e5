using System.Text.RegularExpressions;
using CiJobs.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Tests.JobLibrary;

/// <summary>The conventions of CONTRIBUTING.md for the job library, checked on the repository itself.</summary>
public partial class LibraryConventionTests
{
    private static string Root => RepoPaths.Root;

    private static YamlNode Load(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        return stream.Documents.Count == 0 ? new YamlSequenceNode() : stream.Documents[0].RootNode;
    }

    private static string? Scalar(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode s ? s.Value : null;

    /// <summary>Every stanza of zuul.d: (file, kind, body).</summary>
    private static IEnumerable<(string File, string Kind, YamlMappingNode Body)> Stanzas() =>
        Directory.EnumerateFiles(Path.Combine(Root, "zuul.d"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .SelectMany(file => ((YamlSequenceNode)Load(file)).Children.OfType<YamlMappingNode>()
                .Select(stanza => stanza.Children.First())
                .Select(kv => (Path.GetRelativePath(Root, file), ((YamlScalarNode)kv.Key).Value!, (YamlMappingNode)kv.Value)));

    private static IEnumerable<string> Roles() => Directory.EnumerateDirectories(Path.Combine(Root, "roles")).Order(StringComparer.Ordinal);

    private static string Prefix(string role) => Path.GetFileName(role).Replace('-', '_') + "_";

    [Fact]
    public void Every_job_is_described_with_the_variables_it_sets()
    {
        var jobs = Stanzas().Where(s => s.Kind == "job").ToList();
        jobs.Should().NotBeEmpty();
        foreach (var (file, _, body) in jobs)
        {
            var name = Scalar(body, "name");
            var description = Scalar(body, "description");
            description.Should().NotBeNullOrWhiteSpace($"job {name} in {file} needs a description");
            if (body.Children.TryGetValue(new YamlScalarNode("vars"), out var vars))
            {
                foreach (var variable in ((YamlMappingNode)vars).Children.Keys.Cast<YamlScalarNode>())
                {
                    description.Should().Contain(variable.Value!, $"job {name} sets {variable.Value} and must describe it");
                }
            }
        }
    }

    [Fact]
    public void Zuul_keys_come_in_the_order_name_parent_description_then_playbooks()
    {
        string[] order = ["name", "parent", "description"];
        foreach (var (file, kind, body) in Stanzas())
        {
            var keys = body.Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!).ToList();
            var leading = keys.Where(order.Contains).ToList();
            keys.Take(leading.Count).Should().Equal(leading, $"{kind} {Scalar(body, "name")} in {file} starts with name, parent, description");
            leading.Should().Equal(order.Where(leading.Contains), $"{kind} {Scalar(body, "name")} in {file}");
        }
    }

    [Fact]
    public void Every_job_and_template_is_documented_in_the_job_library_reference()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "docs", "jobs", "README.md"));
        foreach (var (_, kind, body) in Stanzas().Where(s => s.Kind is "job" or "project-template"))
        {
            readme.Should().Contain($"`{Scalar(body, "name")}`", $"{kind} {Scalar(body, "name")} must be documented in docs/jobs/README.md");
        }
    }

    [Fact]
    public void Every_playbook_path_exists_and_every_playbook_is_used_and_thin()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (file, _, body) in Stanzas().Where(s => s.Kind == "job"))
        {
            foreach (var key in new[] { "pre-run", "run", "post-run", "cleanup-run" })
            {
                if (body.Children.TryGetValue(new YamlScalarNode(key), out var value))
                {
                    var paths = value is YamlSequenceNode list ? list.Children.Select(c => Scalar(c, "name") ?? ((YamlScalarNode)c).Value!) : [((YamlScalarNode)value).Value!];
                    foreach (var path in paths)
                    {
                        File.Exists(Path.Combine(Root, path)).Should().BeTrue($"{file}: {key} {path} must exist");
                        used.Add(path);
                    }
                }
            }
        }

        foreach (var playbook in Directory.EnumerateFiles(Path.Combine(Root, "playbooks"), "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Root, playbook);
            used.Should().Contain(relative, "every playbook is run by a job");
            relative.Should().EndWith(".yaml", "the library uses .yaml, never .yml");
            foreach (var play in ((YamlSequenceNode)Load(playbook)).Children.Cast<YamlMappingNode>())
            {
                play.Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value).Should().BeSubsetOf(["name", "hosts", "roles"], $"{relative} is thin: hosts plus roles, logic in roles");
            }
        }
    }

    [Fact]
    public void Every_role_has_readme_defaults_and_tasks()
    {
        Roles().Should().NotBeEmpty();
        foreach (var role in Roles())
        {
            foreach (var part in new[] { "README.md", "defaults/main.yaml", "tasks/main.yaml" })
            {
                File.Exists(Path.Combine(role, part)).Should().BeTrue($"role {Path.GetFileName(role)} needs {part}");
            }

            Directory.EnumerateFiles(role, "*.yml", SearchOption.AllDirectories).Should().BeEmpty("the library uses .yaml, never .yml");
        }
    }

    [Fact]
    public void Role_variables_are_prefixed_and_documented()
    {
        foreach (var role in Roles())
        {
            var prefix = Prefix(role);
            var readme = File.ReadAllText(Path.Combine(role, "README.md"));
            var defaults = (YamlMappingNode)Load(Path.Combine(role, "defaults", "main.yaml"));
            defaults.Children.Should().NotBeEmpty();
            foreach (var variable in defaults.Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!))
            {
                variable.Should().StartWith(prefix, $"role {Path.GetFileName(role)} prefixes its variables");
                readme.Should().Contain($"`{variable}`", $"role {Path.GetFileName(role)} documents {variable} in its README");
            }

            foreach (var name in SetVariables((YamlSequenceNode)Load(Path.Combine(role, "tasks", "main.yaml"))))
            {
                (name.StartsWith(prefix, StringComparison.Ordinal) || name.StartsWith("zj_", StringComparison.Ordinal))
                    .Should().BeTrue($"role {Path.GetFileName(role)} sets '{name}', which needs its prefix or zj_");
                if (name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    readme.Should().Contain($"`{name}`", $"output variable {name} is documented");
                }
            }
        }
    }

    /// <summary>Names a tasks list sets: register, set_fact keys and loop variables, in blocks too.</summary>
    private static IEnumerable<string> SetVariables(YamlSequenceNode tasks)
    {
        foreach (var task in tasks.Children.OfType<YamlMappingNode>())
        {
            foreach (var (keyNode, value) in task.Children)
            {
                var key = ((YamlScalarNode)keyNode).Value;
                switch (key)
                {
                    case "register":
                        yield return ((YamlScalarNode)value).Value!;
                        break;
                    case "ansible.builtin.set_fact" or "set_fact":
                        foreach (var fact in ((YamlMappingNode)value).Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!).Where(k => k != "cacheable"))
                        {
                            yield return fact;
                        }

                        break;
                    case "loop_control" when Scalar(value, "loop_var") is { } loopVar:
                        yield return loopVar;
                        break;
                    case "block" or "rescue" or "always":
                        foreach (var inner in SetVariables((YamlSequenceNode)value))
                        {
                            yield return inner;
                        }

                        break;
                }
            }
        }
    }

    [Fact]
    public void Roles_read_zuul_context_only_through_their_defaults()
    {
        foreach (var role in Roles())
        {
            var tasks = File.ReadAllText(Path.Combine(role, "tasks", "main.yaml"));
            ZuulReference().IsMatch(tasks).Should().BeFalse($"role {Path.GetFileName(role)} must read zuul.* through an overridable default, so it runs outside Zuul");
        }
    }

    [Fact]
    public void No_secret_or_site_nodeset_in_zuul_d()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "zuul.d"), "*", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            text.Should().NotContain("!encrypted", $"{file} must not carry encrypted secrets");
            PasswordLike().IsMatch(text).Should().BeFalse($"{file} must not carry credentials");
        }

        foreach (var (file, kind, body) in Stanzas())
        {
            kind.Should().NotBe("secret", $"{file}: secrets belong in the tenant's config project");
            if (kind == "job")
            {
                body.Children.ContainsKey(new YamlScalarNode("secrets")).Should().BeFalse($"{file}: job {Scalar(body, "name")} must not name a site's secret");
                body.Children.ContainsKey(new YamlScalarNode("nodeset")).Should().BeFalse($"{file}: job {Scalar(body, "name")} must not name a site's nodeset");
            }
        }
    }

    [GeneratedRegex(@"(?<![\w/.-])zuul(\.(?!json)\w|\[)")]
    private static partial Regex ZuulReference();

    [GeneratedRegex(@"(?i)^\s*(password|token|api_key|secret_key)\s*:\s*[^\s{""']", RegexOptions.Multiline)]
    private static partial Regex PasswordLike();
}
