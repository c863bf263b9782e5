using System.Globalization;
using CiJobs.Core.Http;
using Microsoft.Extensions.Http.Resilience;

namespace CiJobs.Core.Forges;

/// <summary>
/// Builds the HttpClient the forge clients use: retries follow <see cref="Policy"/> (the project's one
/// <see cref="RetryPolicy"/>, docs/contracts/http-retries.md: 408, 429, 5xx but 501, network errors, Retry-After
/// honoured up to two minutes), and bounds each request, retries included, by a timeout that ends in
/// <see cref="ForgeExitCodes.RequestFailed"/> naming the host, never in "cancelled" (docs/security.md, "Forge timeouts").
/// </summary>
public static class ForgeHttp
{
    /// <summary>What one request may take, retries and reading the answer included, unless the caller says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The longest timeout accepted (<c>--timeout</c>).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The forges' retries: 3 after the first attempt, from 1 s doubling, with jitter; every request may be sent again.</summary>
    public static readonly RetryPolicy Policy = new(MaxRetries: 3, Delay: TimeSpan.FromSeconds(1));

    public static HttpClient CreateClient(Uri baseAddress, HttpMessageHandler? innerHandler = null, TimeSpan? retryDelay = null, TimeSpan? timeout = null, TimeProvider? timeProvider = null) =>
        // The handler owns the timeout (it covers reading the body too); HttpClient's own would end as a bare cancellation.
        new(CreateHandler(innerHandler, retryDelay, timeout, timeProvider), disposeHandler: true) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>The timeout and retrying handlers alone, for clients (Octokit) that build their own HttpClient.</summary>
    /// <param name="retryDelay">The first retry's delay instead of <see cref="Policy"/>'s.</param>
    /// <param name="timeProvider">The clock of the retries' waits and Retry-After dates (the system's by default).</param>
    public static DelegatingHandler CreateHandler(HttpMessageHandler? innerHandler = null, TimeSpan? retryDelay = null, TimeSpan? timeout = null, TimeProvider? timeProvider = null)
    {
        var policy = retryDelay is { } delay ? Policy with { Delay = delay } : Policy;
        // Forge calls were always sent again after an unknown outcome: the overall timeout below bounds them all.
        var pipeline = policy.Build(attemptTimeout: null, resendable: true, timeProvider ?? TimeProvider.System);
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
