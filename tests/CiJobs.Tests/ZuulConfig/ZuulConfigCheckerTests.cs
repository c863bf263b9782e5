using CiJobs.Core.ZuulConfig;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.ZuulConfig;

public class ZuulConfigCheckerTests
{
    private static readonly ZuulCheckContext Connections = ZuulCheckContext.Empty.With(
        ["job:base"], ["review:gerrit", "upstream:git", "gitlab:gitlab"]);

    private static string GoodFixture => Path.Combine(RepoPaths.Root, "tests", "CiJobs.Tests", "ZuulConfig", "Fixtures", "good");

    [Fact]
    public async Task CheckAsync_GoodFixtureWithEveryStanzaKind_FindsNoProblem()
    {
        var context = ZuulCheckContext.Empty.With([], ["review:gerrit", "upstream:git", "gitlab:gitlab"]).WithProjects([GoodFixture], []);
        var result = await ZuulConfigChecker.CheckAsync([GoodFixture], context, CancellationToken.None);

        result.Problems.Should().BeEmpty();
        result.StanzaCounts.Keys.Should().BeEquivalentTo("job", "nodeset", "pipeline", "pragma", "project", "project-template", "queue", "secret", "semaphore");
    }

    /// <summary>One bad fixture per rule: the YAML, the line the problem must be reported at, and a fragment of the message.</summary>
    public static TheoryData<string, string, int, string> BadFixtures => new()
    {
        {
            "unknown job attribute, with a suggestion",
            "- job:\n    name: a\n    parnet: base\n", 3, "unknown attribute 'parnet' for a job (did you mean 'parent'?)"
        },
        { "job without name", "- job:\n    description: x\n", 2, "required attribute 'name' is missing" },
        { "integer expected", "- job:\n    name: a\n    timeout: soon\n", 3, "timeout: expected an integer, found 'soon'" },
        { "boolean expected", "- job:\n    name: a\n    voting: perhaps\n", 3, "voting: expected a boolean" },
        { "string expected", "- job:\n    name: a\n    override-checkout: 1.0\n", 3, "expected a string, found '1.0' (quote it)" },
        { "enum", "- job:\n    name: a\n    workspace-scheme: deep\n", 3, "'deep' is not one of golang, flat, unique" },
        { "unknown parent", "- job:\n    name: a\n    parent: nope\n", 3, "unknown job 'nope'" },
        { "missing playbook", "- job:\n    name: a\n    run: playbooks/none.yaml\n", 3, "playbook 'playbooks/none.yaml' does not exist" },
        { "missing playbook in a list entry", "- job:\n    name: a\n    post-run:\n      - name: playbooks/gone.yaml\n", 4, "playbook 'playbooks/gone.yaml' does not exist" },
        { "unknown nodeset", "- job:\n    name: a\n    nodeset: big\n", 3, "unknown nodeset 'big'" },
        { "inline nodeset node without label", "- job:\n    name: a\n    nodeset:\n      nodes:\n        - name: n\n", 5, "required attribute 'label' is missing" },
        { "unknown secret", "- job:\n    name: a\n    secrets: [nope]\n", 3, "unknown secret 'nope'" },
        {
            "secret alias not a variable name",
            "- secret:\n    name: s\n    data: {a: b}\n- job:\n    name: a\n    secrets:\n      - name: my-creds\n        secret: s\n", 7, "'my-creds' is not a valid variable name"
        },
        { "unknown dependency", "- job:\n    name: a\n    dependencies: [build]\n", 3, "unknown job 'build'" },
        { "invalid variable name", "- job:\n    name: a\n    vars:\n      my-var: 1\n", 4, "'my-var' is not a valid variable name" },
        { "invalid host variable name", "- job:\n    name: a\n    host-vars:\n      node:\n        9lives: 1\n", 5, "'9lives' is not a valid variable name" },
        { "intermediate but not abstract", "- job:\n    name: a\n    intermediate: true\n", 3, "an intermediate job must also be abstract" },
        { "encrypted value outside vars and secrets", "- job:\n    name: a\n    description: !encrypted/pkcs1-oaep aGVsbG8=\n", 3, "tag '!encrypted/pkcs1-oaep' is not allowed here" },
        { "unknown tag", "- job:\n    name: a\n    vars:\n      p: !vault abc\n", 4, "tag '!vault' is not allowed here" },
        { "encrypted chunk not base64", "- secret:\n    name: s\n    data:\n      p: !encrypted/pkcs1-oaep\n        - '@@@'\n", 5, "an encrypted chunk is not valid base64" },
        { "secret without data", "- secret:\n    name: s\n", 2, "a secret needs exactly one of data or oidc" },
        { "duplicate secret", "- secret:\n    name: s\n    data: {}\n- secret:\n    name: s\n    data: {}\n", 5, "secret s is already defined at" },
        { "semaphore max not integer", "- semaphore:\n    name: s\n    max: many\n", 3, "max: expected an integer" },
        { "queue unknown attribute", "- queue:\n    name: q\n    per_branch: true\n", 3, "unknown attribute 'per_branch' for a queue (did you mean 'per-branch'?)" },
        { "pragma unknown attribute", "- pragma:\n    implied-branch: [main]\n", 2, "unknown attribute 'implied-branch' for a pragma" },
        { "nodeset group member not a node", "- nodeset:\n    name: n\n    nodes:\n      - name: a\n        label: l\n    groups:\n      - name: g\n        nodes: [b]\n", 8, "group member 'b' is not a node of this nodeset" },
        { "nodeset without name", "- nodeset:\n    nodes: []\n", 2, "required attribute 'name' is missing" },
        { "unknown template", "- project:\n    templates: [nope]\n", 2, "unknown project-template 'nope'" },
        { "project pipeline with unknown key", "- project:\n    check:\n      job:\n        - a\n", 3, "unknown attribute 'job' for a project pipeline (did you mean 'jobs'?)" },
        { "unknown job in a project", "- project:\n    check:\n      jobs:\n        - missing-job\n", 4, "unknown job 'missing-job'" },
        {
            "job variant in a project with a bad attribute",
            "- job:\n    name: a\n- project:\n    check:\n      jobs:\n        - a:\n            timeout: long\n", 7, "check: jobs: a: timeout: expected an integer"
        },
        { "merge mode", "- project:\n    merge-mode: fast-forward\n", 2, "'fast-forward' is not one of merge" },
        { "template without name", "- project-template:\n    check:\n      jobs: []\n", 2, "required attribute 'name' is missing" },
        { "template with a project-only attribute", "- project-template:\n    name: t\n    default-branch: main\n", 3, "default-branch: expected a mapping (project pipeline)" },
        { "pipeline without manager", "- pipeline:\n    name: p\n    trigger:\n      timer:\n        - time: '0 0 * * *'\n", 2, "required attribute 'manager' is missing" },
        { "pipeline manager", "- pipeline:\n    name: p\n    manager: parallel\n    trigger:\n      timer:\n        - time: '0 0 * * *'\n", 3, "'parallel' is not one of independent, dependent, serial, supercedent" },
        { "gerrit event", "- pipeline:\n    name: p\n    manager: independent\n    trigger:\n      review:\n        - event: patchset-create\n", 6, "'patchset-create' is not one of patchset-created" },
        { "git driver has only ref-updated", "- pipeline:\n    name: p\n    manager: independent\n    trigger:\n      upstream:\n        - event: change-merged\n", 6, "'change-merged' is not one of ref-updated" },
        { "gitlab trigger attribute", "- pipeline:\n    name: p\n    manager: independent\n    trigger:\n      gitlab:\n        - event: gl_merge_request\n          actions: [opened]\n", 7, "unknown attribute 'actions' for a gitlab trigger (did you mean 'action'?)" },
        { "unknown connection", "- pipeline:\n    name: p\n    manager: independent\n    trigger:\n      github:\n        - event: push\n", 5, "unknown connection 'github'" },
        { "unknown stanza kind", "- jobs:\n    name: a\n", 1, "unknown stanza kind 'jobs'" },
        { "stanza with two keys", "- job:\n    name: a\n  project: {}\n", 1, "exactly one key" },
        { "file not a list", "job:\n  name: a\n", 1, "must be a list of stanzas" },
        { "YAML syntax error", "- job:\n    name: [a\n", 3, "YAML error" },
    };

    [Theory]
    [MemberData(nameof(BadFixtures))]
    public async Task CheckAsync_BadFixture_ReportsTheProblemAtItsLine(string rule, string yaml, int line, string message)
    {
        using var temp = new TempDir("zuulcheck");
        temp.Write("zuul.d/config.yaml", yaml);

        var result = await ZuulConfigChecker.CheckAsync([temp.Path], Connections, CancellationToken.None);

        result.Problems.Should().Contain(p => p.Line == line && p.Message.Contains(message), $"rule '{rule}' should be reported; got:\n{string.Join('\n', result.Problems)}");
    }

    [Fact]
    public async Task CheckAsync_JobWithoutParentAndNoBaseJob_ReportsTheImpliedParent()
    {
        using var temp = new TempDir("zuulcheck");
        temp.Write("zuul.d/jobs.yaml", "- job:\n    name: a\n");

        var result = await ZuulConfigChecker.CheckAsync([temp.Path], ZuulCheckContext.Empty, CancellationToken.None);

        result.Problems.Should().ContainSingle().Which.Should().Be(new ZuulConfigProblem(
            "zuul.d/jobs.yaml".Insert(0, temp.Path + "/"), 2,
            "unknown job 'base' (jobs without a parent inherit from 'base'; declare it external with --external job:base when the tenant's config project defines it)"));
    }

    [Fact]
    public async Task CheckAsync_ConfigFolderGiven_ResolvesPlaybooksFromItsParent()
    {
        using var temp = new TempDir("zuulcheck");
        temp.Write("zuul.d/jobs.yaml", "- job:\n    name: a\n    parent: base\n    run: playbooks/run.yaml\n");
        temp.Write("playbooks/run.yaml", "- hosts: all\n");

        var result = await ZuulConfigChecker.CheckAsync([temp.Combine("zuul.d")], Connections, CancellationToken.None);

        result.Problems.Should().BeEmpty();
        result.Files.Should().ContainSingle().Which.Should().EndWith("jobs.yaml");
    }

    [Fact]
    public async Task CheckAsync_TwoTrees_ResolveEachOthersNames()
    {
        using var library = new TempDir("zuulcheck");
        library.Write("zuul.d/jobs.yaml", "- job:\n    name: lib-publish\n    abstract: true\n");
        using var site = new TempDir("zuulcheck");
        site.Write("zuul.d/site.yaml", "- job:\n    name: base\n    parent: null\n- job:\n    name: site-publish\n    parent: lib-publish\n");

        var result = await ZuulConfigChecker.CheckAsync([library.Path], ZuulCheckContext.Empty.WithProjects([site.Path], []), CancellationToken.None);

        result.Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task CheckAsync_FolderWithIgnoreFile_SkipsIt()
    {
        using var temp = new TempDir("zuulcheck");
        temp.Write("zuul.d/jobs.yaml", "- job:\n    name: a\n    parent: base\n");
        temp.Write("zuul.d/drafts/.zuul.ignore", "");
        temp.Write("zuul.d/drafts/broken.yaml", "- nonsense: {}\n");

        var result = await ZuulConfigChecker.CheckAsync([temp.Path], Connections, CancellationToken.None);

        result.Problems.Should().BeEmpty();
        result.Files.Should().HaveCount(1);
    }

    [Fact]
    public async Task CheckAsync_MissingFolder_ThrowsNoConfig()
    {
        var act = () => ZuulConfigChecker.CheckAsync(["/nonexistent/cijobs"], Connections, CancellationToken.None);

        (await act.Should().ThrowAsync<CiJobs.Core.CiJobsException>()).Which.ExitCode.Should().Be(ZuulConfigExitCodes.NoConfig);
    }

    [Fact]
    public async Task LoadAsync_ContextFile_DeclaresNamesAndConnections()
    {
        using var temp = new TempDir("zuulcheck");
        var file = temp.Write("context.yaml", "jobs: [base]\nnodesets: [pod]\npipelines: [check]\nconnections:\n  review: gerrit\n");
        temp.Write("repo/zuul.yaml", "- job:\n    name: a\n    nodeset: pod\n- project:\n    check:\n      jobs: [a]\n    gate:\n      jobs: [a]\n");

        var context = await ZuulCheckContext.LoadAsync(file, CancellationToken.None);
        var result = await ZuulConfigChecker.CheckAsync([temp.Combine("repo")], context, CancellationToken.None);

        result.Problems.Should().ContainSingle().Which.Should().Match<ZuulConfigProblem>(
            p => p.Message.Contains("unknown pipeline 'gate'") && p.Severity == ZuulSeverity.Warning);
    }
}
