using YamlDotNet.RepresentationModel;

namespace CiJobs.Core.ZuulConfig;

/// <summary>
/// Zuul's documented configuration attributes (Zuul 11-13 configloader and driver trigger schemas,
/// see docs/contracts/zuul-config.md): one spec per stanza kind.
/// </summary>
internal static class ZuulSchema
{
    private static readonly ScalarSpec Str = new(ScalarKind.String);
    private static readonly ScalarSpec Bool = new(ScalarKind.Bool);
    private static readonly ScalarSpec Int = new(ScalarKind.Int);
    private static readonly ScalarSpec Scalar = new(ScalarKind.Any);
    private static readonly ListSpec Strings = new(Str);
    private static readonly ValueSpec Any = AnySpec.Instance;

    /// <summary>A regex, optionally written as <c>{regex: ..., negate: true}</c>; checked as Zuul compiles it (RE2, else Python with a warning).</summary>
    private static readonly ValueSpec Regex = new ShapeSpec(
        scalar: new RegexSpec(),
        mapping: new MappingSpec("regex", [("regex", new RegexSpec(), true), ("negate", Bool, false)]));

    private static readonly ListSpec Regexes = new(Regex);

    private static readonly VariablesSpec Vars = new(VariableValueSpec.Instance);

    private static ValueSpec Playbooks(bool post) => new ListSpec(new ShapeSpec(
        scalar: new PlaybookPathSpec(),
        mapping: new MappingSpec("playbook", post
            ? [("name", new PlaybookPathSpec(), true), ("semaphores", new ListSpec(new ReferenceSpec("semaphore")), false), ("cleanup", Bool, false)]
            : [("name", new PlaybookPathSpec(), true), ("semaphores", new ListSpec(new ReferenceSpec("semaphore")), false)])));

    private static readonly MappingSpec InlineNodeset = NodesetSpec(named: false);

    public static MappingSpec Job { get; } = new("job",
    [
        ("name", Str, true),
        ("parent", new ReferenceOrNullSpec("job"), false),
        ("description", Str, false),
        ("variant-description", Str, false),
        ("abstract", Bool, false),
        ("final", Bool, false),
        ("protected", Bool, false),
        ("intermediate", Bool, false),
        ("attribute-control", new DictSpec(new MappingSpec("attribute control", [("final", Bool, false)]), "attribute names"), false),
        ("voting", Bool, false),
        ("success-message", Str, false),
        ("failure-message", Str, false),
        ("success-url", Str, false),
        ("failure-url", Str, false),
        ("hold-following-changes", Bool, false),
        ("nodeset", new ShapeSpec(scalar: new ReferenceSpec("nodeset"), mapping: InlineNodeset), false),
        ("pre-run", Playbooks(post: false), false),
        ("run", Playbooks(post: false), false),
        ("post-run", Playbooks(post: true), false),
        ("cleanup-run", Playbooks(post: false), false),
        ("timeout", Int, false),
        ("pre-timeout", Int, false),
        ("post-timeout", Int, false),
        ("attempts", Int, false),
        ("roles", new ListSpec(new MappingSpec("role source", [("zuul", Str, false), ("galaxy", Str, false), ("name", Str, false)]), allowSingle: false), false),
        ("required-projects", new ListSpec(new ShapeSpec(
            scalar: Str,
            mapping: new MappingSpec("required project", [("name", Str, true), ("override-branch", Str, false), ("override-checkout", Str, false)]))), false),
        ("override-branch", Str, false),
        ("override-checkout", Str, false),
        ("vars", Vars, false),
        ("extra-vars", Vars, false),
        ("host-vars", new DictSpec(Vars, "host names to variables"), false),
        ("group-vars", new DictSpec(Vars, "group names to variables"), false),
        ("include-vars", new ListSpec(new ShapeSpec(
            scalar: Str,
            mapping: new MappingSpec("include-vars entry", [("name", Str, true), ("project", Str, false), ("zuul-project", Bool, false), ("required", Bool, false), ("use-ref", Bool, false)]))), false),
        ("secrets", new ListSpec(new ShapeSpec(
            scalar: new SecretUseSpec(),
            mapping: new MappingSpec("secret use", [("name", new VariableNameSpec(), true), ("secret", new ReferenceSpec("secret"), true), ("pass-to-parent", Bool, false)]))), false),
        ("semaphore", new ShapeSpec(
            scalar: new ReferenceSpec("semaphore"),
            mapping: new MappingSpec("semaphore use", [("name", new ReferenceSpec("semaphore"), true), ("resources-first", Bool, false)])), false),
        ("semaphores", new ListSpec(new ShapeSpec(
            scalar: new ReferenceSpec("semaphore"),
            mapping: new MappingSpec("semaphore use", [("name", new ReferenceSpec("semaphore"), true), ("resources-first", Bool, false)]))), false),
        ("dependencies", new ListSpec(new ShapeSpec(
            scalar: new ReferenceSpec("job"),
            mapping: new MappingSpec("dependency", [("name", new ReferenceSpec("job"), true), ("soft", Bool, false)]))), false),
        ("provides", Strings, false),
        ("requires", Strings, false),
        ("tags", Strings, false),
        ("branches", Regexes, false),
        ("files", Regexes, false),
        ("irrelevant-files", Regexes, false),
        ("match-on-config-updates", Bool, false),
        ("allowed-projects", Strings, false),
        ("post-review", Bool, false),
        ("deduplicate", new ShapeSpec(scalar: new BoolOrSpec("auto")), false),
        ("failure-output", new ListSpec(new Re2Spec()), false),
        ("workspace-scheme", new ScalarSpec(ScalarKind.String, allowed: ["golang", "flat", "unique"]), false),
        ("workspace-checkout", new BoolOrSpec("auto"), false),
        ("ansible-version", Scalar, false),
        ("ansible-split-streams", Bool, false),
        ("image-build-name", Str, false),
    ]);

    /// <summary>A job variant under a project pipeline: every job attribute but the name.</summary>
    public static MappingSpec JobVariant { get; } = Job.Without("job variant", "name");

    private static readonly MappingSpec ProjectPipeline = new("project pipeline",
    [
        ("jobs", new ListSpec(new JobReferenceSpec(JobVariant), allowSingle: false), false),
        ("debug", Bool, false),
        ("fail-fast", Bool, false),
    ]);

    private static ValueSpec? PipelineSection(string key) => ProjectPipeline.AsPipeline(key);

    public static MappingSpec ProjectTemplate { get; } = new("project-template",
    [
        ("name", Str, true),
        ("description", Str, false),
        ("queue", Str, false),
        ("vars", Vars, false),
    ], PipelineSection);

    public static MappingSpec Project { get; } = new("project",
    [
        ("name", Str, false),
        ("description", Str, false),
        ("branches", Regexes, false),
        ("vars", Vars, false),
        ("templates", new ListSpec(new ReferenceSpec("project-template"), allowSingle: false), false),
        ("merge-mode", new ScalarSpec(ScalarKind.String, allowed: ["merge", "merge-resolve", "merge-recursive", "merge-ort", "cherry-pick", "squash-merge", "rebase"]), false),
        ("default-branch", Str, false),
        ("queue", Str, false),
    ], PipelineSection);

    public static MappingSpec Nodeset { get; } = NodesetSpec(named: true);

    public static MappingSpec Secret { get; } = new("secret",
    [
        ("name", Str, true),
        ("data", new SecretDataSpec(), false),
        ("oidc", new MappingSpec("oidc secret", [("ttl", Int, false), ("iss", Str, false), ("algorithm", Str, false), ("claims", Any, false)]), false),
    ]);

    public static MappingSpec Semaphore { get; } = new("semaphore", [("name", Str, true), ("max", Int, false)]);

    public static MappingSpec Queue { get; } = new("queue",
    [
        ("name", Str, true),
        ("per-branch", Bool, false),
        ("allow-circular-dependencies", Bool, false),
        ("dependencies-by-topic", Bool, false),
    ]);

    public static MappingSpec Pragma { get; } = new("pragma",
    [
        ("implied-branch-matchers", Bool, false),
        ("implied-branches", Regexes, false),
    ]);

    private static readonly string[] PipelineMessages =
        ["success-message", "failure-message", "start-message", "merge-conflict-message", "enqueue-message", "no-jobs-message", "footer-message", "dequeue-message"];

    private static readonly string[] Reporters =
        ["enqueue", "start", "success", "failure", "merge-conflict", "config-error", "no-jobs", "disabled", "dequeue"];

    public static MappingSpec Pipeline { get; } = new("pipeline",
    [
        ("name", Str, true),
        ("description", Str, false),
        ("manager", new ScalarSpec(ScalarKind.String, allowed: ["independent", "dependent", "serial", "supercedent"]), true),
        ("trigger", new TriggerSpec(), true),
        ("require", new DictSpec(Any, "connection names to requirements"), false),
        ("reject", new DictSpec(Any, "connection names to requirements"), false),
        ("allow-other-connections", Bool, false),
        ("precedence", new ScalarSpec(ScalarKind.String, allowed: ["low", "normal", "high"]), false),
        ("supercedes", new ListSpec(new ReferenceSpec("pipeline")), false),
        ("post-review", Bool, false),
        ("dequeue-on-new-patchset", Bool, false),
        ("ignore-dependencies", Bool, false),
        ("disable-after-consecutive-failures", new IntSpec(1), false),
        ("window", new IntSpec(0), false),
        ("window-floor", new IntSpec(1), false),
        ("window-ceiling", new IntSpec(1, nullable: true), false),
        ("window-increase-type", new ScalarSpec(ScalarKind.String, allowed: ["linear", "exponential"]), false),
        ("window-increase-factor", new IntSpec(1), false),
        ("window-decrease-type", new ScalarSpec(ScalarKind.String, allowed: ["linear", "exponential"]), false),
        ("window-decrease-factor", new IntSpec(1), false),
        .. PipelineMessages.Select(m => (m, (ValueSpec)Str, false)),
        .. Reporters.Select(r => (r, (ValueSpec)new DictSpec(Any, "connection names to reporter settings"), false)),
    ]);

    /// <summary>Trigger schemas of the drivers a tenant usually has (driver <c>getSchema</c>).</summary>
    public static IReadOnlyDictionary<string, MappingSpec> Triggers { get; } = new Dictionary<string, MappingSpec>(StringComparer.Ordinal)
    {
        ["gerrit"] = new("gerrit trigger",
        [
            ("event", new ListSpec(new ScalarSpec(ScalarKind.String, allowed:
                ["patchset-created", "draft-published", "change-abandoned", "change-restored", "change-merged", "comment-added",
                 "ref-updated", "pending-check", "vote-deleted", "hashtags-changed", "wip-state-changed"])), true),
            ("branch", Regexes, false),
            ("ref", Regexes, false),
            ("ignore-deletes", Bool, false),
            ("approval", new ListSpec(new DictSpec(Any, "labels to values")), false),
            ("approval-change", new ListSpec(new DictSpec(Any, "labels to values")), false),
            ("comment", Regexes, false),
            ("email", Regexes, false),
            ("username", Regexes, false),
            ("added", Regexes, false),
            ("removed", Regexes, false),
            ("require", Any, false),
            ("reject", Any, false),
            ("require-approval", Any, false),
            ("reject-approval", Any, false),
            ("uuid", Str, false),
            ("scheme", Str, false),
            ("debug", Bool, false),
        ]),
        ["git"] = new("git trigger",
        [
            ("event", new ListSpec(new ScalarSpec(ScalarKind.String, allowed: ["ref-updated"])), true),
            ("ref", Regexes, false),
            ("ignore-deletes", Bool, false),
            ("debug", Bool, false),
        ]),
        ["gitlab"] = new("gitlab trigger",
        [
            ("event", new ListSpec(new ScalarSpec(ScalarKind.String, allowed: ["gl_merge_request", "gl_push"])), true),
            ("action", new ListSpec(new ScalarSpec(ScalarKind.String, allowed: ["opened", "changed", "merged", "comment", "approved", "unapproved", "labeled"])), false),
            ("comment", Regexes, false),
            ("labels", Strings, false),
            ("unlabels", Strings, false),
            ("ref", Regexes, false),
            ("debug", Bool, false),
        ]),
        ["timer"] = new("timer trigger",
        [
            ("time", Str, true),
            ("dereference", Bool, false),
        ]),
        ["zuul"] = new("zuul trigger",
        [
            ("event", new ListSpec(new ScalarSpec(ScalarKind.String, allowed: ["parent-change-enqueued", "project-change-merged", "image-build", "image-validate"])), true),
            ("pipeline", Regexes, false),
            ("require-approval", Any, false),
            ("reject-approval", Any, false),
            ("debug", Bool, false),
        ]),
    };

    /// <summary>Connections Zuul creates by itself, named after their driver.</summary>
    public static IReadOnlyDictionary<string, string> ImplicitConnections { get; } = new Dictionary<string, string>
    {
        ["timer"] = "timer",
        ["zuul"] = "zuul",
    };

    public static IReadOnlyDictionary<string, MappingSpec> Stanzas { get; } = new Dictionary<string, MappingSpec>(StringComparer.Ordinal)
    {
        ["job"] = Job,
        ["project-template"] = ProjectTemplate,
        ["project"] = Project,
        ["nodeset"] = Nodeset,
        ["secret"] = Secret,
        ["semaphore"] = Semaphore,
        ["queue"] = Queue,
        ["pragma"] = Pragma,
        ["pipeline"] = Pipeline,
    };

    private static MappingSpec NodesetSpec(bool named)
    {
        var node = new MappingSpec("node", [("name", new ListSpec(Str), true), ("label", Str, true)]);
        var group = new MappingSpec("group", [("name", Str, true), ("nodes", Strings, true)]);
        List<(string, ValueSpec, bool)> attributes =
        [
            ("nodes", new ListSpec(node), false),
            ("groups", new ListSpec(group, allowSingle: false), false),
            ("alternatives", new ListSpec(new ShapeSpec(scalar: new ReferenceSpec("nodeset"), mapping: new LazySpec(() => InlineNodeset)), allowSingle: false), false),
        ];
        if (named)
        {
            attributes.Insert(0, ("name", Str, true));
        }

        return new MappingSpec(named ? "nodeset" : "inline nodeset", attributes);
    }

    private static ValueSpec? AsPipeline(this MappingSpec pipeline, string key) => new PipelineSectionSpec(key, pipeline);

    /// <summary>A project's pipeline section: its key names a pipeline, its value is <c>{jobs, debug, fail-fast}</c>.</summary>
    private sealed class PipelineSectionSpec(string pipelineName, MappingSpec spec) : ValueSpec
    {
        public override string Expected => spec.Expected;

        public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
        {
            walker.AddReference("project-pipeline", pipelineName, walker.CurrentKey ?? node);
            if (node is YamlScalarNode scalar && ZuulYaml.IsNull(scalar))
            {
                return;
            }

            walker.CurrentPipeline = pipelineName;
            spec.Check(walker, node, where);
            walker.CurrentPipeline = null;
        }
    }

    private sealed class LazySpec(Func<ValueSpec> factory) : ValueSpec
    {
        public override string Expected => factory().Expected;

        public override void Check(ZuulConfigWalker walker, YamlNode node, string where) => factory().Check(walker, node, where);
    }
}

/// <summary>A job in a project pipeline: its name, or <c>{name: {job attributes}}</c>.</summary>
internal sealed class JobReferenceSpec(MappingSpec variant) : ValueSpec
{
    public override string Expected => "a job name or a one-key mapping job name → attributes";

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        switch (node)
        {
            case YamlScalarNode:
                new ReferenceSpec("job").Check(walker, node, where);
                walker.AddJobUse(ZuulYaml.Text(node), node, variant: null);
                break;
            case YamlMappingNode map when map.Children.Count == 1:
                var (key, value) = map.Children.First();
                var name = ZuulYaml.Text(key);
                walker.AddReference("job", name, key);
                walker.AddJobUse(name, key, value as YamlMappingNode);
                if (value is not YamlScalarNode scalar || !ZuulYaml.IsNull(scalar))
                {
                    walker.CheckValue(variant, value, $"{where}: {name}");
                }

                break;
            default:
                walker.Report(node, $"{where}: expected {Expected}");
                break;
        }
    }
}

/// <summary><c>parent</c>: a job name, or null for a base job (config projects only).</summary>
internal sealed class ReferenceOrNullSpec(string kind) : ValueSpec
{
    public override string Expected => $"a {kind} name or null";

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        if (node is YamlScalarNode scalar && ZuulYaml.IsNull(scalar))
        {
            return;
        }

        new ReferenceSpec(kind).Check(walker, node, where);
    }
}

/// <summary>A boolean, or one of a few words (<c>auto</c>).</summary>
internal sealed class BoolOrSpec(params string[] words) : ValueSpec
{
    public override string Expected => $"a boolean or {string.Join(", ", words)}";

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        if (node is not YamlScalarNode scalar || !(ZuulYaml.IsBool(scalar.Value ?? "") || words.Contains(scalar.Value)))
        {
            walker.Report(node, $"{where}: expected {Expected}");
        }
    }
}

/// <summary>A variable name (used for secret aliases).</summary>
internal sealed class VariableNameSpec : ValueSpec
{
    public override string Expected => "a variable name";

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        var name = ZuulYaml.Text(node);
        if (node is not YamlScalarNode || !VariablesSpec.VariableName().IsMatch(name))
        {
            walker.Report(node, $"{where}: '{name}' is not a valid variable name (letters, digits and underscores, starting with a letter)");
        }
    }
}

/// <summary><c>secrets: [name]</c>: the secret's name doubles as the variable name, so it must be one.</summary>
internal sealed class SecretUseSpec : ValueSpec
{
    public override string Expected => "a secret name";

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        new ReferenceSpec("secret").Check(walker, node, where);
        new VariableNameSpec().Check(walker, node, where);
    }
}

/// <summary>A pipeline's <c>trigger</c>: connection name → list of trigger entries, checked per the connection's driver.</summary>
internal sealed class TriggerSpec : ValueSpec
{
    private static readonly ValueSpec Unknown = new ListSpec(new DictSpec(AnySpec.Instance, "trigger attributes"));

    public override string Expected => "a mapping of connection names to trigger lists";

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        if (node is not YamlMappingNode map || map.Children.Count == 0)
        {
            walker.Report(node, $"{where}: expected {Expected}");
            return;
        }

        foreach (var (key, value) in map.Children)
        {
            var connection = ZuulYaml.Text(key);
            var driver = walker.DriverOf(connection);
            if (driver is null && walker.KnowsConnections)
            {
                walker.Report(key, $"{where}: unknown connection '{connection}'");
            }

            var spec = driver is not null && ZuulSchema.Triggers.TryGetValue(driver, out var trigger) ? new ListSpec(trigger) : Unknown;
            walker.CheckValue(spec, value, $"{where}.{connection}");
        }
    }
}
