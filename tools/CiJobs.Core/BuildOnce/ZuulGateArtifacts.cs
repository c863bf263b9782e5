using System.Globalization;
using System.Text.Json;

namespace CiJobs.Core.BuildOnce;

/// <summary>
/// The gate builds of one change in Zuul's REST API, as zuul-jobs' promote jobs find them:
/// <c>GET api/tenant/T/builds?project=P&amp;change=N&amp;patchset=S&amp;pipeline=gate&amp;job_name=J&amp;result=SUCCESS</c>,
/// newest first, each with its artifacts (<c>name</c>, <c>url</c>, <c>metadata</c>). Artifacts of
/// <c>metadata.type</c> = the artifact type and <c>metadata.package</c> = the package are kept. docs/manual/build-once.md.
/// </summary>
public sealed class ZuulGateArtifacts(HttpClient http, ZuulGateQuery query) : IGateArtifactSource
{
    /// <summary>Largest builds answer read.</summary>
    public const int MaxAnswerBytes = 16 * 1024 * 1024;

    public async Task<GateSearch> FindAsync(CancellationToken cancellationToken)
    {
        var description = $"Zuul builds of job {query.JobName} for {query.Project} change {query.Change},{query.Patchset} in pipeline {query.Pipeline}";
        var path = string.Create(
            CultureInfo.InvariantCulture,
            $"api/tenant/{Uri.EscapeDataString(query.Tenant)}/builds?project={Uri.EscapeDataString(query.Project)}&change={query.Change}&patchset={query.Patchset}&pipeline={Uri.EscapeDataString(query.Pipeline)}&job_name={Uri.EscapeDataString(query.JobName)}&result=SUCCESS&limit={query.Limit}");
        var answer = await BoundedHttp.GetBytesAsync(http, path, MaxAnswerBytes, "Zuul's builds answer", cancellationToken);
        using var document = JsonDocument.Parse(answer, new JsonDocumentOptions { MaxDepth = InputLimits.MaxDepth });
        return new GateSearch(description, Artifacts(document.RootElement, http.BaseAddress));
    }

    /// <summary>The matching artifacts in one builds answer, in its order (Zuul lists the newest build first).</summary>
    public IReadOnlyList<GateArtifact> Artifacts(JsonElement builds, Uri? apiBase)
    {
        if (builds.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("Zuul's builds answer is not a list");
        }

        var found = new List<GateArtifact>();
        foreach (var build in builds.EnumerateArray())
        {
            if (build.ValueKind != JsonValueKind.Object || GateJson.Text(build, "result") != "SUCCESS" || GateJson.Text(build, "uuid") is not { } uuid)
            {
                continue;
            }

            var logUrl = GateJson.Text(build, "log_url");
            var reference = build.TryGetProperty("ref", out var r) && r.ValueKind == JsonValueKind.Object ? r : default;
            var gateBuild = new GateBuild(
                uuid,
                GateJson.Text(build, "job_name") ?? query.JobName,
                logUrl,
                GateJson.Text(build, "pipeline"),
                reference.ValueKind == JsonValueKind.Object ? GateJson.Text(reference, "change") : null,
                reference.ValueKind == JsonValueKind.Object ? GateJson.Text(reference, "patchset") : null);
            if (!build.TryGetProperty("artifacts", out var artifacts) || artifacts.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var artifact in artifacts.EnumerateArray())
            {
                if (artifact.ValueKind != JsonValueKind.Object
                    || !artifact.TryGetProperty("metadata", out var metadata)
                    || metadata.ValueKind != JsonValueKind.Object
                    || GateJson.Text(metadata, "type") != query.ArtifactType
                    || GateJson.Text(metadata, "package") != query.Package
                    || GateJson.Text(artifact, "url") is not { } url)
                {
                    continue;
                }

                // Zuul makes an artifact URL relative to the log URL absolute when it stores it; older records may not.
                var baseUrl = GateJson.FolderUrl(url, logUrl ?? apiBase?.AbsoluteUri);
                found.Add(new GateArtifact(gateBuild, query.Package, baseUrl, GateJson.Text(metadata, "source_tree"), GateJson.Text(metadata, "distgit_tree"), GateJson.Files(metadata)) { Provenance = GateJson.Provenance(metadata) });
            }
        }

        return found;
    }
}

/// <summary>What <see cref="ZuulGateArtifacts"/> asks for.</summary>
public sealed record ZuulGateQuery(string Tenant, string Project, int Change, int Patchset, string Pipeline, string JobName, string ArtifactType, string Package)
{
    /// <summary>How many builds to read, newest first (a change re-enqueued in gate has several).</summary>
    public int Limit { get; init; } = 20;
}
