using CiJobs.Core.ZuulConfig;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.ZuulConfig;

/// <summary>
/// <c>zuul-config check</c> on hostile trees, with real symbolic links in temp folders: links are never followed
/// (Zuul reads configuration from git, where a link is a file holding a path), playbook paths stay inside their
/// repository, <c>.zuul.ignore</c> skips by path prefix (docs/contracts/zuul-config.md, "Reading untrusted configuration").
/// </summary>
public class ZuulHostileTreeTests
{
    private const string LinkedFolder =
        "not loaded: a symbolic link to a folder; Zuul reads configuration from git, where a link is not a folder, so nothing under it is loaded";

    private const string Job = "- job:\n    name: a\n    parent: base\n";

    private static readonly ZuulCheckContext Context = ZuulCheckContext.Empty.With(["job:base"], []);

    /// <summary>Checks with a deadline: a checker that does not terminate fails the test instead of hanging it.</summary>
    private static async Task<ZuulConfigCheckResult> CheckAsync(params string[] directories) =>
        await Task.Run(() => ZuulConfigChecker.CheckAsync(directories, Context, CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(30));

    private static ZuulConfigProblem Warning(TempDir temp, string file, string message) =>
        new($"{temp.Path}/{file}", 1, message, ZuulSeverity.Warning);

    [Fact]
    public async Task CheckAsync_TwoLinksToTheirOwnFolder_TerminatesReadsEachFileOnceAndWarnsForEachLink()
    {
        using var temp = new TempDir("zuulhostile");
        temp.Write("zuul.d/jobs.yaml", Job);
        File.CreateSymbolicLink(temp.Combine("zuul.d", "l1"), ".");
        File.CreateSymbolicLink(temp.Combine("zuul.d", "l2"), ".");

        var result = await CheckAsync(temp.Path);

        result.Files.Should().Equal($"{temp.Path}/zuul.d/jobs.yaml");
        result.StanzaCounts.Should().Equal(new Dictionary<string, int> { ["job"] = 1 });
        result.Problems.Should().Equal(
            Warning(temp, "zuul.d/l1", LinkedFolder),
            Warning(temp, "zuul.d/l2", LinkedFolder));
    }

    [Fact]
    public async Task CheckAsync_OneLoopLinkBelowASubfolder_ReadsEachFileOnce()
    {
        using var temp = new TempDir("zuulhostile");
        temp.Write("zuul.d/jobs.yaml", Job);
        temp.Write("zuul.d/more/b.yaml", "- job:\n    name: b\n    parent: base\n");
        File.CreateSymbolicLink(temp.Combine("zuul.d", "more", "up"), "..");

        var result = await CheckAsync(temp.Path);

        result.Files.Should().Equal($"{temp.Path}/zuul.d/jobs.yaml", $"{temp.Path}/zuul.d/more/b.yaml");
        result.StanzaCounts["job"].Should().Be(2);
        result.Problems.Should().Equal(Warning(temp, "zuul.d/more/up", LinkedFolder));
    }

    [Fact]
    public async Task CheckAsync_LinkToAFolderOutside_IsNotFollowed()
    {
        using var outside = new TempDir("zuulhostile-outside");
        outside.Write("evil.yaml", "- job:\n    name: evil\n    parent: base\n");
        using var temp = new TempDir("zuulhostile");
        temp.Write("zuul.d/jobs.yaml", Job);
        File.CreateSymbolicLink(temp.Combine("zuul.d", "ext"), outside.Path);

        var result = await CheckAsync(temp.Path);

        result.Files.Should().Equal($"{temp.Path}/zuul.d/jobs.yaml");
        result.StanzaCounts.Should().Equal(new Dictionary<string, int> { ["job"] = 1 });
        result.Problems.Should().Equal(Warning(temp, "zuul.d/ext", LinkedFolder));
    }

    [Fact]
    public async Task CheckAsync_YamlLinkToAFileOutside_IsReadAsZuulReadsItFromGit_TheTextOfTheLink()
    {
        using var outside = new TempDir("zuulhostile-outside");
        var target = outside.Write("evil.yaml", "- job:\n    name: evil\n    parent: base\n");
        using var temp = new TempDir("zuulhostile");
        temp.Write("zuul.d/jobs.yaml", Job);
        File.CreateSymbolicLink(temp.Combine("zuul.d", "ext.yaml"), target);

        var result = await CheckAsync(temp.Path);

        result.Files.Should().Equal($"{temp.Path}/zuul.d/ext.yaml", $"{temp.Path}/zuul.d/jobs.yaml");
        result.StanzaCounts.Should().Equal(new Dictionary<string, int> { ["job"] = 1 }, "the job of the file outside is never read");
        result.Problems.Should().Equal(
            Warning(temp, "zuul.d/ext.yaml",
                $"a symbolic link (to {target}): Zuul reads configuration from git, where a link's content is the path it holds, so it loads the text '{target}', not the file it points to; commit the file itself"),
            new ZuulConfigProblem($"{temp.Path}/zuul.d/ext.yaml", 1, "a Zuul configuration file must be a list of stanzas (- job: ..., - project: ...)"));
    }

    [Fact]
    public async Task CheckAsync_LinkedConfigFolder_IsNotLoaded()
    {
        using var outside = new TempDir("zuulhostile-outside");
        outside.Write("evil.yaml", "- job:\n    name: evil\n");
        using var temp = new TempDir("zuulhostile");
        File.CreateSymbolicLink(temp.Combine("zuul.d"), outside.Path);

        var result = await CheckAsync(temp.Path);

        result.Files.Should().BeEmpty();
        result.Problems.Should().Equal(Warning(temp, "zuul.d", LinkedFolder));
    }

    [Fact]
    public async Task CheckAsync_RunOfDotDotEtcPasswd_IsOutsideTheRepository()
    {
        using var temp = new TempDir("zuulhostile");
        temp.Write("zuul.yaml", Job + "    run: ../../etc/passwd\n");

        var result = await CheckAsync(temp.Path);

        result.Problems.Should().Equal(new ZuulConfigProblem($"{temp.Path}/zuul.yaml", 4,
            "playbook '../../etc/passwd' is outside the repository: its '..' leave the repository root, which playbook paths may not leave"));
    }

    [Fact]
    public async Task CheckAsync_PlaybookThroughALinkToAFileOutside_IsOutsideTheRepository()
    {
        using var outside = new TempDir("zuulhostile-outside");
        var secret = outside.Write("secret.yaml", "- hosts: all\n");
        using var temp = new TempDir("zuulhostile");
        temp.Write("zuul.yaml", Job + "    pre-run: playbooks/pre.yaml\n    post-run: [playbooks/up.yaml]\n");
        Directory.CreateDirectory(temp.Combine("playbooks"));
        File.CreateSymbolicLink(temp.Combine("playbooks", "pre.yaml"), secret);
        File.CreateSymbolicLink(temp.Combine("playbooks", "up.yaml"), "../../" + Path.GetFileName(outside.Path) + "/secret.yaml");

        var result = await CheckAsync(temp.Path);

        result.Problems.Should().Equal(
            new ZuulConfigProblem($"{temp.Path}/zuul.yaml", 4,
                $"playbook 'playbooks/pre.yaml' leaves the repository through the symbolic link 'playbooks/pre.yaml' (to {secret}): an absolute link names a path of this machine, not of the executor's checkout of the repository"),
            new ZuulConfigProblem($"{temp.Path}/zuul.yaml", 5,
                $"playbook 'playbooks/up.yaml' leaves the repository through the symbolic link 'playbooks/up.yaml' (to ../../{Path.GetFileName(outside.Path)}/secret.yaml); the executor runs only playbooks inside the repository's checkout"));
    }

    [Fact]
    public async Task CheckAsync_PlaybookPaths_AbsoluteLoopingOrLinkedInside()
    {
        using var temp = new TempDir("zuulhostile");
        temp.Write("zuul.yaml", Job + "    run: /etc/passwd\n    cleanup-run: playbooks/loop.yaml\n    post-run:\n      - playbooks/inside.yaml\n      - playbooks/../playbooks/real.yaml\n");
        temp.Write("playbooks/real.yaml", "- hosts: all\n");
        File.CreateSymbolicLink(temp.Combine("playbooks", "inside.yaml"), "real.yaml");
        File.CreateSymbolicLink(temp.Combine("playbooks", "loop.yaml"), "loop2.yaml");
        File.CreateSymbolicLink(temp.Combine("playbooks", "loop2.yaml"), "loop.yaml");

        var result = await CheckAsync(temp.Path);

        result.Errors.Should().Equal(
            new ZuulConfigProblem($"{temp.Path}/zuul.yaml", 4,
                "playbook '/etc/passwd' is an absolute path; playbook paths are relative to the repository root, which they may not leave"),
            new ZuulConfigProblem($"{temp.Path}/zuul.yaml", 5,
                "playbook 'playbooks/loop.yaml' goes through a loop of symbolic links (at 'playbooks/loop.yaml'; more than 40 links followed)"));
    }

    [Fact]
    public async Task CheckAsync_IgnoreFile_SkipsEveryPathWithItsFolderAsATextPrefix_AndWarnsOutsideTheFolder()
    {
        using var temp = new TempDir("zuulhostile");
        temp.Write("zuul.d/jobs.yaml", Job);
        temp.Write("zuul.d/play/.zuul.ignore", "");
        temp.Write("zuul.d/play/inside.yaml", "- nonsense: {}\n");
        temp.Write("zuul.d/playbooks.yaml", "- nonsense: {}\n");
        temp.Write("zuul.d/player/x.yaml", "- nonsense: {}\n");
        temp.Write("zuul.d/drafts/old.zuul.ignore", "");
        temp.Write("zuul.d/drafts/draft.yaml", "- nonsense: {}\n");

        var result = await CheckAsync(temp.Path);

        const string Outside = "not loaded: Zuul skips every path that starts with 'zuul.d/play' because of zuul.d/play/.zuul.ignore; it compares the text of paths, not folders, so this file outside that folder is skipped too";
        result.Files.Should().Equal($"{temp.Path}/zuul.d/jobs.yaml");
        result.Problems.Should().Equal(
            Warning(temp, "zuul.d/playbooks.yaml", Outside),
            Warning(temp, "zuul.d/player/x.yaml", Outside));
    }

    [Fact]
    public async Task CheckAsync_LinkedZuulYaml_IsTheTextOfTheLink()
    {
        using var temp = new TempDir("zuulhostile");
        temp.Write("real.yaml", Job);
        File.CreateSymbolicLink(temp.Combine("zuul.yaml"), "real.yaml");

        var result = await CheckAsync(temp.Path);

        result.Files.Should().Equal($"{temp.Path}/zuul.yaml");
        result.StanzaCounts.Should().BeEmpty();
        result.Errors.Should().Equal(new ZuulConfigProblem($"{temp.Path}/zuul.yaml", 1, "a Zuul configuration file must be a list of stanzas (- job: ..., - project: ...)"));
    }

    [Fact]
    public void ToString_NameWithLineBreaks_StaysOneLine()
    {
        var problem = new ZuulConfigProblem("zuul.d/a\nb.yaml", 3, "unknown job 'x\ny'\u2028z\u0085", ZuulSeverity.Warning);

        problem.ToString().Should().Be("zuul.d/a\\nb.yaml:3: warning: unknown job 'x\\ny'\\u2028z\\u0085");
    }
}
