using CiJobs.Core.ZuulConfig;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.ZuulConfig;

/// <summary>
/// One rejected and one accepted fixture per rule of docs/contracts/zuul-config.md where the checker must agree
/// with Zuul's loader. Each fixture is up to three projects checked together: <c>config</c> (a config project,
/// loaded first), <c>lib</c> and <c>other</c> (untrusted).
/// </summary>
public class ZuulLoaderRulesTests
{
    private const string Pipelines =
        "- pipeline:\n    name: check\n    manager: independent\n    trigger:\n      timer:\n        - time: '0 0 * * *'\n" +
        "- pipeline:\n    name: post\n    manager: supercedent\n    post-review: true\n    trigger:\n      timer:\n        - time: '0 0 * * *'\n";

    private const string Playbook = "    run: playbooks/run.yaml\n";

    private static string SixNodes(string indent) => string.Concat(Enumerable.Range(1, 6).Select(i => $"{indent}- {{name: n{i}, label: l}}\n"));

    /// <summary>rule, lib YAML, config YAML, other YAML, options, expected severity (null: accepted, no problem at all), file, line, message fragment.</summary>
    public static TheoryData<string, string, string, string, string, string?, string, int, string> Cases => new()
    {
        // Regular expressions: RE2 first, Python's re as the judge of what is only deprecated.
        { "branches regex invalid", "- job:\n    name: a\n    branches: '(abc'\n", "", "", "", "error", "lib", 3, "branches: invalid regular expression '(abc': missing ), unterminated subpattern" },
        { "branches regex valid", "- job:\n    name: a\n    branches: '^stable/.*$'\n", "", "", "", null, "", 0, "" },
        { "files regex invalid", "- job:\n    name: a\n    files: ['[z-a]']\n", "", "", "", "error", "lib", 3, "files: invalid regular expression '[z-a]': bad character range z-a" },
        { "files regex valid", "- job:\n    name: a\n    files: ['^docs/.*\\.rst$']\n", "", "", "", null, "", 0, "" },
        { "irrelevant-files regex invalid", "- job:\n    name: a\n    irrelevant-files:\n      - regex: 'a**'\n", "", "", "", "error", "lib", 4, "invalid regular expression 'a**': multiple repeat" },
        { "irrelevant-files regex valid", "- job:\n    name: a\n    irrelevant-files:\n      - regex: '^docs/'\n        negate: true\n", "", "", "", null, "", 0, "" },
        { "look-behind not fixed width", "- job:\n    name: a\n    files: ['(?<=a+)b']\n", "", "", "", "error", "lib", 3, "look-behind requires fixed-width pattern" },
        { "Perl-only regex is a warning", "- job:\n    name: a\n    irrelevant-files: ['^(?!src/).*$']\n", "", "", "", "warning", "lib", 3, "'^(?!src/).*$' is not RE2 syntax (invalid perl operator: (?!)" },
        { "variant branches regex invalid", "- project:\n    check:\n      jobs:\n        - a:\n            branches: '[unclosed'\n", Pipelines + "- job:\n    name: a\n", "", "", "error", "lib", 5, "invalid regular expression '[unclosed'" },
        { "failure-output is RE2 only", "- job:\n    name: a\n    failure-output: ['(?=FAILED)']\n", "", "", "", "error", "lib", 3, "invalid RE2 regular expression '(?=FAILED)': invalid perl operator: (?=" },
        { "failure-output valid", "- job:\n    name: a\n    failure-output: ['^FAILED']\n", "", "", "", null, "", 0, "" },

        // What only a config project may hold.
        { "pipeline in an untrusted project", Pipelines, "", "", "", "error", "lib", 1, "pipeline check: pipelines may only be defined in a config project" },
        { "pipeline in a config project", "", Pipelines, "", "", null, "", 0, "" },
        { "base job in an untrusted project", "- job:\n    name: base2\n    parent: null\n", "", "", "", "error", "lib", 3, "job base2: base jobs (parent: null) may only be defined in a config project" },
        { "base job in a config project", "", "- job:\n    name: base2\n    parent: null\n", "", "", null, "", 0, "" },
        { "another project's stanza in an untrusted project", "- project:\n    name: other\n    templates: []\n", "", "", "", "error", "lib", 2, "project other: an untrusted project may only configure itself" },
        { "own project stanza in an untrusted project", "- project:\n    name: lib\n    templates: []\n", "- project:\n    name: other\n    templates: []\n", "", "", null, "", 0, "" },
        { "own project by its tenant name", "- project:\n    name: org/lib\n    templates: []\n", "", "", "name=example.org/org/lib", null, "", 0, "" },
        { "another project by tenant name", "- project:\n    name: org/other\n    templates: []\n", "", "", "name=example.org/org/lib", "error", "lib", 2, "is 'example.org/org/lib'" },

        // Inheritance.
        { "final parent", "- job:\n    name: child\n    parent: p\n", "- job:\n    name: p\n    final: true\n", "", "", "error", "lib", 3, "job child: its parent p is final and cannot act as a parent" },
        { "parent with a non-final variant", "- job:\n    name: child\n    parent: p\n", "- job:\n    name: p\n    final: true\n- job:\n    name: p\n    branches: master\n", "", "", null, "", 0, "" },
        { "protected parent in another project", "- job:\n    name: child\n    parent: p\n", "- job:\n    name: p\n    protected: true\n", "", "", "error", "lib", 3, "job child: its parent p is protected and defined in another project (config)" },
        { "protected parent in the same project", "- job:\n    name: p\n    protected: true\n- job:\n    name: child\n    parent: p\n", "", "", "", null, "", 0, "" },
        { "intermediate parent, concrete child", "- job:\n    name: p\n    abstract: true\n    intermediate: true\n- job:\n    name: child\n    parent: p\n", "", "", "", "error", "lib", 7, "its parent p is intermediate, so job child must be abstract" },
        { "intermediate parent, abstract child", "- job:\n    name: p\n    abstract: true\n    intermediate: true\n- job:\n    name: child\n    parent: p\n    abstract: true\n", "", "", "", null, "", 0, "" },

        // Tenant limits.
        { "timeout over the default maximum", "- job:\n    name: a\n    timeout: 10801\n", "", "", "", "error", "lib", 3, "job a: timeout 10801 exceeds the tenant's max-job-timeout 10800" },
        { "timeout at the default maximum", "- job:\n    name: a\n    timeout: 10800\n    post-timeout: 10800\n", "", "", "", null, "", 0, "" },
        { "post-timeout over --max-job-timeout", "- job:\n    name: a\n    post-timeout: 3601\n", "", "", "max-job-timeout=3600", "error", "lib", 3, "post-timeout 3601 exceeds the tenant's max-job-timeout 3600" },
        { "no timeout limit", "- job:\n    name: a\n    timeout: 100000\n", "", "", "max-job-timeout=-1", null, "", 0, "" },
        { "variant timeout over the maximum", "- project:\n    check:\n      jobs:\n        - a:\n            timeout: 20000\n", Pipelines + "- job:\n    name: a\n", "", "name=lib", "error", "lib", 5, "job a: timeout 20000 exceeds" },
        { "pre-timeout over timeout", "- job:\n    name: a\n    timeout: 60\n    pre-timeout: 120\n", "", "", "", "error", "lib", 4, "job a: pre-timeout 120 exceeds its timeout 60" },
        { "six nodes", "- job:\n    name: a\n    nodeset:\n      nodes:\n" + SixNodes("        "), "", "", "", "error", "lib", 4, "job a: its nodeset has 6 nodes, more than the tenant's max-nodes-per-job 5" },
        { "six nodes in an alternative", "- nodeset:\n    name: big\n    nodes:\n" + SixNodes("      ") + "- nodeset:\n    name: either\n    alternatives: [big]\n- job:\n    name: a\n    nodeset: either\n", "", "", "", "error", "lib", 15, "its nodeset has 6 nodes" },
        { "six nodes allowed by --max-nodes-per-job", "- job:\n    name: a\n    nodeset:\n      nodes:\n" + SixNodes("        "), "", "", "max-nodes-per-job=6", null, "", 0, "" },
        { "three nodes over --max-nodes-per-job", "- job:\n    name: a\n    nodeset:\n      nodes:\n        - {name: a, label: l}\n        - {name: b, label: l}\n        - {name: c, label: l}\n", "", "", "max-nodes-per-job=2", "error", "lib", 4, "has 3 nodes, more than the tenant's max-nodes-per-job 2" },
        { "nodeset alternatives cycle", "- nodeset:\n    name: x\n    alternatives: [y]\n- nodeset:\n    name: y\n    alternatives: [x]\n", "", "", "", "error", "lib", 2, "nodeset x: its alternatives form a cycle (x → y → x)" },

        // Pipeline windows.
        { "window-ceiling below window-floor", "", "- pipeline:\n    name: gate\n    manager: dependent\n    window-floor: 5\n    window-ceiling: 4\n    trigger:\n      timer:\n        - time: '0 0 * * *'\n", "", "", "error", "config", 5, "pipeline gate: window-ceiling 4 is less than window-floor 5" },
        { "window-ceiling below the default floor", "", "- pipeline:\n    name: gate\n    manager: dependent\n    window-ceiling: 2\n    trigger:\n      timer:\n        - time: '0 0 * * *'\n", "", "", "error", "config", 4, "window-ceiling 2 is less than window-floor 3 (the default)" },
        { "window-ceiling null and at the floor", "", "- pipeline:\n    name: gate\n    manager: dependent\n    window-ceiling: null\n    trigger:\n      timer:\n        - time: '0 0 * * *'\n- pipeline:\n    name: gate2\n    manager: dependent\n    window-floor: 2\n    window-ceiling: 2\n    trigger:\n      timer:\n        - time: '0 0 * * *'\n", "", "", null, "", 0, "" },
        { "window-floor below 1", "", "- pipeline:\n    name: gate\n    manager: dependent\n    window-floor: 0\n    trigger:\n      timer:\n        - time: '0 0 * * *'\n", "", "", "error", "config", 4, "window-floor: expected an integer of at least 1, found 0" },

        // Secrets and shadowing across projects.
        { "secret defined in another project", "- job:\n    name: a\n" + Playbook + "    secrets: [creds]\n", "- secret:\n    name: creds\n    data: {user: u}\n", "", "", "error", "lib", 4, "job a: secret creds is defined in project config" },
        { "secret defined in the same project", "- secret:\n    name: creds\n    data: {user: u}\n- job:\n    name: a\n" + Playbook + "    secrets: [creds]\n", "", "", "", null, "", 0, "" },
        { "secret of another project passed to a parent", "- job:\n    name: a\n    secrets:\n      - name: creds\n        secret: creds\n        pass-to-parent: true\n", "- secret:\n    name: creds\n    data: {user: u}\n", "", "", "warning", "lib", 5, "secret creds is defined in project config" },
        { "job shadowing another project's job", "- job:\n    name: shared\n", "- job:\n    name: shared\n", "", "", "error", "lib", 2, "job shared in lib is not permitted to shadow job shared in config" },
        { "job variants in one project", "- job:\n    name: shared\n- job:\n    name: shared\n    branches: master\n", "", "", "", null, "", 0, "" },
        { "project-template in two projects", "- project-template:\n    name: t\n", "", "- project-template:\n    name: t\n", "", "error", "other", 2, "project-template t is already defined in project lib" },
        { "project-template variants in one project", "- project-template:\n    name: t\n- project-template:\n    name: t\n    description: again\n", "", "", "", null, "", 0, "" },

        // What Zuul accepts: warnings, or nothing.
        { "undefined semaphore", "- job:\n    name: a\n    semaphores: [lock]\n", "", "", "", "warning", "lib", 3, "semaphore 'lock' is not defined: Zuul creates it implicitly with max 1" },
        { "defined semaphore, mapping form", "- semaphore:\n    name: lock\n- job:\n    name: a\n    semaphore:\n      name: lock\n      resources-first: true\n", "", "", "", null, "", 0, "" },
        { "semaphore with semaphores", "- semaphore:\n    name: lock\n- job:\n    name: a\n    semaphore: lock\n    semaphores: [lock]\n", "", "", "", "warning", "lib", 5, "semaphore is ignored because semaphores is also set" },
        { "unknown pipeline in a project", "- project:\n    gate:\n      jobs: [a]\n", Pipelines + "- job:\n    name: a\n", "", "name=lib", "warning", "lib", 2, "unknown pipeline 'gate': Zuul ignores this section" },
        { "known pipeline in a project", "- project:\n    check:\n      jobs: [a]\n", Pipelines + "- job:\n    name: a\n", "", "name=lib", null, "", 0, "" },
        { "encrypted value in job vars", "- job:\n    name: a\n    vars:\n      token: !encrypted/pkcs1-oaep aGVsbG8=\n", "", "", "", "warning", "lib", 4, "vars.token: an encrypted value outside a secret" },
        { "template listed twice", "- project-template:\n    name: t\n- project:\n    templates: [t, t]\n", "", "", "", "warning", "lib", 4, "template t is listed twice; Zuul applies it once" },
        { "template listed once", "- project-template:\n    name: t\n- project:\n    templates: [t]\n", "", "", "", null, "", 0, "" },
        { "job that is its own parent", "- job:\n    name: a\n    parent: a\n", "", "", "", "warning", "lib", 3, "job a is its own ancestor (a → a)" },
        { "parent loop", "- job:\n    name: a\n    parent: b\n- job:\n    name: b\n    parent: a\n", "", "", "", "warning", "lib", 6, "job b is its own ancestor (b → a → b)" },
        { "untrusted secret in a pre-review pipeline", "- secret:\n    name: creds\n    data: {user: u}\n- job:\n    name: a\n    secrets: [creds]\n- project:\n    check:\n      jobs: [a]\n", Pipelines, "", "", "warning", "lib", 9, "job a is post-review (job a in untrusted project lib uses a secret) but pipeline check runs before review" },
        { "untrusted secret in a post-review pipeline", "- secret:\n    name: creds\n    data: {user: u}\n- job:\n    name: a\n    secrets: [creds]\n- project:\n    post:\n      jobs: [a]\n", Pipelines, "", "", null, "", 0, "" },
        { "trusted secret in a pre-review pipeline", "- project:\n    check:\n      jobs: [a]\n", Pipelines + "- secret:\n    name: creds\n    data: {user: u}\n- job:\n    name: a\n    secrets: [creds]\n", "", "", null, "", 0, "" },
        { "secret passed to an untrusted parent's playbook", "- job:\n    name: lib-base\n" + Playbook + "- project:\n    check:\n      jobs: [site]\n", Pipelines + "- secret:\n    name: creds\n    data: {user: u}\n- job:\n    name: site\n    parent: lib-base\n    secrets:\n      - name: creds\n        secret: creds\n        pass-to-parent: true\n", "", "", "warning", "lib", 6, "job site passes a secret to the playbooks of job lib-base in untrusted project lib" },
        { "abstract job run directly", "- job:\n    name: a\n    abstract: true\n- project:\n    check:\n      jobs: [a]\n", Pipelines, "", "", "warning", "lib", 6, "job a is abstract: Zuul loads this but refuses to run it when a change is queued" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Check_AgreesWithZuulsLoader(
        string rule, string lib, string config, string other, string options, string? severity, string file, int line, string message)
    {
        using var temp = new TempDir("zuulrules");
        var directories = new List<string>();
        foreach (var (project, yaml) in new[] { ("lib", lib), ("other", other) })
        {
            if (yaml.Length > 0)
            {
                temp.Write($"{project}/zuul.d/{project}.yaml", yaml);
                temp.Write($"{project}/playbooks/run.yaml", "- hosts: all\n");
                directories.Add(temp.Combine(project));
            }
        }

        var configProjects = new List<string>();
        if (config.Length > 0)
        {
            temp.Write("config/zuul.d/config.yaml", config);
            configProjects.Add(temp.Combine("config"));
        }

        var settings = options.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(o => o.Split('=', 2)).ToDictionary(o => o[0], o => o[1]);
        var context = ZuulCheckContext.Empty.With(["job:base"], []).WithProjects(
            configProjects,
            settings.TryGetValue("name", out var name) ? [$"{temp.Combine("lib")}={name}"] : [],
            settings.TryGetValue("max-job-timeout", out var timeout) ? int.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture) : null,
            settings.TryGetValue("max-nodes-per-job", out var nodes) ? int.Parse(nodes, System.Globalization.CultureInfo.InvariantCulture) : null);

        var result = await ZuulConfigChecker.CheckAsync(directories, context, CancellationToken.None);

        var got = string.Join('\n', result.Problems);
        if (severity is null)
        {
            result.Problems.Should().BeEmpty($"'{rule}' is accepted by Zuul without a warning; got:\n{got}");
            return;
        }

        var expected = severity == "error" ? ZuulSeverity.Error : ZuulSeverity.Warning;
        result.Problems.Should().Contain(
            p => p.Severity == expected && p.Line == line && p.File.EndsWith($"{file}.yaml", StringComparison.Ordinal) && p.Message.Contains(message),
            $"'{rule}' should be reported as a {severity} at {file}.yaml:{line}; got:\n{got}");
        if (expected == ZuulSeverity.Warning)
        {
            result.Errors.Should().BeEmpty($"Zuul loads '{rule}', so nothing about it is an error; got:\n{got}");
        }
    }

    [Fact]
    public async Task Check_ZuulDFolder_LoadsOnlyYamlFilesAndWarnsAboutYml()
    {
        using var temp = new TempDir("zuulrules");
        temp.Write("repo/zuul.d/jobs.yaml", "- job:\n    name: a\n");
        temp.Write("repo/zuul.d/broken.yml", "- nonsense: {}\n");

        var result = await ZuulConfigChecker.CheckAsync([temp.Combine("repo")], ZuulCheckContext.Empty.With(["job:base"], []), CancellationToken.None);

        result.Errors.Should().BeEmpty();
        result.Files.Should().ContainSingle().Which.Should().EndWith("jobs.yaml");
        result.Warnings.Should().ContainSingle().Which.Should().Match<ZuulConfigProblem>(
            p => p.File.EndsWith("broken.yml", StringComparison.Ordinal) && p.Message.Contains("Zuul reads only files ending in .yaml"));
    }

    [Fact]
    public async Task Check_TwoConfigurationRoots_LoadsTheFirstAndWarnsAboutTheOther()
    {
        using var temp = new TempDir("zuulrules");
        temp.Write("repo/zuul.yaml", "- job:\n    name: a\n");
        temp.Write("repo/.zuul.d/jobs.yaml", "- nonsense: {}\n");

        var result = await ZuulConfigChecker.CheckAsync([temp.Combine("repo")], ZuulCheckContext.Empty.With(["job:base"], []), CancellationToken.None);

        result.Errors.Should().BeEmpty();
        result.Files.Should().ContainSingle().Which.Should().EndWith("zuul.yaml");
        result.Warnings.Should().ContainSingle().Which.Message.Should().Contain("Zuul loads only the first of zuul.yaml, zuul.d/, .zuul.yaml, .zuul.d/");
    }

    [Fact]
    public void WithProjects_ProjectNameWithoutEquals_IsABadContext()
    {
        var act = () => ZuulCheckContext.Empty.WithProjects([], ["lib"]);

        act.Should().Throw<CiJobs.Core.CiJobsException>().Which.ExitCode.Should().Be(ZuulConfigExitCodes.BadContext);
    }

    [Theory]
    [InlineData("lib", "lib", true)]
    [InlineData("org/lib", "example.org/org/lib", true)]
    [InlineData("example.org/org/lib", "org/lib", true)]
    [InlineData("org/other", "example.org/org/lib", false)]
    [InlineData("x/example.org/org/lib", "org/lib", false)]
    public void NamesProject_AcceptsTheNameWithOrWithoutItsHost(string stanza, string project, bool same) =>
        ZuulConfigWalker.NamesProject(stanza, project).Should().Be(same);
}
