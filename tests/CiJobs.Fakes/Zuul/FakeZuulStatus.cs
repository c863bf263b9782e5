using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CiJobs.Fakes.Zuul;

/// <summary>
/// A fake Zuul web holding one tenant's queue items, answering the change-status endpoint the way zuul-web does
/// (docs/manual/systest.md, "Zuul's status API"): <c>GET /api/tenant/{tenant}/status/change/{number},{patchset}</c> is the
/// list of items with a ref of that id, each with <c>id</c>, <c>refs</c> and <c>jobs</c> (<c>name</c>, <c>uuid</c>,
/// <c>result</c>, <c>pre_fail</c>, ...). Unknown tenant: 404.
/// </summary>
public sealed class FakeZuulStatus(string tenant) : FakeServer
{
    private readonly object gate = new();
    private readonly List<JsonObject> items = [];

    public int RequestCount { get; private set; }

    /// <summary>Adds a queue item for <paramref name="change"/> (<c>N,P</c>) with the given jobs and their build UUIDs; returns its id.</summary>
    public string AddItem(string change, string project, params (string Name, string? Uuid)[] jobs)
    {
        lock (gate)
        {
            var id = Guid.NewGuid().ToString("N");
            var jobArray = new JsonArray();
            foreach (var (name, uuid) in jobs)
            {
                jobArray.Add(new JsonObject
                {
                    ["name"] = name,
                    ["dependencies"] = new JsonArray(),
                    ["uuid"] = uuid,
                    ["result"] = null,
                    ["voting"] = true,
                    ["pre_fail"] = false,
                    ["canceled"] = false,
                });
            }

            items.Add(new JsonObject
            {
                ["id"] = id,
                ["active"] = true,
                ["live"] = true,
                ["refs"] = new JsonArray(new JsonObject { ["id"] = change, ["project"] = project, ["ref"] = $"refs/changes/{change.Split(',')[0]}" }),
                ["jobs"] = jobArray,
            });
            return id;
        }
    }

    /// <summary>Sets a job's result (FAILURE, SUCCESS, ...) or its early-failure flag, as the scheduler would.</summary>
    public void SetJob(string itemId, string jobName, string? result, bool preFail = false)
    {
        lock (gate)
        {
            var job = items.Single(i => (string?)i["id"] == itemId)["jobs"]!.AsArray().Single(j => (string?)j!["name"] == jobName)!;
            job["result"] = result;
            job["pre_fail"] = preFail;
        }
    }

    protected override void MapRoutes(WebApplication app)
    {
        app.MapGet("/api/tenant/{name}/status/change/{change}", (string name, string change) =>
        {
            lock (gate)
            {
                RequestCount++;
                if (name != tenant)
                {
                    return Results.Json(new JsonObject { ["description"] = "Tenant not found" }, statusCode: 404);
                }

                var found = new JsonArray();
                foreach (var item in items.Where(i => i["refs"]!.AsArray().Any(r => (string?)r!["id"] == change)))
                {
                    found.Add(item.DeepClone());
                }

                return Results.Text(found.ToJsonString(), "application/json");
            }
        });
    }
}
