using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CiJobs.Core.Http;
using Polly;
using Polly.Timeout;

namespace CiJobs.Core.Dlrn;

/// <summary>
/// The typed DLRN API client over an injected <see cref="HttpClient"/> (give it an infinite
/// <see cref="HttpClient.Timeout"/>: the resilience pipeline owns the timeouts). POSTs carry HTTP Basic
/// auth and the exact header <c>Content-Type: application/json</c> (DLRN compares the whole string, so a
/// charset parameter gets 415). Retries follow <see cref="RetryPolicy"/> (docs/contracts/dlrn-api.md,
/// "Retries"): never after a 4xx (but 408 and 429) or a 501, and the import is never sent again once it may
/// have reached the server (a timeout, a dropped connection, a gateway's 502/504).
/// </summary>
public sealed class DlrnApiClient : IDlrnImportClient, IDlrnReadClient, IDlrnVotingClient
{
    internal static readonly JsonSerializerOptions JsonOptions = DlrnJsonContext.Default.Options;

    private const string CommitFields = "projectName commitHash distroHash extendedHash status dtCommit dtDistro dtBuild artifacts component";

    private readonly HttpClient http;
    private readonly DlrnClientOptions options;
    private readonly string apiBase;
    private readonly TimeProvider timeProvider;
    private readonly ResiliencePipeline<HttpResponseMessage> requestPipeline;
    private readonly Lazy<ResiliencePipeline<HttpResponseMessage>> importPipeline;

    public DlrnApiClient(HttpClient http, DlrnClientOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        this.http = http;
        this.options = options;
        this.timeProvider = timeProvider ?? TimeProvider.System;
        apiBase = options.ApiUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/api/";
        requestPipeline = options.RetryPolicy.Build(options.RequestTimeout, resendable: true, this.timeProvider);
        // docs/contracts/dlrn-api.md, "Is the import idempotent?": a second import may run beside the first.
        importPipeline = new(() => options.RetryPolicy.Build(options.ImportTimeout, resendable: false, this.timeProvider));
    }

    public async Task<DlrnImportResponse> ImportAsync(Uri repoUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repoUrl);
        var body = new Dictionary<string, string> { ["repo_url"] = repoUrl.OriginalString };
        var text = await SendAsync(HttpMethod.Post, "remote/import", query: null, body, authenticate: true, importPipeline.Value, options.ImportTimeout, cancellationToken);
        return Deserialize<DlrnImportResponse>(text, "POST /api/remote/import");
    }

    public async Task<DlrnHealth> GetHealthAsync(bool checkCredentials, CancellationToken cancellationToken)
    {
        var method = checkCredentials ? HttpMethod.Post : HttpMethod.Get;
        var text = await SendAsync(method, "health", null, null, checkCredentials, requestPipeline, options.RequestTimeout, cancellationToken);
        return Deserialize<DlrnHealth>(text, $"{method} /api/health");
    }

    public async Task<IReadOnlyList<DlrnCommitRecord>> GetCommitsAsync(DlrnCommitQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var arguments = new List<string>();
        AddArgument(arguments, "projectName", query.ProjectName);
        AddArgument(arguments, "commitHash", query.CommitHash);
        AddArgument(arguments, "distroHash", query.DistroHash);
        AddArgument(arguments, "extendedHash", query.ExtendedHash);
        AddArgument(arguments, "status", query.Status);
        if (query.Limit is { } limit)
        {
            arguments.Add($"limit: {limit.ToString(CultureInfo.InvariantCulture)}");
        }

        var filter = arguments.Count == 0 ? "" : $"({string.Join(", ", arguments)})";
        var body = new Dictionary<string, string> { ["query"] = $"{{ commits{filter} {{ {CommitFields} }} }}" };
        const string endpoint = "POST /api/graphql";
        var text = await SendAsync(HttpMethod.Post, "graphql", null, body, authenticate: false, requestPipeline, options.RequestTimeout, cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var message = errors[0].TryGetProperty("message", out var m) ? m.GetString() : errors[0].GetRawText();
                throw new DlrnApiException(endpoint, HttpStatusCode.OK, message, $"DLRN API {endpoint} answered an error: {message}");
            }

            var rows = root.GetProperty("data").GetProperty("commits");
            var result = new List<DlrnCommitRecord>();
            foreach (var row in rows.EnumerateArray())
            {
                result.Add(new DlrnCommitRecord
                {
                    ProjectName = GetString(row, "projectName") ?? "",
                    CommitHash = GetString(row, "commitHash") ?? "",
                    DistroHash = GetString(row, "distroHash") ?? "",
                    ExtendedHash = NoneToNull(GetString(row, "extendedHash")),
                    Status = GetString(row, "status") ?? "",
                    DtCommit = GetNumber(row, "dtCommit"),
                    DtDistro = (long)GetNumber(row, "dtDistro"),
                    DtBuild = (long)GetNumber(row, "dtBuild"),
                    Artifacts = NoneToNull(GetString(row, "artifacts")),
                    Component = NoneToNull(GetString(row, "component")),
                });
            }

            return result;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DlrnApiException(endpoint, HttpStatusCode.OK, null, $"DLRN API {endpoint} answered an unexpected body: {e.Message}", e);
        }
    }

    /// <summary>
    /// POST /api/graphql with <paramref name="query"/>, anonymously; the member <paramref name="field"/> of the answer's
    /// <c>data</c> as JSON text. A GraphQL error, or an answer without that member, is a <see cref="DlrnApiException"/>.
    /// </summary>
    public async Task<string> QueryGraphQlAsync(string query, string field, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(query);
        const string endpoint = "POST /api/graphql";
        var body = new Dictionary<string, string> { ["query"] = query };
        var text = await SendAsync(HttpMethod.Post, "graphql", null, body, authenticate: false, requestPipeline, options.RequestTimeout, cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var message = errors[0].ValueKind == JsonValueKind.Object && errors[0].TryGetProperty("message", out var m) ? m.ToString() : errors[0].GetRawText();
                throw new DlrnApiException(endpoint, HttpStatusCode.OK, message, $"DLRN API {endpoint} answered an error: {message}");
            }

            return root.GetProperty("data").GetProperty(field).GetRawText();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new DlrnApiException(endpoint, HttpStatusCode.OK, null, $"DLRN API {endpoint} answered an unexpected body: {e.Message}", e);
        }
    }

    public async Task<IReadOnlyList<DlrnVote>> GetRepoStatusAsync(string commitHash, string distroHash, string? extendedHash, CancellationToken cancellationToken)
    {
        var query = Query(("commit_hash", commitHash), ("distro_hash", distroHash), ("extended_hash", extendedHash));
        var text = await SendAsync(HttpMethod.Get, "repo_status", query, null, false, requestPipeline, options.RequestTimeout, cancellationToken);
        return Deserialize<List<DlrnVote>>(text, "GET /api/repo_status");
    }

    public async Task<IReadOnlyList<DlrnPromotion>> GetPromotionsAsync(DlrnPromotionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var parameters = Query(
            ("commit_hash", query.CommitHash), ("distro_hash", query.DistroHash), ("extended_hash", query.ExtendedHash),
            ("aggregate_hash", query.AggregateHash), ("promote_name", query.PromoteName), ("component", query.Component),
            ("offset", query.Offset?.ToString(CultureInfo.InvariantCulture)), ("limit", query.Limit?.ToString(CultureInfo.InvariantCulture)));
        var text = await SendAsync(HttpMethod.Get, "promotions", parameters, null, false, requestPipeline, options.RequestTimeout, cancellationToken);
        return Deserialize<List<DlrnPromotion>>(text, "GET /api/promotions");
    }

    public async Task<DlrnLastTestedRepo> GetLastTestedRepoAsync(DlrnLastTestedRepoQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var parameters = Query(
            ("max_age", query.MaxAge.ToString(CultureInfo.InvariantCulture)), ("success", Bool(query.Success)), ("job_id", query.JobId),
            ("sequential_mode", Bool(query.SequentialMode)), ("previous_job_id", query.PreviousJobId), ("component", query.Component));
        var text = await SendAsync(HttpMethod.Get, "last_tested_repo", parameters, null, false, requestPipeline, options.RequestTimeout, cancellationToken);
        return Deserialize<DlrnLastTestedRepo>(text, "GET /api/last_tested_repo");
    }

    public async Task<DlrnBuildMetrics> GetBuildMetricsAsync(DateOnly start, DateOnly end, string? packageName, CancellationToken cancellationToken)
    {
        var parameters = Query(
            ("start_date", start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ("end_date", end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("package_name", packageName));
        var text = await SendAsync(HttpMethod.Get, "metrics/builds", parameters, null, false, requestPipeline, options.RequestTimeout, cancellationToken);
        return Deserialize<DlrnBuildMetrics>(text, "GET /api/metrics/builds");
    }

    public async Task<DlrnVote> ReportResultAsync(DlrnReportResultRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = await SendAsync(HttpMethod.Post, "report_result", null, request, true, requestPipeline, options.RequestTimeout, cancellationToken);
        return Deserialize<DlrnVote>(text, "POST /api/report_result");
    }

    public async Task<DlrnPromotion> PromoteAsync(DlrnPromoteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = await SendAsync(HttpMethod.Post, "promote", null, request, true, requestPipeline, options.RequestTimeout, cancellationToken);
        return Deserialize<DlrnPromotion>(text, "POST /api/promote");
    }

    public async Task<DlrnLastTestedRepo> ClaimLastTestedRepoAsync(DlrnLastTestedRepoQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (string.IsNullOrEmpty(query.ReportingJobId))
        {
            throw new ArgumentException("POST last_tested_repo needs a reporting job id.", nameof(query));
        }

        var text = await SendAsync(HttpMethod.Post, "last_tested_repo", null, query, true, requestPipeline, options.RequestTimeout, cancellationToken);
        return Deserialize<DlrnLastTestedRepo>(text, "POST /api/last_tested_repo");
    }

    public async Task RecheckPackageAsync(string packageName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(packageName);
        var body = new Dictionary<string, string> { ["package_name"] = packageName };
        await SendAsync(HttpMethod.Post, "recheck_package", null, body, true, requestPipeline, options.RequestTimeout, cancellationToken);
    }

    public async Task<string?> GetRepositoryFileAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var (status, text) = await ExchangeAsync(
            HttpMethod.Get, $"GET {url.OriginalString}", url.OriginalString, authorization: null, payload: null,
            requestPipeline, options.RequestTimeout, notFoundIsAnswer: true, cancellationToken);
        return status == HttpStatusCode.NotFound ? null : text;
    }

    private async Task<string> SendAsync(
        HttpMethod method, string path, string? query, object? body, bool authenticate,
        ResiliencePipeline<HttpResponseMessage> pipeline, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string? authorization = null;
        if (authenticate)
        {
            authorization = options.Credentials?.BasicHeaderValue()
                ?? throw new CiJobsException($"{method} /api/{path} needs credentials: set --user and DLRN_API_PASSWORD or --password-file", DlrnExitCodes.CredentialsMissing);
        }

        var payload = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, JsonOptions.GetTypeInfo(body.GetType()));
        var (_, text) = await ExchangeAsync(method, $"{method} /api/{path}", apiBase + path + query, authorization, payload, pipeline, timeout, notFoundIsAnswer: false, cancellationToken);
        return text;
    }

    /// <summary>
    /// One request through <paramref name="pipeline"/>. Returns a 2xx answer (or a 404 when <paramref name="notFoundIsAnswer"/>);
    /// throws <see cref="DlrnApiException"/> for anything else, saying how many attempts were made and whether the
    /// request may have been acted on. Messages never carry the credentials.
    /// </summary>
    private async Task<(HttpStatusCode Status, string Text)> ExchangeAsync(
        HttpMethod method, string endpoint, string url, string? authorization, byte[]? payload,
        ResiliencePipeline<HttpResponseMessage> pipeline, TimeSpan timeout, bool notFoundIsAnswer, CancellationToken cancellationToken)
    {
        var attempts = 0;
        string Attempts() => attempts == 1 ? "" : $" after {attempts} attempts";
        HttpResponseMessage response;
        try
        {
            response = await pipeline.ExecuteAsync(
                async token =>
                {
                    Interlocked.Increment(ref attempts);
                    // A fresh message per attempt: an HttpRequestMessage cannot be sent twice.
                    using var request = new HttpRequestMessage(method, url);
                    if (authorization is not null)
                    {
                        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", authorization);
                    }

                    if (payload is not null)
                    {
                        request.Content = new ByteArrayContent(payload);
                        // Exactly "application/json": no charset parameter (DLRN answers 415 otherwise).
                        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    }

                    return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
                },
                cancellationToken);
        }
        catch (HttpRequestException e)
        {
            var unknown = RetryPolicy.Classify(e, callerCancelled: false) == AttemptFailure.OutcomeUnknown;
            var what = unknown ? "lost the connection to the server" : "cannot reach the server";
            var at = url.StartsWith(apiBase, StringComparison.Ordinal) ? $" at {options.ApiUrl}" : "";
            throw new DlrnApiException(endpoint, null, null, $"{what} for {endpoint}{at}{Attempts()}: {e.Message}", e, unknown);
        }
        catch (TimeoutRejectedException e)
        {
            throw new DlrnApiException(endpoint, null, null, $"the server did not answer {endpoint} within {timeout}{Attempts()}", e, outcomeUnknown: true);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DlrnApiException(endpoint, null, null, $"the server did not answer {endpoint} in time{Attempts()}", e, outcomeUnknown: true);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode || (notFoundIsAnswer && response.StatusCode == HttpStatusCode.NotFound))
            {
                return (response.StatusCode, text);
            }

            var message = ServerMessage(text);
            var now = timeProvider.GetUtcNow();
            var wait = options.RetryPolicy.AsksTooLongAWait(response, now)
                ? $" (it asks to retry after {RetryPolicy.RetryAfter(response, now)!.Value.TotalSeconds:0} s, longer than the {options.RetryPolicy.MaxRetryAfter.TotalSeconds:0} s the client waits)"
                : "";
            throw new DlrnApiException(
                endpoint, response.StatusCode, message,
                $"DLRN {endpoint} answered {(int)response.StatusCode} {response.ReasonPhrase}{Attempts()}{wait}: {message}",
                outcomeUnknown: RetryPolicy.Classify(response) == AttemptFailure.OutcomeUnknown);
        }
    }

    private static string ServerMessage(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var message))
            {
                return message.ValueKind == JsonValueKind.String ? message.GetString() ?? "" : message.GetRawText();
            }
        }
        catch (JsonException)
        {
        }

        // Not JSON (flask-httpauth's "Unauthorized Access", Werkzeug's HTML pages): one short line.
        var flat = string.Join(' ', body.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return flat.Length > 200 ? flat[..200] + "..." : flat;
    }

    private static T Deserialize<T>(string text, string endpoint)
    {
        try
        {
            return JsonSerializer.Deserialize(text, (JsonTypeInfo<T>)JsonOptions.GetTypeInfo(typeof(T))) ?? throw new JsonException("empty body");
        }
        catch (JsonException e)
        {
            throw new DlrnApiException(endpoint, HttpStatusCode.OK, null, $"DLRN API {endpoint} answered an unexpected body: {e.Message}", e);
        }
    }

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var builder = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            if (value is null)
            {
                continue;
            }

            builder.Append(builder.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }

        return builder.ToString();
    }

    private static string? Bool(bool? value) => value switch
    {
        null => null,
        true => "true",
        false => "false",
    };

    private static void AddArgument(List<string> arguments, string name, string? value)
    {
        if (value is not null)
        {
            // A JSON string literal is a valid GraphQL string literal.
            arguments.Add($"{name}: {JsonSerializer.Serialize(value, DlrnJsonContext.Default.String)}");
        }
    }

    private static string? GetString(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => value.GetRawText(),
        } : null;

    private static double GetNumber(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String => double.Parse(value.GetString()!, CultureInfo.InvariantCulture),
            _ => 0,
        } : 0;

    private static string? NoneToNull(string? value) => value is null or "None" or "" ? null : value;
}
