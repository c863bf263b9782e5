using CiJobs.Core.Forges;
using CiJobs.Core.Forges.GitLab;

namespace CiJobs.Tests.Forges;

/// <summary>The GitLab REST client against the fake GitLab: auth, retries, errors, paging.</summary>
public sealed class GitLabClientTests : IAsyncLifetime
{
    private MirrorFixture f = null!;

    public async Task InitializeAsync() => f = await MirrorFixture.CreateAsync();

    public async Task DisposeAsync() => await f.DisposeAsync();

    [Fact]
    public async Task GetProjectAsync_TransientFailures_AreRetried()
    {
        var before = f.GitLab.RequestCount;
        f.GitLab.InjectFailures(2, 503);

        var project = await f.CreateForge().GetProjectAsync(MirrorFixture.SourceProject, default);

        project.Path.Should().Be(MirrorFixture.SourceProject);
        project.CloneUrl.Should().StartWith("file://");
        (f.GitLab.RequestCount - before).Should().Be(3);
    }

    [Fact]
    public async Task GetProjectAsync_ServiceUnavailableTwice_WaitsTheSharedPolicysBackoffThroughTheInjectedClock()
    {
        var clock = new Support.InstantTimeProvider(DateTimeOffset.UnixEpoch);
        var forge = new GitLabClient(ForgeHttp.CreateClient(GitLabClient.ApiRoot(f.GitLab.BaseUrl), timeProvider: clock), MirrorFixture.BotToken);
        var before = f.GitLab.RequestCount;
        f.GitLab.InjectFailures(2, 503);

        (await forge.GetProjectAsync(MirrorFixture.SourceProject, default)).Path.Should().Be(MirrorFixture.SourceProject);

        (f.GitLab.RequestCount - before).Should().Be(3);
        clock.Waits.Should().HaveCount(2);
        clock.Waits[0].Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(500)).And.BeLessThan(TimeSpan.FromMilliseconds(1500));
        clock.Waits[1].Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(1000)).And.BeLessThan(TimeSpan.FromMilliseconds(3000));
    }

    [Fact]
    public async Task GetProjectAsync_NotImplemented_IsNotRetried()
    {
        var before = f.GitLab.RequestCount;
        f.GitLab.InjectFailures(1, 501);

        var act = () => f.CreateForge().GetProjectAsync(MirrorFixture.SourceProject, default);

        (await act.Should().ThrowAsync<ForgeApiException>()).Which.StatusCode.Should().Be(501);
        (f.GitLab.RequestCount - before).Should().Be(1);
    }

    [Fact]
    public async Task GetCurrentUserAsync_TooManyRequestsWithRetryAfter_IsRetried()
    {
        f.GitLab.InjectFailures(1, 429, "0");

        (await f.CreateForge().GetCurrentUserAsync(default)).Username.Should().Be("cijobs-bot");
    }

    [Fact]
    public async Task CreateAsync_UnknownSourceBranch_FailsOnceWithoutRetryAndKeepsGitLabsMessage()
    {
        var before = f.GitLab.RequestCount;

        var act = () => f.CreateForge().MergeRequests.CreateAsync(MirrorFixture.DistProject, new NewMergeRequest("nope", "c9s", "t", "d"), default);

        var error = (await act.Should().ThrowAsync<ForgeApiException>()).Which;
        error.StatusCode.Should().Be(400);
        error.ExitCode.Should().Be(ForgeExitCodes.RequestFailed);
        error.Message.Should().Contain("does not exist");
        (f.GitLab.RequestCount - before).Should().Be(1);
    }

    [Fact]
    public async Task CreateAsync_SecondOpenMergeRequestForTheBranch_IsAConflict()
    {
        var api = f.CreateForge().MergeRequests;
        await api.CreateAsync(MirrorFixture.SourceProject, new NewMergeRequest("c9s", "fix", "one", ""), default);

        var act = () => api.CreateAsync(MirrorFixture.SourceProject, new NewMergeRequest("c9s", "fix", "two", ""), default);

        var error = (await act.Should().ThrowAsync<ForgeApiException>()).Which;
        error.IsConflict.Should().BeTrue();
        error.ExitCode.Should().Be(ForgeExitCodes.Conflict);
        error.Message.Should().Contain("already exists");
    }

    [Fact]
    public async Task Requests_WrongToken_AreUnauthorizedAndTheTokenIsNotInTheMessage()
    {
        var act = () => f.CreateForge("glpat-wrong-TOKEN-1").GetCurrentUserAsync(default);

        var error = (await act.Should().ThrowAsync<ForgeApiException>()).Which;
        error.ExitCode.Should().Be(ForgeExitCodes.Unauthorized);
        error.Message.Should().NotContain("glpat-wrong-TOKEN-1");
    }

    [Fact]
    public async Task Requests_BearerAuthentication_IsAccepted()
    {
        var client = new GitLabClient(ForgeHttp.CreateClient(GitLabClient.ApiRoot(f.GitLab.BaseUrl)), MirrorFixture.BotToken, bearer: true);

        (await client.GetCurrentUserAsync(default)).Username.Should().Be("cijobs-bot");
    }

    [Fact]
    public async Task ListNotesAsync_MoreThanOnePage_FollowsXNextPage()
    {
        var notes = f.CreateForge().Notes;
        for (var i = 0; i < 105; i++)
        {
            await notes.CreateAsync(MirrorFixture.SourceProject, f.Number, $"note {i}", default);
        }

        var all = await notes.ListAsync(MirrorFixture.SourceProject, f.Number, default);

        all.Should().HaveCount(105);
        all[^1].Body.Should().Be("note 104");
    }

    [Fact]
    public async Task SetStatusAsync_SameStateTwice_IsUnchangedNotAnError()
    {
        var statuses = f.CreateForge().Statuses;
        var sha = await f.BareGitAsync(f.SourceBare, "rev-parse", "fix");
        var status = new NewCommitStatus(sha, CommitState.Pending, "ci");

        (await statuses.SetAsync(MirrorFixture.SourceProject, status, default)).Should().Be(CommitStatusOutcome.Created);
        (await statuses.SetAsync(MirrorFixture.SourceProject, status, default)).Should().Be(CommitStatusOutcome.Unchanged);
    }

    [Fact]
    public void ApiRoot_ServerOrApiUrl_PointsAtApiV4()
    {
        GitLabClient.ApiRoot("https://gitlab.example.com").Should().Be(new Uri("https://gitlab.example.com/api/v4/"));
        GitLabClient.ApiRoot("https://gitlab.example.com/api/v4/").Should().Be(new Uri("https://gitlab.example.com/api/v4/"));
    }
}
