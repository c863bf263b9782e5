using CiJobs.Core;
using CiJobs.Core.Forges;
using CiJobs.Core.Forges.GitHub;
using CiJobs.Core.Forges.GitLab;
using CiJobs.Core.Platform;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.ZuulConfig.Bot;
using CiJobs.Fakes.GitHub;
using CiJobs.Fakes.GitLab;
using CiJobs.Tests.Rdoinfo;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.ZuulConfig.Bot;

/// <summary>A config repository (bare remote + the bot's clone) and an rdoinfo checkout that is a git repository.</summary>
internal sealed class ProposalFixture : IDisposable
{
    public const string HandWrittenFile = "zuul.d/projects.yaml";
    public const string HandWritten = "- project:\n    name: review.example.org/config\n    templates:\n      - noop-jobs\n";
    public static readonly DateTimeOffset Date = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    private readonly TempDir dir = new("proposal");

    private ProposalFixture(RdoinfoFixture rdoinfo) => Rdoinfo = rdoinfo;

    public RdoinfoFixture Rdoinfo { get; }

    public string Remote => dir.Combine("config.git");

    public string Clone => dir.Combine("clone");

    public string RdoinfoRevision { get; private set; } = "";

    public static async Task<ProposalFixture> CreateAsync()
    {
        var fixture = new ProposalFixture(new RdoinfoFixture());
        var seed = await TestGit.InitAsync(fixture.dir.Combine("seed"), "master");
        await seed.CommitAsync("Initial config", new Dictionary<string, string> { [HandWrittenFile] = HandWritten }, Date);
        await seed.RunAsync("clone", "--quiet", "--bare", seed.Directory, fixture.Remote);
        await seed.RunAsync("clone", "--quiet", fixture.Remote, fixture.Clone);
        var rdoinfo = await TestGit.InitAsync(fixture.Rdoinfo.Path);
        fixture.RdoinfoRevision = await rdoinfo.CommitAsync("rdoinfo", new Dictionary<string, string>(), Date);
        return fixture;
    }

    public async Task<GeneratedConfig> GenerateAsync() =>
        ZuulConfigGenerator.Generate(await RdoinfoLoader.LoadAsync(Rdoinfo.Path), ZuulGeneratorSettings.Default);

    public ProposalSettings Settings(ReviewSystem review, string? project = null) =>
        new(Clone, RdoinfoRevision, review) { ForgeProject = project, CommitDate = Date };

    public Task<string> RemoteGitAsync(params string[] arguments) => new TestGit(Remote).RunAsync(arguments);

    public void Dispose()
    {
        Rdoinfo.Dispose();
        dir.Dispose();
    }
}

public class ConfigProposerTests
{
    private const string Token = "glpat-secret-config-bot-token";

    [Fact]
    public async Task Propose_Gerrit_Twice_PushesOneChangeToRefsForWithTopicAndChangeId()
    {
        using var f = await ProposalFixture.CreateAsync();
        var proposer = new ConfigProposer(new CliWrapProcessRunner());
        var settings = f.Settings(ReviewSystem.Gerrit);

        var first = await proposer.ProposeAsync(settings, await f.GenerateAsync(), CancellationToken.None);
        var second = await proposer.ProposeAsync(settings, await f.GenerateAsync(), CancellationToken.None);

        first.Outcome.Should().Be(ProposalOutcome.Created);
        second.Outcome.Should().Be(ProposalOutcome.Unchanged);
        second.Commit.Should().Be(first.Commit, "same input, same commit: the open change is not touched");
        var refs = (await f.RemoteGitAsync("for-each-ref", "--format=%(refname) %(objectname)", "refs/for/")).Split('\n');
        refs.Should().ContainSingle().Which.Should().Be($"refs/for/master%topic={settings.Topic} {first.Commit}");
        var message = await f.RemoteGitAsync("log", "-1", "--format=%B", first.Commit!);
        message.Should().StartWith($"Update generated Zuul configuration for rdoinfo {f.RdoinfoRevision[..12]}");
        message.Should().Contain($"Change-Id: {settings.ChangeId}").And.Contain($"Rdoinfo-Revision: {f.RdoinfoRevision}");
        message.Should().Contain("Projects: 4 added, 0 changed, 0 removed (4 in total).");
        settings.ChangeId.Should().MatchRegex("^I[0-9a-f]{40}$");
        var tree = await f.RemoteGitAsync("ls-tree", "-r", "--name-only", first.Commit!);
        tree.Split('\n').Should().BeEquivalentTo([ProposalFixture.HandWrittenFile, ConfigBotNames.ProjectsFile, ConfigBotNames.TenantFile]);
        (await f.RemoteGitAsync("show", $"{first.Commit}:{ProposalFixture.HandWrittenFile}")).Should().Be(ProposalFixture.HandWritten.TrimEnd());
    }

    [Fact]
    public async Task Propose_Gerrit_NewContentForTheSameRevision_UpdatesTheSameChange()
    {
        using var f = await ProposalFixture.CreateAsync();
        var proposer = new ConfigProposer(new CliWrapProcessRunner());
        var settings = f.Settings(ReviewSystem.Gerrit);
        var first = await proposer.ProposeAsync(settings, await f.GenerateAsync(), CancellationToken.None);
        f.Rdoinfo.Write("tags/epoxy.yml", RdoinfoFixture.EpoxyTags.Replace("4.7.0", "4.8.0", StringComparison.Ordinal));

        var second = await proposer.ProposeAsync(settings, await f.GenerateAsync(), CancellationToken.None);

        second.Outcome.Should().Be(ProposalOutcome.Created, "a new patch set of the same change");
        second.Commit.Should().NotBe(first.Commit);
        second.ChangeId.Should().Be(first.ChangeId);
        (await f.RemoteGitAsync("for-each-ref", "--format=%(objectname)", "refs/for/")).Should().Be(second.Commit);
    }

    [Fact]
    public async Task Propose_Gerrit_PushRefused_FailsWithProposalFailed()
    {
        using var f = await ProposalFixture.CreateAsync();
        var hook = Path.Combine(f.Remote, "hooks", "pre-receive");
        await File.WriteAllTextAsync(hook, "#!/bin/sh\necho 'prohibited by Gerrit: not permitted: create change' >&2\nexit 1\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var config = await f.GenerateAsync();

        var act = () => new ConfigProposer(new CliWrapProcessRunner()).ProposeAsync(f.Settings(ReviewSystem.Gerrit), config, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(ConfigBotExitCodes.ProposalFailed);
        error.Message.Should().Contain("not permitted");
    }

    [Theory]
    [InlineData("/keys/bot's key")]
    [InlineData("/keys/id\n-o ProxyCommand=touch /tmp/x")]
    public async Task Propose_SshKeyPathWithQuoteOrLineBreak_IsRefusedBeforeAnythingIsPushed(string keyFile)
    {
        using var f = await ProposalFixture.CreateAsync();
        var config = await f.GenerateAsync();
        var settings = f.Settings(ReviewSystem.Gerrit) with { SshKeyFile = keyFile };

        var act = () => new ConfigProposer(new CliWrapProcessRunner()).ProposeAsync(settings, config, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(ConfigBotExitCodes.InputInvalid);
        error.Message.Should().Contain("ssh key file");
        (await f.RemoteGitAsync("for-each-ref", "refs/for/")).Should().BeEmpty();
    }

    [Fact]
    public async Task Propose_TargetAlreadyHoldsTheConfiguration_ProposesNothing()
    {
        using var f = await ProposalFixture.CreateAsync();
        var config = await f.GenerateAsync();
        await GeneratedFileWriter.WriteAsync(f.Clone, config, CancellationToken.None);
        var clone = new TestGit(f.Clone);
        await clone.RunAsync("add", "--all");
        await clone.RunAsync("commit", "--quiet", "-m", "merged earlier");
        await clone.RunAsync("push", "--quiet", "origin", "HEAD:master");

        var result = await new ConfigProposer(new CliWrapProcessRunner()).ProposeAsync(f.Settings(ReviewSystem.Gerrit), config, CancellationToken.None);

        result.Outcome.Should().Be(ProposalOutcome.NothingToChange);
        result.Commit.Should().BeNull();
        (await f.RemoteGitAsync("for-each-ref", "refs/for/")).Should().BeEmpty();
    }

    [Fact]
    public async Task Propose_GitLab_Twice_OpensOneMergeRequest()
    {
        using var f = await ProposalFixture.CreateAsync();
        await using var gitLab = new FakeGitLab();
        await gitLab.StartAsync();
        gitLab.AddUser("config-bot", Token);
        gitLab.AddProject("rdo/config", f.Remote, "master");
        var forge = new GitLabClient(ForgeHttp.CreateClient(GitLabClient.ApiRoot(gitLab.BaseUrl)), Token);
        var proposer = new ConfigProposer(new CliWrapProcessRunner(), forge);
        var settings = f.Settings(ReviewSystem.GitLab, "rdo/config");

        var first = await proposer.ProposeAsync(settings, await f.GenerateAsync(), CancellationToken.None);
        var second = await proposer.ProposeAsync(settings, await f.GenerateAsync(), CancellationToken.None);

        first.Outcome.Should().Be(ProposalOutcome.Created);
        second.Outcome.Should().Be(ProposalOutcome.Unchanged);
        var mr = gitLab.MergeRequests("rdo/config").Should().ContainSingle().Subject;
        mr.SourceBranch.Should().Be(settings.Branch);
        mr.TargetBranch.Should().Be("master");
        mr.Author.Should().Be("config-bot");
        mr.Description.Should().Contain(f.RdoinfoRevision);
        second.Number.Should().Be(mr.Iid);
        (await f.RemoteGitAsync("rev-parse", settings.Branch)).Should().Be(first.Commit);
    }

    [Fact]
    public async Task Propose_GitLab_ChangedContent_UpdatesTheOpenMergeRequest()
    {
        using var f = await ProposalFixture.CreateAsync();
        await using var gitLab = new FakeGitLab();
        await gitLab.StartAsync();
        gitLab.AddUser("config-bot", Token);
        gitLab.AddProject("rdo/config", f.Remote, "master");
        var proposer = new ConfigProposer(new CliWrapProcessRunner(), new GitLabClient(ForgeHttp.CreateClient(GitLabClient.ApiRoot(gitLab.BaseUrl)), Token));
        var settings = f.Settings(ReviewSystem.GitLab, "rdo/config");
        await proposer.ProposeAsync(settings, await f.GenerateAsync(), CancellationToken.None);
        f.Rdoinfo.Write("rdo.yml", RdoinfoFixture.Main + "\n- project: cinder\n  conf: core\n");

        var second = await proposer.ProposeAsync(settings, await f.GenerateAsync(), CancellationToken.None);

        second.Outcome.Should().Be(ProposalOutcome.Updated);
        gitLab.MergeRequests("rdo/config").Should().ContainSingle().Which.Description.Should().Contain("Projects: 6 added");
    }

    [Fact]
    public async Task Propose_GitLab_WrongToken_FailsUnauthorizedWithoutShowingTheToken()
    {
        using var f = await ProposalFixture.CreateAsync();
        await using var gitLab = new FakeGitLab();
        await gitLab.StartAsync();
        gitLab.AddUser("config-bot", Token);
        gitLab.AddProject("rdo/config", f.Remote, "master");
        const string wrong = "glpat-wrong-token-value";
        var proposer = new ConfigProposer(new CliWrapProcessRunner(), new GitLabClient(ForgeHttp.CreateClient(GitLabClient.ApiRoot(gitLab.BaseUrl)), wrong));

        var config = await f.GenerateAsync();

        var act = () => proposer.ProposeAsync(f.Settings(ReviewSystem.GitLab, "rdo/config"), config, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(ForgeExitCodes.Unauthorized);
        error.Message.Should().NotContain(wrong);
        gitLab.MergeRequests("rdo/config").Should().BeEmpty();
        (await f.RemoteGitAsync("for-each-ref", "refs/heads/cijobs/")).Should().BeEmpty("nothing is pushed before the token is accepted");
    }

    [Fact]
    public async Task Propose_GitHub_Twice_OpensOnePullRequest()
    {
        using var f = await ProposalFixture.CreateAsync();
        await using var gitHub = new FakeGitHub();
        await gitHub.StartAsync();
        gitHub.AddUser("config-bot", Token);
        gitHub.AddRepository("rdo/config", f.Remote);
        var proposer = new ConfigProposer(new CliWrapProcessRunner(), GitHubForge.Create(gitHub.BaseUrl, Token));
        var settings = f.Settings(ReviewSystem.GitHub, "rdo/config");

        var first = await proposer.ProposeAsync(settings, await f.GenerateAsync(), CancellationToken.None);
        var second = await proposer.ProposeAsync(settings, await f.GenerateAsync(), CancellationToken.None);

        first.Outcome.Should().Be(ProposalOutcome.Created);
        second.Outcome.Should().Be(ProposalOutcome.Unchanged);
        var pull = gitHub.Pulls("rdo/config").Should().ContainSingle().Subject;
        pull.Base.Should().Be("master");
        pull.Author.Should().Be("config-bot");
        pull.Title.Should().Contain(f.RdoinfoRevision[..12]);
    }

    [Fact]
    public async Task Propose_GitHub_WrongToken_FailsUnauthorized()
    {
        using var f = await ProposalFixture.CreateAsync();
        await using var gitHub = new FakeGitHub();
        await gitHub.StartAsync();
        gitHub.AddUser("config-bot", Token);
        gitHub.AddRepository("rdo/config", f.Remote);
        var proposer = new ConfigProposer(new CliWrapProcessRunner(), GitHubForge.Create(gitHub.BaseUrl, "ghp-wrong"));
        var config = await f.GenerateAsync();

        var act = () => proposer.ProposeAsync(f.Settings(ReviewSystem.GitHub, "rdo/config"), config, CancellationToken.None);

        (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(ForgeExitCodes.Unauthorized);
        gitHub.Pulls("rdo/config").Should().BeEmpty();
    }

    [Fact]
    public async Task Propose_ForgeWithoutProject_IsAnInputError()
    {
        using var f = await ProposalFixture.CreateAsync();
        var config = await f.GenerateAsync();

        var act = () => new ConfigProposer(new CliWrapProcessRunner()).ProposeAsync(f.Settings(ReviewSystem.GitLab), config, CancellationToken.None);

        (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(ConfigBotExitCodes.InputInvalid);
    }
}
