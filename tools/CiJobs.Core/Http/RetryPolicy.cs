using System.Net;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CiJobs.Core.Http;

/// <summary>What a failed attempt says about the request (docs/contracts/http-retries.md).</summary>
public enum AttemptFailure
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
/// The one retry policy of the project's HTTP clients, DLRN's and the forges' (docs/contracts/http-retries.md): it
/// classifies each attempt (<see cref="Classify(HttpResponseMessage)"/>, <see cref="Classify(Exception, bool)"/>),
/// retries <see cref="AttemptFailure.NotProcessed"/> and <see cref="AttemptFailure.ServerFailed"/> attempts, and
/// <see cref="AttemptFailure.OutcomeUnknown"/> ones only for requests that may be sent twice. 4xx answers but 408
/// and 429, and 501, are never retried. The wait before retry n (0-based) is <see cref="Delay"/> times 2^n, at most
/// <see cref="MaxDelay"/>, scaled by a jitter factor in [0.5, 1.5) drawn from <see cref="Jitter"/> (none when null);
/// a <c>Retry-After</c> header (seconds or an HTTP date, read with the pipeline's clock) replaces it up to
/// <see cref="MaxRetryAfter"/>, and an answer asking for a longer wait is final. The waits go through the
/// <see cref="TimeProvider"/> given to <see cref="Build"/>, so a test's fake clock makes them instant.
/// When the attempts are exhausted the last answer or error is what the caller gets.
/// </summary>
public sealed record RetryPolicy(int MaxRetries, TimeSpan Delay)
{
    /// <summary>The longest <c>Retry-After</c> the client waits; an answer asking for more is not retried.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest computed backoff (before jitter): exponential growth stops here.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A source of numbers in [0, 1) for the jitter; null for none (every wait exactly the backoff).</summary>
    public Func<double>? Jitter { get; init; } = Random.Shared.NextDouble;

    /// <summary>
    /// The wait before retry <paramref name="retry"/> (0 for the first): the answer's Retry-After when it has one,
    /// else the capped exponential backoff with jitter.
    /// </summary>
    public TimeSpan DelayBefore(int retry, HttpResponseMessage? answer, DateTimeOffset now)
    {
        if (answer is not null && RetryAfter(answer, now) is { } asked)
        {
            return asked;
        }

        var backoff = Delay.TotalMilliseconds * Math.Pow(2, Math.Clamp(retry, 0, 62));
        var capped = Math.Min(backoff, MaxDelay.TotalMilliseconds);
        var factor = Jitter is { } random ? 0.5 + Math.Clamp(random(), 0, 1) : 1;
        return TimeSpan.FromMilliseconds(capped * factor);
    }

    /// <summary>The class of an answer.</summary>
    public static AttemptFailure Classify(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = (int)response.StatusCode;
        return status switch
        {
            408 or 429 or 503 => AttemptFailure.NotProcessed,
            501 => AttemptFailure.Final,
            502 or 504 => AttemptFailure.OutcomeUnknown,
            >= 500 and <= 599 => AttemptFailure.ServerFailed,
            _ => AttemptFailure.Final,
        };
    }

    /// <summary>The class of an attempt that ended without an answer. The caller's own cancellation is final.</summary>
    public static AttemptFailure Classify(Exception exception, bool callerCancelled)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            _ when callerCancelled => AttemptFailure.Final,
            // The connection was never made: nothing reached the server.
            HttpRequestException
            {
                HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
                    or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError,
            } => AttemptFailure.NotProcessed,
            // Sent (or maybe sent) and no answer: a dropped connection, a malformed answer, a timeout.
            HttpRequestException or TimeoutRejectedException or OperationCanceledException => AttemptFailure.OutcomeUnknown,
            _ => AttemptFailure.Final,
        };
    }

    /// <summary>Whether an attempt of this class is tried again.</summary>
    /// <param name="resendable">Whether the request may run twice, even at the same time (reads, the credential check).</param>
    public static bool ShouldRetry(AttemptFailure failure, bool resendable) => failure switch
    {
        AttemptFailure.NotProcessed or AttemptFailure.ServerFailed => true,
        AttemptFailure.OutcomeUnknown => resendable,
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
    /// A pipeline for one kind of request: the retries around a per-attempt timeout (none when null).
    /// </summary>
    /// <param name="attemptTimeout">How long one attempt may take; null when the caller bounds the whole request itself.</param>
    /// <param name="resendable">Whether an attempt whose outcome is unknown may be sent again.</param>
    /// <param name="timeProvider">The clock for Retry-After dates and the waits between attempts.</param>
    public ResiliencePipeline<HttpResponseMessage> Build(TimeSpan? attemptTimeout, bool resendable, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
        if (MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = arguments => ValueTask.FromResult(
                    ShouldRetry(arguments.Outcome, resendable, arguments.Context.CancellationToken.IsCancellationRequested, timeProvider.GetUtcNow())),
                DelayGenerator = arguments => ValueTask.FromResult<TimeSpan?>(
                    DelayBefore(arguments.AttemptNumber, arguments.Outcome.Result, timeProvider.GetUtcNow())),
                MaxRetryAttempts = MaxRetries,
                Delay = Delay,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
            });
        }

        if (attemptTimeout is { } timeout)
        {
            builder.AddTimeout(timeout);
        }

        return builder.Build();
    }
}
