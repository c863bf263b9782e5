using CiJobs.Core.Forges;
using CiJobs.Core.Forges.GitLab;
using CiJobs.Core.Forges.Mirroring;
using CiJobs.Core.Platform;
using CiJobs.Fakes.GitLab;
using CiJobs.Tests.SourceGit;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Forges;

/// <summary>
/// A fake GitLab with a source-git project <c>src/hello</c> and a dist-git project <c>rpms/hello</c>, each backed by a
/// bare repository cloned from <see cref="SourceGitFixture"/>; a contributor (alice) pushes branch <c>fix</c> and opens
/// merge request !1; the bot's token is <see cref="BotToken"/>.
/// </summary>
public sealed class MirrorFixture : IAsyncDisposable
{
    public const string BotToken = "glpat-bot-SECRET-4f9a1c";
    public const string SourceProject = "src/hello";
    public const string DistProject = "rpms/hello";

    private readonly TempDir temp = new("mr");

    private MirrorFixture(SourceGitFixture repos, FakeGitLab gitLab)
    {
        Repos = repos;
        GitLab = gitLab;
    }

    public SourceGitFixture Repos { get; }

    public FakeGitLab GitLab { get; }

    public string SourceBare => temp.Combine("src.git");

    public string DistBare => temp.Combine("dist.git");

    public int Number { get; private set; }

    public static async Task<MirrorFixture> CreateAsync()
    {
        var repos = await SourceGitFixture.CreateAsync();
        var gitLab = new FakeGitLab();
        await gitLab.StartAsync();
        var fixture = new MirrorFixture(repos, gitLab);
        await repos.Src.RunAsync("clone", "--quiet", "--bare", repos.Src.Directory, fixture.SourceBare);
        await repos.Dist.RunAsync("clone", "--quiet", "--bare", repos.Dist.Directory, fixture.DistBare);
        gitLab.AddUser("cijobs-bot", BotToken);
        gitLab.AddProject(SourceProject, fixture.SourceBare, "c9s");
        gitLab.AddProject(DistProject, fixture.DistBare, "c9s");
        await repos.Src.RunAsync("checkout", "--quiet", "-b", "fix");
        await fixture.PushContributorCommitAsync("Fix the exit code\n\nmain returned 0 even on errors.", new Dictionary<string, string> { ["src/hello.c"] = "int main(void)\n{\n    return 1;\n}\n" });
        fixture.Number = gitLab.OpenMergeRequest(SourceProject, "fix", "c9s", "Fix the exit code", "main returned 0 even on errors.", "alice").Iid;
        return fixture;
    }

    /// <summary>The contributor commits on branch fix and pushes it to the source-git project; returns the new head.</summary>
    public async Task<string> PushContributorCommitAsync(string message, IReadOnlyDictionary<string, string> files)
    {
        var sha = await Repos.CommitSrcAsync(message, files);
        await Repos.Src.RunAsync("push", "--quiet", "--force", SourceBare, "fix:fix");
        return sha;
    }

    public IForge CreateForge(string token = BotToken) =>
        new GitLabClient(ForgeHttp.CreateClient(GitLabClient.ApiRoot(GitLab.BaseUrl), retryDelay: TimeSpan.FromMilliseconds(10)), token);

    public MergeRequestMirror CreateMirror()
    {
        var forge = CreateForge();
        var runner = new CliWrapProcessRunner();
        return new MergeRequestMirror(new MirrorEndpoints(forge, SourceProject, forge, DistProject), new SourceGitConversion(Repos.Converter), new MirrorGit(runner));
    }

    /// <summary>Runs git in a bare repository of the fake.</summary>
    public Task<string> BareGitAsync(string bare, params string[] arguments) => new TestGit(bare).RunAsync(arguments);

    /// <summary>Environment for running the real <c>cijobs mr</c> as a GitLab merge-request pipeline job would.</summary>
    public Dictionary<string, string?> PipelineEnvironment(string token = BotToken) => new()
    {
        ["CI_SERVER_URL"] = GitLab.BaseUrl,
        ["CI_MERGE_REQUEST_PROJECT_PATH"] = SourceProject,
        ["CI_MERGE_REQUEST_IID"] = Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CI_PIPELINE_SOURCE"] = "merge_request_event",
        ["CIJOBS_DIST_GIT_PROJECT"] = DistProject,
        ["CIJOBS_SOURCE_GIT_TOKEN"] = token,
    };

    public async ValueTask DisposeAsync()
    {
        await GitLab.DisposeAsync();
        await Repos.DisposeAsync();
        temp.Dispose();
    }
}
