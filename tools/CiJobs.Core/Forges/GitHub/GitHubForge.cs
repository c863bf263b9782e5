using System.Diagnostics.CodeAnalysis;
using System.Text;
using Octokit;
using Octokit.Internal;

namespace CiJobs.Core.Forges.GitHub;

/// <summary>
/// GitHub through Octokit, behind the forge-neutral interfaces: pull requests, issue comments, commit statuses.
/// Octokit types stop here. GitHub has no merge-request pipelines: the combined commit status of the head
/// stands in for the "pipeline", and re-running one is not supported.
/// </summary>
public sealed class GitHubForge : IForge, IMergeRequestApi, INoteApi, ICommitStatusApi, IPipelineApi
{
    /// <summary>Octokit's own limit on a request (<c>Request.Timeout</c>), which a longer <c>--timeout</c> cannot lift.</summary>
    private static readonly TimeSpan OctokitTimeout = TimeSpan.FromSeconds(100);

    private readonly IGitHubClient client;
    private readonly string? token;
    private readonly Uri? apiUrl;

    public GitHubForge(IGitHubClient client, string? token, Uri? apiUrl = null)
    {
        this.client = client;
        this.token = token;
        this.apiUrl = apiUrl;
    }

    /// <param name="apiUrl"><c>https://api.github.com/</c>, or <c>https://host/api/v3/</c> for GitHub Enterprise.</param>
    /// <remarks>Octokit's serializer builds the models read here by reflection, among them value-type
    /// <see cref="StringEnum{TEnum}"/>s and the lists behind <c>IReadOnlyList</c> properties and paged results.
    /// Native AOT keeps a generic instantiation's constructors only when asked: these are the ones reachable from
    /// User, Repository, PullRequest, PullRequestCommit, IssueComment, CommitStatus, CombinedCommitStatus, ApiError.</remarks>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(StringEnum<AuthorAssociation>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(StringEnum<CommitState>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(StringEnum<ItemState>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(StringEnum<LockReason>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(StringEnum<MergeableState>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(StringEnum<TeamPrivacy>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(StringEnum<VerificationReason>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(List<ApiErrorDetail>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(List<CommitStatus>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(List<GitReference>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(List<IssueComment>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(List<Label>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(List<PullRequest>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(List<PullRequestCommit>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(List<string>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(List<Team>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(List<User>))]
    public static GitHubForge Create(string apiUrl, string? token, HttpMessageHandler? innerHandler = null, TimeSpan? timeout = null)
    {
        var credentials = token is null ? Credentials.Anonymous : new Credentials(token);
        var baseAddress = new Uri(ForgeUrls.Check(apiUrl, "the GitHub API URL").TrimEnd('/') + "/");
        var connection = new Connection(
            new ProductHeaderValue("cijobs"),
            baseAddress,
            new InMemoryCredentialStore(credentials),
            new HttpClientAdapter(() => ForgeHttp.CreateHandler(innerHandler, timeout: timeout)),
            new SimpleJsonSerializer());
        return new GitHubForge(new GitHubClient(connection), token, baseAddress);
    }

    public ForgeKind Kind => ForgeKind.GitHub;

    public IMergeRequestApi MergeRequests => this;

    public INoteApi Notes => this;

    public ICommitStatusApi Statuses => this;

    public IPipelineApi Pipelines => this;

    public string? GitAuthorizationHeader => token is null
        ? null
        : "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + token));

    public Task<ForgeUser> GetCurrentUserAsync(CancellationToken cancellationToken) =>
        CallAsync("Reading the current user", async () => new ForgeUser((await client.User.Current()).Login));

    public Task<ForgeProject> GetProjectAsync(string project, CancellationToken cancellationToken) =>
        CallAsync($"Reading repository {project}", async () =>
        {
            var (owner, name) = Split(project);
            var repository = await client.Repository.Get(owner, name);
            return new ForgeProject(repository.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), repository.FullName, repository.CloneUrl, repository.HtmlUrl, repository.DefaultBranch ?? "main");
        });

    Task<MergeRequest> IMergeRequestApi.GetAsync(string project, int number, CancellationToken cancellationToken) =>
        CallAsync($"Reading pull request {project}#{number}", async () =>
        {
            var (owner, name) = Split(project);
            return ToModel(project, await client.PullRequest.Get(owner, name, number));
        });

    Task<IReadOnlyList<MergeRequest>> IMergeRequestApi.FindAsync(string project, MergeRequestQuery query, CancellationToken cancellationToken) =>
        CallAsync($"Searching pull requests of {project}", async () =>
        {
            var (owner, name) = Split(project);
            var request = new PullRequestRequest
            {
                Head = $"{(query.SourceProject is { } fork ? Split(fork).Owner : owner)}:{query.SourceBranch}",
                Base = query.TargetBranch,
                State = query.State == MergeRequestState.Open ? ItemStateFilter.Open : query.State is null ? ItemStateFilter.All : ItemStateFilter.Closed,
                SortProperty = PullRequestSort.Created,
                SortDirection = SortDirection.Descending,
            };
            var pulls = await client.PullRequest.GetAllForRepository(owner, name, request);
            return (IReadOnlyList<MergeRequest>)[.. pulls.Select(p => ToModel(project, p))
                .Where(p => query.Author is null || p.Author == query.Author)
                .Where(p => query.State is null || p.State == query.State)];
        });

    Task<IReadOnlyList<MergeRequest>> IMergeRequestApi.ListOpenAsync(string project, CancellationToken cancellationToken) =>
        CallAsync($"Listing open pull requests of {project}", async () =>
        {
            var (owner, name) = Split(project);
            var pulls = await client.PullRequest.GetAllForRepository(owner, name, new PullRequestRequest { State = ItemStateFilter.Open });
            return (IReadOnlyList<MergeRequest>)[.. pulls.Select(p => ToModel(project, p))];
        });

    Task<MergeRequest> IMergeRequestApi.CreateAsync(string project, NewMergeRequest request, CancellationToken cancellationToken) =>
        CallAsync($"Opening a pull request from {request.SourceBranch} in {project}", async () =>
        {
            var (owner, name) = Split(project);
            var head = request.SourceProject is { } fork && fork != project ? $"{Split(fork).Owner}:{request.SourceBranch}" : request.SourceBranch;
            var created = await client.PullRequest.Create(owner, name, new NewPullRequest(request.Title, head, request.TargetBranch)
            {
                Body = request.Description,
                MaintainerCanModify = request.AllowCollaboration,
            });
            return ToModel(project, created);
        });

    Task<MergeRequest> IMergeRequestApi.UpdateAsync(string project, int number, MergeRequestUpdate update, CancellationToken cancellationToken) =>
        CallAsync($"Updating pull request {project}#{number}", async () =>
        {
            var (owner, name) = Split(project);
            var change = new PullRequestUpdate { Title = update.Title, Body = update.Description };
            if (update.StateChange is { } state)
            {
                change.State = state == MergeRequestStateChange.Close ? ItemState.Closed : ItemState.Open;
            }

            return ToModel(project, await client.PullRequest.Update(owner, name, number, change));
        });

    Task<IReadOnlyList<ForgeCommit>> IMergeRequestApi.ListCommitsAsync(string project, int number, CancellationToken cancellationToken) =>
        CallAsync($"Listing commits of {project}#{number}", async () =>
        {
            var (owner, name) = Split(project);
            var commits = await client.PullRequest.Commits(owner, name, number);
            return (IReadOnlyList<ForgeCommit>)[.. commits.Reverse().Select(c => new ForgeCommit(c.Sha, c.Commit?.Message ?? ""))];
        });

    Task<IReadOnlyList<ForgeNote>> INoteApi.ListAsync(string project, int number, CancellationToken cancellationToken) =>
        CallAsync($"Listing comments of {project}#{number}", async () =>
        {
            var (owner, name) = Split(project);
            var comments = await client.Issue.Comment.GetAllForIssue(owner, name, number);
            return (IReadOnlyList<ForgeNote>)[.. comments.Select(c => new ForgeNote(c.Id, c.Body ?? "", c.User?.Login ?? ""))];
        });

    Task<ForgeNote> INoteApi.CreateAsync(string project, int number, string body, CancellationToken cancellationToken) =>
        CallAsync($"Commenting on {project}#{number}", async () =>
        {
            var (owner, name) = Split(project);
            var c = await client.Issue.Comment.Create(owner, name, number, body);
            return new ForgeNote(c.Id, c.Body ?? "", c.User?.Login ?? "");
        });

    Task<ForgeNote> INoteApi.UpdateAsync(string project, int number, long noteId, string body, CancellationToken cancellationToken) =>
        CallAsync($"Editing comment {noteId} on {project}#{number}", async () =>
        {
            var (owner, name) = Split(project);
            var c = await client.Issue.Comment.Update(owner, name, noteId, body);
            return new ForgeNote(c.Id, c.Body ?? "", c.User?.Login ?? "");
        });

    Task INoteApi.DeleteAsync(string project, int number, long noteId, CancellationToken cancellationToken) =>
        CallAsync($"Deleting comment {noteId} on {project}#{number}", async () =>
        {
            var (owner, name) = Split(project);
            await client.Issue.Comment.Delete(owner, name, noteId);
            return true;
        });

    Task<CommitStatusOutcome> ICommitStatusApi.SetAsync(string project, NewCommitStatus status, CancellationToken cancellationToken) =>
        CallAsync($"Setting status {status.Name} on {project}@{status.Sha}", async () =>
        {
            var (owner, name) = Split(project);
            var state = status.State switch
            {
                CommitState.Pending or CommitState.Running => Octokit.CommitState.Pending,
                CommitState.Success or CommitState.Skipped => Octokit.CommitState.Success,
                CommitState.Failed => Octokit.CommitState.Failure,
                _ => Octokit.CommitState.Error,
            };
            var description = status.Description is { Length: > 140 } d ? d[..140] : status.Description;
            // GitHub accepts repeats (up to 1,000 per sha and context); skip them so a repeated state stays a no-op.
            var existing = await client.Repository.Status.GetAll(owner, name, status.Sha);
            var latest = existing.Where(s => s.Context == status.Name).OrderByDescending(s => s.Id).FirstOrDefault();
            if (latest is not null && latest.State.Value == state && latest.Description == description)
            {
                return CommitStatusOutcome.Unchanged;
            }

            await client.Repository.Status.Create(owner, name, status.Sha, new Octokit.NewCommitStatus
            {
                State = state,
                Context = status.Name,
                TargetUrl = status.TargetUrl,
                Description = description,
            });
            return CommitStatusOutcome.Created;
        });

    Task<IReadOnlyList<ForgePipeline>> IPipelineApi.ListForMergeRequestAsync(string project, int number, CancellationToken cancellationToken) =>
        CallAsync($"Reading the checks of {project}#{number}", async () =>
        {
            var (owner, name) = Split(project);
            var pull = await client.PullRequest.Get(owner, name, number);
            var combined = await client.Repository.Status.GetCombined(owner, name, pull.Head.Sha);
            if (combined.TotalCount == 0)
            {
                return (IReadOnlyList<ForgePipeline>)[];
            }

            var status = combined.State.Value switch
            {
                Octokit.CommitState.Success => "success",
                Octokit.CommitState.Pending => "pending",
                _ => "failed",
            };
            return [new ForgePipeline(0, status, pull.Head.Sha, pull.HtmlUrl + "/checks")];
        });

    Task<ForgePipeline> IPipelineApi.RunForMergeRequestAsync(string project, int number, CancellationToken cancellationToken) =>
        throw new CiJobsException("GitHub has no merge-request pipelines to run again; re-run the checks from the pull request page.", ForgeExitCodes.NotSupported);

    private static MergeRequest ToModel(string project, PullRequest p)
    {
        var state = p.Merged ? MergeRequestState.Merged : p.State.Value == ItemState.Open ? MergeRequestState.Open : MergeRequestState.Closed;
        return new MergeRequest(project, p.Number, state, p.Title ?? "", p.Body ?? "", p.Head?.Repository?.FullName ?? project, p.Head?.Ref ?? "", p.Base?.Ref ?? "", p.Head?.Sha ?? "", p.User?.Login ?? "", p.HtmlUrl ?? "");
    }

    private static (string Owner, string Name) Split(string project)
    {
        var slash = project.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < project.Length - 1
            ? (project[..slash], project[(slash + 1)..])
            : throw new CiJobsException($"'{project}' is not a GitHub repository name (owner/name).", ForgeExitCodes.InputInvalid);
    }

    private async Task<T> CallAsync<T>(string operation, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ApiValidationException e)
        {
            var detail = string.Join("; ", e.ApiError?.Errors?.Select(x => x.Message).Where(m => m is not null) ?? []);
            throw ForgeApiException.FromStatus(operation, 422, detail.Length > 0 ? detail : e.Message);
        }
        catch (ApiException e)
        {
            throw ForgeApiException.FromStatus(operation, (int)e.StatusCode, e.ApiError?.Message ?? e.Message);
        }
        catch (HttpRequestException e)
        {
            throw new ForgeApiException($"{operation}: GitHub cannot be reached: {e.Message}", null, ForgeExitCodes.RequestFailed, e);
        }
        catch (OperationCanceledException e)
        {
            // No cancellation token reaches Octokit: a cancellation is its own request timeout, shorter than ours.
            throw ForgeHttp.TimeoutError(apiUrl, OctokitTimeout, e);
        }
    }
}
