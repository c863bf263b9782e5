using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CiJobs.Fakes;

/// <summary>
/// Base of the fake external servers: a real Kestrel server bound to 127.0.0.1 on a free port.
/// Subclasses map the routes of the API they imitate, following the contracts in <c>docs/contracts/</c>.
/// </summary>
public abstract class FakeServer : IAsyncDisposable
{
    private WebApplication? app;

    /// <summary>The base URL, for example <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        ConfigureServices(builder.Services);
        app = builder.Build();
        MapRoutes(app);
        await app.StartAsync(cancellationToken);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        BaseUrl = addresses.Addresses.Single().TrimEnd('/');
    }

    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    protected abstract void MapRoutes(WebApplication app);

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
