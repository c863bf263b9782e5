using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CiJobs.Core.Forges.GitLab;

/// <summary>
/// A thin typed client for the GitLab v4 REST API (merge requests, notes, commit statuses, pipelines).
/// The token goes in a <c>PRIVATE-TOKEN</c> (or <c>Authorization: Bearer</c>) header on each request and nowhere else.
/// </summary>
public sealed class GitLabClient : IForge, IMergeRequestApi, INoteApi, ICommitStatusApi, IPipelineApi, IGitLabPipelineControl
{
    private static readonly JsonSerializerOptions Json = GitLabJsonContext.Default.Options;

    private readonly HttpClient http;
    private readonly string? token;
    private readonly bool bearer;
    private readonly ConcurrentDictionary<string, ForgeProject> projects = new();

    /// <param name="http">A client whose BaseAddress is the API root, for example <c>https://gitlab.com/api/v4/</c>.</param>
    /// <param name="bearer">Send <c>Authorization: Bearer</c> (OAuth or CI_JOB_TOKEN-style) instead of <c>PRIVATE-TOKEN</c>.</param>
    public GitLabClient(HttpClient http, string? token, bool bearer = false)
    {
        this.http = http;
        this.token = token;
        this.bearer = bearer;
    }

    /// <summary>The API root for a server URL (<c>https://gitlab.example.com</c> → <c>…/api/v4/</c>); an URL already ending in /api/v4 is kept.</summary>
    /// <remarks>The URL must be http or https without credentials (docs/security.md); it is never repeated in the error.</remarks>
    public static Uri ApiRoot(string serverUrl)
    {
        var trimmed = ForgeUrls.Check(serverUrl, "the GitLab server URL").TrimEnd('/');
        return new Uri(trimmed.EndsWith("/api/v4", StringComparison.Ordinal) ? trimmed + "/" : trimmed + "/api/v4/");
    }

    public ForgeKind Kind => ForgeKind.GitLab;

    public IMergeRequestApi MergeRequests => this;

    public INoteApi Notes => this;

    public ICommitStatusApi Statuses => this;

    public IPipelineApi Pipelines => this;

    public string? GitAuthorizationHeader => token is null
        ? null
        : "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("oauth2:" + token));

    public async Task<ForgeUser> GetCurrentUserAsync(CancellationToken cancellationToken)
    {
        var user = await SendAsync<GitLabUserDto>(HttpMethod.Get, "user", null, "Reading the current user", cancellationToken);
        return new ForgeUser(user.Username);
    }

    public async Task<ForgeProject> GetProjectAsync(string project, CancellationToken cancellationToken)
    {
        if (projects.TryGetValue(project, out var cached))
        {
            return cached;
        }

        var dto = await SendAsync<GitLabProjectDto>(HttpMethod.Get, $"projects/{Id(project)}", null, $"Reading project {project}", cancellationToken);
        var result = new ForgeProject(dto.Id.ToString(CultureInfo.InvariantCulture), dto.PathWithNamespace, dto.HttpUrlToRepo, dto.WebUrl, dto.DefaultBranch ?? "main");
        projects[project] = result;
        projects[result.Id] = result;
        return result;
    }

    async Task<MergeRequest> IMergeRequestApi.GetAsync(string project, int number, CancellationToken cancellationToken)
    {
        var dto = await SendAsync<GitLabMergeRequestDto>(HttpMethod.Get, $"projects/{Id(project)}/merge_requests/{number}", null, $"Reading merge request {project}!{number}", cancellationToken);
        return await ToModelAsync(project, dto, cancellationToken);
    }

    async Task<IReadOnlyList<MergeRequest>> IMergeRequestApi.FindAsync(string project, MergeRequestQuery query, CancellationToken cancellationToken)
    {
        var parameters = new List<string>
        {
            "source_branch=" + Uri.EscapeDataString(query.SourceBranch),
            "order_by=created_at",
            "sort=desc",
            "state=" + query.State switch
            {
                MergeRequestState.Open => "opened",
                MergeRequestState.Closed => "closed",
                MergeRequestState.Merged => "merged",
                null => "all",
                _ => throw new ArgumentOutOfRangeException(nameof(query)),
            },
        };
        if (query.TargetBranch is { } target)
        {
            parameters.Add("target_branch=" + Uri.EscapeDataString(target));
        }

        if (query.Author is { } author)
        {
            parameters.Add("author_username=" + Uri.EscapeDataString(author));
        }

        var dtos = await GetAllAsync<GitLabMergeRequestDto>($"projects/{Id(project)}/merge_requests?{string.Join('&', parameters)}", $"Searching merge requests of {project}", cancellationToken);
        var result = new List<MergeRequest>();
        foreach (var dto in dtos)
        {
            var model = await ToModelAsync(project, dto, cancellationToken);
            if (query.SourceProject is null || model.SourceProject == query.SourceProject)
            {
                result.Add(model);
            }
        }

        return result;
    }

    async Task<IReadOnlyList<MergeRequest>> IMergeRequestApi.ListOpenAsync(string project, CancellationToken cancellationToken)
    {
        var dtos = await GetAllAsync<GitLabMergeRequestDto>($"projects/{Id(project)}/merge_requests?state=opened&order_by=created_at&sort=desc", $"Listing open merge requests of {project}", cancellationToken);
        var result = new List<MergeRequest>();
        foreach (var dto in dtos)
        {
            result.Add(await ToModelAsync(project, dto, cancellationToken));
        }

        return result;
    }

    async Task<MergeRequest> IMergeRequestApi.CreateAsync(string project, NewMergeRequest request, CancellationToken cancellationToken)
    {
        var body = new Dictionary<string, object>
        {
            ["source_branch"] = request.SourceBranch,
            ["target_branch"] = request.TargetBranch,
            ["title"] = request.Title,
            ["description"] = request.Description,
            ["allow_collaboration"] = request.AllowCollaboration,
            ["remove_source_branch"] = request.RemoveSourceBranch,
        };
        var owner = project;
        if (request.SourceProject is { } fork && fork != project)
        {
            // Cross-project: created on the fork that owns the branch, aimed at the target project.
            body["target_project_id"] = long.Parse((await GetProjectAsync(project, cancellationToken)).Id, CultureInfo.InvariantCulture);
            owner = fork;
        }

        var dto = await SendAsync<GitLabMergeRequestDto>(HttpMethod.Post, $"projects/{Id(owner)}/merge_requests", body, $"Opening a merge request from {request.SourceBranch} in {project}", cancellationToken);
        return await ToModelAsync(project, dto, cancellationToken);
    }

    async Task<MergeRequest> IMergeRequestApi.UpdateAsync(string project, int number, MergeRequestUpdate update, CancellationToken cancellationToken)
    {
        var body = new Dictionary<string, object>();
        if (update.Title is { } title)
        {
            body["title"] = title;
        }

        if (update.Description is { } description)
        {
            body["description"] = description;
        }

        if (update.StateChange is { } change)
        {
            body["state_event"] = change == MergeRequestStateChange.Close ? "close" : "reopen";
        }

        var dto = await SendAsync<GitLabMergeRequestDto>(HttpMethod.Put, $"projects/{Id(project)}/merge_requests/{number}", body, $"Updating merge request {project}!{number}", cancellationToken);
        return await ToModelAsync(project, dto, cancellationToken);
    }

    async Task<IReadOnlyList<ForgeCommit>> IMergeRequestApi.ListCommitsAsync(string project, int number, CancellationToken cancellationToken)
    {
        var dtos = await GetAllAsync<GitLabCommitDto>($"projects/{Id(project)}/merge_requests/{number}/commits", $"Listing commits of {project}!{number}", cancellationToken);
        return [.. dtos.Select(c => new ForgeCommit(c.Id, c.Message ?? ""))];
    }

    async Task<IReadOnlyList<ForgeNote>> INoteApi.ListAsync(string project, int number, CancellationToken cancellationToken)
    {
        var dtos = await GetAllAsync<GitLabNoteDto>($"projects/{Id(project)}/merge_requests/{number}/notes?sort=asc&order_by=created_at", $"Listing comments of {project}!{number}", cancellationToken);
        return [.. dtos.Where(n => !n.System).Select(ToModel)];
    }

    async Task<ForgeNote> INoteApi.CreateAsync(string project, int number, string body, CancellationToken cancellationToken) =>
        ToModel(await SendAsync<GitLabNoteDto>(HttpMethod.Post, $"projects/{Id(project)}/merge_requests/{number}/notes", new Dictionary<string, object> { ["body"] = body }, $"Commenting on {project}!{number}", cancellationToken));

    async Task<ForgeNote> INoteApi.UpdateAsync(string project, int number, long noteId, string body, CancellationToken cancellationToken) =>
        ToModel(await SendAsync<GitLabNoteDto>(HttpMethod.Put, $"projects/{Id(project)}/merge_requests/{number}/notes/{noteId}", new Dictionary<string, object> { ["body"] = body }, $"Editing comment {noteId} on {project}!{number}", cancellationToken));

    async Task INoteApi.DeleteAsync(string project, int number, long noteId, CancellationToken cancellationToken)
    {
        using var response = await RawSendAsync(HttpMethod.Delete, $"projects/{Id(project)}/merge_requests/{number}/notes/{noteId}", null, cancellationToken);
        if (!response.IsSuccessStatusCode && (int)response.StatusCode != 404)
        {
            throw await ErrorAsync($"Deleting comment {noteId} on {project}!{number}", response, cancellationToken);
        }
    }

    async Task<CommitStatusOutcome> ICommitStatusApi.SetAsync(string project, NewCommitStatus status, CancellationToken cancellationToken)
    {
        var body = new Dictionary<string, object>
        {
            ["state"] = StateName(status.State),
            ["name"] = status.Name,
        };
        if (status.TargetUrl is { } url)
        {
            body["target_url"] = url.Length > 255 ? url[..255] : url;
        }

        if (status.Description is { } description)
        {
            body["description"] = description.Length > 255 ? description[..255] : description;
        }

        using var response = await RawSendAsync(HttpMethod.Post, $"projects/{Id(project)}/statuses/{Uri.EscapeDataString(status.Sha)}", body, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return CommitStatusOutcome.Created;
        }

        var error = await ErrorAsync($"Setting status {status.Name} on {project}@{status.Sha}", response, cancellationToken);
        // GitLab's status is a state machine: repeating the current state is refused with 400 "Cannot transition status".
        if (error.StatusCode == 400 && error.Message.Contains("Cannot transition status", StringComparison.OrdinalIgnoreCase))
        {
            return CommitStatusOutcome.Unchanged;
        }

        throw error;
    }

    async Task<IReadOnlyList<ForgePipeline>> IPipelineApi.ListForMergeRequestAsync(string project, int number, CancellationToken cancellationToken)
    {
        var dtos = await GetAllAsync<GitLabPipelineDto>($"projects/{Id(project)}/merge_requests/{number}/pipelines", $"Listing pipelines of {project}!{number}", cancellationToken);
        return [.. dtos.Select(ToModel).OrderByDescending(p => p.Id)];
    }

    async Task<ForgePipeline> IPipelineApi.RunForMergeRequestAsync(string project, int number, CancellationToken cancellationToken) =>
        ToModel(await SendAsync<GitLabPipelineDto>(HttpMethod.Post, $"projects/{Id(project)}/merge_requests/{number}/pipelines", null, $"Running a pipeline for {project}!{number}", cancellationToken));

    /// <summary>Runs a new pipeline of a branch or tag (<c>POST projects/:id/pipeline?ref=REF</c>).</summary>
    public async Task<ForgePipeline> CreatePipelineAsync(string project, string reference, CancellationToken cancellationToken) =>
        ToModel(await SendAsync<GitLabPipelineDto>(HttpMethod.Post, $"projects/{Id(project)}/pipeline?ref={Uri.EscapeDataString(reference)}", null, $"Running a pipeline of {project} on {reference}", cancellationToken));

    /// <summary>Reads one pipeline of a project (<c>GET projects/:id/pipelines/:pipeline_id</c>).</summary>
    public async Task<ForgePipeline> GetPipelineAsync(string project, long pipelineId, CancellationToken cancellationToken) =>
        ToModel(await SendAsync<GitLabPipelineDto>(HttpMethod.Get, $"projects/{Id(project)}/pipelines/{pipelineId.ToString(CultureInfo.InvariantCulture)}", null, $"Reading pipeline {pipelineId} of {project}", cancellationToken));

    /// <summary>Cancels a pipeline's running jobs (<c>POST projects/:id/pipelines/:pipeline_id/cancel</c>); a finished pipeline keeps its status.</summary>
    public async Task<ForgePipeline> CancelPipelineAsync(string project, long pipelineId, CancellationToken cancellationToken) =>
        ToModel(await SendAsync<GitLabPipelineDto>(HttpMethod.Post, $"projects/{Id(project)}/pipelines/{pipelineId.ToString(CultureInfo.InvariantCulture)}/cancel", null, $"Canceling pipeline {pipelineId} of {project}", cancellationToken));

    internal static string StateName(CommitState state) => state switch
    {
        CommitState.Pending => "pending",
        CommitState.Running => "running",
        CommitState.Success => "success",
        CommitState.Failed => "failed",
        CommitState.Canceled => "canceled",
        CommitState.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    private static string Id(string project) => Uri.EscapeDataString(project);

    private static ForgeNote ToModel(GitLabNoteDto dto) => new(dto.Id, dto.Body, dto.Author?.Username ?? "");

    private static ForgePipeline ToModel(GitLabPipelineDto dto) => new(dto.Id, dto.Status, dto.Sha ?? "", dto.WebUrl);

    private async Task<MergeRequest> ToModelAsync(string project, GitLabMergeRequestDto dto, CancellationToken cancellationToken)
    {
        var target = await GetProjectAsync(project, cancellationToken);
        var source = dto.SourceProjectId == dto.TargetProjectId
            ? target
            : await GetProjectAsync(dto.SourceProjectId.ToString(CultureInfo.InvariantCulture), cancellationToken);
        var state = dto.State switch
        {
            "merged" => MergeRequestState.Merged,
            "closed" => MergeRequestState.Closed,
            _ => MergeRequestState.Open, // opened, locked
        };
        return new MergeRequest(target.Path, dto.Iid, state, dto.Title, dto.Description ?? "", source.Path, dto.SourceBranch, dto.TargetBranch, dto.Sha ?? "", dto.Author?.Username ?? "", dto.WebUrl);
    }

    private async Task<IReadOnlyList<T>> GetAllAsync<T>(string path, string operation, CancellationToken cancellationToken)
    {
        var all = new List<T>();
        var page = "1";
        while (true)
        {
            var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            using var response = await RawSendAsync(HttpMethod.Get, $"{path}{separator}per_page=100&page={page}", null, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(operation, response, cancellationToken);
            }

            all.AddRange(await response.Content.ReadFromJsonAsync(TypeInfo<List<T>>(), cancellationToken) ?? []);
            if (!response.Headers.TryGetValues("X-Next-Page", out var next) || next.FirstOrDefault() is not { Length: > 0 } nextPage)
            {
                return all;
            }

            page = nextPage;
        }
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, Dictionary<string, object>? body, string operation, CancellationToken cancellationToken)
    {
        using var response = await RawSendAsync(method, path, body, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(operation, response, cancellationToken);
        }

        return await response.Content.ReadFromJsonAsync(TypeInfo<T>(), cancellationToken)
            ?? throw new ForgeApiException($"{operation}: GitLab answered an empty body.", (int)response.StatusCode, ForgeExitCodes.RequestFailed);
    }

    private async Task<HttpResponseMessage> RawSendAsync(HttpMethod method, string path, Dictionary<string, object>? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            if (bearer)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            }
            else
            {
                request.Headers.Add("PRIVATE-TOKEN", token);
            }
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, GitLabJsonContext.Default.DictionaryStringObject);
        }

        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ForgeApiException($"GitLab at {http.BaseAddress} cannot be reached: {e.Message}", null, ForgeExitCodes.RequestFailed, e);
        }
    }

    private static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Json.GetTypeInfo(typeof(T));

    private static async Task<ForgeApiException> ErrorAsync(string operation, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var message = text;
        try
        {
            var error = JsonSerializer.Deserialize(text, GitLabJsonContext.Default.GitLabErrorDto);
            message = error?.Message?.Text ?? error?.Error ?? text;
        }
        catch (JsonException)
        {
        }

        if (message.Length > 300)
        {
            message = message[..300];
        }

        return ForgeApiException.FromStatus(operation, (int)response.StatusCode, message.Trim());
    }
}
