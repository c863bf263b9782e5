using CiJobs.Core;
using CiJobs.Core.Dlrn;
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

    private DlrnPublisher Publisher(string apiUrl, TimeSpan? importTimeout = null)
    {
        var client = new DlrnApiClient(http, new DlrnClientOptions(new Uri(apiUrl), new DlrnCredentials(DlrnFixtures.User, DlrnFixtures.Password))
        {
            RetryDelay = TimeSpan.FromMilliseconds(10),
            ImportTimeout = importTimeout ?? TimeSpan.FromSeconds(30),
        });
        return new DlrnPublisher(client, client, http);
    }

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
    public async Task PublishAsync_ImportAnswerLostButCommitRecorded_IsImported()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        // Another publisher (or a previous attempt) imports while ours gets no answer in time.
        dlrn.DelayNext(4, TimeSpan.FromSeconds(3), "/api/remote/import");
        var recorded = Task.Run(async () =>
        {
            await Task.Delay(200);
            dlrn.AddCommit(new Fakes.Dlrn.FakeDlrnCommit
            {
                ProjectName = build.ProjectName,
                CommitHash = build.CommitHash,
                DistroHash = build.DistroHash,
                Status = "SUCCESS",
                ShardedDirectory = build.ShardedDirectory,
            });
        });

        var result = await Publisher(dlrn.BaseUrl, importTimeout: TimeSpan.FromMilliseconds(400)).PublishAsync(new DlrnPublishSettings(build.RepoUrl(files.BaseUrl)), CancellationToken.None);
        await recorded;

        result.Outcome.Should().Be(DlrnPublishOutcome.Imported);
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
