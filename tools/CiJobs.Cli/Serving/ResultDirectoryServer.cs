using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CiJobs.Cli.Serving;

/// <summary>
/// Serves a result directory read-only over HTTP on 127.0.0.1 (files by path, no listing), so a local or
/// test flow can hand a repo URL to the DLRN remote import. Kept apart so the web stack loads only for <c>serve</c>.
/// </summary>
internal sealed class ResultDirectoryServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private ResultDirectoryServer(WebApplication app, string url)
    {
        this.app = app;
        Url = url;
    }

    /// <summary>For example <c>http://127.0.0.1:41234/</c>.</summary>
    public string Url { get; }

    public static async Task<ResultDirectoryServer> StartAsync(string directory, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = directory });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.UseKestrel().UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(directory),
            RequestPath = "",
            ServeUnknownFileTypes = true,
            DefaultContentType = "application/octet-stream",
            // Files are served raw, as they are on disk (DLRN fetches them by exact name, uncompressed).
            ContentTypeProvider = ContentTypes(),
        });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new ResultDirectoryServer(app, address.TrimEnd('/') + "/");
    }

    private static FileExtensionContentTypeProvider ContentTypes()
    {
        var provider = new FileExtensionContentTypeProvider();
        provider.Mappings.Clear();
        foreach (var extension in (string[])[".log", ".yaml", ".csv", ".repo", ".txt", ".md5"])
        {
            provider.Mappings[extension] = "text/plain";
        }

        provider.Mappings[".html"] = "text/html";
        provider.Mappings[".xml"] = "application/xml";
        return provider;
    }

    /// <summary>Runs until the token is cancelled (Ctrl-C, SIGTERM).</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        // Either System.CommandLine's token or the host's own SIGTERM/SIGINT handling ends the wait.
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
