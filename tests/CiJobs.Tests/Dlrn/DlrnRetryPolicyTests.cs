using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using CiJobs.Core.Dlrn;
using Polly;
using Polly.Timeout;

namespace CiJobs.Tests.Dlrn;

/// <summary>The one retry policy of the DLRN client: which failures are retried, for which requests, how long it waits.</summary>
public sealed class DlrnRetryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static HttpResponseMessage Answer(int status, RetryConditionHeaderValue? retryAfter = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status);
        response.Headers.RetryAfter = retryAfter;
        return response;
    }

    [Theory]
    [InlineData(200, DlrnAttemptFailure.Final)]
    [InlineData(201, DlrnAttemptFailure.Final)]
    [InlineData(400, DlrnAttemptFailure.Final)]
    [InlineData(401, DlrnAttemptFailure.Final)]
    [InlineData(403, DlrnAttemptFailure.Final)]
    [InlineData(404, DlrnAttemptFailure.Final)]
    [InlineData(409, DlrnAttemptFailure.Final)]
    [InlineData(410, DlrnAttemptFailure.Final)]
    [InlineData(415, DlrnAttemptFailure.Final)]
    [InlineData(408, DlrnAttemptFailure.NotProcessed)]
    [InlineData(429, DlrnAttemptFailure.NotProcessed)]
    [InlineData(503, DlrnAttemptFailure.NotProcessed)]
    [InlineData(500, DlrnAttemptFailure.ServerFailed)]
    [InlineData(507, DlrnAttemptFailure.ServerFailed)]
    [InlineData(501, DlrnAttemptFailure.Final)]
    [InlineData(502, DlrnAttemptFailure.OutcomeUnknown)]
    [InlineData(504, DlrnAttemptFailure.OutcomeUnknown)]
    public void Classify_Answer_ByItsStatus(int status, DlrnAttemptFailure expected)
    {
        using var response = Answer(status);

        DlrnRetryPolicy.Classify(response).Should().Be(expected);
    }

    [Fact]
    public void ShouldRetry_EveryStatus_NeverA4xxBut408And429NorA501()
    {
        for (var status = 100; status <= 599; status++)
        {
            using var response = Answer(status);
            var failure = DlrnRetryPolicy.Classify(response);
            var retriedForReads = DlrnRetryPolicy.ShouldRetry(failure, resendable: true);
            var retriedForImport = DlrnRetryPolicy.ShouldRetry(failure, resendable: false);

            var expectedForReads = status is 408 or 429 || (status >= 500 && status != 501);
            retriedForReads.Should().Be(expectedForReads, $"status {status} for a request that may be sent twice");
            retriedForImport.Should().Be(expectedForReads && status is not (502 or 504), $"status {status} for the import");
        }
    }

    [Theory]
    [InlineData(DlrnAttemptFailure.Final, false, false)]
    [InlineData(DlrnAttemptFailure.NotProcessed, true, true)]
    [InlineData(DlrnAttemptFailure.ServerFailed, true, true)]
    [InlineData(DlrnAttemptFailure.OutcomeUnknown, true, false)]
    public void ShouldRetry_OutcomeUnknown_OnlyForRequestsThatMayRunTwice(DlrnAttemptFailure failure, bool resendable, bool notResendable)
    {
        DlrnRetryPolicy.ShouldRetry(failure, resendable: true).Should().Be(resendable);
        DlrnRetryPolicy.ShouldRetry(failure, resendable: false).Should().Be(notResendable);
    }

    public static TheoryData<Exception, bool, DlrnAttemptFailure> Exceptions => new()
    {
        { new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"), false, DlrnAttemptFailure.NotProcessed },
        { new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known"), false, DlrnAttemptFailure.NotProcessed },
        { new HttpRequestException(HttpRequestError.SecureConnectionError, "TLS"), false, DlrnAttemptFailure.NotProcessed },
        { new HttpRequestException(HttpRequestError.ProxyTunnelError, "proxy"), false, DlrnAttemptFailure.NotProcessed },
        { new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely"), false, DlrnAttemptFailure.OutcomeUnknown },
        { new HttpRequestException(HttpRequestError.InvalidResponse, "bad"), false, DlrnAttemptFailure.OutcomeUnknown },
        { new HttpRequestException("unknown"), false, DlrnAttemptFailure.OutcomeUnknown },
        { new TimeoutRejectedException(), false, DlrnAttemptFailure.OutcomeUnknown },
        { new TaskCanceledException(), false, DlrnAttemptFailure.OutcomeUnknown },
        { new TaskCanceledException(), true, DlrnAttemptFailure.Final },
        { new HttpRequestException(HttpRequestError.ConnectionError, "refused"), true, DlrnAttemptFailure.Final },
        { new InvalidOperationException("a bug"), false, DlrnAttemptFailure.Final },
    };

    [Theory]
    [MemberData(nameof(Exceptions))]
    public void Classify_NoAnswer_ByWhetherTheRequestCanHaveReachedTheServer(Exception exception, bool callerCancelled, DlrnAttemptFailure expected)
    {
        DlrnRetryPolicy.Classify(exception, callerCancelled).Should().Be(expected);
    }

    [Fact]
    public void RetryAfter_SecondsOrDate_IsTheWaitAskedFor()
    {
        using var seconds = Answer(503, new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)));
        using var date = Answer(429, new RetryConditionHeaderValue(Now.AddSeconds(30)));
        using var past = Answer(429, new RetryConditionHeaderValue(Now.AddSeconds(-30)));
        using var none = Answer(503);

        DlrnRetryPolicy.RetryAfter(seconds, Now).Should().Be(TimeSpan.FromSeconds(7));
        DlrnRetryPolicy.RetryAfter(date, Now).Should().Be(TimeSpan.FromSeconds(30));
        DlrnRetryPolicy.RetryAfter(past, Now).Should().Be(TimeSpan.Zero);
        DlrnRetryPolicy.RetryAfter(none, Now).Should().BeNull();
    }

    [Fact]
    public void ShouldRetry_RetryAfterLongerThanTheMaximum_IsFinal()
    {
        var policy = new DlrnRetryPolicy(3, TimeSpan.FromSeconds(1)) { MaxRetryAfter = TimeSpan.FromMinutes(2) };
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
    public async Task Build_Pipeline_SendsAsManyAttemptsAsThePolicySays(int status, bool resendable, int attempts)
    {
        var pipeline = new DlrnRetryPolicy(3, TimeSpan.FromMilliseconds(1)).Build(TimeSpan.FromSeconds(30), resendable, TimeProvider.System);
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
        var pipeline = new DlrnRetryPolicy(2, TimeSpan.FromMilliseconds(1)).Build(TimeSpan.FromMilliseconds(50), resendable, TimeProvider.System);
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
        var pipeline = new DlrnRetryPolicy(1, TimeSpan.FromMilliseconds(1)).Build(TimeSpan.FromSeconds(30), resendable: false, TimeProvider.System);
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
}
