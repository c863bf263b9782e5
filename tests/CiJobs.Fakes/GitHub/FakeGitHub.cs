using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CiJobs.Fakes.GitHub;

/// <summary>
/// A fake GitHub REST API (the subset of <c>docs/contracts/forges.md</c> (GitHub) that Octokit calls for pull requests,
/// issue comments and commit statuses), served at the root of <see cref="FakeServer.BaseUrl"/>.
/// Git: every repository is a local bare repository given to <see cref="AddRepository"/>, reported as <c>clone_url</c>
/// (a file URL); pull request heads are read from it. Auth: <c>Authorization: token|Bearer</c> with a known token, else 401
/// "Bad credentials". Contract kept: 422 "A pull request already exists" for a second open PR of the same head and base.
/// </summary>
public sealed class FakeGitHub : FakeServer
{
    private readonly object gate = new();
    private readonly Dictionary<string, string> usersByToken = [];
    private readonly Dictionary<string, string> repositories = [];
    private readonly List<FakeGitHubPull> pulls = [];
    private readonly List<FakeGitHubComment> comments = [];
    private readonly List<FakeGitHubStatus> statuses = [];
    private long nextId = 5000;

    public void AddUser(string login, string token)
    {
        lock (gate)
        {
            usersByToken[token] = login;
        }
    }

    public void AddRepository(string fullName, string bareRepositoryPath)
    {
        lock (gate)
        {
            repositories[fullName] = bareRepositoryPath;
        }
    }

    public FakeGitHubPull OpenPull(string repository, string head, string baseRef, string title, string body, string author)
    {
        lock (gate)
        {
            var pull = new FakeGitHubPull(++nextId, pulls.Count(p => p.Repository == repository) + 1, repository, head, baseRef, author) { Title = title, Body = body };
            pulls.Add(pull);
            return pull;
        }
    }

    public IReadOnlyList<FakeGitHubPull> Pulls(string repository)
    {
        lock (gate)
        {
            return [.. pulls.Where(p => p.Repository == repository)];
        }
    }

    public IReadOnlyList<FakeGitHubComment> Comments(string repository, int number)
    {
        lock (gate)
        {
            return [.. comments.Where(c => c.Repository == repository && c.Number == number)];
        }
    }

    public IReadOnlyList<FakeGitHubStatus> Statuses(string repository)
    {
        lock (gate)
        {
            return [.. statuses.Where(s => s.Repository == repository)];
        }
    }

    protected override void MapRoutes(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (User(context) is null)
            {
                await Results.Json(new { message = "Bad credentials" }, statusCode: 401).ExecuteAsync(context);
                return;
            }

            await next(context);
        });
        app.MapGet("/user", (HttpContext c) => Results.Json(new { id = 1, login = User(c), type = "User", site_admin = false, created_at = "2008-01-14T04:33:35Z", plan = new { name = "pro", space = 400, private_repos = 20, collaborators = 0 } }));
        app.MapGet("/repos/{owner}/{name}", (string owner, string name) => WithRepo(owner, name, (repo, path) => Results.Json(RepoJson(repo, path))));
        app.MapGet("/repos/{owner}/{name}/pulls", (string owner, string name, HttpContext c) => WithRepo(owner, name, (repo, _) =>
        {
            var q = c.Request.Query;
            var state = q["state"].FirstOrDefault() ?? "open";
            var head = q["head"].FirstOrDefault();
            var found = pulls.Where(p => p.Repository == repo)
                .Where(p => state == "all" || (state == "open" ? p.State == "open" : p.State == "closed"))
                .Where(p => head is null || $"{repo.Split('/')[0]}:{p.Head}" == head)
                .Where(p => q["base"].FirstOrDefault() is not { } b || p.Base == b)
                .OrderByDescending(p => p.Number)
                .Select(p => PullJson(p))
                .ToList();
            return Results.Json(found);
        }));
        app.MapPost("/repos/{owner}/{name}/pulls", async (string owner, string name, HttpContext c) =>
        {
            var body = await JsonNode.ParseAsync(c.Request.Body);
            return WithRepo(owner, name, (repo, path) =>
            {
                var head = body?["head"]?.GetValue<string>() ?? "";
                var baseRef = body?["base"]?.GetValue<string>() ?? "";
                if (FakeGit.ResolveBranch(path, head) is null)
                {
                    return Validation("PullRequest", "invalid", $"head: {head} does not exist");
                }

                if (pulls.Any(p => p.Repository == repo && p.Head == head && p.Base == baseRef && p.State == "open"))
                {
                    return Validation("PullRequest", "custom", $"A pull request already exists for {owner}:{head}.");
                }

                var pull = new FakeGitHubPull(++nextId, pulls.Count(p => p.Repository == repo) + 1, repo, head, baseRef, User(c)!)
                {
                    Title = body?["title"]?.GetValue<string>() ?? "",
                    Body = body?["body"]?.GetValue<string>() ?? "",
                };
                pulls.Add(pull);
                return Results.Json(PullJson(pull), statusCode: 201);
            });
        });
        app.MapGet("/repos/{owner}/{name}/pulls/{number:int}", (string owner, string name, int number) => WithPull(owner, name, number, p => Results.Json(PullJson(p))));
        app.MapPatch("/repos/{owner}/{name}/pulls/{number:int}", async (string owner, string name, int number, HttpContext c) =>
        {
            var body = await JsonNode.ParseAsync(c.Request.Body);
            return WithPull(owner, name, number, p =>
            {
                p.Title = body?["title"]?.GetValue<string>() ?? p.Title;
                p.Body = body?["body"]?.GetValue<string>() ?? p.Body;
                if (body?["state"]?.GetValue<string>() is { } state && !p.Merged)
                {
                    p.State = state;
                }

                return Results.Json(PullJson(p));
            });
        });
        app.MapGet("/repos/{owner}/{name}/pulls/{number:int}/commits", (string owner, string name, int number) => WithPull(owner, name, number, p =>
            Results.Json(FakeGit.Commits(repositories[p.Repository], p.Base, p.Head).Reverse().Select(x => new { sha = x.Sha, commit = new { message = x.Message, verification = new { verified = false, reason = "unsigned" }, author = new { name = "a", email = "a@b", date = "2011-04-14T16:00:49Z" } }, parents = new[] { new { sha = x.Sha } } }).ToList())));
        app.MapGet("/repos/{owner}/{name}/issues/{number:int}/comments", (string owner, string name, int number) => WithPull(owner, name, number, p =>
            Results.Json(comments.Where(x => x.Repository == p.Repository && x.Number == number).OrderBy(x => x.Id).Select(CommentJson).ToList())));
        app.MapPost("/repos/{owner}/{name}/issues/{number:int}/comments", async (string owner, string name, int number, HttpContext c) =>
        {
            var body = await JsonNode.ParseAsync(c.Request.Body);
            return WithPull(owner, name, number, p =>
            {
                var comment = new FakeGitHubComment(++nextId, p.Repository, number, User(c)!) { Body = body?["body"]?.GetValue<string>() ?? "" };
                comments.Add(comment);
                return Results.Json(CommentJson(comment), statusCode: 201);
            });
        });
        app.MapMethods("/repos/{owner}/{name}/issues/comments/{id:long}", ["PATCH", "DELETE"], async (string owner, string name, long id, HttpContext c) =>
        {
            var body = c.Request.Method == "PATCH" ? await JsonNode.ParseAsync(c.Request.Body) : null;
            return WithRepo(owner, name, (repo, _) =>
            {
                var comment = comments.FirstOrDefault(x => x.Id == id && x.Repository == repo);
                if (comment is null)
                {
                    return Results.Json(new { message = "Not Found" }, statusCode: 404);
                }

                if (c.Request.Method == "DELETE")
                {
                    comments.Remove(comment);
                    return Results.NoContent();
                }

                comment.Body = body?["body"]?.GetValue<string>() ?? comment.Body;
                return Results.Json(CommentJson(comment));
            });
        });
        app.MapPost("/repos/{owner}/{name}/statuses/{sha}", async (string owner, string name, string sha, HttpContext c) =>
        {
            var body = await JsonNode.ParseAsync(c.Request.Body);
            return WithRepo(owner, name, (repo, _) =>
            {
                var state = body?["state"]?.GetValue<string>();
                if (state is not ("pending" or "success" or "failure" or "error"))
                {
                    return Validation("Status", "invalid", "state is not included in the list");
                }

                var status = new FakeGitHubStatus(++nextId, repo, sha, body?["context"]?.GetValue<string>() ?? "default", state, body?["description"]?.GetValue<string>(), body?["target_url"]?.GetValue<string>());
                statuses.Add(status);
                return Results.Json(StatusJson(status), statusCode: 201);
            });
        });
        app.MapGet("/repos/{owner}/{name}/commits/{sha}/statuses", (string owner, string name, string sha) => WithRepo(owner, name, (repo, _) =>
            Results.Json(statuses.Where(s => s.Repository == repo && s.Sha == sha).OrderByDescending(s => s.Id).Select(StatusJson).ToList())));
    }

    private static IResult Validation(string resource, string code, string message) =>
        Results.Json(new { message = "Validation Failed", errors = new[] { new { resource, code, message } } }, statusCode: 422);

    private IResult WithRepo(string owner, string name, Func<string, string, IResult> action)
    {
        lock (gate)
        {
            var repo = $"{owner}/{name}";
            return repositories.TryGetValue(repo, out var path) ? action(repo, path) : Results.Json(new { message = "Not Found" }, statusCode: 404);
        }
    }

    private IResult WithPull(string owner, string name, int number, Func<FakeGitHubPull, IResult> action) =>
        WithRepo(owner, name, (repo, _) => pulls.FirstOrDefault(p => p.Repository == repo && p.Number == number) is { } p ? action(p) : Results.Json(new { message = "Not Found" }, statusCode: 404));

    private string? User(HttpContext context)
    {
        var auth = context.Request.Headers.Authorization.FirstOrDefault() ?? "";
        var space = auth.IndexOf(' ', StringComparison.Ordinal);
        var token = space > 0 ? auth[(space + 1)..] : null;
        lock (gate)
        {
            return token is not null && usersByToken.TryGetValue(token, out var user) ? user : null;
        }
    }

    private object RepoJson(string repo, string path) => new
    {
        id = Math.Abs(repo.GetHashCode(StringComparison.Ordinal)),
        name = repo.Split('/')[1],
        full_name = repo,
        owner = new { login = repo.Split('/')[0] },
        clone_url = new Uri(path).AbsoluteUri,
        html_url = $"{BaseUrl}/{repo}",
        default_branch = "main",
        topics = new[] { "rpm", "ci" },
        license = new { key = "mit", name = "MIT License", spdx_id = "MIT" },
        permissions = new { admin = true, push = true, pull = true, maintain = false, triage = false },
        visibility = "public",
        pushed_at = "2011-01-26T19:06:43Z",
        created_at = "2011-01-26T19:01:12Z",
        security_and_analysis = new { advanced_security = new { status = "enabled" } },
    };

    private object PullJson(FakeGitHubPull p) => new
    {
        id = p.Id,
        number = p.Number,
        state = p.State,
        merged = p.Merged,
        title = p.Title,
        body = p.Body,
        html_url = $"{BaseUrl}/{p.Repository}/pull/{p.Number}",
        user = new { login = p.Author },
        labels = new[] { new { id = 1, name = "bug", color = "f29513", @default = true } },
        assignees = new[] { new { login = "octocat", type = "User" } },
        requested_reviewers = new[] { new { login = "hubot", type = "Bot" } },
        requested_teams = new[] { new { id = 1, name = "t", slug = "t", privacy = "closed", permission = "admin" } },
        milestone = new { id = 1, number = 1, state = "open", title = "v1", created_at = "2011-04-10T20:09:31Z" },
        author_association = "OWNER",
        mergeable_state = "clean",
        mergeable = true,
        active_lock_reason = "too heated",
        locked = false,
        draft = false,
        created_at = "2011-01-26T19:01:12Z",
        updated_at = "2011-01-26T19:01:12Z",
        head = new { @ref = p.Head, sha = FakeGit.ResolveBranch(repositories[p.Repository], p.Head), label = $"{p.Repository.Split('/')[0]}:{p.Head}", repo = RepoJson(p.Repository, repositories[p.Repository]) },
        @base = new { @ref = p.Base, label = $"{p.Repository.Split('/')[0]}:{p.Base}", repo = RepoJson(p.Repository, repositories[p.Repository]) },
    };

    private object CommentJson(FakeGitHubComment c) => new { id = c.Id, body = c.Body, user = new { login = c.Author }, author_association = "COLLABORATOR", created_at = "2011-04-14T16:00:49Z", reactions = new { total_count = 1, heart = 1 }, html_url = $"{BaseUrl}/{c.Repository}/pull/{c.Number}#issuecomment-{c.Id.ToString(CultureInfo.InvariantCulture)}" };

    private static object StatusJson(FakeGitHubStatus s) => new { id = s.Id, state = s.State, context = s.Context, description = s.Description, target_url = s.TargetUrl, created_at = "2012-07-20T01:19:13Z", creator = new { login = "hubot", type = "Bot" } };
}

public sealed class FakeGitHubPull(long id, int number, string repository, string head, string baseRef, string author)
{
    public long Id { get; } = id;

    public int Number { get; } = number;

    public string Repository { get; } = repository;

    public string Head { get; } = head;

    public string Base { get; } = baseRef;

    public string Author { get; } = author;

    public string Title { get; set; } = "";

    public string Body { get; set; } = "";

    /// <summary>open or closed.</summary>
    public string State { get; set; } = "open";

    public bool Merged { get; set; }
}

public sealed class FakeGitHubComment(long id, string repository, int number, string author)
{
    public long Id { get; } = id;

    public string Repository { get; } = repository;

    public int Number { get; } = number;

    public string Author { get; } = author;

    public string Body { get; set; } = "";
}

public sealed record FakeGitHubStatus(long Id, string Repository, string Sha, string Context, string State, string? Description, string? TargetUrl);
