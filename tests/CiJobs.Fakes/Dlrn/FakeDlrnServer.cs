using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Fakes.Dlrn;

/// <summary>
/// A fake DLRN API server following docs/contracts/dlrn-api.md: Basic auth
/// (401 text), exact <c>Content-Type: application/json</c> on JSON POSTs (415), JSON and pydantic-style
/// checks (400 with <c>message</c>); remote import downloads <c>repo_url/commit.yaml</c>, the logs and every
/// artifact over HTTP, validates keys and artifact paths (500 like the real one), skips an older-or-equal
/// commit with 201 (checked before the downloads and outside the lock, as DLRN does, so two imports of one
/// commit at the same time both record it), records a failed artifact download without failing, and goes on
/// with a request whose client gave up (a WSGI server does not stop the handler). It also serves its
/// <c>repos/</c> tree at <see cref="ReposUrl"/>, like the central's web server at its <c>baseurl</c>, with the
/// <c>commit.yaml</c> and <c>status_report.csv</c> DLRN writes there. <see cref="GraphQlAvailable"/> = false is
/// a DLRN without its GraphQL libraries (501 on <c>/api/graphql</c>).
/// </summary>
public sealed partial class FakeDlrnServer : FakeServer
{
    private static readonly string[] LogFiles = ["build.log", "installed", "mock.log", "root.log", "rpmbuild.log", "state.log"];

    private static readonly HashSet<string> CommitKeys =
    [
        "artifacts", "commit_branch", "commit_hash", "component", "distgit_dir", "distro_hash", "dt_build", "dt_commit",
        "dt_distro", "dt_extended", "extended_hash", "flags", "id", "notes", "project_name", "repo_dir", "status", "type",
        "versions_csv",
    ];

    private static readonly Dictionary<string, string> GraphQlCommitFields = new(StringComparer.Ordinal)
    {
        ["id"] = "",
        ["type"] = "",
        ["dtCommit"] = "",
        ["dtDistro"] = "",
        ["dtExtended"] = "",
        ["dtBuild"] = "",
        ["projectName"] = "",
        ["repoDir"] = "",
        ["distgitDir"] = "",
        ["commitHash"] = "",
        ["distroHash"] = "",
        ["extendedHash"] = "",
        ["commitBranch"] = "",
        ["status"] = "",
        ["component"] = "",
        ["artifacts"] = "",
        ["notes"] = "",
        ["flags"] = "",
        ["versionsCsv"] = "",
    };

    /// <summary>DLRN's answer (501) when graphene is missing; its message lacks a space, as upstream's does.</summary>
    public const string GraphQlMissingMessage = "Missing libraries, /api/graphql endpoint is notavailable";

    private static readonly HashSet<string> GraphQlCommitArguments =
        ["projectName", "component", "status", "offset", "limit", "commitHash", "distroHash", "extendedHash"];

    // Like Flask's jsonify: quotes and apostrophes are written as they are.
    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Lock gate = new();
    private readonly SemaphoreSlim importLock = new(1, 1);
    private readonly Dictionary<string, string> users = new(StringComparer.Ordinal);
    private readonly List<FakeDlrnCommit> commits = [];
    private readonly List<FakeDlrnRequest> requests = [];
    private readonly List<FakeDlrnImport> imports = [];
    private readonly List<FakeDlrnVote> votes = [];
    private readonly List<FakeDlrnAggregateVote> aggregateVotes = [];
    private readonly List<FakeDlrnPromotion> promotions = [];
    private readonly Queue<(string PathPrefix, int Status, TimeSpan? RetryAfter)> injectedFailures = new();
    private readonly Queue<(string PathPrefix, TimeSpan Delay)> injectedDelays = new();
    private readonly Queue<(string PathPrefix, TimeSpan Delay)> injectedAnswerDelays = new();
    private readonly HttpClient downloader = new() { Timeout = TimeSpan.FromSeconds(45) };
    private readonly TimeProvider clock;
    private int nextCommitId = 1;

    public FakeDlrnServer(string dataDirectory, TimeProvider? timeProvider = null)
    {
        DataDirectory = dataDirectory;
        clock = timeProvider ?? TimeProvider.System;
        Directory.CreateDirectory(Path.Combine(dataDirectory, "repos"));
    }

    /// <summary>The server's datadir; imported files land under <c>repos/</c>.</summary>
    public string DataDirectory { get; }

    /// <summary>Where the fake serves its <c>repos/</c> tree (a real central's <c>baseurl</c>).</summary>
    public string ReposUrl => BaseUrl + "/repos";

    /// <summary>When set, artifact downloads fail on the server side (the import still answers 201, as DLRN does).</summary>
    public bool FailArtifactDownloads { get; set; }

    /// <summary>False: the server runs without graphene, and <c>/api/graphql</c> answers 501 with
    /// <see cref="GraphQlMissingMessage"/>, as DLRN does when its GraphQL libraries are missing.</summary>
    public bool GraphQlAvailable { get; set; } = true;

    /// <summary>How long each import works between DLRN's skip check and recording the commit (its downloads and
    /// createrepo). The import goes on when the client gives up.</summary>
    public TimeSpan ImportProcessingTime { get; set; }

    public IReadOnlyList<FakeDlrnCommit> Commits { get { lock (gate) { return [.. commits]; } } }
    public IReadOnlyList<FakeDlrnRequest> Requests { get { lock (gate) { return [.. requests]; } } }
    public IReadOnlyList<FakeDlrnImport> Imports { get { lock (gate) { return [.. imports]; } } }
    public IReadOnlyList<FakeDlrnVote> Votes { get { lock (gate) { return [.. votes]; } } }
    public IReadOnlyList<FakeDlrnAggregateVote> AggregateVotes { get { lock (gate) { return [.. aggregateVotes]; } } }
    public IReadOnlyList<FakeDlrnPromotion> Promotions { get { lock (gate) { return [.. promotions]; } } }

    public void AddUser(string user, string password)
    {
        lock (gate)
        {
            users[user] = password;
        }
    }

    /// <summary>The next <paramref name="count"/> requests whose path starts with <paramref name="pathPrefix"/> get <paramref name="status"/>
    /// (an HTML page, as a proxy or Werkzeug writes it), with a <c>Retry-After</c> header in seconds when <paramref name="retryAfter"/> is given.</summary>
    public void FailNext(int count, int status, string pathPrefix = "/api/", TimeSpan? retryAfter = null)
    {
        lock (gate)
        {
            for (var i = 0; i < count; i++)
            {
                injectedFailures.Enqueue((pathPrefix, status, retryAfter));
            }
        }
    }

    /// <summary>The next <paramref name="count"/> matching requests are handled at once, but their answer is held back
    /// <paramref name="delay"/> (lost when the client gives up first).</summary>
    public void DelayAnswerNext(int count, TimeSpan delay, string pathPrefix = "/api/")
    {
        lock (gate)
        {
            for (var i = 0; i < count; i++)
            {
                injectedAnswerDelays.Enqueue((pathPrefix, delay));
            }
        }
    }

    /// <summary>The next <paramref name="count"/> matching requests wait <paramref name="delay"/> before being handled;
    /// they are handled even when the client has given up meanwhile.</summary>
    public void DelayNext(int count, TimeSpan delay, string pathPrefix = "/api/")
    {
        lock (gate)
        {
            for (var i = 0; i < count; i++)
            {
                injectedDelays.Enqueue((pathPrefix, delay));
            }
        }
    }

    /// <summary>Adds a build row of <paramref name="package"/> in its sharded folder (a server history, as the audit reads it).</summary>
    /// <param name="dtBuild">The build time in Unix seconds; now when not given. Commit and distgit times are a minute earlier.</param>
    public FakeDlrnCommit AddBuild(string package, string commit, string distro, string status = "SUCCESS", long? dtBuild = null)
    {
        var built = dtBuild ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return AddCommit(new FakeDlrnCommit
        {
            ProjectName = package,
            CommitHash = commit,
            DistroHash = distro,
            Status = status,
            DtBuild = built,
            DtCommit = built - 60,
            DtDistro = built - 60,
            ShardedDirectory = $"repos/{commit[..2]}/{commit[2..4]}/{commit}_{distro[..8]}",
        });
    }

    /// <summary>Adds a commit row directly (for tests that need a server history).</summary>
    public FakeDlrnCommit AddCommit(FakeDlrnCommit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        lock (gate)
        {
            var row = commit with { Id = nextCommitId++ };
            commits.Add(row);
            return row;
        }
    }

    protected override void MapRoutes(WebApplication app) => app.Run(HandleAsync);

    private async Task HandleAsync(HttpContext context)
    {
        try
        {
            await HandleOrAbandonAsync(context);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException
            && (context.RequestAborted.IsCancellationRequested || Stopping(context).IsCancellationRequested))
        {
            // The client gave up (or the server stops): what the handler did stays done, the answer is lost.
        }
    }

    private async Task HandleOrAbandonAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (path.StartsWith("/repos/", StringComparison.Ordinal))
        {
            await ServeRepoFileAsync(context, path["/repos/".Length..]);
            return;
        }

        request.EnableBuffering();
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8, leaveOpen: true))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        request.Body.Position = 0;
        var contentType = request.Headers.ContentType.Count > 0 ? request.Headers.ContentType.ToString() : null;
        var user = BasicUser(request, out _);
        (int Status, TimeSpan? RetryAfter)? failure = null;
        TimeSpan? delay = null;
        TimeSpan? answerDelay = null;
        lock (gate)
        {
            requests.Add(new FakeDlrnRequest(request.Method, path, request.QueryString.Value ?? "", contentType, user, body));
            if (injectedFailures.TryPeek(out var f) && path.StartsWith(f.PathPrefix, StringComparison.Ordinal))
            {
                var injected = injectedFailures.Dequeue();
                failure = (injected.Status, injected.RetryAfter);
            }

            if (injectedDelays.TryPeek(out var d) && path.StartsWith(d.PathPrefix, StringComparison.Ordinal))
            {
                delay = injectedDelays.Dequeue().Delay;
            }

            if (injectedAnswerDelays.TryPeek(out var a) && path.StartsWith(a.PathPrefix, StringComparison.Ordinal))
            {
                answerDelay = injectedAnswerDelays.Dequeue().Delay;
            }
        }

        if (delay is { } wait)
        {
            // The server does not notice a client that gave up: it handles the request after the delay.
            await Task.Delay(wait, Stopping(context));
        }

        if (failure is { } injectedFailure)
        {
            if (injectedFailure.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = ((long)retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            }

            await WriteHtmlAsync(context, injectedFailure.Status, $"<html><body><h1>{injectedFailure.Status} injected failure</h1></body></html>");
            return;
        }

        if (answerDelay is not { } holdBack)
        {
            await RouteAsync(context, body);
            return;
        }

        // Handle now, answer later: the answer is buffered until the delay is over.
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await RouteAsync(context, body);
            await Task.Delay(holdBack, Stopping(context));
        }
        finally
        {
            context.Response.Body = original;
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    /// <summary>Ends when the server stops, not when the client leaves.</summary>
    private static CancellationToken Stopping(HttpContext context) =>
        context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

    private Task RouteAsync(HttpContext context, string body)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var route = (request.Method, path);
        if (TakeScriptedAnswer(path) is { } scripted)
        {
            context.Response.StatusCode = scripted.Status;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(scripted.Body, context.RequestAborted);
        }

        return route switch
        {
            ("GET", "/api/health") => WriteJsonAsync(context, 200, new JsonObject { ["result"] = HealthText() }),
            ("POST", "/api/health") => WriteAsync(context, requireJson: false, (_, _, _) => WriteJsonAsync(context, 200, new JsonObject { ["result"] = HealthText() })),
            ("POST", "/api/remote/import") => WriteAsync(context, requireJson: true, ImportAsync),
            ("GET" or "POST", "/api/graphql") => GraphQlAvailable ? GraphQlAsync(context, body) : WriteMessageAsync(context, 501, GraphQlMissingMessage),
            ("GET", "/api/repo_status") => RepoStatusAsync(context),
            ("POST", "/api/report_result") => WriteAsync(context, requireJson: true, ReportResultAsync),
            ("GET", "/api/last_tested_repo") => LastTestedRepoAsync(context, ReadQuery(context), null),
            ("POST", "/api/last_tested_repo") => WriteAsync(context, requireJson: true, (c, input, u) => LastTestedRepoAsync(c, input, u)),
            ("POST", "/api/promote") => WriteAsync(context, requireJson: true, PromoteAsync),
            ("GET", "/api/promotions") => PromotionsAsync(context),
            ("POST", "/api/recheck_package") => WriteAsync(context, requireJson: false, RecheckPackageAsync),
            ("GET", "/api/metrics/builds") => BuildMetricsAsync(context),
            (_, "/api/health" or "/api/remote/import" or "/api/repo_status" or "/api/report_result" or "/api/last_tested_repo"
                or "/api/promote" or "/api/promotions" or "/api/recheck_package" or "/api/metrics/builds") =>
                WriteHtmlAsync(context, 405, "<h1>Method Not Allowed</h1>"),
            _ => WriteHtmlAsync(context, 404, "<h1>Not Found</h1>"),
        };
    }

    // Order of checks on a write endpoint: auth, content type, JSON parse, then the handler's validation.
    private async Task WriteAsync(HttpContext context, bool requireJson, Func<HttpContext, JsonObject, string, Task> handler)
    {
        var user = BasicUser(context.Request, out var authenticated);
        if (!authenticated)
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"Authentication Required\"";
            await WriteHtmlAsync(context, 401, "Unauthorized Access");
            return;
        }

        var contentType = context.Request.Headers.ContentType.ToString();
        if (requireJson && !string.Equals(contentType, "application/json", StringComparison.Ordinal))
        {
            await WriteMessageAsync(context, 415, "Unsupported Media Type, use JSON");
            return;
        }

        JsonObject input;
        if (contentType.StartsWith("application/json", StringComparison.Ordinal))
        {
            context.Request.Body.Position = 0;
            JsonNode? node;
            try
            {
                node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: Stopping(context));
            }
            catch (JsonException)
            {
                await WriteHtmlAsync(context, 400, "<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n<p>The browser (or proxy) sent a request that this server could not understand.</p>\n");
                return;
            }

            if (node is not JsonObject obj)
            {
                await WriteMessageAsync(context, 400, $"Errors detected: 1 {{'__root__': 'Input expected dict not {(node is JsonArray ? "list" : "str")}'}}");
                return;
            }

            input = obj;
        }
        else
        {
            input = ReadQuery(context);
            if (context.Request.HasFormContentType)
            {
                foreach (var (key, value) in await context.Request.ReadFormAsync(Stopping(context)))
                {
                    input[key] = value.ToString();
                }
            }
        }

        await handler(context, input, user!);
    }

    private async Task ImportAsync(HttpContext context, JsonObject input, string user)
    {
        var repoUrl = input["repo_url"];
        if (repoUrl is null)
        {
            await WriteMessageAsync(context, 400, "Errors detected: 1 {'repo_url': 'field required'}");
            return;
        }

        var text = repoUrl.GetValueKind() == JsonValueKind.String ? repoUrl.GetValue<string>() : repoUrl.ToJsonString();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host) || !text.Contains("://", StringComparison.Ordinal))
        {
            await WriteMessageAsync(context, 400, "Errors detected: 1 {'repo_url': 'invalid or missing URL scheme'}");
            return;
        }

        if (uri.Scheme is not ("http" or "https"))
        {
            await WriteMessageAsync(context, 400, "Errors detected: 1 {'repo_url': 'URL scheme not permitted'}");
            return;
        }

        var clockStart = Stopwatch.StartNew();
        string error;
        try
        {
            // Like a WSGI handler, the import runs to its end even when the client gives up.
            var outcome = await ImportCommitsAsync(text, user, Stopping(context));
            lock (gate)
            {
                imports.Add(outcome with { ServerDuration = clockStart.Elapsed });
            }

            await WriteJsonAsync(context, 201, new JsonObject { ["repo_url"] = text });
            return;
        }
        catch (ImportFailure e)
        {
            error = e.Message;
        }

        await WriteMessageAsync(context, 500, $"Remote import failed with error: {error}");
    }

    private async Task<FakeDlrnImport> ImportCommitsAsync(string repoUrl, string user, CancellationToken cancellationToken)
    {
        var yamlText = await DownloadTextAsync(repoUrl + "/commit.yaml", cancellationToken);
        var parsed = ParseCommitYaml(yamlText);
        var missing = new List<string>();
        var skipped = true;
        foreach (var fields in parsed)
        {
            var incoming = ToCommit(fields);
            FakeDlrnCommit? old;
            lock (gate)
            {
                old = commits.Where(c => c.ProjectName == incoming.ProjectName && c.Type == "rpm" && c.Status != "RETRY").MaxBy(c => c.Id);
            }

            // DLRN's skip rule: by timestamps only, silently, before the downloads and outside the lock.
            if (old is not null && old.DtCommit >= incoming.DtCommit && old.DtDistro >= incoming.DtDistro)
            {
                continue;
            }

            skipped = false;
            var directory = Path.Combine(DataDirectory, incoming.ShardedDirectory);
            Directory.CreateDirectory(directory);
            foreach (var log in LogFiles)
            {
                var bytes = await TryDownloadAsync($"{repoUrl}/{log}", cancellationToken);
                if (bytes is not null)
                {
                    await File.WriteAllBytesAsync(Path.Combine(directory, log), bytes, cancellationToken);
                }
            }

            var artifacts = incoming.Artifacts is null ? [] : incoming.Artifacts.Split(',');
            foreach (var artifact in artifacts)
            {
                var target = Path.GetFullPath(Path.Combine(DataDirectory, artifact));
                if (Path.GetDirectoryName(target) != Path.GetFullPath(directory))
                {
                    throw new ImportFailure($"[Errno 2] No such file or directory: '{Path.Combine(DataDirectory, artifact)}'");
                }

                var bytes = FailArtifactDownloads ? null : await TryDownloadAsync($"{repoUrl}/{Path.GetFileName(artifact)}", cancellationToken);
                if (bytes is null)
                {
                    missing.Add(artifact);
                    continue;
                }

                await File.WriteAllBytesAsync(target, bytes, cancellationToken);
            }

            if (ImportProcessingTime > TimeSpan.Zero)
            {
                await Task.Delay(ImportProcessingTime, cancellationToken);
            }

            // DLRN takes its remote update lock only to record the commit and write the repository files.
            await importLock.WaitAsync(cancellationToken);
            try
            {
                var row = incoming with
                {
                    Artifacts = incoming.Status == "SUCCESS" ? incoming.Artifacts : "",
                    ExtendedHash = incoming.ExtendedHash,
                };
                lock (gate)
                {
                    row = row with { Id = nextCommitId++ };
                    commits.Add(row);
                }

                await File.WriteAllTextAsync(Path.Combine(directory, "commit.yaml"), ExportCommitYaml(row), cancellationToken);
                await File.WriteAllTextAsync(Path.Combine(DataDirectory, "repos", "status_report.csv"), StatusReportCsv(), cancellationToken);
                if (row.Status == "SUCCESS")
                {
                    var current = Path.Combine(DataDirectory, "repos", "current");
                    File.Delete(current);
                    File.CreateSymbolicLink(current, Path.GetRelativePath(Path.Combine(DataDirectory, "repos"), directory));
                }
            }
            finally
            {
                importLock.Release();
            }
        }

        _ = user;
        return new FakeDlrnImport(repoUrl, skipped, missing, TimeSpan.Zero);
    }

    /// <summary>The commit.yaml DLRN writes into the commit's directory (<c>saveYAML_commit</c>): every column as
    /// Python's <c>str()</c>, keys sorted, as PyYAML dumps strings (quoted when they would read as another type).</summary>
    private static string ExportCommitYaml(FakeDlrnCommit row)
    {
        static string None(string? value) => value ?? "None";
        var columns = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["artifacts"] = None(row.Artifacts),
            ["commit_branch"] = None(row.CommitBranch),
            ["commit_hash"] = row.CommitHash,
            ["component"] = row.Component,
            ["distgit_dir"] = None(row.DistgitDir),
            ["distro_hash"] = row.DistroHash,
            ["dt_build"] = row.DtBuild.ToString(CultureInfo.InvariantCulture),
            ["dt_commit"] = PythonFloat(row.DtCommit),
            ["dt_distro"] = row.DtDistro.ToString(CultureInfo.InvariantCulture),
            ["dt_extended"] = row.DtExtended?.ToString(CultureInfo.InvariantCulture) ?? "None",
            ["extended_hash"] = None(row.ExtendedHash),
            ["flags"] = row.Flags.ToString(CultureInfo.InvariantCulture),
            ["id"] = row.Id.ToString(CultureInfo.InvariantCulture),
            ["notes"] = None(row.Notes),
            ["project_name"] = row.ProjectName,
            ["repo_dir"] = None(row.RepoDir),
            ["status"] = row.Status,
            ["type"] = row.Type,
            ["versions_csv"] = "None",
        };
        var text = new StringBuilder("commits:\n");
        var first = true;
        foreach (var (key, value) in columns)
        {
            text.Append(first ? "- " : "  ").Append(key).Append(": ").Append(PyYamlString(value)).Append('\n');
            first = false;
        }

        return text.ToString();
    }

    private static string PythonFloat(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e16 ? value.ToString("0.0", CultureInfo.InvariantCulture) : value.ToString("R", CultureInfo.InvariantCulture);

    private static string PyYamlString(string value)
    {
        if (PlainSafe().IsMatch(value) && !ResolvesToOtherType().IsMatch(value))
        {
            return value;
        }

        return value.Contains('\n', StringComparison.Ordinal) || value.Contains('\'', StringComparison.Ordinal)
            ? JsonSerializer.Serialize(value, RelaxedJson)
            : $"'{value}'";
    }

    /// <summary>DLRN's <c>status_report.csv</c> (genreports): each package's newest build, any status.</summary>
    private string StatusReportCsv()
    {
        var text = new StringBuilder("Project,Source Sha,Dist Sha,Extended Sha,Component,Status,Timestamp,Packages\n");
        List<FakeDlrnCommit> newest;
        lock (gate)
        {
            newest = [.. commits.Where(c => c.Type == "rpm").GroupBy(c => c.ProjectName).Select(g => g.MaxBy(c => c.Id)!).OrderBy(c => c.ProjectName, StringComparer.Ordinal)];
        }

        foreach (var c in newest)
        {
            text.Append(CultureInfo.InvariantCulture, $"{c.ProjectName},{c.CommitHash},{c.DistroHash},{c.ExtendedHash ?? "None"},{c.Component},{c.Status},{c.DtBuild},{(c.Artifacts ?? "None").Replace(',', '|')}\n");
        }

        return text.ToString();
    }

    private static List<Dictionary<string, (string Value, bool PlainDigits)>> ParseCommitYaml(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ImportFailure($"while parsing a flow mapping {e.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("commits"), out var list))
        {
            throw new ImportFailure("'commits'");
        }

        if (list is not YamlSequenceNode sequence)
        {
            throw new ImportFailure("'commits' is not a list");
        }

        var result = new List<Dictionary<string, (string, bool)>>();
        foreach (var node in sequence.Children)
        {
            if (node is not YamlMappingNode mapping)
            {
                throw new ImportFailure("'str' object has no attribute 'items'");
            }

            var fields = new Dictionary<string, (string, bool)>(StringComparer.Ordinal);
            foreach (var (key, value) in mapping.Children)
            {
                var name = ((YamlScalarNode)key).Value ?? "";
                if (!CommitKeys.Contains(name))
                {
                    throw new ImportFailure($"'{name}' is an invalid keyword argument for Commit");
                }

                var scalar = value as YamlScalarNode;
                var raw = scalar?.Value ?? "None";
                fields[name] = (raw, scalar is { Style: ScalarStyle.Plain } && raw.Length > 0 && raw.All(char.IsAsciiDigit));
            }

            result.Add(fields);
        }

        return result;
    }

    private static FakeDlrnCommit ToCommit(Dictionary<string, (string Value, bool PlainDigits)> fields)
    {
        string? Get(string key) => fields.TryGetValue(key, out var v) && v.Value != "None" ? v.Value : null;
        foreach (var key in (string[])["commit_hash", "distro_hash", "extended_hash"])
        {
            if (fields.TryGetValue(key, out var v) && v.PlainDigits)
            {
                // An unquoted all-digit hash is an int in YAML; DLRN then fails building the path.
                throw new ImportFailure("unsupported operand type(s) for +: 'int' and 'str'");
            }
        }

        long Int(string key) =>
            Get(key) is { } v
                ? long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new ImportFailure($"invalid literal for int() with base 10: '{v}'")
                : throw new ImportFailure("int() argument must be a string, a bytes-like object or a real number, not 'NoneType'");
        var dtCommit = Get("dt_commit") is { } c
            ? double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new ImportFailure($"could not convert string to float: '{c}'")
            : throw new ImportFailure("float() argument must be a string or a real number, not 'NoneType'");
        var dtBuild = Int("dt_build");
        var dtDistro = Int("dt_distro");
        var commitHash = Get("commit_hash") ?? throw new ImportFailure("'NoneType' object is not subscriptable");
        var distroHash = Get("distro_hash") ?? throw new ImportFailure("'NoneType' object is not subscriptable");
        var projectName = Get("project_name") ?? throw new ImportFailure("'NoneType' object has no attribute 'project_name'");
        var extended = Get("extended_hash");
        var component = Get("component");
        var name = $"{commitHash}_{distroHash[..Math.Min(8, distroHash.Length)]}";
        if (extended is not null)
        {
            name += extended.Length < 49 ? $"_{extended[..Math.Min(8, extended.Length)]}" : $"_{extended[..8]}_{extended[41..49]}";
        }

        if (commitHash.Length < 4 || commitHash.Contains('/', StringComparison.Ordinal) || commitHash.Contains("..", StringComparison.Ordinal))
        {
            throw new ImportFailure($"[Errno 2] No such file or directory: '{commitHash}'");
        }

        var prefix = component is null ? "repos" : $"repos/component/{component}";
        return new FakeDlrnCommit
        {
            ProjectName = projectName,
            CommitHash = commitHash,
            DistroHash = distroHash,
            ExtendedHash = extended,
            Component = "None",
            Status = Get("status") ?? "SUCCESS",
            DtCommit = dtCommit,
            DtDistro = dtDistro,
            DtBuild = dtBuild,
            Artifacts = Get("artifacts"),
            Notes = Get("notes"),
            CommitBranch = Get("commit_branch"),
            RepoDir = Get("repo_dir"),
            DistgitDir = Get("distgit_dir"),
            Type = Get("type") ?? "rpm",
            ShardedDirectory = $"{prefix}/{commitHash[..2]}/{commitHash[2..4]}/{name}",
        };
    }

    private async Task<string> DownloadTextAsync(string url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            using var response = await downloader.GetAsync(url, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                var kind = (int)response.StatusCode >= 500 ? "Server Error" : "Client Error";
                throw new ImportFailure($"{(int)response.StatusCode} {kind}: {response.ReasonPhrase} for url: {url}");
            }

            return await response.Content.ReadAsStringAsync(timeout.Token);
        }
        catch (HttpRequestException e)
        {
            throw new ImportFailure($"HTTPConnectionPool: Max retries exceeded with url: {url} (Caused by NewConnectionError: {e.Message})");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ImportFailure($"HTTPConnectionPool: Read timed out. (read timeout=10) for url: {url}");
        }
    }

    private async Task<byte[]?> TryDownloadAsync(string url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await downloader.GetAsync(url, cancellationToken);
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsByteArrayAsync(cancellationToken) : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task GraphQlAsync(HttpContext context, string body)
    {
        string? query;
        if (context.Request.Method == "GET")
        {
            query = context.Request.Query["query"].ToString();
        }
        else
        {
            try
            {
                query = JsonNode.Parse(body)?["query"]?.GetValue<string>();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                query = null;
            }
        }

        if (string.IsNullOrWhiteSpace(query))
        {
            await WriteGraphQlErrorAsync(context, "Must provide query string.");
            return;
        }

        if (VoteQueryPattern().Match(query) is { Success: true } voteQuery)
        {
            await VotesGraphQlAsync(context, voteQuery);
            return;
        }

        var match = CommitsQueryPattern().Match(query);
        if (!match.Success)
        {
            await WriteGraphQlErrorAsync(context, "The fake DLRN server answers only 'commits' queries with literal arguments.");
            return;
        }

        if (await ParseGraphQlFieldAsync(context, match, "commits", "Commit", GraphQlCommitArguments.Contains, GraphQlCommitFields.ContainsKey) is not { } parsed)
        {
            return;
        }

        var (arguments, fields) = parsed;
        string? Text(string name) => arguments.TryGetValue(name, out var v) && v is not null ? v.GetValue<string>() : null;
        int Number(string name, int fallback) => arguments.TryGetValue(name, out var v) && v is not null ? v.GetValue<int>() : fallback;
        IEnumerable<FakeDlrnCommit> rows = Commits;
        if (Text("projectName") is { Length: > 0 } projectName)
        {
            rows = rows.Where(c => c.ProjectName == projectName);
        }

        if (Text("component") is { Length: > 0 } component)
        {
            rows = rows.Where(c => c.Component == component);
        }

        if (Text("status") is { Length: > 0 } status)
        {
            rows = rows.Where(c => c.Status == status);
        }

        if (Text("commitHash") is { Length: > 0 } commitHash)
        {
            rows = rows.Where(c => c.CommitHash == commitHash);
        }

        if (Text("distroHash") is { Length: > 0 } distroHash)
        {
            rows = rows.Where(c => c.DistroHash == distroHash);
        }

        if (Text("extendedHash") is { Length: > 0 } extendedHash)
        {
            rows = rows.Where(c => c.ExtendedHash == extendedHash);
        }

        var limit = Math.Min(Number("limit", 100), 100);
        var list = new JsonArray();
        foreach (var row in rows.OrderByDescending(c => c.Id).Skip(Number("offset", 0)).Take(limit))
        {
            var item = new JsonObject();
            foreach (var field in fields)
            {
                item[field] = field switch
                {
                    "id" => Convert.ToBase64String(Encoding.UTF8.GetBytes($"Commit:{row.Id}")),
                    "type" => row.Type,
                    "dtCommit" => (long)row.DtCommit,
                    "dtDistro" => row.DtDistro,
                    "dtExtended" => row.DtExtended,
                    "dtBuild" => row.DtBuild,
                    "projectName" => row.ProjectName,
                    "repoDir" => row.RepoDir,
                    "distgitDir" => row.DistgitDir,
                    "commitHash" => row.CommitHash,
                    "distroHash" => row.DistroHash,
                    "extendedHash" => row.ExtendedHash,
                    "commitBranch" => row.CommitBranch,
                    "status" => row.Status,
                    "component" => row.Component,
                    "artifacts" => row.Artifacts,
                    "notes" => row.Notes,
                    "flags" => row.Flags,
                    "versionsCsv" => "None",
                    _ => null,
                };
            }

            list.Add(item);
        }

        await WriteJsonAsync(context, 200, new JsonObject { ["data"] = new JsonObject { ["commits"] = list } });
    }

    private async Task RepoStatusAsync(HttpContext context)
    {
        var input = ReadQuery(context);
        if (await MissingFieldsAsync(context, input, "commit_hash", "distro_hash"))
        {
            return;
        }

        var commit = FindSuccessCommit(input);
        if (commit is null)
        {
            await WriteMessageAsync(context, 400, "commit_hash+distro_hash+extended_hash combination not found");
            return;
        }

        var success = OptionalBool(input, "success");
        var list = new JsonArray();
        foreach (var vote in Votes.Where(v => v.CommitId == commit.Id && (success is null || v.Success == success)))
        {
            list.Add(VoteJson(vote, commit));
        }

        await WriteJsonAsync(context, 200, list);
    }

    private async Task ReportResultAsync(HttpContext context, JsonObject input, string user)
    {
        if (await MissingFieldsAsync(context, input, "job_id", "url", "timestamp", "success"))
        {
            return;
        }

        if (!TryLong(input["timestamp"], out var timestamp))
        {
            await WriteMessageAsync(context, 400, "Errors detected: 1 {'timestamp': 'value is not a valid integer'}");
            return;
        }

        if (!TryBool(input["success"], out var success))
        {
            await WriteMessageAsync(context, 400, "Errors detected: 1 {'success': 'value could not be parsed to a boolean'}");
            return;
        }

        var hasCommit = input["commit_hash"] is not null || input["distro_hash"] is not null;
        var aggregate = Str(input["aggregate_hash"]);
        if (hasCommit == (aggregate is not null) || (hasCommit && (input["commit_hash"] is null || input["distro_hash"] is null)))
        {
            await WriteMessageAsync(context, 400, "Errors detected: 1 {'__root__': 'Either the aggregate hash or both commit_hash and distro_hash must be specified.'}");
            return;
        }

        var notes = Str(input["notes"]);
        var jobId = Str(input["job_id"])!;
        var url = Str(input["url"])!;
        if (aggregate is not null)
        {
            var vote = new FakeDlrnAggregateVote { AggregateHash = aggregate, JobId = jobId, Url = url, Timestamp = timestamp, Success = success, Notes = notes, User = user };
            lock (gate)
            {
                aggregateVotes.Add(vote);
            }

            await WriteJsonAsync(context, 201, new JsonObject
            {
                ["job_id"] = jobId,
                ["aggregate_hash"] = aggregate,
                ["url"] = url,
                ["timestamp"] = timestamp,
                ["in_progress"] = false,
                ["success"] = success,
                ["notes"] = notes,
                ["user"] = user,
            });
            return;
        }

        var commit = FindSuccessCommit(input);
        if (commit is null)
        {
            await WriteMessageAsync(context, 400, "commit_hash+distro_hash+extended_hash combination not found");
            return;
        }

        var added = new FakeDlrnVote { CommitId = commit.Id, JobId = jobId, Url = url, Timestamp = timestamp, Success = success, Notes = notes, User = user };
        lock (gate)
        {
            votes.Add(added);
        }

        await WriteJsonAsync(context, 201, VoteJson(added, commit));
    }

    private async Task LastTestedRepoAsync(HttpContext context, JsonObject input, string? user)
    {
        if (await MissingFieldsAsync(context, input, user is null ? ["max_age"] : ["max_age", "reporting_job_id"]))
        {
            return;
        }

        if (!TryLong(input["max_age"], out var maxAge))
        {
            await WriteMessageAsync(context, 400, "Errors detected: 1 {'max_age': 'value is not a valid integer'}");
            return;
        }

        var jobId = Str(input["job_id"]);
        var success = OptionalBool(input, "success");
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var candidates = Votes.Where(v => (maxAge == 0 || v.Timestamp >= now - (maxAge * 3600)) && (success is null || v.Success == success)).ToList();
        var chosen = candidates.Where(v => jobId is null || v.JobId == jobId).MaxBy(v => v.Timestamp)
            ?? candidates.Where(v => v.JobId != "consistent").MaxBy(v => v.Timestamp);
        if (chosen is null)
        {
            await WriteMessageAsync(context, 400, "No vote found");
            return;
        }

        var commit = Commits.Single(c => c.Id == chosen.CommitId);
        if (user is not null)
        {
            var claim = new FakeDlrnVote
            {
                CommitId = commit.Id,
                JobId = Str(input["reporting_job_id"])!,
                Url = "",
                Timestamp = now,
                Success = false,
                InProgress = true,
                User = user,
            };
            lock (gate)
            {
                votes.Add(claim);
            }

            chosen = claim;
        }

        var reply = new JsonObject
        {
            ["commit_hash"] = commit.CommitHash,
            ["distro_hash"] = commit.DistroHash,
            ["extended_hash"] = commit.ExtendedHash ?? "None",
            ["timestamp"] = chosen.Timestamp,
            ["job_id"] = chosen.JobId,
            ["success"] = chosen.Success,
            ["in_progress"] = chosen.InProgress,
            ["user"] = chosen.User,
            ["component"] = commit.Component,
        };
        await WriteJsonAsync(context, user is null ? 200 : 201, reply);
    }

    private async Task PromoteAsync(HttpContext context, JsonObject input, string user)
    {
        if (await MissingFieldsAsync(context, input, "commit_hash", "distro_hash", "promote_name"))
        {
            return;
        }

        var name = Str(input["promote_name"])!;
        if (name is "current" or "consistent" || name.Contains('/', StringComparison.Ordinal) || name.Contains("..", StringComparison.Ordinal) || name.Length == 0)
        {
            await WriteMessageAsync(context, 403, "Invalid promote_name " + name);
            return;
        }

        var commit = FindSuccessCommit(input);
        if (commit is null)
        {
            await WriteMessageAsync(context, 400, "commit_hash+distro_hash+extended_hash combination not found");
            return;
        }

        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        lock (gate)
        {
            promotions.Add(new FakeDlrnPromotion { CommitId = commit.Id, PromoteName = name, Timestamp = timestamp, User = user });
        }

        var link = Path.Combine(DataDirectory, "repos", name);
        File.Delete(link);
        File.CreateSymbolicLink(link, commit.ShardedDirectory["repos/".Length..]);
        await WriteJsonAsync(context, 201, PromotionJson(commit, name, timestamp, user));
    }

    private async Task PromotionsAsync(HttpContext context)
    {
        var input = ReadQuery(context);
        IEnumerable<FakeDlrnPromotion> rows = Promotions;
        var all = Commits.ToDictionary(c => c.Id);
        if (Str(input["commit_hash"]) is { } commitHash)
        {
            rows = rows.Where(p => all[p.CommitId].CommitHash == commitHash);
        }

        if (Str(input["distro_hash"]) is { } distroHash)
        {
            rows = rows.Where(p => all[p.CommitId].DistroHash == distroHash);
        }

        if (Str(input["promote_name"]) is { } name)
        {
            rows = rows.Where(p => p.PromoteName == name);
        }

        TryLong(input["offset"], out var offset);
        // PromotionsInput: no limit means every row; a limit above 100 is 100 (dlrn/api/inputs/promotions.py).
        var limit = TryLong(input["limit"], out var l) ? Math.Min(l, 100) : int.MaxValue;
        var list = new JsonArray();
        foreach (var promotion in rows.Reverse().Skip((int)offset).Take((int)limit))
        {
            list.Add(PromotionJson(all[promotion.CommitId], promotion.PromoteName, promotion.Timestamp, promotion.User));
        }

        await WriteJsonAsync(context, 200, list);
    }

    private async Task RecheckPackageAsync(HttpContext context, JsonObject input, string user)
    {
        _ = user;
        if (await MissingFieldsAsync(context, input, "package_name"))
        {
            return;
        }

        var package = Str(input["package_name"])!;
        FakeDlrnCommit? last;
        lock (gate)
        {
            last = commits.Where(c => c.ProjectName == package && c.Status != "RETRY").MaxBy(c => c.Id);
        }

        if (last is null)
        {
            await WriteMessageAsync(context, 400, $"There are no existing commits for package {package}");
            return;
        }

        if (last.Status == "SUCCESS")
        {
            await WriteMessageAsync(context, 409, "It is not allowed to recheck a package which was successfully built");
            return;
        }

        lock (gate)
        {
            commits.Remove(last);
        }

        await WriteJsonAsync(context, 201, new JsonObject { ["result"] = "ok" });
    }

    private async Task BuildMetricsAsync(HttpContext context)
    {
        var input = ReadQuery(context);
        if (await MissingFieldsAsync(context, input, "start_date", "end_date"))
        {
            return;
        }

        if (!DateOnly.TryParseExact(Str(input["start_date"]), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            || !DateOnly.TryParseExact(Str(input["end_date"]), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end))
        {
            await WriteMessageAsync(context, 400, "Errors detected: 1 {'start_date': 'invalid date format'}");
            return;
        }

        var from = new DateTimeOffset(start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();
        var to = new DateTimeOffset(end.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();
        var package = Str(input["package_name"]);
        var rows = Commits.Where(c => package is null || c.ProjectName == package).ToList();
        // DLRN's quirk: FAILED counts with <= end, SUCCESS with < end.
        var succeeded = rows.Count(c => c.Status == "SUCCESS" && c.DtBuild >= from && c.DtBuild < to);
        var failed = rows.Count(c => c.Status == "FAILED" && c.DtBuild >= from && c.DtBuild <= to);
        await WriteJsonAsync(context, 200, new JsonObject { ["succeeded"] = succeeded, ["failed"] = failed, ["total"] = succeeded + failed });
    }

    private async Task ServeRepoFileAsync(HttpContext context, string relative)
    {
        var root = Path.GetFullPath(Path.Combine(DataDirectory, "repos"));
        var full = Path.GetFullPath(Path.Combine(root, Uri.UnescapeDataString(relative)));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(full)
            || context.Request.Method is not ("GET" or "HEAD"))
        {
            context.Response.StatusCode = 404;
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = new FileInfo(full).Length;
        if (context.Request.Method == "GET")
        {
            await context.Response.SendFileAsync(full, context.RequestAborted);
        }
    }

    private FakeDlrnCommit? FindSuccessCommit(JsonObject input)
    {
        var commitHash = Str(input["commit_hash"]);
        var distroHash = Str(input["distro_hash"]);
        var extended = Str(input["extended_hash"]);
        lock (gate)
        {
            return commits.Where(c => c.Status == "SUCCESS" && c.CommitHash == commitHash && c.DistroHash == distroHash
                && (extended is null or "None" || c.ExtendedHash == extended)).MaxBy(c => c.Id);
        }
    }

    private JsonObject PromotionJson(FakeDlrnCommit commit, string name, long timestamp, string user) => new()
    {
        ["commit_hash"] = commit.CommitHash,
        ["distro_hash"] = commit.DistroHash,
        ["extended_hash"] = commit.ExtendedHash ?? "None",
        ["repo_hash"] = $"{commit.CommitHash}_{commit.DistroHash[..8]}",
        ["repo_url"] = $"{ReposUrl}/{commit.ShardedDirectory["repos/".Length..]}",
        ["promote_name"] = name,
        ["component"] = commit.Component,
        ["timestamp"] = timestamp,
        ["user"] = user,
        ["aggregate_hash"] = null,
    };

    private static JsonObject VoteJson(FakeDlrnVote vote, FakeDlrnCommit commit) => new()
    {
        ["job_id"] = vote.JobId,
        ["commit_hash"] = commit.CommitHash,
        ["distro_hash"] = commit.DistroHash,
        ["extended_hash"] = commit.ExtendedHash ?? "None",
        ["url"] = vote.Url,
        ["timestamp"] = vote.Timestamp,
        ["in_progress"] = vote.InProgress,
        ["success"] = vote.Success,
        ["notes"] = vote.Notes,
        ["user"] = vote.User,
        ["component"] = commit.Component,
    };

    private string HealthText()
    {
        lock (gate)
        {
            return commits.Count == 0 ? "ok, no commits in DB" : "ok";
        }
    }

    private string? BasicUser(HttpRequest request, out bool authenticated)
    {
        authenticated = false;
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        var user = decoded[..colon];
        lock (gate)
        {
            authenticated = users.TryGetValue(user, out var password) && password == decoded[(colon + 1)..];
        }

        return user;
    }

    private static async Task<bool> MissingFieldsAsync(HttpContext context, JsonObject input, params string[] names)
    {
        var missing = names.Where(n => input[n] is null).ToList();
        if (missing.Count == 0)
        {
            return false;
        }

        var details = string.Join(", ", missing.Select(m => $"'{m}': 'field required'"));
        await WriteMessageAsync(context, 400, $"Errors detected: {missing.Count} {{{details}}}");
        return true;
    }

    private static JsonObject ReadQuery(HttpContext context)
    {
        var input = new JsonObject();
        foreach (var (key, value) in context.Request.Query)
        {
            input[key] = value.ToString();
        }

        return input;
    }

    private static string? Str(JsonNode? node) => node is null ? null : node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();

    private static bool TryLong(JsonNode? node, out long value)
    {
        value = 0;
        return node is not null && long.TryParse(Str(node), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryBool(JsonNode? node, out bool value)
    {
        value = false;
        var text = Str(node)?.ToUpperInvariant();
        switch (text)
        {
            case "TRUE" or "1" or "YES" or "ON":
                value = true;
                return true;
            case "FALSE" or "0" or "NO" or "OFF":
                return true;
            default:
                return false;
        }
    }

    private static bool? OptionalBool(JsonObject input, string name) => TryBool(input[name], out var value) ? value : null;

    private static Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(RelaxedJson), context.RequestAborted);
    }

    private static Task WriteMessageAsync(HttpContext context, int status, string message) =>
        WriteJsonAsync(context, status, new JsonObject { ["message"] = message });

    /// <summary>
    /// The literal arguments and the selected fields of one GraphQL query field, each name checked as graphene checks it;
    /// null, with the error answered, when a name is unknown or the arguments do not parse.
    /// </summary>
    private static async Task<(Dictionary<string, JsonNode?> Arguments, string[] Fields)?> ParseGraphQlFieldAsync(
        HttpContext context, Match match, string field, string type, Func<string, bool> isArgument, Func<string, bool> isField)
    {
        var arguments = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var argumentText = match.Groups["args"].Value;
        foreach (Match argument in ArgumentPattern().Matches(argumentText))
        {
            var name = argument.Groups["name"].Value;
            if (!isArgument(name))
            {
                await WriteGraphQlErrorAsync(context, $"Unknown argument \"{name}\" on field \"{field}\" of type \"Query\".");
                return null;
            }

            arguments[name] = JsonNode.Parse(argument.Groups["value"].Value);
        }

        if (ArgumentPattern().Replace(argumentText, "").Trim(' ', ',', '\n', '\t', '\r').Length > 0)
        {
            await WriteGraphQlErrorAsync(context, $"Syntax Error: cannot parse the arguments '{argumentText}'.");
            return null;
        }

        var fields = match.Groups["fields"].Value.Split((char[])[' ', '\n', '\t', '\r', ','], StringSplitOptions.RemoveEmptyEntries);
        if (fields.FirstOrDefault(name => !isField(name)) is { } unknown)
        {
            await WriteGraphQlErrorAsync(context, $"Cannot query field \"{unknown}\" on type \"{type}\".");
            return null;
        }

        return (arguments, fields);
    }

    private static Task WriteGraphQlErrorAsync(HttpContext context, string message) =>
        WriteJsonAsync(context, 400, new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["message"] = message }) });

    private static Task WriteHtmlAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(body, context.RequestAborted);
    }

    [GeneratedRegex(@"^[A-Za-z0-9_/][A-Za-z0-9_./,+-]*$")]
    private static partial Regex PlainSafe();

    // PyYAML's implicit int, float, bool and null resolvers (what a plain scalar would read as instead of a string).
    [GeneratedRegex(@"^([-+]?(0b[01_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+)|[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$")]
    private static partial Regex ResolvesToOtherType();

    [GeneratedRegex(@"^\s*(query\s*\w*\s*)?\{\s*commits\s*(\((?<args>[^)]*)\))?\s*\{(?<fields>[^{}]*)\}\s*\}\s*$")]
    private static partial Regex CommitsQueryPattern();

    [GeneratedRegex(@"(?<name>\w+)\s*:\s*(?<value>""(?:[^""\\]|\\.)*""|-?\d+|true|false)")]
    private static partial Regex ArgumentPattern();

    private sealed class ImportFailure(string message) : Exception(message);
}
