using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CiJobs.Fakes.Zuul;

/// <summary>
/// A fake zuul-web answering the builds endpoint as Zuul does (docs/manual/build-once.md, "Zuul's builds API"):
/// <c>GET /api/tenant/{tenant}/builds</c> filtered by <c>project</c>, <c>change</c>, <c>patchset</c>, <c>pipeline</c>,
/// <c>job_name</c> and <c>result</c>, newest first, at most <c>limit</c>; each build with <c>uuid</c>, <c>job_name</c>,
/// <c>result</c>, <c>log_url</c>, <c>pipeline</c>, <c>ref</c> and <c>artifacts</c> (<c>name</c>, <c>url</c>,
/// <c>metadata</c>). It also serves a log server: <c>GET /logs/PATH</c> from a folder. Unknown tenant: 404.
/// </summary>
public sealed class FakeZuulBuilds(string tenant, string logRoot) : FakeServer
{
    private readonly object gate = new();
    private readonly List<JsonObject> builds = [];
    private int failures;

    public int RequestCount { get; private set; }

    /// <summary>The log URL of a build whose logs are in <c>logRoot/path</c>.</summary>
    public string LogUrl(string path) => $"{BaseUrl}/logs/{path.Trim('/')}/";

    /// <summary>The next <paramref name="count"/> builds requests answer HTTP 500.</summary>
    public void FailNext(int count)
    {
        lock (gate)
        {
            failures = count;
        }
    }

    /// <summary>Records a finished build (newer than every earlier one) with its artifacts.</summary>
    public void AddBuild(string uuid, string project, int change, int patchset, string pipeline, string jobName, string result, string logUrl, params JsonObject[] artifacts)
    {
        lock (gate)
        {
            var list = new JsonArray();
            foreach (var artifact in artifacts)
            {
                list.Add(artifact);
            }

            builds.Add(new JsonObject
            {
                ["_id"] = builds.Count + 1,
                ["uuid"] = uuid,
                ["job_name"] = jobName,
                ["result"] = result,
                ["log_url"] = logUrl,
                ["pipeline"] = pipeline,
                ["final"] = true,
                ["artifacts"] = list,
                ["provides"] = new JsonArray(),
                ["ref"] = new JsonObject
                {
                    ["project"] = project,
                    ["change"] = change,
                    ["patchset"] = patchset.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["ref"] = $"refs/changes/{change % 100:00}/{change}/{patchset}",
                },
                ["buildset"] = new JsonObject { ["uuid"] = Guid.NewGuid().ToString("N") },
            });
        }
    }

    protected override void MapRoutes(WebApplication app)
    {
        app.MapGet("/api/tenant/{name}/builds", (string name, HttpContext context) =>
        {
            lock (gate)
            {
                RequestCount++;
                if (failures > 0)
                {
                    failures--;
                    return Results.Json(new JsonObject { ["description"] = "Internal Server Error" }, statusCode: 500);
                }

                if (name != tenant)
                {
                    return Results.Json(new JsonObject { ["description"] = $"Tenant {name} does not exist." }, statusCode: 404);
                }

                var query = context.Request.Query;
                bool Matches(JsonObject build) =>
                    Equal(query["project"], (string?)build["ref"]!["project"])
                    && Equal(query["change"], build["ref"]!["change"]!.ToString())
                    && Equal(query["patchset"], (string?)build["ref"]!["patchset"])
                    && Equal(query["pipeline"], (string?)build["pipeline"])
                    && Equal(query["job_name"], (string?)build["job_name"])
                    && Equal(query["result"], (string?)build["result"]);
                var limit = int.TryParse(query["limit"], out var l) ? l : 50;
                var found = new JsonArray();
                foreach (var build in builds.Where(Matches).Reverse().Take(limit))
                {
                    found.Add(build.DeepClone());
                }

                return Results.Text(found.ToJsonString(), "application/json");
            }
        });
        app.MapGet("/logs/{**path}", (string path) =>
        {
            var full = Path.GetFullPath(Path.Combine(logRoot, path));
            return full.StartsWith(Path.GetFullPath(logRoot) + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(full)
                ? Results.File(full, "application/octet-stream")
                : Results.NotFound();
        });
    }

    private static bool Equal(Microsoft.Extensions.Primitives.StringValues wanted, string? value) =>
        wanted.Count == 0 || wanted[0] == value;
}
