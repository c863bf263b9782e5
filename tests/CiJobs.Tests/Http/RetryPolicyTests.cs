using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using CiJobs.Core.Http;
using CiJobs.Tests.Support;
using Polly;
using Polly.Timeout;

namespace CiJobs.Tests.Http;

/// <summary>The one retry policy of the HTTP clients (DLRN, forges): which failures are retried, for which requests, how long it waits.</summary>
public sealed class RetryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static HttpResponseMessage Answer(int status, RetryConditionHeaderValue? retryAfter = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status);
        response.Headers.RetryAfter = retryAfter;
        return response;
    }

    [Theory]
    [InlineData(200, AttemptFailure.Final)]
    [InlineData(201, AttemptFailure.Final)]
    [InlineData(400, AttemptFailure.Final)]
    [InlineData(401, AttemptFailure.Final)]
    [InlineData(403, AttemptFailure.Final)]
    [InlineData(404, AttemptFailure.Final)]
    [InlineData(409, AttemptFailure.Final)]
    [InlineData(410, AttemptFailure.Final)]
    [InlineData(415, AttemptFailure.Final)]
    [InlineData(408, AttemptFailure.NotProcessed)]
    [InlineData(429, AttemptFailure.NotProcessed)]
    [InlineData(503, AttemptFailure.NotProcessed)]
    [InlineData(500, AttemptFailure.ServerFailed)]
    [InlineData(507, AttemptFailure.ServerFailed)]
    [InlineData(501, AttemptFailure.Final)]
    [InlineData(502, AttemptFailure.OutcomeUnknown)]
    [InlineData(504, AttemptFailure.OutcomeUnknown)]
    public void Classify_Answer_ByItsStatus(int status, AttemptFailure expected)
    {
        using var response = Answer(status);

        RetryPolicy.Classify(response).Should().Be(expected);
    }

    [Fact]
    public void ShouldRetry_EveryStatus_NeverA4xxBut408And429NorA501()
    {
        for (var status = 100; status <= 599; status++)
        {
            using var response = Answer(status);
            var failure = RetryPolicy.Classify(response);
            var retriedForReads = RetryPolicy.ShouldRetry(failure, resendable: true);
            var retriedForImport = RetryPolicy.ShouldRetry(failure, resendable: false);

            var expectedForReads = status is 408 or 429 || (status >= 500 && status != 501);
            retriedForReads.Should().Be(expectedForReads, $"status {status} for a request that may be sent twice");
            retriedForImport.Should().Be(expectedForReads && status is not (502 or 504), $"status {status} for the import");
        }
    }

    [Theory]
    [InlineData(AttemptFailure.Final, false, false)]
    [InlineData(AttemptFailure.NotProcessed, true, true)]
    [InlineData(AttemptFailure.ServerFailed, true, true)]
    [InlineData(AttemptFailure.OutcomeUnknown, true, false)]
    public void ShouldRetry_OutcomeUnknown_OnlyForRequestsThatMayRunTwice(AttemptFailure failure, bool resendable, bool notResendable)
    {
        RetryPolicy.ShouldRetry(failure, resendable: true).Should().Be(resendable);
        RetryPolicy.ShouldRetry(failure, resendable: false).Should().Be(notResendable);
    }

    public static TheoryData<Exception, bool, AttemptFailure> Exceptions => new()
    {
        { new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"), false, AttemptFailure.NotProcessed },
        { new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known"), false, AttemptFailure.NotProcessed },
        { new HttpRequestException(HttpRequestError.SecureConnectionError, "TLS"), false, AttemptFailure.NotProcessed },
        { new HttpRequestException(HttpRequestError.ProxyTunnelError, "proxy"), false, AttemptFailure.NotProcessed },
        { new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely"), false, AttemptFailure.OutcomeUnknown },
        { new HttpRequestException(HttpRequestError.InvalidResponse, "bad"), false, AttemptFailure.OutcomeUnknown },
        { new HttpRequestException("unknown"), false, AttemptFailure.OutcomeUnknown },
        { new TimeoutRejectedException(), false, AttemptFailure.OutcomeUnknown },
        { new TaskCanceledException(), false, AttemptFailure.OutcomeUnknown },
        { new TaskCanceledException(), true, AttemptFailure.Final },
        { new HttpRequestException(HttpRequestError.ConnectionError, "refused"), true, AttemptFailure.Final },
        { new InvalidOperationException("a bug"), false, AttemptFailure.Final },
    };

    [Theory]
    [MemberData(nameof(Exceptions))]
    public void Classify_NoAnswer_ByWhetherTheRequestCanHaveReachedTheServer(Exception exception, bool callerCancelled, AttemptFailure expected)
    {
        RetryPolicy.Classify(exception, callerCancelled).Should().Be(expected);
    }

    [Fact]
    public void RetryAfter_SecondsOrDate_IsTheWaitAskedFor()
    {
        using var seconds = Answer(503, new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)));
        using var date = Answer(429, new RetryConditionHeaderValue(Now.AddSeconds(30)));
        using var past = Answer(429, new RetryConditionHeaderValue(Now.AddSeconds(-30)));
        using var none = Answer(503);

        RetryPolicy.RetryAfter(seconds, Now).Should().Be(TimeSpan.FromSeconds(7));
        RetryPolicy.RetryAfter(date, Now).Should().Be(TimeSpan.FromSeconds(30));
        RetryPolicy.RetryAfter(past, Now).Should().Be(TimeSpan.Zero);
        RetryPolicy.RetryAfter(none, Now).Should().BeNull();
    }

    [Fact]
    public void ShouldRetry_RetryAfterLongerThanTheMaximum_IsFinal()
    {
        var policy = new RetryPolicy(3, TimeSpan.FromSeconds(1)) { MaxRetryAfter = TimeSpan.FromMinutes(2) };
        using var patient = Answer(503, new RetryConditionHeaderValue(TimeSpan.FromMinutes(2)));
        using var tooLong = Answer(503, new RetryConditionHeaderValue(TimeSpan.FromMinutes(3)));

        policy.ShouldRetry(Outcome.FromResult(patient), resendable: true, callerCancelled: false, Now).Should().BeTrue();
        policy.ShouldRetry(Outcome.FromResult(tooLong), resendable: true, callerCancelled: false, Now).Should().BeFalse();
    }

    [Theory]
    [InlineData(501, true, 1)]
    [InlineData(404, true, 1)]
    [InlineData(400, false, 1)]
    [InlineData(503, false, 4)]
    [InlineData(500, false, 4)]
    [InlineData(502, true, 4)]
    [InlineData(502, false, 1)]
    [InlineData(504, false, 1)]
    [InlineData(504, true, 4)]
    [InlineData(503, true, 4)]
    [InlineData(429, true, 4)]
    [InlineData(408, true, 4)]
    [InlineData(401, true, 1)]
    [InlineData(403, true, 1)]
    [InlineData(400, true, 1)]
    public async Task Build_Pipeline_SendsAsManyAttemptsAsThePolicySays(int status, bool resendable, int attempts)
    {
        var pipeline = new RetryPolicy(3, TimeSpan.FromMilliseconds(1)).Build(TimeSpan.FromSeconds(30), resendable, TimeProvider.System);
        var sent = 0;

        using var response = await pipeline.ExecuteAsync(_ =>
        {
            sent++;
            return ValueTask.FromResult(Answer(status));
        });

        sent.Should().Be(attempts);
        ((int)response.StatusCode).Should().Be(status);
    }

    [Theory]
    [InlineData(true, 3)]
    [InlineData(false, 1)]
    public async Task Build_Pipeline_TimedOutAttemptIsResentOnlyWhenResendable(bool resendable, int attempts)
    {
        var pipeline = new RetryPolicy(2, TimeSpan.FromMilliseconds(1)).Build(TimeSpan.FromMilliseconds(50), resendable, TimeProvider.System);
        var sent = 0;

        var act = async () => await pipeline.ExecuteAsync(async token =>
        {
            sent++;
            await Task.Delay(TimeSpan.FromSeconds(10), token);
            return Answer(200);
        });

        await act.Should().ThrowAsync<TimeoutRejectedException>();
        sent.Should().Be(attempts);
    }

    [Fact]
    public async Task Build_Pipeline_WaitsTheRetryAfterTheServerAsksFor()
    {
        var pipeline = new RetryPolicy(1, TimeSpan.FromMilliseconds(1)).Build(TimeSpan.FromSeconds(30), resendable: false, TimeProvider.System);
        var sent = 0;
        var clock = Stopwatch.StartNew();

        using var response = await pipeline.ExecuteAsync(_ =>
        {
            sent++;
            return ValueTask.FromResult(sent == 1 ? Answer(429, new RetryConditionHeaderValue(TimeSpan.FromSeconds(1))) : Answer(201));
        });

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        sent.Should().Be(2);
        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950));
    }

    [Theory]
    [InlineData(0, 1000)]
    [InlineData(1, 2000)]
    [InlineData(2, 4000)]
    [InlineData(4, 16000)]
    [InlineData(5, 30000)]
    [InlineData(80, 30000)]
    public void DelayBefore_WithoutJitter_DoublesUpToTheCap(int retry, int milliseconds)
    {
        var policy = new RetryPolicy(3, TimeSpan.FromSeconds(1)) { MaxDelay = TimeSpan.FromSeconds(30), Jitter = null };

        policy.DelayBefore(retry, null, Now).Should().Be(TimeSpan.FromMilliseconds(milliseconds));
    }

    [Theory]
    [InlineData(0.0, 500)]
    [InlineData(0.5, 1000)]
    [InlineData(0.75, 1250)]
    public void DelayBefore_Jitter_ScalesTheBackoffByHalfToOneAndAHalf(double random, int milliseconds)
    {
        var policy = new RetryPolicy(3, TimeSpan.FromSeconds(1)) { Jitter = () => random };

        policy.DelayBefore(0, null, Now).Should().Be(TimeSpan.FromMilliseconds(milliseconds));
    }

    [Fact]
    public void DelayBefore_RetryAfter_SecondsOrDate_ReplacesTheBackoff()
    {
        var policy = new RetryPolicy(3, TimeSpan.FromSeconds(1)) { Jitter = null };
        using var seconds = Answer(503, new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)));
        using var date = Answer(429, new RetryConditionHeaderValue(Now.AddSeconds(45)));
        using var none = Answer(503);

        policy.DelayBefore(2, seconds, Now).Should().Be(TimeSpan.FromSeconds(7));
        policy.DelayBefore(2, date, Now).Should().Be(TimeSpan.FromSeconds(45));
        policy.DelayBefore(2, none, Now).Should().Be(TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task Build_Pipeline_WaitsThroughTheGivenClockAndHandsBackTheLastErrorWhenAttemptsRunOut()
    {
        var clock = new InstantTimeProvider(Now);
        var policy = new RetryPolicy(3, TimeSpan.FromSeconds(10)) { MaxDelay = TimeSpan.FromSeconds(25), Jitter = null };
        var pipeline = policy.Build(attemptTimeout: null, resendable: true, clock);
        var sent = 0;

        var act = async () => await pipeline.ExecuteAsync<HttpResponseMessage>(_ =>
        {
            sent++;
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"Connection refused (attempt {sent})");
        });

        (await act.Should().ThrowAsync<HttpRequestException>()).WithMessage("Connection refused (attempt 4)");
        sent.Should().Be(4);
        clock.Waits.Should().Equal(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(25));
    }

    [Fact]
    public async Task Build_Pipeline_RetryAfterDateIsReadWithTheGivenClock()
    {
        var clock = new InstantTimeProvider(Now);
        var pipeline = new RetryPolicy(1, TimeSpan.FromSeconds(1)) { Jitter = null }.Build(attemptTimeout: null, resendable: false, clock);
        var sent = 0;

        using var response = await pipeline.ExecuteAsync(_ =>
        {
            sent++;
            return ValueTask.FromResult(sent == 1 ? Answer(503, new RetryConditionHeaderValue(Now.AddSeconds(90))) : Answer(200));
        });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        clock.Waits.Should().Equal(TimeSpan.FromSeconds(90));
    }
}
