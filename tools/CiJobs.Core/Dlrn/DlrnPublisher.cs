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
    /// <summary>The central's public repository base (its projects.ini <c>baseurl</c>); when set, every artifact is checked
    /// there after the import, and the import can be verified through the central's commit.yaml when GraphQL is missing.</summary>
    public Uri? CentralReposUrl { get; init; }

    /// <summary>When the import's answer was lost (a timeout, a dropped connection, a gateway's 502/504), how long to keep
    /// checking whether the server recorded the commit. The import is never sent twice.</summary>
    public TimeSpan LostAnswerWait { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The first pause between those checks; later ones double, up to a minute.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);
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

    /// <summary>How the server's state was read: GraphQL, or without it the central's commit.yaml or repo_status.</summary>
    public DlrnVerification? VerifiedBy { get; init; }

    public required string Message { get; init; }

    /// <summary>0 for imported and already present, else a <see cref="DlrnExitCodes"/> value.</summary>
    public required int ExitCode { get; init; }
}

/// <summary>
/// Publishes a build to a central DLRN through remote import, then verifies it: DLRN answers 201 even
/// when it skipped the commit (not newer) or failed to download RPMs (docs/contracts/dlrn-api.md, "Remote import").
/// Reads the build's commit.yaml first, checks the artifacts are served, asks the server before and after the
/// import (GraphQL <c>commits</c>; without GraphQL the central's commit.yaml or <c>repo_status</c>), and optionally
/// checks the central's repository. The import is sent at most once: when its answer is lost, publish checks for the
/// commit until <see cref="DlrnPublishSettings.LostAnswerWait"/> ends (docs/contracts/dlrn-api.md, "Is the import idempotent?").
/// </summary>
public sealed class DlrnPublisher(
    IDlrnImportClient importer, IDlrnReadClient reader, HttpClient downloads, Action<string>? log = null, TimeProvider? timeProvider = null)
{
    private static readonly TimeSpan DownloadTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxPollInterval = TimeSpan.FromMinutes(1);
    private readonly TimeProvider clock = timeProvider ?? TimeProvider.System;

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

        var (lookup, existing) = await ChooseLookupAsync(commit, settings, cancellationToken);
        result = result with { VerifiedBy = lookup.Way };
        var by = $" (verified by {Name(lookup.Way)})";
        if (existing is { Status: "SUCCESS" } || (existing is not null && commit.Status != "SUCCESS"))
        {
            return await CheckCentralAsync(
                result with
                {
                    Outcome = DlrnPublishOutcome.AlreadyPresent,
                    ServerStatus = existing.Status,
                    Message = $"{commit.ProjectName} {commit.CommitHash} (distro {commit.DistroHash}) is already on the server ({existing.Status}); nothing sent{by}",
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
        DlrnApiException? lostAnswer = null;
        try
        {
            await importer.ImportAsync(settings.RepoUrl, cancellationToken);
        }
        catch (DlrnApiException e) when (e.OutcomeUnknown)
        {
            // The import may have run, or still run, on the server: never send it again (a second import can run
            // beside the first and record the commit twice), check for the commit instead.
            log?.Invoke($"no answer to the import ({e.Message}); it is not sent again: checking whether the server records the commit");
            lostAnswer = e;
        }

        var deadline = clock.GetUtcNow() + settings.LostAnswerWait;
        var pause = settings.PollInterval;
        while (true)
        {
            var held = await lookup.FindAsync(commit, cancellationToken);
            var newest = held is null ? await lookup.NewestAsync(commit, cancellationToken) : null;
            if (held is null && newest?.Newest is { } latest && latest.CommitHash == commit.CommitHash && latest.DistroHash == commit.DistroHash)
            {
                held = latest; // recorded between the two reads
            }

            // DLRN never turns a FAILED row into SUCCESS: a SUCCESS build whose hashes the server holds as FAILED was skipped.
            if (held is not null && !(commit.Status == DlrnCommit.Success && held.Status == DlrnCommit.Failed))
            {
                var lost = lostAnswer is null ? "" : " (the import's answer was lost, the server holds the commit)";
                return await CheckCentralAsync(
                    result with
                    {
                        ServerStatus = held.Status,
                        Message = $"imported {commit.ProjectName} {commit.CommitHash} (distro {commit.DistroHash}) as {held.Status}{lost}{by}",
                    },
                    settings, commit, cancellationToken);
            }

            var blocker = held ?? (newest is { Known: true, Newest: { } n } && n.DtCommit >= commit.DtCommit && n.DtDistro >= commit.DtDistro ? n : null);
            if (blocker is not null)
            {
                var hint = held is not null
                    ? "; the same commit failed before: run recheck_package for the package, then publish again"
                    : "";
                return result with
                {
                    Outcome = DlrnPublishOutcome.Skipped,
                    ServerStatus = held?.Status,
                    NewerCommit = blocker,
                    Message = $"DLRN skipped the import: it holds {blocker.ProjectName} {blocker.CommitHash} (distro {blocker.DistroHash}, {blocker.Status}) with dt_commit {blocker.DtCommit} and dt_distro {blocker.DtDistro}, not older than this build's {commit.DtCommit} and {commit.DtDistro}{hint}{by}",
                    ExitCode = DlrnExitCodes.ImportSkipped,
                };
            }

            if (lostAnswer is null)
            {
                var unknown = newest!.Known
                    ? ""
                    : $"; whether DLRN skipped it for a newer commit of the package cannot be told ({newest.WhyUnknown}){(settings.CentralReposUrl is null ? "; give --central-url to read the central's status report" : "")}";
                return result with
                {
                    Outcome = DlrnPublishOutcome.Failed,
                    Message = newest.Known
                        ? $"DLRN answered 201 but holds no commit {commit.CommitHash} (distro {commit.DistroHash}) of {commit.ProjectName} and nothing newer{by}"
                        : $"DLRN answered 201 but {lookup.Source} shows no commit {commit.CommitHash} (distro {commit.DistroHash}) of {commit.ProjectName}{unknown}{by}",
                    ExitCode = DlrnExitCodes.ImportNotRecorded,
                };
            }

            var left = deadline - clock.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                throw new DlrnApiException(
                    lostAnswer.Endpoint, null, null,
                    $"{lostAnswer.Message}; the import was not sent again and after {settings.LostAnswerWait.TotalSeconds:0} s the server still does not hold {commit.ProjectName} {commit.CommitHash} (distro {commit.DistroHash}){by}: DLRN may still be importing it; run publish again later (it sends nothing when the commit is there)",
                    lostAnswer, outcomeUnknown: true);
            }

            await Task.Delay(pause < left ? pause : left, clock, cancellationToken);
            pause = pause * 2 < MaxPollInterval ? pause * 2 : MaxPollInterval;
        }
    }

    /// <summary>
    /// GraphQL first; when the server has none (501 "Missing libraries", or 404 on an older DLRN), the central's
    /// commit.yaml with <c>--central-url</c>, else <c>repo_status</c> for a SUCCESS build; a clear failure when no way is
    /// left (docs/contracts/dlrn-api.md, "Verifying an import"). Returns the way and what it found before the import.
    /// </summary>
    private async Task<(DlrnCommitLookup Lookup, DlrnCommitRecord? Existing)> ChooseLookupAsync(DlrnCommit commit, DlrnPublishSettings settings, CancellationToken cancellationToken)
    {
        var graphQl = new DlrnGraphQlLookup(reader);
        string graphQlMissing;
        try
        {
            return (graphQl, await graphQl.FindAsync(commit, cancellationToken));
        }
        catch (DlrnApiException e) when (e.StatusCode is HttpStatusCode.NotImplemented or HttpStatusCode.NotFound)
        {
            graphQlMissing = $"GraphQL is not available ({(int)e.StatusCode!} {e.ServerMessage})";
        }

        if (settings.CentralReposUrl is { } central)
        {
            log?.Invoke($"{graphQlMissing}; verifying through the central's commit.yaml under {central}");
            var files = new DlrnCentralFilesLookup(reader, central);
            return (files, await files.FindAsync(commit, cancellationToken));
        }

        const string hint = "give --central-url (the central's baseurl) to verify through its commit.yaml";
        if (commit.Status != DlrnCommit.Success)
        {
            throw new CiJobsException(
                $"cannot verify the import of {commit.ProjectName} {commit.CommitHash}, nothing sent: {graphQlMissing}, and repo_status only sees SUCCESS builds while this one is {commit.Status}; {hint}",
                DlrnExitCodes.CannotVerify);
        }

        log?.Invoke($"{graphQlMissing}; verifying through repo_status");
        var repoStatus = new DlrnRepoStatusLookup(reader);
        try
        {
            return (repoStatus, await repoStatus.FindAsync(commit, cancellationToken));
        }
        catch (DlrnApiException e) when (e.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
        {
            throw new CiJobsException(
                $"cannot verify the import of {commit.ProjectName} {commit.CommitHash}, nothing sent: {graphQlMissing}, and {e.Message}; {hint}",
                DlrnExitCodes.CannotVerify, e);
        }
    }

    private static string Name(DlrnVerification way) => way switch
    {
        DlrnVerification.GraphQl => "graphql",
        DlrnVerification.CommitYaml => "commit.yaml",
        _ => "repo_status",
    };

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
