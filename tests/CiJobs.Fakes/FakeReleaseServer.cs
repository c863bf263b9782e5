using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CiJobs.Fakes;

/// <summary>
/// Serves release files and records every request. Two address forms: any path under the root (a plain download
/// mirror), and GitLab's generic package registry download,
/// <c>/api/v4/projects/:id/packages/generic/:package/:version/:file</c>, served from <c>root/generic/:id/:package/:version/:file</c>
/// and, when <paramref name="jobToken"/> is given, only with the header <c>JOB-TOKEN</c> equal to it (401 otherwise).
/// A PUT to the registry address stores the file (an upload), as GitLab does.
/// </summary>
public sealed class FakeReleaseServer(string root, string? jobToken = null) : FakeServer
{
    private const string RegistryPrefix = "/api/v4/projects/";

    private readonly ConcurrentQueue<ReleaseRequest> requests = new();

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>Every request, in arrival order: its method, path and the JOB-TOKEN header it carried (null when none).</summary>
    public IReadOnlyList<ReleaseRequest> Requests => [.. requests];

    /// <summary>The base of GitLab's API on this server (as CI_API_V4_URL gives it).</summary>
    public string ApiV4Url => BaseUrl + "/api/v4";

    protected override void MapRoutes(WebApplication app) => app.Run(async context =>
    {
        var path = context.Request.Path.Value ?? "/";
        var token = context.Request.Headers.TryGetValue("JOB-TOKEN", out var values) ? values.ToString() : null;
        requests.Enqueue(new ReleaseRequest(path, token) { Method = context.Request.Method });

        string relative;
        if (path.StartsWith(RegistryPrefix, StringComparison.Ordinal))
        {
            // :id/packages/generic/:package/:version/:file
            var parts = path[RegistryPrefix.Length..].Split('/');
            if (parts.Length != 6 || parts[1] != "packages" || parts[2] != "generic")
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            if (jobToken is not null && token != jobToken)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            relative = Path.Combine("generic", Uri.UnescapeDataString(parts[0]), parts[3], parts[4], parts[5]);
            if (context.Request.Method == "PUT")
            {
                // An upload (GitLab answers 201 Created); the file then downloads at the same path.
                var target = Path.GetFullPath(Path.Combine(Root, relative));
                if (!target.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    return;
                }

                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await using (var file = File.Create(target))
                {
                    await context.Request.Body.CopyToAsync(file, context.RequestAborted);
                }

                context.Response.StatusCode = StatusCodes.Status201Created;
                return;
            }
        }
        else
        {
            relative = Uri.UnescapeDataString(path.TrimStart('/'));
        }

        var full = Path.GetFullPath(Path.Combine(Root, relative));
        if (context.Request.Method is not ("GET" or "HEAD") || !full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(full))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = new FileInfo(full).Length;
        if (context.Request.Method == "GET")
        {
            await context.Response.SendFileAsync(full, context.RequestAborted);
        }
    });
}

/// <summary>One request to <see cref="FakeReleaseServer"/>.</summary>
public sealed record ReleaseRequest(string Path, string? JobToken)
{
    public string Method { get; init; } = "GET";
}
