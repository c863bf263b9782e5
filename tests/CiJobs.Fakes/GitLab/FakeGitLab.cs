using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CiJobs.Fakes.GitLab;

/// <summary>
/// A fake GitLab (REST v4 subset of <c>docs/contracts/forges.md</c> (GitLab)) holding projects, merge requests,
/// notes, commit statuses and pipelines in memory.
/// Git: every project is backed by a local bare repository given to <see cref="AddProject"/>; the API reports
/// <c>file://&lt;that path&gt;</c> as <c>http_url_to_repo</c>, so clients clone and push there, and merge request
/// heads and commits are read from it live (as GitLab sees pushes). A fork is just another project whose bare
/// repository is a clone of its parent's; MR commits are read from the source project's repository.
/// Auth: <c>PRIVATE-TOKEN</c> or <c>Authorization: Bearer</c> must name a token given to <see cref="AddUser"/>, else 401.
/// Contract kept: 409 for a second open MR with the same source and target branch; 400 for an unknown source
/// branch; 400 "Cannot transition status" when a commit status repeats its current state.
/// </summary>
public sealed class FakeGitLab : FakeServer
{
    private readonly object gate = new();
    private readonly Dictionary<string, string> usersByToken = [];
    private readonly List<FakeGitLabProject> projects = [];
    private readonly List<FakeGitLabMergeRequest> mergeRequests = [];
    private readonly List<FakeGitLabNote> notes = [];
    private readonly List<FakeGitLabStatus> statuses = [];
    private readonly List<FakeGitLabPipeline> pipelines = [];
    private readonly HashSet<string> statusDenied = [];
    private readonly Queue<(int Status, string? RetryAfter)> injectedFailures = new();
    private long nextId = 1000;

    /// <summary>The next <paramref name="count"/> API requests fail with <paramref name="statusCode"/> (as an overloaded server would).</summary>
    public void InjectFailures(int count, int statusCode, string? retryAfter = null)
    {
        lock (gate)
        {
            for (var i = 0; i < count; i++)
            {
                injectedFailures.Enqueue((statusCode, retryAfter));
            }
        }
    }

    /// <summary>Setting commit statuses on the project answers 403 (the bot is not Developer on a contributor's fork).</summary>
    public void DenyStatuses(string project)
    {
        lock (gate)
        {
            statusDenied.Add(project);
        }
    }

    public void AddUser(string username, string token)
    {
        lock (gate)
        {
            usersByToken[token] = username;
        }
    }

    public FakeGitLabProject AddProject(string path, string bareRepositoryPath, string defaultBranch = "main")
    {
        lock (gate)
        {
            var project = new FakeGitLabProject(++nextId, path, bareRepositoryPath, defaultBranch);
            projects.Add(project);
            return project;
        }
    }

    /// <summary>Opens a merge request directly (as a contributor would in the web UI).</summary>
    public FakeGitLabMergeRequest OpenMergeRequest(string project, string sourceBranch, string targetBranch, string title, string description, string author, string? sourceProject = null)
    {
        lock (gate)
        {
            var target = Project(project)!;
            var source = sourceProject is null ? target : Project(sourceProject)!;
            var mr = new FakeGitLabMergeRequest(++nextId, NextIid(target), target.Id, source.Id, sourceBranch, targetBranch, author)
            {
                Title = title,
                Description = description,
            };
            mergeRequests.Add(mr);
            return mr;
        }
    }

    public IReadOnlyList<FakeGitLabMergeRequest> MergeRequests(string project)
    {
        lock (gate)
        {
            var p = Project(project)!;
            return [.. mergeRequests.Where(m => m.TargetProjectId == p.Id)];
        }
    }

    public IReadOnlyList<FakeGitLabNote> Notes(string project, int iid)
    {
        lock (gate)
        {
            var p = Project(project)!;
            return [.. notes.Where(n => n.ProjectId == p.Id && n.Iid == iid)];
        }
    }

    /// <summary>Every status ever posted (a status history), oldest first.</summary>
    public IReadOnlyList<FakeGitLabStatus> Statuses(string project)
    {
        lock (gate)
        {
            var p = Project(project)!;
            return [.. statuses.Where(s => s.ProjectId == p.Id)];
        }
    }

    public IReadOnlyList<FakeGitLabPipeline> Pipelines(string project, int iid)
    {
        lock (gate)
        {
            var p = Project(project)!;
            return [.. pipelines.Where(x => x.ProjectId == p.Id && x.Iid == iid)];
        }
    }

    /// <summary>The pipelines of a project that no merge request owns (branch pipelines, those created through the API).</summary>
    public IReadOnlyList<FakeGitLabPipeline> ProjectPipelines(string project)
    {
        lock (gate)
        {
            var p = Project(project)!;
            return [.. pipelines.Where(x => x.ProjectId == p.Id && x.Iid == 0)];
        }
    }

    /// <summary>Adds a pipeline run for a merge request (as GitLab does on push) with the given status.</summary>
    public FakeGitLabPipeline AddPipeline(string project, int iid, string status)
    {
        lock (gate)
        {
            var p = Project(project)!;
            var mr = mergeRequests.Single(m => m.TargetProjectId == p.Id && m.Iid == iid);
            var pipeline = new FakeGitLabPipeline(++nextId, p.Id, iid, Head(mr) ?? "", "api") { Status = status };
            pipelines.Add(pipeline);
            return pipeline;
        }
    }

    /// <summary>Adds a job to a pipeline; its artifacts are then served by <c>GET projects/:id/jobs/:job_id/artifacts/*path</c>.</summary>
    public FakeGitLabJob AddJob(FakeGitLabPipeline pipeline, string name, string status, IReadOnlyDictionary<string, byte[]>? artifacts = null)
    {
        lock (gate)
        {
            var job = new FakeGitLabJob(++nextId, name, status);
            foreach (var (path, bytes) in artifacts ?? new Dictionary<string, byte[]>())
            {
                job.Artifacts[path] = bytes;
            }

            pipeline.Jobs.Add(job);
            return job;
        }
    }

    /// <summary>Adds a running pipeline of the project that no merge request owns (a branch or merge-train pipeline).</summary>
    public FakeGitLabPipeline AddProjectPipeline(string project, string status = "running")
    {
        lock (gate)
        {
            var p = Project(project)!;
            var pipeline = new FakeGitLabPipeline(++nextId, p.Id, 0, "", "push") { Status = status };
            pipelines.Add(pipeline);
            return pipeline;
        }
    }

    public int RequestCount { get; private set; }

    protected override void MapRoutes(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            (int Status, string? RetryAfter)? failure = null;
            lock (gate)
            {
                RequestCount++;
                if (injectedFailures.Count > 0)
                {
                    failure = injectedFailures.Dequeue();
                }
            }

            if (failure is { } f)
            {
                if (f.RetryAfter is not null)
                {
                    context.Response.Headers.RetryAfter = f.RetryAfter;
                }

                await Results.Json(new { message = $"{f.Status} injected failure" }, statusCode: f.Status).ExecuteAsync(context);
                return;
            }

            if (User(context) is null)
            {
                await Results.Json(new { message = "401 Unauthorized" }, statusCode: 401).ExecuteAsync(context);
                return;
            }

            await next(context);
        });

        var api = app.MapGroup("/api/v4");
        api.MapGet("/user", (HttpContext c) => Results.Json(new { id = 1, username = User(c) }));
        api.MapGet("/projects/{id}", (string id) => WithProject(id, p => Results.Json(ProjectJson(p))));
        api.MapGet("/projects/{id}/merge_requests", (string id, HttpContext c) => WithProject(id, p => ListMergeRequests(p, c)));
        api.MapPost("/projects/{id}/merge_requests", async (string id, HttpContext c) =>
        {
            var body = await Body(c);
            return WithProject(id, p => CreateMergeRequest(p, body, User(c)!));
        });
        api.MapGet("/projects/{id}/merge_requests/{iid:int}", (string id, int iid) => WithMergeRequest(id, iid, (p, m) => Results.Json(MergeRequestJson(p, m))));
        api.MapPut("/projects/{id}/merge_requests/{iid:int}", async (string id, int iid, HttpContext c) =>
        {
            var body = await Body(c);
            return WithMergeRequest(id, iid, (p, m) => UpdateMergeRequest(p, m, body));
        });
        api.MapGet("/projects/{id}/merge_requests/{iid:int}/commits", (string id, int iid, HttpContext c) => WithMergeRequest(id, iid, (p, m) =>
            Paged(c, [.. FakeGit.Commits(projects.First(x => x.Id == m.SourceProjectId).RepositoryPath, m.TargetBranch, m.SourceBranch).Select(x => (object)new { id = x.Sha, message = x.Message, title = x.Message.Split('\n')[0] })])));
        api.MapGet("/projects/{id}/merge_requests/{iid:int}/notes", (string id, int iid, HttpContext c) => WithMergeRequest(id, iid, (p, m) =>
            Paged(c, [.. notes.Where(n => n.ProjectId == p.Id && n.Iid == iid).OrderBy(n => n.Id).Select(NoteJson)])));
        api.MapPost("/projects/{id}/merge_requests/{iid:int}/notes", async (string id, int iid, HttpContext c) =>
        {
            var body = await Body(c);
            return WithMergeRequest(id, iid, (p, m) =>
            {
                if (body?["body"]?.GetValue<string>() is not { Length: > 0 } text)
                {
                    return Results.Json(new { message = "400 Bad request - body is missing" }, statusCode: 400);
                }

                var note = new FakeGitLabNote(++nextId, p.Id, iid, User(c)!) { Body = text };
                notes.Add(note);
                return Results.Json(NoteJson(note), statusCode: 201);
            });
        });
        api.MapPut("/projects/{id}/merge_requests/{iid:int}/notes/{noteId:long}", async (string id, int iid, long noteId, HttpContext c) =>
        {
            var body = await Body(c);
            return WithMergeRequest(id, iid, (p, m) =>
            {
                var note = notes.FirstOrDefault(n => n.Id == noteId && n.ProjectId == p.Id && n.Iid == iid);
                if (note is null)
                {
                    return Results.Json(new { message = "404 Not found" }, statusCode: 404);
                }

                if (note.Author != User(c))
                {
                    return Results.Json(new { message = "403 Forbidden" }, statusCode: 403);
                }

                note.Body = body?["body"]?.GetValue<string>() ?? note.Body;
                return Results.Json(NoteJson(note));
            });
        });
        api.MapDelete("/projects/{id}/merge_requests/{iid:int}/notes/{noteId:long}", (string id, int iid, long noteId, HttpContext c) => WithMergeRequest(id, iid, (p, m) =>
        {
            var note = notes.FirstOrDefault(n => n.Id == noteId && n.ProjectId == p.Id && n.Iid == iid);
            if (note is null)
            {
                return Results.Json(new { message = "404 Not found" }, statusCode: 404);
            }

            notes.Remove(note);
            return Results.NoContent();
        }));
        api.MapGet("/projects/{id}/merge_requests/{iid:int}/pipelines", (string id, int iid, HttpContext c) => WithMergeRequest(id, iid, (p, m) =>
            Paged(c, [.. pipelines.Where(x => x.ProjectId == p.Id && x.Iid == iid).OrderByDescending(x => x.Id).Select(x => PipelineJson(p, x))])));
        api.MapPost("/projects/{id}/merge_requests/{iid:int}/pipelines", (string id, int iid) => WithMergeRequest(id, iid, (p, m) =>
        {
            var pipeline = new FakeGitLabPipeline(++nextId, p.Id, iid, Head(m) ?? "", "merge_request_event") { Status = "created" };
            pipelines.Add(pipeline);
            return Results.Json(PipelineJson(p, pipeline), statusCode: 201);
        }));
        // POST projects/:id/pipeline?ref=REF: a new pipeline of a branch or tag (GitLab's "Create a new pipeline"); an
        // unknown ref is 400 {"message": {"base": ["Reference not found"]}}.
        api.MapPost("/projects/{id}/pipeline", (string id, HttpContext c) => WithProject(id, p =>
        {
            var reference = c.Request.Query["ref"].FirstOrDefault();
            if (string.IsNullOrEmpty(reference))
            {
                return Results.Json(new { error = "ref is missing" }, statusCode: 400);
            }

            if (FakeGit.ResolveBranch(p.RepositoryPath, reference) is not { } sha)
            {
                return Results.Json(new { message = new { @base = new[] { "Reference not found" } } }, statusCode: 400);
            }

            var pipeline = new FakeGitLabPipeline(++nextId, p.Id, 0, sha, "api") { Status = "created", Ref = reference };
            pipelines.Add(pipeline);
            return Results.Json(PipelineJson(p, pipeline), statusCode: 201);
        }));
        api.MapGet("/projects/{id}/pipelines/{pipelineId:long}", (string id, long pipelineId) => WithProject(id, p =>
            pipelines.FirstOrDefault(x => x.ProjectId == p.Id && x.Id == pipelineId) is { } pipeline
                ? Results.Json(PipelineJson(p, pipeline))
                : Results.Json(new { message = "404 Not found" }, statusCode: 404)));
        api.MapGet("/projects/{id}/pipelines/{pipelineId:long}/jobs", (string id, long pipelineId, HttpContext c) => WithProject(id, p =>
        {
            if (pipelines.FirstOrDefault(x => x.ProjectId == p.Id && x.Id == pipelineId) is not { } pipeline)
            {
                return Results.Json(new { message = "404 Not found" }, statusCode: 404);
            }

            // scope[]=success (repeatable) keeps jobs of those statuses, as GitLab does.
            var scopes = c.Request.Query["scope[]"].Where(v => v is not null).Select(v => v!).ToHashSet(StringComparer.Ordinal);
            return Paged(c, [.. pipeline.Jobs.Where(j => scopes.Count == 0 || scopes.Contains(j.Status)).OrderByDescending(j => j.Id)
                .Select(j => (object)new { id = j.Id, name = j.Name, status = j.Status, pipeline = new { id = pipeline.Id, @ref = pipeline.Ref, sha = pipeline.Sha } })]);
        }));
        api.MapGet("/projects/{id}/jobs/{jobId:long}/artifacts/{**path}", (string id, long jobId, string path) => WithProject(id, p =>
        {
            var job = pipelines.Where(x => x.ProjectId == p.Id).SelectMany(x => x.Jobs).FirstOrDefault(j => j.Id == jobId);
            return job is not null && job.Artifacts.TryGetValue(path, out var bytes)
                ? Results.Bytes(bytes, "application/octet-stream")
                : Results.Json(new { message = "404 Not found" }, statusCode: 404);
        }));
        api.MapGet("/projects/{id}/repository/commits/{sha}/merge_requests", (string id, string sha, HttpContext c) => WithProject(id, p =>
            Paged(c, [.. mergeRequests.Where(m => m.TargetProjectId == p.Id && (m.MergeCommitSha == sha || Head(m) == sha)).OrderByDescending(m => m.Iid).Select(m => MergeRequestJson(p, m))])));
        api.MapPost("/projects/{id}/pipelines/{pipelineId:long}/cancel", (string id, long pipelineId) => WithProject(id, p =>
        {
            // GitLab cancels the running jobs and answers the pipeline; a finished pipeline keeps its status.
            if (pipelines.FirstOrDefault(x => x.ProjectId == p.Id && x.Id == pipelineId) is not { } pipeline)
            {
                return Results.Json(new { message = "404 Not found" }, statusCode: 404);
            }

            if (pipeline.Status is "created" or "waiting_for_resource" or "preparing" or "pending" or "running" or "scheduled")
            {
                pipeline.Status = "canceled";
                pipeline.CanceledAt = DateTimeOffset.UtcNow;
            }

            return Results.Json(PipelineJson(p, pipeline), statusCode: 201);
        }));
        api.MapPost("/projects/{id}/statuses/{sha}", async (string id, string sha, HttpContext c) =>
        {
            var body = await Body(c);
            return WithProject(id, p => SetStatus(p, sha, body));
        });
    }

    private IResult ListMergeRequests(FakeGitLabProject p, HttpContext c)
    {
        var q = c.Request.Query;
        var state = q["state"].FirstOrDefault() ?? "all";
        var found = mergeRequests.Where(m => m.TargetProjectId == p.Id)
            .Where(m => state == "all" || m.State == state)
            .Where(m => q["source_branch"].FirstOrDefault() is not { } b || m.SourceBranch == b)
            .Where(m => q["target_branch"].FirstOrDefault() is not { } b || m.TargetBranch == b)
            .Where(m => q["author_username"].FirstOrDefault() is not { } a || m.Author == a)
            .OrderByDescending(m => m.Id)
            .Select(m => MergeRequestJson(p, m))
            .ToList();
        return Paged(c, found);
    }

    private IResult CreateMergeRequest(FakeGitLabProject p, JsonNode? body, string user)
    {
        // Created on the project that owns the source branch; target_project_id aims it at another project (a fork's parent).
        var targetProject = p;
        if (body?["target_project_id"] is { } targetId)
        {
            targetProject = projects.FirstOrDefault(x => x.Id == targetId.GetValue<long>())
                ?? throw new InvalidOperationException("unknown target_project_id");
        }

        var source = body?["source_branch"]?.GetValue<string>();
        var target = body?["target_branch"]?.GetValue<string>();
        var title = body?["title"]?.GetValue<string>();
        if (source is null || target is null || title is null)
        {
            return Results.Json(new { error = "source_branch, target_branch, title are missing" }, statusCode: 400);
        }

        if (FakeGit.ResolveBranch(p.RepositoryPath, source) is null)
        {
            return Results.Json(new { message = new[] { $"Source branch \"{source}\" does not exist" } }, statusCode: 400);
        }

        if (FakeGit.ResolveBranch(targetProject.RepositoryPath, target) is null)
        {
            return Results.Json(new { message = new[] { $"Target branch \"{target}\" does not exist" } }, statusCode: 400);
        }

        if (mergeRequests.FirstOrDefault(m => m.TargetProjectId == targetProject.Id && m.SourceProjectId == p.Id && m.SourceBranch == source && m.TargetBranch == target && m.State == "opened") is { } existing)
        {
            return Results.Json(new { message = new[] { $"Another open merge request already exists for this source branch: !{existing.Iid}" } }, statusCode: 409);
        }

        var mr = new FakeGitLabMergeRequest(++nextId, NextIid(targetProject), targetProject.Id, p.Id, source, target, user)
        {
            Title = title,
            Description = body?["description"]?.GetValue<string>() ?? "",
        };
        mergeRequests.Add(mr);
        // A merge request pipeline starts on creation, as with `rules: if: merge_request_event`.
        pipelines.Add(new FakeGitLabPipeline(++nextId, targetProject.Id, mr.Iid, Head(mr) ?? "", "merge_request_event") { Status = "created" });
        return Results.Json(MergeRequestJson(targetProject, mr), statusCode: 201);
    }

    private IResult UpdateMergeRequest(FakeGitLabProject p, FakeGitLabMergeRequest m, JsonNode? body)
    {
        if (body?["title"]?.GetValue<string>() is { } title)
        {
            m.Title = title;
        }

        if (body?["description"]?.GetValue<string>() is { } description)
        {
            m.Description = description;
        }

        switch (body?["state_event"]?.GetValue<string>())
        {
            case "close" when m.State == "opened":
                m.State = "closed";
                break;
            case "reopen" when m.State == "closed":
                if (mergeRequests.Any(o => o != m && o.TargetProjectId == p.Id && o.SourceBranch == m.SourceBranch && o.TargetBranch == m.TargetBranch && o.State == "opened"))
                {
                    return Results.Json(new { message = new[] { "Another open merge request already exists for this source branch" } }, statusCode: 409);
                }

                m.State = "opened";
                break;
            default:
                break;
        }

        return Results.Json(MergeRequestJson(p, m));
    }

    private IResult SetStatus(FakeGitLabProject p, string sha, JsonNode? body)
    {
        if (statusDenied.Contains(p.Path))
        {
            return Results.Json(new { message = "403 Forbidden" }, statusCode: 403);
        }

        var state = body?["state"]?.GetValue<string>();
        string[] valid = ["pending", "running", "success", "failed", "canceled", "skipped"];
        if (state is null || !valid.Contains(state))
        {
            return Results.Json(new { error = "state does not have a valid value" }, statusCode: 400);
        }

        var name = body?["name"]?.GetValue<string>() ?? body?["context"]?.GetValue<string>() ?? "default";
        var current = statuses.LastOrDefault(s => s.ProjectId == p.Id && s.Sha == sha && s.Name == name);
        if (current is not null && current.State == state)
        {
            var transition = state switch { "pending" => "enqueue", "running" => "run", "success" => "succeed", "failed" => "drop", "canceled" => "cancel", _ => "skip" };
            return Results.Json(new { message = $"Cannot transition status via :{transition} from :{state}" }, statusCode: 400);
        }

        var status = new FakeGitLabStatus(++nextId, p.Id, sha, name, state, body?["target_url"]?.GetValue<string>(), body?["description"]?.GetValue<string>());
        statuses.Add(status);
        return Results.Json(new { id = status.Id, sha, name, status = state, target_url = status.TargetUrl, description = status.Description }, statusCode: 201);
    }

    private IResult WithProject(string id, Func<FakeGitLabProject, IResult> action)
    {
        lock (gate)
        {
            return Project(Uri.UnescapeDataString(id)) is { } p ? action(p) : Results.Json(new { message = "404 Project Not Found" }, statusCode: 404);
        }
    }

    private IResult WithMergeRequest(string id, int iid, Func<FakeGitLabProject, FakeGitLabMergeRequest, IResult> action) =>
        WithProject(id, p => mergeRequests.FirstOrDefault(m => m.TargetProjectId == p.Id && m.Iid == iid) is { } m
            ? action(p, m)
            : Results.Json(new { message = "404 Not found" }, statusCode: 404));

    private FakeGitLabProject? Project(string idOrPath) =>
        long.TryParse(idOrPath, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric)
            ? projects.FirstOrDefault(p => p.Id == numeric)
            : projects.FirstOrDefault(p => p.Path == idOrPath);

    private int NextIid(FakeGitLabProject p) => mergeRequests.Count(m => m.TargetProjectId == p.Id) + 1;

    private string? Head(FakeGitLabMergeRequest m) =>
        projects.FirstOrDefault(p => p.Id == m.SourceProjectId) is { } source ? FakeGit.ResolveBranch(source.RepositoryPath, m.SourceBranch) : null;

    private string? User(HttpContext context)
    {
        var token = context.Request.Headers["PRIVATE-TOKEN"].FirstOrDefault();
        if (token is null && context.Request.Headers.Authorization.FirstOrDefault() is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            token = auth["Bearer ".Length..];
        }

        lock (gate)
        {
            return token is not null && usersByToken.TryGetValue(token, out var user) ? user : null;
        }
    }

    private object ProjectJson(FakeGitLabProject p) => new
    {
        id = p.Id,
        path_with_namespace = p.Path,
        http_url_to_repo = new Uri(p.RepositoryPath).AbsoluteUri,
        web_url = $"{BaseUrl}/{p.Path}",
        default_branch = p.DefaultBranch,
    };

    private object MergeRequestJson(FakeGitLabProject p, FakeGitLabMergeRequest m) => new
    {
        id = m.Id,
        iid = m.Iid,
        state = m.State,
        title = m.Title,
        description = m.Description,
        source_branch = m.SourceBranch,
        target_branch = m.TargetBranch,
        source_project_id = m.SourceProjectId,
        target_project_id = m.TargetProjectId,
        sha = Head(m),
        merge_commit_sha = m.MergeCommitSha,
        author = new { id = 1, username = m.Author },
        web_url = $"{BaseUrl}/{p.Path}/-/merge_requests/{m.Iid}",
    };

    private static object NoteJson(FakeGitLabNote n) => new { id = n.Id, body = n.Body, author = new { id = 1, username = n.Author }, system = false };

    private object PipelineJson(FakeGitLabProject p, FakeGitLabPipeline x) => new
    {
        id = x.Id,
        status = x.Status,
        sha = x.Sha,
        @ref = x.Ref,
        source = x.Source,
        web_url = $"{BaseUrl}/{p.Path}/-/pipelines/{x.Id}",
    };

    private static IResult Paged(HttpContext c, IReadOnlyList<object> items)
    {
        var perPage = int.TryParse(c.Request.Query["per_page"], CultureInfo.InvariantCulture, out var pp) ? Math.Clamp(pp, 1, 100) : 20;
        var page = int.TryParse(c.Request.Query["page"], CultureInfo.InvariantCulture, out var pg) ? Math.Max(pg, 1) : 1;
        if (page * perPage < items.Count)
        {
            c.Response.Headers["X-Next-Page"] = (page + 1).ToString(CultureInfo.InvariantCulture);
        }

        return Results.Json(items.Skip((page - 1) * perPage).Take(perPage).ToList());
    }

    private static async Task<JsonNode?> Body(HttpContext c)
    {
        if (c.Request.ContentLength is 0 or null && !c.Request.Headers.TransferEncoding.Any())
        {
            return null;
        }

        try
        {
            return await JsonNode.ParseAsync(c.Request.Body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public sealed record FakeGitLabProject(long Id, string Path, string RepositoryPath, string DefaultBranch);

public sealed class FakeGitLabMergeRequest(long id, int iid, long targetProjectId, long sourceProjectId, string sourceBranch, string targetBranch, string author)
{
    public long Id { get; } = id;

    public int Iid { get; } = iid;

    public long TargetProjectId { get; } = targetProjectId;

    public long SourceProjectId { get; } = sourceProjectId;

    public string SourceBranch { get; } = sourceBranch;

    public string TargetBranch { get; } = targetBranch;

    public string Author { get; } = author;

    public string Title { get; set; } = "";

    public string Description { get; set; } = "";

    /// <summary>opened, closed or merged; tests set it to simulate a merge or a close in the web UI.</summary>
    public string State { get; set; } = "opened";

    /// <summary>The commit that merged it (GitLab's <c>merge_commit_sha</c>), set by a test that merges it.</summary>
    public string? MergeCommitSha { get; set; }
}

public sealed class FakeGitLabNote(long id, long projectId, int iid, string author)
{
    public long Id { get; } = id;

    public long ProjectId { get; } = projectId;

    public int Iid { get; } = iid;

    public string Author { get; } = author;

    public string Body { get; set; } = "";
}

public sealed record FakeGitLabStatus(long Id, long ProjectId, string Sha, string Name, string State, string? TargetUrl, string? Description);

/// <summary>A job of a pipeline with its artifacts archive, as files by path.</summary>
public sealed class FakeGitLabJob(long id, string name, string status)
{
    public long Id { get; } = id;

    public string Name { get; } = name;

    public string Status { get; set; } = status;

    public Dictionary<string, byte[]> Artifacts { get; } = new(StringComparer.Ordinal);
}

public sealed class FakeGitLabPipeline(long id, long projectId, int iid, string sha, string source)
{
    public long Id { get; } = id;

    public long ProjectId { get; } = projectId;

    public int Iid { get; } = iid;

    public string Sha { get; } = sha;

    public string Source { get; } = source;

    public string Status { get; set; } = "created";

    /// <summary>The pipeline's ref: a merge request's pipelines run on <c>refs/merge-requests/IID/head</c>, merged results
    /// pipelines on <c>…/merge</c>, merge trains on <c>…/train</c>.</summary>
    public string Ref { get; set; } = iid > 0 ? $"refs/merge-requests/{iid}/head" : "main";

    /// <summary>The pipeline's jobs.</summary>
    public List<FakeGitLabJob> Jobs { get; } = [];

    /// <summary>When the cancel request arrived (null: never canceled).</summary>
    public DateTimeOffset? CanceledAt { get; set; }
}
