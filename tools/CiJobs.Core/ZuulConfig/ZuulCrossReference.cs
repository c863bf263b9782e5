using YamlDotNet.RepresentationModel;

namespace CiJobs.Core.ZuulConfig;

/// <summary>
/// The checks that need every file read: names and their definitions across projects, what only config projects
/// may do, inheritance, tenant limits and what Zuul refuses only when a change is queued. Each rule and the Zuul
/// source lines that decide it are listed in docs/contracts/zuul-config.md.
/// </summary>
internal static class ZuulCrossReference
{
    /// <summary>A job stanza or a job variant in a project or template pipeline.</summary>
    private sealed record JobBody(string Name, string File, long Line, YamlMappingNode Body, ZuulProject Project, bool IsVariant);

    private static readonly string[] PlaybookKeys = ["pre-run", "run", "post-run", "cleanup-run"];

    public static IEnumerable<ZuulConfigProblem> Check(ZuulConfigWalker walker, ZuulCheckContext context)
    {
        var definitions = walker.Definitions
            .OrderBy(d => d.Project.Order)
            .ThenBy(d => d.Sequence)
            .ToList();
        var defined = definitions.ToLookup(d => (d.Kind, d.Name));
        var problems = new List<ZuulConfigProblem>();
        Duplicates(definitions, problems);
        References(walker, context, defined, problems);

        foreach (var use in walker.JobUses)
        {
            var jobs = defined[("job", use.Name)].ToList();
            if (jobs.Count > 0 && jobs.All(d => IsTrue(d.Body, "abstract")))
            {
                problems.Add(Warning(use.File, use.Line,
                    $"job {use.Name} is abstract: Zuul loads this but refuses to run it when a change is queued; use a job that inherits from it"));
            }
        }

        foreach (var (path, file, line, root) in walker.Playbooks)
        {
            // Relative, inside the repository after following links, and a file (docs/contracts/zuul-config.md).
            if (ZuulRepositoryFiles.PlaybookProblem(root, path) is { } message)
            {
                problems.Add(new ZuulConfigProblem(file, line, message));
            }
        }

        var bodies = definitions.Where(d => d.Kind == "job")
            .Select(d => new JobBody(d.Name, d.File, d.Line, d.Body, d.Project, IsVariant: false))
            .Concat(walker.JobUses.Where(u => u.Variant is not null)
                .Select(u => new JobBody(u.Name, u.File, u.Line, u.Variant!, u.Project, IsVariant: true)))
            .ToList();
        foreach (var body in bodies)
        {
            JobAttributes(body, context, problems);
            Secrets(body, context, defined, problems);
            Nodes(body, context, defined, problems);
            Parent(body, defined, problems);
        }

        NodesetCycles(definitions, defined, problems);
        ParentCycles(definitions, defined, problems);
        PostReview(walker, defined, problems);
        return problems;
    }

    private static ZuulConfigProblem Error(string file, long line, string message) => new(file, line, message);

    private static ZuulConfigProblem Warning(string file, long line, string message) => new(file, line, message, ZuulSeverity.Warning);

    private static ZuulConfigProblem Error(JobBody body, YamlNode node, string message) => new(body.File, node.Start.Line, message);

    private static ZuulConfigProblem Warning(JobBody body, YamlNode node, string message) => new(body.File, node.Start.Line, message, ZuulSeverity.Warning);

    private static YamlNode? Attribute(YamlMappingNode body, string key) =>
        body.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static bool IsTrue(YamlMappingNode body, string key) =>
        Attribute(body, key) is YamlScalarNode { Value: { } v } && v.ToLowerInvariant() is "true" or "yes" or "on";

    private static bool HasPlaybooks(YamlMappingNode body) =>
        PlaybookKeys.Any(k => Attribute(body, k) is { } value && !(value is YamlScalarNode scalar && ZuulYaml.IsNull(scalar)) && !(value is YamlSequenceNode { Children.Count: 0 }));

    private static string Located(ZuulDefinition d) => $"{d.File}:{d.Line}";

    /// <summary>
    /// Names defined twice: job variants and project-template variants are fine within one project; another
    /// project's job is shadowing; nodesets, secrets, semaphores and queues are unique; pipelines are unique.
    /// </summary>
    private static void Duplicates(List<ZuulDefinition> definitions, List<ZuulConfigProblem> problems)
    {
        foreach (var group in definitions.GroupBy(d => (d.Kind, d.Name)))
        {
            var first = group.First();
            foreach (var other in group.Skip(1))
            {
                var sameProject = other.Project.Key == first.Project.Key;
                var message = other.Kind switch
                {
                    "job" when sameProject => null,
                    "project-template" when sameProject => null,
                    "job" => $"job {other.Name} in {other.Project.Name} is not permitted to shadow job {other.Name} in {first.Project.Name} (defined at {Located(first)})",
                    "pipeline" => $"pipeline {other.Name} is already defined at {Located(first)}",
                    _ when sameProject => $"{other.Kind} {other.Name} is already defined at {Located(first)}",
                    _ => $"{other.Kind} {other.Name} is already defined in project {first.Project.Name} (at {Located(first)})",
                };
                if (message is not null)
                {
                    problems.Add(Error(other.File, other.Line, message));
                }
            }
        }
    }

    /// <summary>Names used but not defined: errors, except semaphores (implied) and pipelines of project stanzas (ignored).</summary>
    private static void References(ZuulConfigWalker walker, ZuulCheckContext context, ILookup<(string, string), ZuulDefinition> defined, List<ZuulConfigProblem> problems)
    {
        var knowsPipelines = walker.Definitions.Any(d => d.Kind == "pipeline") || context.ExternalNames.ContainsKey("pipeline");
        foreach (var reference in walker.References)
        {
            var kind = reference.Kind == "project-pipeline" ? "pipeline" : reference.Kind;
            if (kind == "secret" || defined[(kind, reference.Name)].Any() || context.IsExternal(kind, reference.Name))
            {
                continue;
            }

            if (reference.Kind == "project-pipeline")
            {
                if (knowsPipelines)
                {
                    problems.Add(Warning(reference.File, reference.Line,
                        $"unknown pipeline '{reference.Name}': Zuul ignores this section, so its jobs never run (define the pipeline, or declare it external with --external pipeline:{reference.Name})"));
                }

                continue;
            }

            if (kind == "pipeline" && !knowsPipelines)
            {
                continue;
            }

            if (kind == "semaphore")
            {
                problems.Add(Warning(reference.File, reference.Line,
                    $"semaphore '{reference.Name}' is not defined: Zuul creates it implicitly with max 1 (define it, or declare it external with --external semaphore:{reference.Name})"));
                continue;
            }

            var hint = kind == "job" && reference.Name == ZuulConfigChecker.DefaultBaseJob
                ? $" (jobs without a parent inherit from '{ZuulConfigChecker.DefaultBaseJob}'; declare it external with --external job:{ZuulConfigChecker.DefaultBaseJob} when the tenant's config project defines it)"
                : $" (define it, or declare it external with --external {kind}:{reference.Name})";
            problems.Add(Error(reference.File, reference.Line, $"unknown {kind} '{reference.Name}'{hint}"));
        }
    }

    /// <summary>Timeouts against the tenant's maximum and each other, base jobs, semaphore aliases, cleanup-run.</summary>
    private static void JobAttributes(JobBody body, ZuulCheckContext context, List<ZuulConfigProblem> problems)
    {
        var where = $"job {body.Name}";
        foreach (var key in new[] { "timeout", "pre-timeout", "post-timeout" })
        {
            if (Attribute(body.Body, key) is { } node && ZuulYaml.Integer(node) is { } seconds && seconds != 0
                && context.MaxJobTimeout != -1 && seconds > context.MaxJobTimeout)
            {
                problems.Add(Error(body, node, $"{where}: {key} {seconds} exceeds the tenant's max-job-timeout {context.MaxJobTimeout} (--max-job-timeout)"));
            }
        }

        if (Attribute(body.Body, "pre-timeout") is { } preNode && ZuulYaml.Integer(preNode) is { } pre && pre != 0
            && Attribute(body.Body, "timeout") is { } timeoutNode && ZuulYaml.Integer(timeoutNode) is { } timeout && timeout != 0 && pre > timeout)
        {
            problems.Add(Error(body, preNode, $"{where}: pre-timeout {pre} exceeds its timeout {timeout}"));
        }

        if (Attribute(body.Body, "parent") is YamlScalarNode parent && ZuulYaml.IsNull(parent) && !body.Project.Trusted)
        {
            problems.Add(Error(body, parent,
                $"{where}: base jobs (parent: null) may only be defined in a config project, and {body.Project.Display} is an untrusted project (mark it with --config-project if it is the tenant's config project)"));
        }

        if (Attribute(body.Body, "semaphore") is { } semaphore && Attribute(body.Body, "semaphores") is not null)
        {
            problems.Add(Warning(body, semaphore, $"{where}: semaphore is ignored because semaphores is also set (semaphore is a deprecated alias)"));
        }

        if (body.Body.Children.Keys.FirstOrDefault(k => ZuulYaml.Text(k) == "cleanup-run") is { } cleanup)
        {
            problems.Add(Warning(body, cleanup, $"{where}: cleanup-run is deprecated; use post-run playbooks with cleanup: true"));
        }
    }

    /// <summary>The secrets a job uses: (secret name, pass-to-parent, node).</summary>
    private static IEnumerable<(string Secret, bool PassToParent, YamlNode Node)> SecretUses(YamlMappingNode body)
    {
        var value = Attribute(body, "secrets");
        var items = value switch
        {
            YamlSequenceNode list => list.Children.ToList(),
            null => [],
            _ => [value],
        };
        foreach (var item in items)
        {
            switch (item)
            {
                case YamlScalarNode scalar when !ZuulYaml.IsNull(scalar):
                    yield return (scalar.Value ?? "", false, scalar);
                    break;
                case YamlMappingNode map when Attribute(map, "secret") is YamlScalarNode secret:
                    yield return (secret.Value ?? "", IsTrue(map, "pass-to-parent"), secret);
                    break;
            }
        }
    }

    /// <summary>
    /// A secret must exist and be defined in the project that uses it; Zuul checks both when it loads a job with
    /// playbooks, otherwise only when a change is queued (pass-to-parent).
    /// </summary>
    private static void Secrets(JobBody body, ZuulCheckContext context, ILookup<(string, string), ZuulDefinition> defined, List<ZuulConfigProblem> problems)
    {
        var checkedAtLoad = HasPlaybooks(body.Body);
        foreach (var (name, passToParent, node) in SecretUses(body.Body))
        {
            var secret = defined[("secret", name)].FirstOrDefault();
            if (secret is null)
            {
                if (context.IsExternal("secret", name))
                {
                    continue;
                }

                var message = $"unknown secret '{name}' (define it, or declare it external with --external secret:{name})";
                problems.Add(checkedAtLoad
                    ? Error(body, node, message)
                    : Warning(body, node, $"{message}; Zuul checks it only when a change is queued, as job {body.Name} has no playbooks"));
                continue;
            }

            if (secret.Project.Key != body.Project.Key && (checkedAtLoad || passToParent))
            {
                var message = $"job {body.Name}: secret {name} is defined in project {secret.Project.Name} ({Located(secret)}); a secret may only be used in the project that defines it";
                problems.Add(checkedAtLoad
                    ? Error(body, node, message)
                    : Warning(body, node, $"{message} (Zuul does not check it at load time as the job has no playbooks, but cannot decrypt it for the parent's playbooks)"));
            }
        }
    }

    /// <summary>Each alternative of a job's nodeset against the tenant's max-nodes-per-job.</summary>
    private static void Nodes(JobBody body, ZuulCheckContext context, ILookup<(string, string), ZuulDefinition> defined, List<ZuulConfigProblem> problems)
    {
        if (context.MaxNodesPerJob == -1 || Attribute(body.Body, "nodeset") is not { } nodeset)
        {
            return;
        }

        var largest = Alternatives(nodeset, defined, []).Select(NodeCount).DefaultIfEmpty(0).Max();
        if (largest > context.MaxNodesPerJob)
        {
            problems.Add(Error(body, nodeset, $"job {body.Name}: its nodeset has {largest} nodes, more than the tenant's max-nodes-per-job {context.MaxNodesPerJob} (--max-nodes-per-job)"));
        }
    }

    private static int NodeCount(YamlMappingNode nodeset) =>
        Attribute(nodeset, "nodes") switch
        {
            YamlSequenceNode list => list.Children.Count,
            YamlMappingNode => 1,
            _ => 0,
        };

    /// <summary>The nodesets a nodeset value stands for: itself, or its alternatives flattened; unknown names and cycles give none.</summary>
    private static IEnumerable<YamlMappingNode> Alternatives(YamlNode nodeset, ILookup<(string, string), ZuulDefinition> defined, HashSet<string> seen)
    {
        YamlMappingNode? resolved = nodeset switch
        {
            YamlMappingNode inline => inline,
            YamlScalarNode { Value: { } name } when seen.Add(name) => defined[("nodeset", name)].FirstOrDefault()?.Body,
            _ => null,
        };
        if (resolved is null)
        {
            return [];
        }

        return Attribute(resolved, "alternatives") is YamlSequenceNode alternatives
            ? alternatives.Children.SelectMany(a => Alternatives(a, defined, seen)).ToList()
            : [resolved];
    }

    /// <summary>A nodeset whose alternatives lead back to itself.</summary>
    private static void NodesetCycles(List<ZuulDefinition> definitions, ILookup<(string, string), ZuulDefinition> defined, List<ZuulConfigProblem> problems)
    {
        foreach (var nodeset in definitions.Where(d => d.Kind == "nodeset"))
        {
            if (NodesetPath(nodeset.Name, nodeset.Body, defined, [nodeset.Name]) is { } cycle)
            {
                problems.Add(Error(nodeset.File, nodeset.Line, $"nodeset {nodeset.Name}: its alternatives form a cycle ({string.Join(" → ", cycle)})"));
            }
        }
    }

    private static List<string>? NodesetPath(string start, YamlMappingNode body, ILookup<(string, string), ZuulDefinition> defined, List<string> path)
    {
        if (Attribute(body, "alternatives") is not YamlSequenceNode alternatives)
        {
            return null;
        }

        foreach (var alternative in alternatives.Children.OfType<YamlScalarNode>())
        {
            var name = alternative.Value ?? "";
            if (name == start)
            {
                return [.. path, name];
            }

            if (!path.Contains(name) && defined[("nodeset", name)].FirstOrDefault() is { } next
                && NodesetPath(start, next.Body, defined, [.. path, name]) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    /// <summary>A parent whose every variant is final, intermediate (for a concrete child) or protected in another project.</summary>
    private static void Parent(JobBody body, ILookup<(string, string), ZuulDefinition> defined, List<ZuulConfigProblem> problems)
    {
        if (Attribute(body.Body, "parent") is not YamlScalarNode { Value: { Length: > 0 } parentName } parentNode || ZuulYaml.IsNull(parentNode))
        {
            return;
        }

        var parents = defined[("job", parentName)].ToList();
        if (parents.Count == 0)
        {
            return;
        }

        var prefix = $"job {body.Name}: its parent {parentName}";
        if (parents.All(p => IsTrue(p.Body, "final")))
        {
            problems.Add(Error(body, parentNode, $"{prefix} is final and cannot act as a parent"));
        }

        if (parents.All(p => IsTrue(p.Body, "intermediate")) && !IsTrue(body.Body, "abstract"))
        {
            problems.Add(Error(body, parentNode, $"{prefix} is intermediate, so job {body.Name} must be abstract"));
        }

        if (parents.All(p => IsTrue(p.Body, "protected")) && parents[0].Project.Key != body.Project.Key)
        {
            problems.Add(Error(body, parentNode, $"{prefix} is protected and defined in another project ({parents[0].Project.Name})"));
        }
    }

    private static IEnumerable<string> Parents(string job, ILookup<(string, string), ZuulDefinition> defined) =>
        defined[("job", job)]
            .Select(d => Attribute(d.Body, "parent"))
            .OfType<YamlScalarNode>()
            .Where(p => !ZuulYaml.IsNull(p))
            .Select(p => p.Value ?? "")
            .Distinct();

    /// <summary>A job that is its own ancestor: Zuul does not refuse it but stops at the repeated name when it builds the job.</summary>
    private static void ParentCycles(List<ZuulDefinition> definitions, ILookup<(string, string), ZuulDefinition> defined, List<ZuulConfigProblem> problems)
    {
        foreach (var job in definitions.Where(d => d.Kind == "job").GroupBy(d => d.Name).Select(g => g.First()))
        {
            if (ParentPath(job.Name, job.Name, defined, [job.Name]) is { } cycle)
            {
                var node = (YamlNode?)Attribute(job.Body, "parent") ?? job.Body;
                problems.Add(new ZuulConfigProblem(job.File, node.Start.Line,
                    $"job {job.Name} is its own ancestor ({string.Join(" → ", cycle)}): Zuul loads it, but when a change is queued it stops at the repeated name, so the job runs without the tenant's base job",
                    ZuulSeverity.Warning));
            }
        }
    }

    private static List<string>? ParentPath(string start, string current, ILookup<(string, string), ZuulDefinition> defined, List<string> path)
    {
        foreach (var parent in Parents(current, defined))
        {
            if (parent == start)
            {
                return [.. path, parent];
            }

            if (!path.Contains(parent) && ParentPath(start, parent, defined, [.. path, parent]) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    /// <summary>Every definition a job inherits from (its own variants and its ancestors'), each once.</summary>
    private static List<ZuulDefinition> Lineage(string job, ILookup<(string, string), ZuulDefinition> defined)
    {
        var result = new List<ZuulDefinition>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>([job]);
        while (pending.TryDequeue(out var name))
        {
            if (!seen.Add(name))
            {
                continue;
            }

            result.AddRange(defined[("job", name)]);
            foreach (var parent in Parents(name, defined))
            {
                pending.Enqueue(parent);
            }
        }

        return result;
    }

    /// <summary>
    /// Why a job is post-review: it says so, an untrusted definition uses a secret, or a secret is passed to the
    /// playbooks of an untrusted ancestor. Null when it is not.
    /// </summary>
    private static string? PostReviewReason(ZuulJobUse use, ILookup<(string, string), ZuulDefinition> defined)
    {
        var lineage = Lineage(use.Name, defined)
            .Select(d => (d.Name, d.Body, d.Project))
            .ToList();
        if (use.Variant is not null)
        {
            lineage.Add((use.Name, use.Variant, use.Project));
        }

        foreach (var (name, body, project) in lineage)
        {
            if (IsTrue(body, "post-review"))
            {
                return $"job {name} sets post-review";
            }

            if (!project.Trusted && SecretUses(body).Any())
            {
                return $"job {name} in untrusted project {project.Name} uses a secret";
            }
        }

        foreach (var (name, body, _) in lineage)
        {
            if (!SecretUses(body).Any(s => s.PassToParent))
            {
                continue;
            }

            var ancestors = Lineage(name, defined).Where(d => d.Name != name);
            if (ancestors.FirstOrDefault(d => !d.Project.Trusted && HasPlaybooks(d.Body)) is { } untrusted)
            {
                return $"job {name} passes a secret to the playbooks of job {untrusted.Name} in untrusted project {untrusted.Project.Name}";
            }
        }

        return null;
    }

    /// <summary>A post-review job in a pipeline that runs before review: Zuul refuses it when a change is queued.</summary>
    private static void PostReview(ZuulConfigWalker walker, ILookup<(string, string), ZuulDefinition> defined, List<ZuulConfigProblem> problems)
    {
        foreach (var use in walker.JobUses.Where(u => u.Pipeline is not null))
        {
            if (defined[("pipeline", use.Pipeline!)].FirstOrDefault() is not { } pipeline || IsTrue(pipeline.Body, "post-review"))
            {
                continue;
            }

            if (PostReviewReason(use, defined) is { } reason)
            {
                problems.Add(Warning(use.File, use.Line,
                    $"job {use.Name} is post-review ({reason}) but pipeline {use.Pipeline} runs before review (no post-review: true): Zuul refuses to run it there when a change is queued"));
            }
        }
    }
}
