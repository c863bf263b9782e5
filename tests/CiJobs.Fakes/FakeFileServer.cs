using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CiJobs.Fakes;

/// <summary>Serves a directory's files by path (GET and HEAD, no listing), like a log server holding a build result.</summary>
public sealed class FakeFileServer(string root) : FakeServer
{
    private int requestCount;

    public string Root { get; } = Path.GetFullPath(root);

    public int RequestCount => Volatile.Read(ref requestCount);

    protected override void MapRoutes(WebApplication app) => app.Run(async context =>
    {
        Interlocked.Increment(ref requestCount);
        var relative = Uri.UnescapeDataString((context.Request.Path.Value ?? "/").TrimStart('/'));
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
