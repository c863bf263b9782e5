using System.Text.Json;
using CiJobs.Core.Rdoinfo;

namespace CiJobs.Core.Truth;

/// <summary>An answer of the HTTP API: status code, media type and body.</summary>
public sealed record TruthApiResponse(int Status, string ContentType, byte[] Body);

/// <summary>
/// The read-only HTTP API of the truth store (docs/manual/truth.md, "HTTP API and page"), apart from the server: a GET
/// of a path and query string in, a JSON answer out. Arguments go through <see cref="TruthQueryInput"/>, as on the
/// command line; one query runs at a time (a store holds one connection).
/// </summary>
public sealed class TruthApi(ITruthQueries queries, RdoinfoDatabase? rdoinfo)
{
    public const string JsonType = "application/json; charset=utf-8";
    public const int DefaultLimit = 100;
    public const int DefaultDepth = 8;

    /// <summary>The longest query string read; a longer one is refused.</summary>
    public const int MaxQueryLength = 2048;

    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>Each release's packages as rdoinfo expands them, kept for the server's life (used under <see cref="gate"/>).</summary>
    private readonly Dictionary<string, IReadOnlyList<RdoPackage>> expanded = new(StringComparer.Ordinal);

    /// <summary>The parameters each endpoint takes (any other is refused).</summary>
    private static readonly Dictionary<string, string[]> Endpoints = new(StringComparer.Ordinal)
    {
        ["/api/release"] = ["name", "limit"],
        ["/api/produced"] = ["from", "to", "limit"],
        ["/api/inputs"] = ["artifact", "depth", "limit"],
        ["/api/built-from"] = ["input", "depth", "limit"],
        ["/api/qe"] = ["build", "repo", "aggregate", "limit"],
        ["/api/history"] = ["package", "limit"],
        ["/api/build-times"] = ["release", "package", "last"],
    };

    public static bool IsApiPath(string path) => Endpoints.ContainsKey(path);

    public async Task<TruthApiResponse> HandleAsync(string path, string query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(query);
        if (!Endpoints.TryGetValue(path, out var allowed))
        {
            return Error(404, $"no such endpoint; the API has {string.Join(", ", Endpoints.Keys)}");
        }

        try
        {
            var parameters = Parse(query, allowed);
            await gate.WaitAsync(cancellationToken);
            try
            {
                return await AnswerAsync(path, parameters, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }
        catch (CiJobsException e) when (e.ExitCode == TruthExitCodes.StoreOption)
        {
            return Error(e.Message.StartsWith("unknown release", StringComparison.Ordinal) ? 404 : 400, e.Message);
        }
        catch (CiJobsException e) when (e.ExitCode == TruthExitCodes.StoreUnavailable)
        {
            return Error(503, e.Message);
        }
    }

    private async Task<TruthApiResponse> AnswerAsync(string path, Dictionary<string, string> p, CancellationToken cancellationToken)
    {
        var limit = p.TryGetValue("limit", out var l) ? TruthQueryInput.Bounded(l, "limit", TruthQueryInput.MaxLimit) : DefaultLimit;
        var depth = p.TryGetValue("depth", out var d) ? TruthQueryInput.Bounded(d, "depth", TruthQueryInput.MaxDepth) : DefaultDepth;
        string Required(string name) => p.TryGetValue(name, out var value)
            ? value
            : throw new CiJobsException($"the parameter '{name}' is required", TruthExitCodes.StoreOption);
        var context = TruthJsonContext.Default;
        switch (path)
        {
            case "/api/release":
                var release = TruthQueryInput.Name(Required("name"), "release");
                var database = rdoinfo ?? throw new CiJobsException("this server has no rdoinfo (start it with --rdoinfo)", TruthExitCodes.StoreOption);
                return Json(await TruthReleaseStatus.ComputeAsync(database, release, queries, limit, expanded, cancellationToken), context.ReleaseStatus);
            case "/api/produced":
                var from = TruthQueryInput.Time(Required("from"), "from");
                var to = TruthQueryInput.Time(Required("to"), "to");
                TruthQueryInput.Range(from, to);
                return Json(await queries.BuildsBetweenAsync(from, to, limit, cancellationToken), context.BuildPage);
            case "/api/inputs":
                return Json(await queries.InputsOfAsync(TruthQueryInput.Sha256(Required("artifact"), "artifact"), depth, limit, cancellationToken), context.Lineage);
            case "/api/built-from":
                return Json(await queries.BuiltFromAsync(TruthQueryInput.Input(Required("input"), "input"), depth, limit, cancellationToken), context.Lineage);
            case "/api/qe":
                return Json(await queries.QeStatusAsync(Subject(p.GetValueOrDefault("build"), p.GetValueOrDefault("repo"), p.GetValueOrDefault("aggregate")), limit, cancellationToken), context.QeStatus);
            case "/api/build-times":
                var last = p.TryGetValue("last", out var k) ? TruthQueryInput.Bounded(k, "last", SqlTruthStore.MaxBuildTimesLast) : BuildTimesOutput.DefaultLast;
                var scope = BuildTimesScope(p.GetValueOrDefault("release"), p.TryGetValue("package", out var names) ? names.Split(',') : null);
                return new(200, JsonType, BuildTimesOutput.Json(await queries.BuildTimesAsync(scope, last, cancellationToken)));
            default:
                return Json(await queries.HistoryAsync(TruthQueryInput.Name(Required("package"), "package"), limit, cancellationToken), context.PackageHistory);
        }
    }

    /// <summary>Exactly one of a release or some packages, their names checked.</summary>
    public static BuildTimesScope BuildTimesScope(string? release, IReadOnlyList<string>? packages)
    {
        if ((release is null) == (packages is null or { Count: 0 }))
        {
            throw new CiJobsException("give either a release or packages (not both)", TruthExitCodes.StoreOption);
        }

        return release is not null
            ? Truth.BuildTimesScope.OfRelease(TruthQueryInput.Name(release, "release"))
            : Truth.BuildTimesScope.OfPackages([.. packages!.Select(n => TruthQueryInput.Name(n, "package"))]);
    }

    /// <summary>Exactly one of a build id, a repository hash or an aggregate hash.</summary>
    public static QeSubject Subject(string? build, string? repo, string? aggregate)
    {
        var given = new[] { build, repo, aggregate }.Count(v => v is not null);
        if (given != 1)
        {
            throw new CiJobsException("give exactly one of build, repo (repository hash) or aggregate", TruthExitCodes.StoreOption);
        }

        return build is not null ? new QeSubject(QeSubjectKind.Build, TruthQueryInput.Sha256(build, "build id"))
            : repo is not null ? TruthQueryInput.RepoHash(repo, "repository hash")
            : new QeSubject(QeSubjectKind.Aggregate, TruthQueryInput.Aggregate(aggregate!, "aggregate hash"));
    }

    /// <summary>The query string's parameters: each at most once, only those the endpoint takes, percent-decoded.</summary>
    private static Dictionary<string, string> Parse(string query, string[] allowed)
    {
        var text = query.TrimStart('?');
        if (text.Length > MaxQueryLength)
        {
            throw new CiJobsException($"the query string is longer than {MaxQueryLength} characters", TruthExitCodes.StoreOption);
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                throw new CiJobsException($"unknown parameter '{Builds.PackageNames.Printable(name)}'; this endpoint takes {string.Join(", ", allowed)}", TruthExitCodes.StoreOption);
            }

            if (!parameters.TryAdd(name, value))
            {
                throw new CiJobsException($"the parameter '{name}' is given twice", TruthExitCodes.StoreOption);
            }
        }

        return parameters;
    }

    private static string Decode(string value)
    {
        try
        {
            return Uri.UnescapeDataString(value.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            throw new CiJobsException("the query string cannot be decoded", TruthExitCodes.StoreOption);
        }
    }

    private static TruthApiResponse Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        new(200, JsonType, JsonSerializer.SerializeToUtf8Bytes(value, type));

    public static TruthApiResponse Error(int status, string message) =>
        new(status, JsonType, JsonSerializer.SerializeToUtf8Bytes(new TruthApiError(message), TruthJsonContext.Default.TruthApiError));
}
