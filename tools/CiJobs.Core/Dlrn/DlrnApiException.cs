using System.Net;
using CiJobs.Core.Http;

namespace CiJobs.Core.Dlrn;

/// <summary>
/// A DLRN API call that failed: the HTTP status (null when no answer came), the server's
/// <c>message</c> and the endpoint. Never carries credentials.
/// </summary>
public sealed class DlrnApiException : CiJobsException
{
    public DlrnApiException(string endpoint, HttpStatusCode? statusCode, string? serverMessage, string message, Exception? innerException = null, bool outcomeUnknown = false)
        : base(message, ExitCodeFor(statusCode), innerException)
    {
        Endpoint = endpoint;
        StatusCode = statusCode;
        ServerMessage = serverMessage;
        OutcomeUnknown = outcomeUnknown;
    }

    /// <summary>For example <c>POST /api/remote/import</c>.</summary>
    public string Endpoint { get; }

    public HttpStatusCode? StatusCode { get; }

    /// <summary>The <c>message</c> of the JSON error body, or the (shortened) text body.</summary>
    public string? ServerMessage { get; }

    /// <summary>True when no HTTP answer came (connection refused, timeout).</summary>
    public bool NoAnswer => StatusCode is null;

    /// <summary>True when the request was sent and may have been (or still be) acted on although no usable answer came:
    /// a timeout, a connection dropped after sending, a gateway's 502 or 504 (<see cref="AttemptFailure.OutcomeUnknown"/>).
    /// False when the server certainly did not get it (no connection) or answered.</summary>
    public bool OutcomeUnknown { get; }

    private static int ExitCodeFor(HttpStatusCode? statusCode) => statusCode switch
    {
        null => DlrnExitCodes.Unreachable,
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => DlrnExitCodes.AuthenticationFailed,
        >= HttpStatusCode.InternalServerError => DlrnExitCodes.ServerError,
        _ => DlrnExitCodes.RequestRejected,
    };
}
