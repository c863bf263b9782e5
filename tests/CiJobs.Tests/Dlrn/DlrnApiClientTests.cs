using System.Diagnostics;
using System.Net;
using System.Text;
using CiJobs.Core.Dlrn;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Dlrn;

/// <summary>The typed client against the fake DLRN server (real HTTP on 127.0.0.1).</summary>
public sealed class DlrnApiClientTests : IDisposable
{
    private readonly TempDir temp = new("dlrn-client");
    private readonly HttpClient http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public void Dispose()
    {
        http.Dispose();
        temp.Dispose();
    }

    private DlrnApiClient Client(string apiUrl, string password = DlrnFixtures.Password, int retries = 3, TimeSpan? importTimeout = null) =>
        new(http, new DlrnClientOptions(new Uri(apiUrl), new DlrnCredentials(DlrnFixtures.User, password))
        {
            MaxRetries = retries,
            RetryDelay = TimeSpan.FromMilliseconds(10),
            ImportTimeout = importTimeout ?? TimeSpan.FromSeconds(30),
            RequestTimeout = TimeSpan.FromSeconds(30),
        });

    [Fact]
    public async Task ImportAsync_ServedBuild_ServerHoldsTheCommitWithItsRpms()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);

        var response = await Client(dlrn.BaseUrl).ImportAsync(build.RepoUrl(files.BaseUrl), CancellationToken.None);

        response.RepoUrl.Should().Be(build.RepoUrl(files.BaseUrl).OriginalString);
        var commit = dlrn.Commits.Should().ContainSingle().Subject;
        commit.CommitHash.Should().Be(build.CommitHash);
        commit.Status.Should().Be("SUCCESS");
        foreach (var artifact in build.Artifacts)
        {
            File.Exists(Path.Combine(dlrn.DataDirectory, artifact)).Should().BeTrue(artifact);
        }
    }

    [Fact]
    public async Task ImportAsync_Always_SendsExactlyApplicationJsonWithoutCharset()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        var client = Client(dlrn.BaseUrl);

        await client.ImportAsync(build.RepoUrl(files.BaseUrl), CancellationToken.None);
        await client.ReportResultAsync(
            new DlrnReportResultRequest { JobId = "job", Url = "http://logs/1", Timestamp = 1, Success = true, CommitHash = build.CommitHash, DistroHash = build.DistroHash },
            CancellationToken.None);
        await client.PromoteAsync(new DlrnPromoteRequest { CommitHash = build.CommitHash, DistroHash = build.DistroHash, PromoteName = "tested" }, CancellationToken.None);

        var posts = dlrn.Requests.Where(r => r.Method == "POST" && r.Path != "/api/graphql").ToList();
        posts.Should().HaveCount(3);
        foreach (var post in posts)
        {
            Encoding.ASCII.GetBytes(post.ContentType!).Should().Equal(Encoding.ASCII.GetBytes("application/json"), post.Path);
        }

        posts[0].Body.Should().Be($"{{\"repo_url\":\"{build.RepoUrl(files.BaseUrl)}\"}}");
    }

    [Fact]
    public async Task ImportAsync_WrongPassword_ThrowsUnauthorizedWithoutRetrying()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);

        var act = () => Client(dlrn.BaseUrl, password: "wrong-password-123").ImportAsync(new Uri("http://127.0.0.1:9/x"), CancellationToken.None);

        var error = (await act.Should().ThrowAsync<DlrnApiException>()).Subject.Single();
        error.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        error.ServerMessage.Should().Be("Unauthorized Access");
        error.ExitCode.Should().Be(DlrnExitCodes.AuthenticationFailed);
        error.ToString().Should().NotContain("wrong-password-123");
        dlrn.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task ImportAsync_SchemeNotPermitted_ThrowsBadRequestWithServerMessageWithoutRetrying()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);

        var act = () => Client(dlrn.BaseUrl).ImportAsync(new Uri("ftp://127.0.0.1/build/"), CancellationToken.None);

        var error = (await act.Should().ThrowAsync<DlrnApiException>()).Subject.Single();
        error.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        error.ServerMessage.Should().Contain("'repo_url': 'URL scheme not permitted'");
        error.ExitCode.Should().Be(DlrnExitCodes.RequestRejected);
        dlrn.Requests.Should().ContainSingle("a 4xx is never retried");
    }

    [Fact]
    public async Task ImportAsync_CommitYamlMissing_ThrowsServerErrorAfterRetries()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        await using var files = await DlrnFixtures.StartFilesAsync(temp.Path);

        var act = () => Client(dlrn.BaseUrl, retries: 2).ImportAsync(new Uri($"{files.BaseUrl}/nothing-here"), CancellationToken.None);

        var error = (await act.Should().ThrowAsync<DlrnApiException>()).Subject.Single();
        error.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        error.ServerMessage.Should().StartWith("Remote import failed with error: 404 Client Error").And.Contain("/nothing-here/commit.yaml");
        error.ExitCode.Should().Be(DlrnExitCodes.ServerError);
        dlrn.Requests.Count(r => r.Path == "/api/remote/import").Should().Be(3);
    }

    [Fact]
    public async Task ImportAsync_ServiceUnavailableTwice_RetriesAndSucceeds()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        dlrn.FailNext(2, 503, "/api/remote/import");

        await Client(dlrn.BaseUrl).ImportAsync(build.RepoUrl(files.BaseUrl), CancellationToken.None);

        dlrn.Requests.Count(r => r.Path == "/api/remote/import").Should().Be(3);
        dlrn.Commits.Should().ContainSingle();
    }

    [Fact]
    public async Task ImportAsync_ServerTooSlow_ThrowsOutcomeUnknownWithoutSendingItAgain()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.DelayNext(2, TimeSpan.FromSeconds(5), "/api/remote/import");
        var client = Client(dlrn.BaseUrl, retries: 3, importTimeout: TimeSpan.FromSeconds(1));
        await client.GetHealthAsync(checkCredentials: false, CancellationToken.None); // a warm connection
        var clock = Stopwatch.StartNew();

        var act = () => client.ImportAsync(new Uri("http://127.0.0.1:9/x"), CancellationToken.None);

        var error = (await act.Should().ThrowAsync<DlrnApiException>()).Subject.Single();
        error.NoAnswer.Should().BeTrue();
        error.OutcomeUnknown.Should().BeTrue("the server may still be importing");
        error.ExitCode.Should().Be(DlrnExitCodes.Unreachable);
        error.Message.Should().Contain("did not answer").And.NotContain("attempts");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(4));
        dlrn.Requests.Count(r => r.Path == "/api/remote/import").Should().Be(1, "an import that may have reached the server is never sent again");
    }

    [Theory]
    [InlineData(502)]
    [InlineData(504)]
    public async Task ImportAsync_GatewayError_ThrowsOutcomeUnknownWithoutSendingItAgain(int status)
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.FailNext(3, status, "/api/remote/import");

        var act = () => Client(dlrn.BaseUrl).ImportAsync(new Uri("http://127.0.0.1:9/x"), CancellationToken.None);

        var error = (await act.Should().ThrowAsync<DlrnApiException>()).Subject.Single();
        ((int)error.StatusCode!).Should().Be(status);
        error.OutcomeUnknown.Should().BeTrue("behind a gateway the server may still be importing");
        dlrn.Requests.Count(r => r.Path == "/api/remote/import").Should().Be(1);
    }

    [Fact]
    public async Task GetCommitsAsync_ServerWithoutGraphQl_Throws501WithoutRetrying()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.GraphQlAvailable = false;

        var act = () => Client(dlrn.BaseUrl, retries: 4).GetCommitsAsync(new DlrnCommitQuery { ProjectName = "p" }, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<DlrnApiException>()).Subject.Single();
        error.StatusCode.Should().Be(HttpStatusCode.NotImplemented);
        error.ServerMessage.Should().Be("Missing libraries, /api/graphql endpoint is notavailable");
        error.OutcomeUnknown.Should().BeFalse();
        error.Message.Should().NotContain("attempts");
        dlrn.Requests.Should().ContainSingle("a 501 is never retried");
    }

    [Fact]
    public async Task GetHealthAsync_TooManyRequestsWithRetryAfter_WaitsAndRetries()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.FailNext(1, 429, "/api/health", retryAfter: TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        var health = await Client(dlrn.BaseUrl).GetHealthAsync(checkCredentials: true, CancellationToken.None);

        health.Result.Should().StartWith("ok");
        dlrn.Requests.Should().HaveCount(2);
        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950), "the server asked to wait a second");
    }

    [Fact]
    public async Task GetHealthAsync_RetryAfterLongerThanTheClientWaits_FailsAtOnceSayingSo()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.FailNext(1, 503, "/api/health", retryAfter: TimeSpan.FromHours(1));

        var act = () => Client(dlrn.BaseUrl).GetHealthAsync(checkCredentials: false, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<DlrnApiException>()).Subject.Single();
        error.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        error.Message.Should().Contain("retry after 3600 s");
        dlrn.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task GetRepositoryFileAsync_ServedOrMissing_TextOrNull()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        var client = Client(dlrn.BaseUrl);

        var yaml = await client.GetRepositoryFileAsync(new Uri($"{build.RepoUrl(files.BaseUrl)}commit.yaml"), CancellationToken.None);
        var missing = await client.GetRepositoryFileAsync(new Uri($"{build.RepoUrl(files.BaseUrl)}nothing.yaml"), CancellationToken.None);

        yaml.Should().Be(await File.ReadAllTextAsync(Path.Combine(build.Directory, "commit.yaml")));
        missing.Should().BeNull();
    }

    [Fact]
    public async Task ImportAsync_NothingListening_ThrowsUnreachable()
    {
        var act = () => Client("http://127.0.0.1:9", retries: 1).ImportAsync(new Uri("http://127.0.0.1:9/x"), CancellationToken.None);

        var error = (await act.Should().ThrowAsync<DlrnApiException>()).Subject.Single();
        error.NoAnswer.Should().BeTrue();
        error.ExitCode.Should().Be(DlrnExitCodes.Unreachable);
    }

    [Fact]
    public async Task GetCommitsAsync_AfterImport_ReadsTheRowBackThroughGraphQl()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        var client = Client(dlrn.BaseUrl);
        await client.ImportAsync(build.RepoUrl(files.BaseUrl), CancellationToken.None);

        var rows = await client.GetCommitsAsync(new DlrnCommitQuery { ProjectName = build.ProjectName, CommitHash = build.CommitHash, DistroHash = build.DistroHash }, CancellationToken.None);

        var row = rows.Should().ContainSingle().Subject;
        row.Status.Should().Be("SUCCESS");
        row.DtCommit.Should().Be(1_700_000_000);
        row.DtDistro.Should().Be(1_700_000_100);
        row.Artifacts.Should().Be(string.Join(',', build.Artifacts));
        row.Component.Should().BeNull("DLRN stores the string 'None', which the client reads as no component");
        (await client.GetCommitsAsync(new DlrnCommitQuery { CommitHash = "0000" }, CancellationToken.None)).Should().BeEmpty();
    }

    [Fact]
    public async Task VotesAndPromotions_RoundTripThroughTheServer()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        var client = Client(dlrn.BaseUrl);
        await client.ImportAsync(build.RepoUrl(files.BaseUrl), CancellationToken.None);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var vote = await client.ReportResultAsync(
            new DlrnReportResultRequest { JobId = "qe-job", Url = "http://logs/7", Timestamp = now, Success = true, Notes = "fine", CommitHash = build.CommitHash, DistroHash = build.DistroHash },
            CancellationToken.None);
        var status = await client.GetRepoStatusAsync(build.CommitHash, build.DistroHash, null, CancellationToken.None);
        var last = await client.GetLastTestedRepoAsync(new DlrnLastTestedRepoQuery { MaxAge = 0, JobId = "qe-job" }, CancellationToken.None);
        var claimed = await client.ClaimLastTestedRepoAsync(new DlrnLastTestedRepoQuery { MaxAge = 0, ReportingJobId = "next-job" }, CancellationToken.None);
        var promotion = await client.PromoteAsync(new DlrnPromoteRequest { CommitHash = build.CommitHash, DistroHash = build.DistroHash, PromoteName = "tested" }, CancellationToken.None);
        var promotions = await client.GetPromotionsAsync(new DlrnPromotionQuery { PromoteName = "tested" }, CancellationToken.None);
        var health = await client.GetHealthAsync(checkCredentials: true, CancellationToken.None);
        var metrics = await client.GetBuildMetricsAsync(new DateOnly(2023, 11, 1), new DateOnly(2023, 12, 1), null, CancellationToken.None);

        vote.User.Should().Be(DlrnFixtures.User);
        vote.Success.Should().BeTrue();
        status.Should().ContainSingle().Which.JobId.Should().Be("qe-job");
        last.CommitHash.Should().Be(build.CommitHash);
        claimed.InProgress.Should().BeTrue();
        claimed.JobId.Should().Be("next-job");
        promotion.RepoHash.Should().Be($"{build.CommitHash}_{build.DistroHash[..8]}");
        promotion.RepoUrl.Should().Be($"{dlrn.ReposUrl}/{build.ShardedDirectory["repos/".Length..]}");
        promotions.Should().ContainSingle().Which.PromoteName.Should().Be("tested");
        health.Result.Should().Be("ok");
        metrics.Should().Be(new DlrnBuildMetrics(1, 0, 1));
    }

    [Fact]
    public async Task PromoteAsync_UnknownCommit_ThrowsBadRequest()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);

        var act = () => Client(dlrn.BaseUrl).PromoteAsync(new DlrnPromoteRequest { CommitHash = "abcd1234", DistroHash = "12345678", PromoteName = "x" }, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<DlrnApiException>()).Subject.Single();
        error.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        error.ServerMessage.Should().Be("commit_hash+distro_hash+extended_hash combination not found");
    }

    [Fact]
    public async Task RecheckPackageAsync_LastBuildFailed_DeletesItAndRefusesASuccess()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.AddCommit(new Fakes.Dlrn.FakeDlrnCommit
        {
            ProjectName = "pkg",
            CommitHash = "abcd0001",
            DistroHash = "12345678",
            Status = "FAILED",
            ShardedDirectory = "repos/ab/cd/abcd0001_12345678",
        });
        var client = Client(dlrn.BaseUrl);

        await client.RecheckPackageAsync("pkg", CancellationToken.None);
        dlrn.Commits.Should().BeEmpty();
        dlrn.AddCommit(new Fakes.Dlrn.FakeDlrnCommit
        {
            ProjectName = "pkg",
            CommitHash = "abcd0002",
            DistroHash = "12345678",
            Status = "SUCCESS",
            ShardedDirectory = "repos/ab/cd/abcd0002_12345678",
        });
        var act = () => client.RecheckPackageAsync("pkg", CancellationToken.None);

        (await act.Should().ThrowAsync<DlrnApiException>()).Which.StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ReportResultAsync_AggregateHash_RecordsAnAggregateVote()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);

        var vote = await Client(dlrn.BaseUrl).ReportResultAsync(
            new DlrnReportResultRequest { JobId = "agg-job", Url = "http://logs/9", Timestamp = 5, Success = false, AggregateHash = "0123456789abcdef" },
            CancellationToken.None);

        vote.AggregateHash.Should().Be("0123456789abcdef");
        vote.Success.Should().BeFalse();
        dlrn.AggregateVotes.Should().ContainSingle().Which.User.Should().Be(DlrnFixtures.User);
        dlrn.Requests.Single().Body.Should().NotContain("commit_hash", "nulls are left out of requests");
    }
}
