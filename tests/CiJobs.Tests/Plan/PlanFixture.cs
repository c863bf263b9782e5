using CiJobs.Tests.Support;

namespace CiJobs.Tests.Plan;

/// <summary>
/// A workspace laid out like a Zuul node's: <c>src/git.example.org/&lt;repo&gt;</c> checkouts of a tiny rdoinfo
/// (git history), two packages' sources and distgits. Releases: tiny (rpm-main, main), tiny-1 (tiny-1-rdo, stable/1),
/// old (eol, rpm-main). greetlib is in tiny and tiny-1; greeter only in tiny; newpkg is under review.
/// </summary>
public sealed class PlanFixture : IDisposable
{
    public const string Host = "git.example.org";

    private readonly TempDir dir = new("plan");

    private PlanFixture()
    {
    }

    public string Root => dir.Path;

    public TestGit Rdoinfo { get; private set; } = null!;

    public string RdoinfoBase { get; private set; } = "";

    public string SrcDir(string repo) => $"src/{Host}/{repo}";

    public string Checkout(string repo) => dir.Combine("src", Host, repo);

    public static string RdoinfoText(string greeterExtra = "", string extraPackages = "") => $"""
        releases:
        - name: tiny
          status: development
          branch: rpm-main
          upstream_branch: main
          repos:
          - name: el9s
        - name: tiny-1
          status: maintained
          branch: tiny-1-rdo
          upstream_branch: stable/1
          repos:
          - name: el9s
        - name: old
          status: eol
          branch: rpm-main
          upstream_branch: stable/0
          repos:
          - name: el9s
        package-default:
          name: '%(project)s'
          upstream: https://{Host}/%(project)s
          master-distgit: https://{Host}/%(project)s-distgit.git
          maintainers:
          - maintainer@example.org
        packages:
        - project: example-greetlib
          tags:
            tiny:
            tiny-1:
              source-branch: stable/1
            old:
        - project: example-greeter
          tags:
            tiny:
        {greeterExtra}
        {extraPackages}
        """;

    public static async Task<PlanFixture> CreateAsync()
    {
        var fixture = new PlanFixture();
        fixture.Rdoinfo = await TestGit.InitAsync(fixture.Checkout("rdoinfo"), "master");
        fixture.RdoinfoBase = await fixture.Rdoinfo.CommitAsync("Initial rdoinfo", new Dictionary<string, string> { ["rdo-full.yml"] = RdoinfoText() });
        foreach (var (repo, branch) in new[] { ("example-greetlib", "main"), ("example-greetlib-distgit", "rpm-main"), ("example-greeter", "main"), ("example-greeter-distgit", "rpm-main") })
        {
            var git = await TestGit.InitAsync(fixture.Checkout(repo), branch);
            await git.CommitAsync("Initial", new Dictionary<string, string> { ["README"] = repo });
        }

        return fixture;
    }

    /// <summary>A Zuul variables file (YAML) for an item of <paramref name="repo"/>, with these projects prepared.</summary>
    public string ZuulVars(string repo, string branch, string pipeline, string? change = null, string? oldrev = null, string? newrev = null, params string[] projects)
    {
        string Project(string name) => $"""
                name: {name}
                short_name: {name}
                canonical_hostname: {Host}
                canonical_name: {Host}/{name}
                src_dir: {SrcDir(name)}
            """;
        var lines = new List<string>
        {
            "zuul:",
            $"  pipeline: {pipeline}",
            $"  branch: {branch}",
            $"  ref: {(change is null ? $"refs/heads/{branch}" : $"refs/changes/{change}/1")}",
        };
        if (change is not null)
        {
            lines.Add($"  change: \"{change}\"");
            lines.Add("  patchset: \"1\"");
        }

        if (oldrev is not null)
        {
            lines.Add($"  oldrev: {oldrev}");
        }

        if (newrev is not null)
        {
            lines.Add($"  newrev: {newrev}");
        }

        lines.Add("  project:");
        lines.Add(Project(repo));
        lines.Add("  projects:");
        foreach (var name in projects.Prepend(repo).Distinct())
        {
            lines.Add($"    {Host}/{name}:");
            lines.Add("  " + Project(name).Replace("\n", "\n  ", StringComparison.Ordinal));
        }

        return dir.Write($"zuul-{Guid.NewGuid():N}.yaml", string.Join('\n', lines) + "\n");
    }

    public void Dispose() => dir.Dispose();
}
