using System.Net;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CiJobs.Core.Dlrn;

/// <summary>What a failed attempt says about the request (docs/contracts/dlrn-api.md, "Retries").</summary>
public enum DlrnAttemptFailure
{
    /// <summary>An answer to hand to the caller: a success, or a failure that no retry can change.</summary>
    Final,

    /// <summary>The server did not act on the request: no connection was made, or it answered 408, 429 or 503.
    /// Sending it again is safe for every request.</summary>
    NotProcessed,

    /// <summary>The server handled the request and failed (500 and the other 5xx but 501, 502 and 504): the handler
    /// has ended, so a new attempt does not run beside the failed one.</summary>
    ServerFailed,

    /// <summary>The request was sent but its outcome is unknown: no answer in time, the connection dropped after
    /// sending, or a gateway answered 502/504 while the server may still be working on it. Only a request that is
    /// safe to run twice (or twice at once) is sent again.</summary>
    OutcomeUnknown,
}

/// <summary>
/// The one retry policy of every DLRN call (docs/contracts/dlrn-api.md, "Retries"): it classifies each attempt
/// (<see cref="Classify(HttpResponseMessage)"/>, <see cref="Classify(Exception, bool)"/>), retries
/// <see cref="DlrnAttemptFailure.NotProcessed"/> and <see cref="DlrnAttemptFailure.ServerFailed"/> attempts, and
/// <see cref="DlrnAttemptFailure.OutcomeUnknown"/> ones only for requests that may be sent twice. 4xx answers but 408
/// and 429, and 501 (DLRN's "Missing libraries" for GraphQL), are never retried. Delays grow exponentially with
/// jitter; a <c>Retry-After</c> header is honoured up to <see cref="MaxRetryAfter"/>, and an answer asking for a
/// longer wait is final.
/// </summary>
/// <param name="MaxRetries">Retries after the first attempt.</param>
/// <param name="Delay">The first retry's delay (when no Retry-After is given); later ones double.</param>
public sealed record DlrnRetryPolicy(int MaxRetries, TimeSpan Delay)
{
    /// <summary>The longest <c>Retry-After</c> the client waits; an answer asking for more is not retried.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The class of an answer.</summary>
    public static DlrnAttemptFailure Classify(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = (int)response.StatusCode;
        return status switch
        {
            408 or 429 or 503 => DlrnAttemptFailure.NotProcessed,
            501 => DlrnAttemptFailure.Final,
            502 or 504 => DlrnAttemptFailure.OutcomeUnknown,
            >= 500 and <= 599 => DlrnAttemptFailure.ServerFailed,
            _ => DlrnAttemptFailure.Final,
        };
    }

    /// <summary>The class of an attempt that ended without an answer. The caller's own cancellation is final.</summary>
    public static DlrnAttemptFailure Classify(Exception exception, bool callerCancelled)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            _ when callerCancelled => DlrnAttemptFailure.Final,
            // The connection was never made: nothing reached the server.
            HttpRequestException
            {
                HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
                    or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError,
            } => DlrnAttemptFailure.NotProcessed,
            // Sent (or maybe sent) and no answer: a dropped connection, a malformed answer, a timeout.
            HttpRequestException or TimeoutRejectedException or OperationCanceledException => DlrnAttemptFailure.OutcomeUnknown,
            _ => DlrnAttemptFailure.Final,
        };
    }

    /// <summary>Whether an attempt of this class is tried again.</summary>
    /// <param name="resendable">Whether the request may run twice, even at the same time (reads, the credential check).</param>
    public static bool ShouldRetry(DlrnAttemptFailure failure, bool resendable) => failure switch
    {
        DlrnAttemptFailure.NotProcessed or DlrnAttemptFailure.ServerFailed => true,
        DlrnAttemptFailure.OutcomeUnknown => resendable,
        _ => false,
    };

    /// <summary>The wait a <c>Retry-After</c> header asks for (seconds or an HTTP date), never negative; null without one.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary>True when the answer asks for a longer wait than <see cref="MaxRetryAfter"/>: it is not retried.</summary>
    public bool AsksTooLongAWait(HttpResponseMessage response, DateTimeOffset now) => RetryAfter(response, now) > MaxRetryAfter;

    /// <summary>Whether the outcome of one attempt is tried again.</summary>
    public bool ShouldRetry(Outcome<HttpResponseMessage> outcome, bool resendable, bool callerCancelled, DateTimeOffset now)
    {
        if (outcome.Exception is { } exception)
        {
            return ShouldRetry(Classify(exception, callerCancelled), resendable);
        }

        var response = outcome.Result!;
        return ShouldRetry(Classify(response), resendable) && !AsksTooLongAWait(response, now);
    }

    /// <summary>
    /// A pipeline for one kind of request: the retries around a per-attempt timeout.
    /// </summary>
    /// <param name="attemptTimeout">How long one attempt may take.</param>
    /// <param name="resendable">Whether an attempt whose outcome is unknown may be sent again.</param>
    public ResiliencePipeline<HttpResponseMessage> Build(TimeSpan attemptTimeout, bool resendable, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
        if (MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = arguments => ValueTask.FromResult(
                    ShouldRetry(arguments.Outcome, resendable, arguments.Context.CancellationToken.IsCancellationRequested, timeProvider.GetUtcNow())),
                DelayGenerator = arguments => ValueTask.FromResult(
                    arguments.Outcome.Result is { } response ? RetryAfter(response, timeProvider.GetUtcNow()) : null),
                MaxRetryAttempts = MaxRetries,
                Delay = Delay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            });
        }

        return builder.AddTimeout(attemptTimeout).Build();
    }
}
