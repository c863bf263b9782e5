using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace CiJobs.Core.Forges;

/// <summary>Builds the HttpClient the forge clients use: retries only transient failures (5xx, 408, 429 honouring Retry-After, network errors).</summary>
public static class ForgeHttp
{
    public static HttpClient CreateClient(Uri baseAddress, HttpMessageHandler? innerHandler = null, TimeSpan? retryDelay = null) =>
        new(CreateHandler(innerHandler, retryDelay), disposeHandler: true) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>The retrying handler alone, for clients (Octokit) that build their own HttpClient.</summary>
    public static DelegatingHandler CreateHandler(HttpMessageHandler? innerHandler = null, TimeSpan? retryDelay = null)
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 3,
                Delay = retryDelay ?? TimeSpan.FromSeconds(1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .Build();
#pragma warning disable CA2000 // The caller's HttpClient owns and disposes the handler chain.
        return new ResilienceHandler(pipeline) { InnerHandler = innerHandler ?? new SocketsHttpHandler() };
#pragma warning restore CA2000
    }
}
