using CiJobs.Core;
using CiJobs.Core.Dlrn;
using CiJobs.Fakes;
using CiJobs.Fakes.Dlrn;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Dlrn;

/// <summary>Publish = import + verification, against the fake DLRN server and a file server holding the build.</summary>
public sealed class DlrnPublisherTests : IDisposable
{
    private readonly TempDir temp = new("dlrn-publish");
    private readonly HttpClient http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public void Dispose()
    {
        http.Dispose();
        temp.Dispose();
    }

    private DlrnPublisher Publisher(string apiUrl, TimeSpan? importTimeout = null, List<string>? log = null)
    {
        var client = new DlrnApiClient(http, new DlrnClientOptions(new Uri(apiUrl), new DlrnCredentials(DlrnFixtures.User, DlrnFixtures.Password))
        {
            RetryDelay = TimeSpan.FromMilliseconds(10),
            ImportTimeout = importTimeout ?? TimeSpan.FromSeconds(30),
        });
        return new DlrnPublisher(client, client, http, log is null ? null : log.Add);
    }

    private static DlrnPublishSettings Settings(FixtureBuild build, FakeFileServer files, FakeDlrnServer? central = null) =>
        new(build.RepoUrl(files.BaseUrl))
        {
            CentralReposUrl = central is null ? null : new Uri(central.ReposUrl),
            LostAnswerWait = TimeSpan.FromSeconds(20),
            PollInterval = TimeSpan.FromMilliseconds(100),
        };

    [Fact]
    public async Task PublishAsync_NewBuild_IsImported()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);

        var result = await Publisher(dlrn.BaseUrl).PublishAsync(new DlrnPublishSettings(build.RepoUrl(files.BaseUrl)) { CentralReposUrl = new Uri(dlrn.ReposUrl) }, CancellationToken.None);

        result.Outcome.Should().Be(DlrnPublishOutcome.Imported, result.Message);
        result.ExitCode.Should().Be(0);
        result.CommitHash.Should().Be(build.CommitHash);
        result.DistroHash.Should().Be(build.DistroHash);
        result.ServerStatus.Should().Be("SUCCESS");
        result.VerifiedBy.Should().Be(DlrnVerification.GraphQl);
        result.Message.Should().EndWith("(verified by graphql)");
        dlrn.Imports.Should().ContainSingle();
    }

    [Fact]
    public async Task PublishAsync_SameBuildTwice_SecondIsAlreadyPresentAndSendsNoImport()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        var settings = new DlrnPublishSettings(build.RepoUrl(files.BaseUrl));

        await Publisher(dlrn.BaseUrl).PublishAsync(settings, CancellationToken.None);
        var again = await Publisher(dlrn.BaseUrl).PublishAsync(settings, CancellationToken.None);

        again.Outcome.Should().Be(DlrnPublishOutcome.AlreadyPresent);
        again.ExitCode.Should().Be(0);
        dlrn.Requests.Count(r => r.Path == "/api/remote/import").Should().Be(1);
    }

    [Fact]
    public async Task PublishAsync_OlderThanWhatTheServerHolds_IsDetectedAsSkipped()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var newer = DlrnFixtures.WriteBuild(temp.Combine("out"), commitHash: "bbbb000000000000000000000000000000000001", dtCommit: 2_000_000_000);
        var older = DlrnFixtures.WriteBuild(temp.Combine("out"), commitHash: "aaaa000000000000000000000000000000000002", dtCommit: 1_000_000_000);
        await using var files = await DlrnFixtures.StartFilesAsync(newer.DataDirectory);
        await Publisher(dlrn.BaseUrl).PublishAsync(new DlrnPublishSettings(newer.RepoUrl(files.BaseUrl)), CancellationToken.None);

        var result = await Publisher(dlrn.BaseUrl).PublishAsync(new DlrnPublishSettings(older.RepoUrl(files.BaseUrl)), CancellationToken.None);

        result.Outcome.Should().Be(DlrnPublishOutcome.Skipped);
        result.ExitCode.Should().Be(DlrnExitCodes.ImportSkipped);
        result.NewerCommit!.CommitHash.Should().Be(newer.CommitHash);
        result.Message.Should().Contain("skipped").And.Contain(newer.CommitHash);
        dlrn.Imports.Should().HaveCount(2, "the import was sent and answered 201");
    }

    [Fact]
    public async Task PublishAsync_RpmNotServedAtRepoUrl_FailsNamingItWithoutImporting()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        File.Delete(Path.Combine(build.DataDirectory, build.Artifacts[1]));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);

        var result = await Publisher(dlrn.BaseUrl).PublishAsync(new DlrnPublishSettings(build.RepoUrl(files.BaseUrl)), CancellationToken.None);

        result.Outcome.Should().Be(DlrnPublishOutcome.Failed);
        result.ExitCode.Should().Be(DlrnExitCodes.ArtifactsMissing);
        result.MissingArtifacts.Should().ContainSingle().Which.Should().EndWith("python-example-1.0-0.1.el9.noarch.rpm");
        result.Message.Should().Contain("python-example-1.0-0.1.el9.noarch.rpm");
        dlrn.Imports.Should().BeEmpty();
    }

    [Fact]
    public async Task PublishAsync_CentralFailsToDownloadTheRpms_IsDetectedOnTheCentralRepository()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.FailArtifactDownloads = true;
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);

        var result = await Publisher(dlrn.BaseUrl).PublishAsync(new DlrnPublishSettings(build.RepoUrl(files.BaseUrl)) { CentralReposUrl = new Uri(dlrn.ReposUrl) }, CancellationToken.None);

        result.Outcome.Should().Be(DlrnPublishOutcome.Failed);
        result.ExitCode.Should().Be(DlrnExitCodes.ArtifactsMissing);
        result.ServerStatus.Should().Be("SUCCESS", "DLRN records SUCCESS although the RPMs never arrived");
        result.MissingArtifacts.Should().HaveCount(2);
    }

    [Fact]
    public async Task PublishAsync_ImportAnswerLostButCommitRecorded_IsImportedWithoutSendingItAgain()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        // The server imports at once but its answer comes after the client gave up.
        dlrn.DelayAnswerNext(1, TimeSpan.FromSeconds(4), "/api/remote/import");

        var result = await Publisher(dlrn.BaseUrl, importTimeout: TimeSpan.FromSeconds(1)).PublishAsync(Settings(build, files), CancellationToken.None);

        result.Outcome.Should().Be(DlrnPublishOutcome.Imported, result.Message);
        result.Message.Should().Contain("answer was lost");
        dlrn.Requests.Count(r => r.Path == "/api/remote/import").Should().Be(1);
        dlrn.Commits.Should().ContainSingle();
    }

    [Fact]
    public async Task PublishAsync_ImportSlowerThanTheClientTimeout_IsSentOnceAndRecordedOnce()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        // Downloads and createrepo take longer than the client waits; the server goes on, as DLRN does.
        dlrn.ImportProcessingTime = TimeSpan.FromSeconds(3);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);

        var result = await Publisher(dlrn.BaseUrl, importTimeout: TimeSpan.FromSeconds(1)).PublishAsync(Settings(build, files, dlrn), CancellationToken.None);

        result.Outcome.Should().Be(DlrnPublishOutcome.Imported, result.Message);
        dlrn.Requests.Count(r => r.Path == "/api/remote/import").Should().Be(1, "a second import would run beside the first");
        dlrn.Commits.Should().ContainSingle("the commit is recorded once");
    }

    [Fact]
    public async Task PublishAsync_ImportAnswerLostAndNothingRecordedInTime_FailsWithoutSendingItAgain()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.DelayNext(1, TimeSpan.FromSeconds(10), "/api/remote/import");
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);

        var act = () => Publisher(dlrn.BaseUrl, importTimeout: TimeSpan.FromSeconds(1))
            .PublishAsync(Settings(build, files) with { LostAnswerWait = TimeSpan.FromSeconds(1) }, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<DlrnApiException>()).Which;
        error.ExitCode.Should().Be(DlrnExitCodes.Unreachable);
        error.Message.Should().Contain("not sent again").And.Contain("run publish again later");
        dlrn.Requests.Count(r => r.Path == "/api/remote/import").Should().Be(1);
        dlrn.Requests.Count(r => r.Path == "/api/graphql").Should().BeGreaterThan(3, "it kept checking for the commit");
    }

    [Fact]
    public async Task PublishAsync_SuccessBuildTheServerHoldsAsFailed_IsSkippedWithTheRecheckHint()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        dlrn.AddCommit(new FakeDlrnCommit
        {
            ProjectName = build.ProjectName,
            CommitHash = build.CommitHash,
            DistroHash = build.DistroHash,
            Status = "FAILED",
            DtCommit = 1_700_000_000,
            DtDistro = 1_700_000_100,
            ShardedDirectory = build.ShardedDirectory,
        });

        var result = await Publisher(dlrn.BaseUrl).PublishAsync(Settings(build, files), CancellationToken.None);

        result.Outcome.Should().Be(DlrnPublishOutcome.Skipped, result.Message);
        result.ExitCode.Should().Be(DlrnExitCodes.ImportSkipped);
        result.ServerStatus.Should().Be("FAILED");
        result.Message.Should().Contain("recheck_package");
        dlrn.Imports.Should().ContainSingle().Which.Skipped.Should().BeTrue();
    }

    [Fact]
    public async Task PublishAsync_ServerWithoutGraphQl_VerifiesThroughTheCentralsCommitYaml()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.GraphQlAvailable = false;
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        var log = new List<string>();

        var first = await Publisher(dlrn.BaseUrl, log: log).PublishAsync(Settings(build, files, dlrn), CancellationToken.None);
        var second = await Publisher(dlrn.BaseUrl).PublishAsync(Settings(build, files, dlrn), CancellationToken.None);

        first.Outcome.Should().Be(DlrnPublishOutcome.Imported, first.Message);
        first.VerifiedBy.Should().Be(DlrnVerification.CommitYaml);
        first.ServerStatus.Should().Be("SUCCESS");
        first.Message.Should().EndWith("(verified by commit.yaml)");
        log.Should().Contain(l => l.Contains("GraphQL is not available (501 Missing libraries", StringComparison.Ordinal));
        second.Outcome.Should().Be(DlrnPublishOutcome.AlreadyPresent, second.Message);
        second.VerifiedBy.Should().Be(DlrnVerification.CommitYaml);
        dlrn.Imports.Should().ContainSingle();
        dlrn.Requests.Count(r => r.Path == "/api/graphql").Should().Be(2, "each publish asks once and never retries the 501");
    }

    [Fact]
    public async Task PublishAsync_ServerWithoutGraphQl_OlderBuild_IsSkippedThroughTheStatusReport()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.GraphQlAvailable = false;
        var newer = DlrnFixtures.WriteBuild(temp.Combine("out"), commitHash: "bbbb000000000000000000000000000000000001", dtCommit: 2_000_000_000);
        var older = DlrnFixtures.WriteBuild(temp.Combine("out"), commitHash: "aaaa000000000000000000000000000000000002", dtCommit: 1_000_000_000);
        await using var files = await DlrnFixtures.StartFilesAsync(newer.DataDirectory);
        await Publisher(dlrn.BaseUrl).PublishAsync(Settings(newer, files, dlrn), CancellationToken.None);

        var result = await Publisher(dlrn.BaseUrl).PublishAsync(Settings(older, files, dlrn), CancellationToken.None);

        result.Outcome.Should().Be(DlrnPublishOutcome.Skipped, result.Message);
        result.VerifiedBy.Should().Be(DlrnVerification.CommitYaml);
        result.NewerCommit!.CommitHash.Should().Be(newer.CommitHash);
        result.NewerCommit.DtCommit.Should().Be(2_000_000_000);
        dlrn.Imports.Should().HaveCount(2);
    }

    [Fact]
    public async Task PublishAsync_ServerWithoutGraphQlNorCentralUrl_VerifiesThroughRepoStatus()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.GraphQlAvailable = false;
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);

        var first = await Publisher(dlrn.BaseUrl).PublishAsync(Settings(build, files), CancellationToken.None);
        var second = await Publisher(dlrn.BaseUrl).PublishAsync(Settings(build, files), CancellationToken.None);

        first.Outcome.Should().Be(DlrnPublishOutcome.Imported, first.Message);
        first.VerifiedBy.Should().Be(DlrnVerification.RepoStatus);
        second.Outcome.Should().Be(DlrnPublishOutcome.AlreadyPresent, second.Message);
        dlrn.Imports.Should().ContainSingle();
        dlrn.Requests.Where(r => r.Path == "/api/repo_status").Should().OnlyContain(r => r.QueryString.Contains(build.CommitHash, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PublishAsync_ServerWithoutGraphQlNorCentralUrl_OlderBuild_FailsSayingItCannotTellWhy()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.GraphQlAvailable = false;
        var newer = DlrnFixtures.WriteBuild(temp.Combine("out"), commitHash: "bbbb000000000000000000000000000000000001", dtCommit: 2_000_000_000);
        var older = DlrnFixtures.WriteBuild(temp.Combine("out"), commitHash: "aaaa000000000000000000000000000000000002", dtCommit: 1_000_000_000);
        await using var files = await DlrnFixtures.StartFilesAsync(newer.DataDirectory);
        await Publisher(dlrn.BaseUrl).PublishAsync(Settings(newer, files), CancellationToken.None);

        var result = await Publisher(dlrn.BaseUrl).PublishAsync(Settings(older, files), CancellationToken.None);

        result.Outcome.Should().Be(DlrnPublishOutcome.Failed);
        result.ExitCode.Should().Be(DlrnExitCodes.ImportNotRecorded);
        result.VerifiedBy.Should().Be(DlrnVerification.RepoStatus);
        result.Message.Should().Contain("cannot be told").And.Contain("--central-url");
    }

    [Fact]
    public async Task PublishAsync_ServerWithoutGraphQl_FailedBuildWithoutCentralUrl_FailsBeforeSendingAnything()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.GraphQlAvailable = false;
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"), status: "FAILED");
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);

        var act = () => Publisher(dlrn.BaseUrl).PublishAsync(Settings(build, files), CancellationToken.None);

        var error = (await act.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(DlrnExitCodes.CannotVerify);
        error.Message.Should().Contain("cannot verify").And.Contain("nothing sent").And.Contain("501").And.Contain("--central-url");
        dlrn.Imports.Should().BeEmpty();
        dlrn.Requests.Count(r => r.Path == "/api/graphql").Should().Be(1);
    }

    [Fact]
    public async Task PublishAsync_ServerWithoutGraphQl_FailedBuildWithCentralUrl_IsImportedAsFailed()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.GraphQlAvailable = false;
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"), status: "FAILED", rpms: []);
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);

        var result = await Publisher(dlrn.BaseUrl).PublishAsync(Settings(build, files, dlrn), CancellationToken.None);

        result.Outcome.Should().Be(DlrnPublishOutcome.Imported, result.Message);
        result.ServerStatus.Should().Be("FAILED");
        result.VerifiedBy.Should().Be(DlrnVerification.CommitYaml);
    }

    [Fact]
    public async Task PublishAsync_NoCommitYaml_FailsAsInvalidBuildResult()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        await using var files = await DlrnFixtures.StartFilesAsync(temp.Path);

        var act = () => Publisher(dlrn.BaseUrl).PublishAsync(new DlrnPublishSettings(new Uri($"{files.BaseUrl}/missing/")), CancellationToken.None);

        var error = (await act.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(DlrnExitCodes.BuildResultInvalid);
        error.Message.Should().Contain("/missing/commit.yaml").And.Contain("404");
        dlrn.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task PublishAsync_WrongPassword_FailsBeforeImporting()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        var client = new DlrnApiClient(http, new DlrnClientOptions(new Uri(dlrn.BaseUrl), new DlrnCredentials(DlrnFixtures.User, "not-the-password-42")));

        var act = () => new DlrnPublisher(client, client, http).PublishAsync(new DlrnPublishSettings(build.RepoUrl(files.BaseUrl)), CancellationToken.None);

        var error = (await act.Should().ThrowAsync<DlrnApiException>()).Which;
        error.ExitCode.Should().Be(DlrnExitCodes.AuthenticationFailed);
        error.ToString().Should().NotContain("not-the-password-42");
        dlrn.Imports.Should().BeEmpty();
    }
}
