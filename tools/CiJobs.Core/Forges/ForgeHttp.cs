using System.Globalization;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace CiJobs.Core.Forges;

/// <summary>
/// Builds the HttpClient the forge clients use: retries only transient failures (5xx, 408, 429 honouring Retry-After,
/// network errors), and bounds each request, retries included, by a timeout that ends in
/// <see cref="ForgeExitCodes.RequestFailed"/> naming the host, never in "cancelled" (docs/security.md, "Forge timeouts").
/// </summary>
public static class ForgeHttp
{
    /// <summary>What one request may take, retries and reading the answer included, unless the caller says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The longest timeout accepted (<c>--timeout</c>).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    public static HttpClient CreateClient(Uri baseAddress, HttpMessageHandler? innerHandler = null, TimeSpan? retryDelay = null, TimeSpan? timeout = null) =>
        // The handler owns the timeout (it covers reading the body too); HttpClient's own would end as a bare cancellation.
        new(CreateHandler(innerHandler, retryDelay, timeout), disposeHandler: true) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>The timeout and retrying handlers alone, for clients (Octokit) that build their own HttpClient.</summary>
    public static DelegatingHandler CreateHandler(HttpMessageHandler? innerHandler = null, TimeSpan? retryDelay = null, TimeSpan? timeout = null)
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
        var retrying = new ResilienceHandler(pipeline) { InnerHandler = innerHandler ?? new SocketsHttpHandler() };
        return new TimeoutHandler(timeout ?? DefaultTimeout) { InnerHandler = retrying };
#pragma warning restore CA2000
    }

    /// <summary>The error for a request to <paramref name="uri"/> that got no complete answer in time: host and timeout, nothing else of the URL.</summary>
    public static ForgeApiException TimeoutError(Uri? uri, TimeSpan timeout, Exception? innerException = null)
    {
        var host = uri?.IsAbsoluteUri == true ? uri.GetComponents(UriComponents.HostAndPort, UriFormat.Unescaped) : "the forge";
        var seconds = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        return new ForgeApiException(
            $"{host} did not answer within {seconds} s (--timeout); the forge is down or unreachable from here",
            null,
            ForgeExitCodes.RequestFailed,
            innerException);
    }

    /// <summary>
    /// Bounds a request and the reading of its answer (the body is buffered here, inside the bound) by one timeout;
    /// when it expires, throws <see cref="TimeoutError"/> instead of letting a cancellation through.
    /// </summary>
    private sealed class TimeoutHandler(TimeSpan timeout) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(timeout);
            HttpResponseMessage? response = null;
            try
            {
                response = await base.SendAsync(request, bounded.Token);
                await response.Content.LoadIntoBufferAsync(bounded.Token);
                return response;
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                response?.Dispose();
                throw TimeoutError(request.RequestUri, timeout, e);
            }
            catch
            {
                response?.Dispose();
                throw;
            }
        }
    }
}
