using System.Net;
using System.Text.Json.Serialization;

namespace CiJobs.Core.Dlrn;

public enum DlrnPublishOutcome
{
    /// <summary>The server now holds the commit, and it did not before.</summary>
    [JsonStringEnumMemberName("imported")]
    Imported,

    /// <summary>The server already held the commit; nothing was sent.</summary>
    [JsonStringEnumMemberName("already_present")]
    AlreadyPresent,

    /// <summary>The server answered 201 but skipped the commit: it holds a commit of the package that is not older.</summary>
    [JsonStringEnumMemberName("skipped")]
    Skipped,

    /// <summary>Artifacts are missing (at the repo URL or on the central), or the server recorded nothing.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,
}

/// <summary>What to publish: the URL of one hashed build directory, and optionally where the central serves its repositories.</summary>
/// <param name="RepoUrl">The build directory as served over HTTP (it holds commit.yaml and the RPMs, flat).</param>
public sealed record DlrnPublishSettings(Uri RepoUrl)
{
    /// <summary>The central's public repository base (its projects.ini <c>baseurl</c>); when set, every artifact is checked there after the import.</summary>
    public Uri? CentralReposUrl { get; init; }
}

public sealed record DlrnPublishResult
{
    public required DlrnPublishOutcome Outcome { get; init; }
    public required string ProjectName { get; init; }
    public required string CommitHash { get; init; }
    public required string DistroHash { get; init; }
    public string? ExtendedHash { get; init; }

    /// <summary>The build's status in commit.yaml (SUCCESS or FAILED).</summary>
    public required string BuildStatus { get; init; }

    /// <summary>The status of the row the server holds for the commit, when it holds one.</summary>
    public string? ServerStatus { get; init; }

    public required string RepoUrl { get; init; }
    public required string ShardedDirectory { get; init; }
    public IReadOnlyList<string> MissingArtifacts { get; init; } = [];

    /// <summary>For <see cref="DlrnPublishOutcome.Skipped"/>: the server's newest commit of the package, which made it skip.</summary>
    public DlrnCommitRecord? NewerCommit { get; init; }

    public required string Message { get; init; }

    /// <summary>0 for imported and already present, else a <see cref="DlrnExitCodes"/> value.</summary>
    public required int ExitCode { get; init; }
}

/// <summary>
/// Publishes a build to a central DLRN through remote import, then verifies it: DLRN answers 201 even
/// when it skipped the commit (not newer) or failed to download RPMs (reference/dlrn.md §5 items 3, 4, 9).
/// Reads the build's commit.yaml first, checks the artifacts are served, asks the server (GraphQL
/// <c>commits</c>, anonymous) before and after the import, and optionally checks the central's repository.
/// </summary>
public sealed class DlrnPublisher(IDlrnImportClient importer, IDlrnReadClient reader, HttpClient downloads, Action<string>? log = null)
{
    private static readonly TimeSpan DownloadTimeout = TimeSpan.FromSeconds(30);

    public async Task<DlrnPublishResult> PublishAsync(DlrnPublishSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var repoUrl = settings.RepoUrl.OriginalString.TrimEnd('/');
        var commit = await ReadCommitAsync(repoUrl, cancellationToken);
        var result = new DlrnPublishResult
        {
            Outcome = DlrnPublishOutcome.Imported,
            ProjectName = commit.ProjectName,
            CommitHash = commit.CommitHash,
            DistroHash = commit.DistroHash,
            ExtendedHash = commit.ExtendedHash,
            BuildStatus = commit.Status,
            RepoUrl = settings.RepoUrl.OriginalString,
            ShardedDirectory = commit.ShardedDirectory,
            Message = "",
            ExitCode = 0,
        };

        // POST /api/health fails fast on wrong credentials, before any heavy work on the server.
        await importer.GetHealthAsync(checkCredentials: true, cancellationToken);

        var existing = await FindAsync(commit, cancellationToken);
        if (existing is { Status: "SUCCESS" } || (existing is not null && commit.Status != "SUCCESS"))
        {
            return await CheckCentralAsync(
                result with
                {
                    Outcome = DlrnPublishOutcome.AlreadyPresent,
                    ServerStatus = existing.Status,
                    Message = $"{commit.ProjectName} {commit.CommitHash} (distro {commit.DistroHash}) is already on the server ({existing.Status}); nothing sent",
                },
                settings, commit, cancellationToken);
        }

        var missing = await MissingAsync(commit.ArtifactFileNames.Select(name => $"{repoUrl}/{name}"), cancellationToken);
        if (missing.Count > 0)
        {
            return result with
            {
                Outcome = DlrnPublishOutcome.Failed,
                MissingArtifacts = missing,
                Message = $"not published: {repoUrl} does not serve {missing.Count} of the {commit.Artifacts.Count} artifacts in commit.yaml ({string.Join(", ", missing.Select(FileName))}); DLRN would import the build without them",
                ExitCode = DlrnExitCodes.ArtifactsMissing,
            };
        }

        log?.Invoke($"importing {commit.ProjectName} {commit.CommitHash} from {repoUrl}");
        DlrnApiException? noAnswer = null;
        try
        {
            await importer.ImportAsync(settings.RepoUrl, cancellationToken);
        }
        catch (DlrnApiException e) when (e.NoAnswer)
        {
            // The import is synchronous and may have finished although the answer was lost: verify.
            log?.Invoke($"no answer to the import ({e.Message}); checking whether the server holds the commit");
            noAnswer = e;
        }

        var imported = await FindAsync(commit, cancellationToken);
        if (imported is not null)
        {
            return await CheckCentralAsync(
                result with
                {
                    ServerStatus = imported.Status,
                    Message = $"imported {commit.ProjectName} {commit.CommitHash} (distro {commit.DistroHash}) as {imported.Status}",
                },
                settings, commit, cancellationToken);
        }

        if (noAnswer is not null)
        {
            throw noAnswer;
        }

        var newest = (await reader.GetCommitsAsync(new DlrnCommitQuery { ProjectName = commit.ProjectName, Limit = 20 }, cancellationToken))
            .FirstOrDefault(c => c.Status != "RETRY");
        if (newest is not null && newest.DtCommit >= commit.DtCommit && newest.DtDistro >= commit.DtDistro)
        {
            var hint = newest.Status == "FAILED" && newest.CommitHash == commit.CommitHash && newest.DistroHash == commit.DistroHash
                ? "; the same commit failed before: run recheck_package for the package, then publish again"
                : "";
            return result with
            {
                Outcome = DlrnPublishOutcome.Skipped,
                NewerCommit = newest,
                Message = $"DLRN skipped the import: it holds {newest.ProjectName} {newest.CommitHash} (distro {newest.DistroHash}, {newest.Status}) with dt_commit {newest.DtCommit} and dt_distro {newest.DtDistro}, not older than this build's {commit.DtCommit} and {commit.DtDistro}{hint}",
                ExitCode = DlrnExitCodes.ImportSkipped,
            };
        }

        return result with
        {
            Outcome = DlrnPublishOutcome.Failed,
            Message = $"DLRN answered 201 but holds no commit {commit.CommitHash} (distro {commit.DistroHash}) of {commit.ProjectName} and nothing newer",
            ExitCode = DlrnExitCodes.ImportNotRecorded,
        };
    }

    private async Task<DlrnCommit> ReadCommitAsync(string repoUrl, CancellationToken cancellationToken)
    {
        var url = $"{repoUrl}/commit.yaml";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DownloadTimeout);
        string text;
        try
        {
            using var response = await downloads.GetAsync(url, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new CiJobsException($"cannot read {url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}", DlrnExitCodes.BuildResultInvalid);
            }

            text = await response.Content.ReadAsStringAsync(timeout.Token);
        }
        catch (HttpRequestException e)
        {
            throw new CiJobsException($"cannot read {url}: {e.Message}", DlrnExitCodes.BuildResultInvalid, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CiJobsException($"cannot read {url}: no answer within {DownloadTimeout.TotalSeconds} s", DlrnExitCodes.BuildResultInvalid, e);
        }

        var commits = DlrnCommit.Parse(text, url);
        if (commits.Count != 1)
        {
            throw new CiJobsException($"invalid commit.yaml at {url}: it lists {commits.Count} commits; publish one build at a time", DlrnExitCodes.BuildResultInvalid);
        }

        return commits[0];
    }

    private async Task<DlrnCommitRecord?> FindAsync(DlrnCommit commit, CancellationToken cancellationToken)
    {
        var rows = await reader.GetCommitsAsync(
            new DlrnCommitQuery
            {
                ProjectName = commit.ProjectName,
                CommitHash = commit.CommitHash,
                DistroHash = commit.DistroHash,
                ExtendedHash = commit.ExtendedHash,
                Limit = 1,
            },
            cancellationToken);
        return rows.FirstOrDefault();
    }

    private async Task<DlrnPublishResult> CheckCentralAsync(DlrnPublishResult result, DlrnPublishSettings settings, DlrnCommit commit, CancellationToken cancellationToken)
    {
        if (settings.CentralReposUrl is null || commit.Artifacts.Count == 0)
        {
            return result;
        }

        var central = settings.CentralReposUrl.OriginalString.TrimEnd('/');
        var missing = await MissingAsync(commit.Artifacts.Select(a => $"{central}/{a["repos/".Length..]}"), cancellationToken);
        if (missing.Count == 0)
        {
            return result;
        }

        return result with
        {
            Outcome = DlrnPublishOutcome.Failed,
            MissingArtifacts = missing,
            Message = $"the server holds {commit.ProjectName} {commit.CommitHash} but its repository lacks {missing.Count} of the {commit.Artifacts.Count} artifacts ({string.Join(", ", missing.Select(FileName))}); DLRN ignores failed downloads",
            ExitCode = DlrnExitCodes.ArtifactsMissing,
        };
    }

    private async Task<IReadOnlyList<string>> MissingAsync(IEnumerable<string> urls, CancellationToken cancellationToken)
    {
        var checks = urls.Select(async url => (url, present: await ExistsAsync(url, cancellationToken))).ToList();
        var results = await Task.WhenAll(checks);
        return [.. results.Where(r => !r.present).Select(r => r.url)];
    }

    private async Task<bool> ExistsAsync(string url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DownloadTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, url);
            using var response = await downloads.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static string FileName(string url) => url[(url.LastIndexOf('/') + 1)..];
}
