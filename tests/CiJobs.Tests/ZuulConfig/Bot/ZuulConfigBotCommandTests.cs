using CiJobs.Core.Forges;
using CiJobs.Core.ZuulConfig.Bot;
using CiJobs.Fakes.GitLab;
using CiJobs.Tests.Rdoinfo;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.ZuulConfig.Bot;

[Trait("Runs", "cijobs")]
public class ZuulConfigBotCommandTests
{
    [Fact]
    public async Task Propose_through_gerrit_twice_reports_the_change_then_that_it_is_already_proposed()
    {
        using var f = await ProposalFixture.CreateAsync();
        string[] args = ["zuul-config", "propose", "--rdoinfo", f.Rdoinfo.Path, "--config-repo", f.Clone, "--review", "gerrit"];

        var first = await CliRunner.RunAsync(args);
        var second = await CliRunner.RunAsync(args);

        first.ExitCode.Should().Be(0, first.ToString());
        first.StandardOutput.Should().StartWith("proposed ").And.Contain("Change-Id I");
        second.ExitCode.Should().Be(0, second.ToString());
        second.StandardOutput.Should().Contain("already holds this change");
        (await f.RemoteGitAsync("for-each-ref", "refs/for/")).Split('\n').Should().ContainSingle();
    }

    [Fact]
    public async Task Propose_with_nothing_to_change_exits_zero_and_says_so()
    {
        using var f = await ProposalFixture.CreateAsync();
        await CliRunner.RunAsync("zuul-config", "generate", "--rdoinfo", f.Rdoinfo.Path, "--config-repo", f.Clone);
        var clone = new TestGit(f.Clone);
        await clone.RunAsync("add", "--all");
        await clone.RunAsync("commit", "--quiet", "-m", "merged earlier");
        await clone.RunAsync("push", "--quiet", "origin", "HEAD:master");

        var result = await CliRunner.RunAsync("zuul-config", "propose", "--rdoinfo", f.Rdoinfo.Path, "--config-repo", f.Clone, "--format", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Contain("\"outcome\": \"nothingtochange\"");
    }

    [Fact]
    public async Task Propose_to_gitlab_without_a_token_is_an_input_error()
    {
        using var f = await ProposalFixture.CreateAsync();

        var result = await CliRunner.RunAsync(
            ["zuul-config", "propose", "--rdoinfo", f.Rdoinfo.Path, "--config-repo", f.Clone, "--review", "gitlab", "--project", "rdo/config", "--api-url", "http://127.0.0.1:9"],
            environment: new Dictionary<string, string?> { ["CIJOBS_CONFIG_BOT_TOKEN"] = null, ["CIJOBS_CONFIG_BOT_TOKEN_FILE"] = null });

        result.ExitCode.Should().Be(ConfigBotExitCodes.InputInvalid, result.ToString());
        result.StandardError.Should().Contain("CIJOBS_CONFIG_BOT_TOKEN");
    }

    [Fact]
    public async Task Propose_to_gitlab_with_a_token_file_opens_a_merge_request_and_never_prints_the_token()
    {
        using var f = await ProposalFixture.CreateAsync();
        await using var gitLab = new FakeGitLab();
        await gitLab.StartAsync();
        const string token = "glpat-cli-secret-0123456789";
        gitLab.AddUser("config-bot", token);
        gitLab.AddProject("rdo/config", f.Remote, "master");
        using var secrets = new TempDir("secrets");
        var tokenFile = secrets.Write("token", token + "\n");
        string[] args = ["zuul-config", "propose", "--rdoinfo", f.Rdoinfo.Path, "--config-repo", f.Clone, "--review", "gitlab",
            "--project", "rdo/config", "--api-url", gitLab.BaseUrl];

        var first = await CliRunner.RunAsync(args, environment: new Dictionary<string, string?> { ["CIJOBS_CONFIG_BOT_TOKEN_FILE"] = tokenFile });
        var second = await CliRunner.RunAsync(args, environment: new Dictionary<string, string?> { ["CIJOBS_CONFIG_BOT_TOKEN"] = token });
        var wrong = await CliRunner.RunAsync(args, environment: new Dictionary<string, string?> { ["CIJOBS_CONFIG_BOT_TOKEN"] = "glpat-not-the-right-one" });

        first.ExitCode.Should().Be(0, first.ToString());
        second.ExitCode.Should().Be(0, second.ToString());
        gitLab.MergeRequests("rdo/config").Should().ContainSingle();
        wrong.ExitCode.Should().Be(ForgeExitCodes.Unauthorized, wrong.ToString());
        foreach (var result in new[] { first, second, wrong })
        {
            (result.StandardOutput + result.StandardError).Should().NotContain(token).And.NotContain("glpat-not-the-right-one");
        }
    }

    [Fact]
    public async Task Diff_between_two_git_revisions_lists_added_changed_and_removed_packages_with_their_config_change()
    {
        using var rdoinfo = new RdoinfoFixture();
        var git = await TestGit.InitAsync(rdoinfo.Path);
        var before = await git.CommitAsync("before", new Dictionary<string, string>(), ProposalFixture.Date);
        rdoinfo.Write("rdo.yml", RdoinfoFixture.Main.Replace("- project: glance\n  conf: core\n  maintainers:\n  - alice@example.org\n", "", StringComparison.Ordinal)
            + "\n- project: cinder\n  conf: core\n");
        rdoinfo.Write("tags/epoxy.yml", "packages:\n- project: glanceclient\n  tags:\n    epoxy:\n      source-branch: 4.8.0\n");
        rdoinfo.Write("tags/dalmatian.yml", "packages:\n- project: glanceclient\n  tags:\n    dalmatian:\n      source-branch: 4.6.0\n");
        var after = await git.CommitAsync("after", new Dictionary<string, string>(), ProposalFixture.Date);

        var result = await CliRunner.RunAsync("zuul-config", "diff", "--rdoinfo-repo", rdoinfo.Path, "--rdoinfo-old", before, "--rdoinfo-new", after);

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Be("""
            added openstack-cinder (project cinder)
              new package, tags: epoxy
              config: add project git.example.org/distgits/cinder-distgit and tenant entry gerrit:distgits/cinder-distgit
              config: add project opendev.org/openstack/cinder and tenant entry opendev.org:openstack/cinder
            removed openstack-glance (project glance)
              package removed from rdoinfo: its configuration is proposed for removal
              config: remove project git.example.org/distgits/glance-distgit and tenant entry gerrit:distgits/glance-distgit (proposed, not silent)
              config: remove project opendev.org/openstack/glance and tenant entry opendev.org:openstack/glance (proposed, not silent)
            changed python-glanceclient (project glanceclient)
              tag overrides changed: epoxy
              release epoxy source-branch: 4.7.0 -> 4.8.0
              config: update project git.example.org/distgits/glanceclient-distgit
              config: update project opendev.org/openstack/python-glanceclient

            """.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Diff_of_a_revision_without_the_repository_option_is_an_input_error()
    {
        using var rdoinfo = new RdoinfoFixture();

        var result = await CliRunner.RunAsync("zuul-config", "diff", "--rdoinfo-old", "HEAD~1", "--rdoinfo-new", rdoinfo.Path);

        result.ExitCode.Should().Be(ConfigBotExitCodes.InputInvalid, result.ToString());
        result.StandardError.Should().Contain("--rdoinfo-repo");
    }

    [Fact]
    public async Task Generate_refuses_to_overwrite_a_hand_written_file()
    {
        using var rdoinfo = new RdoinfoFixture();
        using var repo = new TempDir("config");
        repo.Write(ConfigBotNames.TenantFile, "- tenant:\n    name: mine\n");

        var result = await CliRunner.RunAsync("zuul-config", "generate", "--rdoinfo", rdoinfo.Path, "--config-repo", repo.Path);

        result.ExitCode.Should().Be(ConfigBotExitCodes.ConfigRepoInvalid, result.ToString());
        result.StandardError.Should().Contain("hand-written");
        File.Exists(repo.Combine(ConfigBotNames.ProjectsFile)).Should().BeFalse();
    }
}
