using System.Globalization;
using System.Text.Json;

namespace CiJobs.Core.BuildOnce;

/// <summary>
/// The merged-results pipelines of a merge request in GitLab's API. The merge request is the one given, or the one the
/// merged commit belongs to (<c>GET projects/:id/repository/commits/:sha/merge_requests</c>, which a branch pipeline
/// needs since it has no CI_MERGE_REQUEST_IID). Its pipelines (<c>GET projects/:id/merge_requests/:iid/pipelines</c>,
/// newest first) that succeeded on <c>refs/merge-requests/IID/merge</c> or <c>…/train</c> (merged results and merge
/// trains: the ref that holds the merge, not the branch head) are read; in each, the successful job named
/// <see cref="GitLabGateQuery.JobName"/> (<c>GET projects/:id/pipelines/:pid/jobs?scope[]=success</c>) and its
/// <c>cijobs build --format json</c> output among its artifacts
/// (<c>GET projects/:id/jobs/:job_id/artifacts/PATH</c>). The result's files are artifacts of the same job, below
/// <see cref="GitLabGateQuery.OutputPath"/>/result_dir. docs/manual/build-once.md.
/// </summary>
public sealed class GitLabGateArtifacts(HttpClient http, GitLabGateQuery query) : IGateArtifactSource
{
    private const int MaxAnswerBytes = 16 * 1024 * 1024;

    public async Task<GateSearch> FindAsync(CancellationToken cancellationToken)
    {
        var project = Uri.EscapeDataString(query.Project);
        var iid = query.MergeRequest ?? await MergeRequestOfAsync(project, cancellationToken);
        var description = $"merged-results pipelines of {query.Project}!{iid?.ToString(CultureInfo.InvariantCulture) ?? "?"} (job {query.JobName})";
        if (iid is null)
        {
            return new GateSearch($"merge requests of commit {query.Commit} in {query.Project}", []);
        }

        var iidText = iid.Value.ToString(CultureInfo.InvariantCulture);
        using var pipelines = await GetJsonAsync($"projects/{project}/merge_requests/{iidText}/pipelines?per_page=100", cancellationToken);
        var found = new List<GateArtifact>();
        var merged = new[] { $"refs/merge-requests/{iidText}/merge", $"refs/merge-requests/{iidText}/train" };
        foreach (var pipeline in List(pipelines.RootElement).Where(p => GateJson.Text(p, "status") == "success" && merged.Contains(GateJson.Text(p, "ref"))).Take(query.Limit))
        {
            var pipelineId = GateJson.Text(pipeline, "id");
            if (pipelineId is null || !long.TryParse(pipelineId, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                continue;
            }

            using var jobs = await GetJsonAsync($"projects/{project}/pipelines/{pipelineId}/jobs?scope[]=success&per_page=100", cancellationToken);
            foreach (var job in List(jobs.RootElement).Where(j => GateJson.Text(j, "name") == query.JobName && GateJson.Text(j, "status") == "success"))
            {
                var jobId = GateJson.Text(job, "id");
                if (jobId is null || !long.TryParse(jobId, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    continue;
                }

                var artifacts = $"projects/{project}/jobs/{jobId}/artifacts/";
                using var build = await GetJsonAsync(artifacts + EscapePath(query.BuildJsonPath), cancellationToken);
                var result = build.RootElement;
                if (result.ValueKind != JsonValueKind.Object || GateJson.Text(result, "package") != query.Package || GateJson.Text(result, "status") != "SUCCESS")
                {
                    continue;
                }

                var resultDir = GateJson.Text(result, "result_dir") ?? "";
                if (resultDir.Length == 0 || resultDir.Split('/').Any(part => part is "" or "." or ".." || part.Any(char.IsControl)))
                {
                    throw new JsonException($"job {jobId}'s {query.BuildJsonPath} names no usable result_dir");
                }

                var gateBuild = new GateBuild(jobId, query.JobName, null, GateJson.Text(pipeline, "ref"), iidText, pipelineId);
                var baseUrl = new Uri(http.BaseAddress!, artifacts + EscapePath($"{query.OutputPath.Trim('/')}/{resultDir}") + "/");
                found.Add(new GateArtifact(gateBuild, query.Package, baseUrl, GateJson.Text(result, "source_tree"), GateJson.Text(result, "distgit_tree"), GateJson.Files(result)) { Provenance = GateJson.Provenance(result) });
            }
        }

        return new GateSearch(description, found);
    }

    private async Task<int?> MergeRequestOfAsync(string project, CancellationToken cancellationToken)
    {
        if (query.Commit is null)
        {
            return null;
        }

        using var requests = await GetJsonAsync($"projects/{project}/repository/commits/{Uri.EscapeDataString(query.Commit)}/merge_requests", cancellationToken);
        return List(requests.RootElement)
            .Where(m => GateJson.Text(m, "state") == "merged" || GateJson.Text(m, "merge_commit_sha") == query.Commit)
            .Select(m => int.TryParse(GateJson.Text(m, "iid"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : (int?)null)
            .FirstOrDefault(n => n is not null);
    }

    private async Task<JsonDocument> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        var bytes = await BoundedHttp.GetBytesAsync(http, path, MaxAnswerBytes, $"GitLab's answer to {path.Split('?')[0]}", cancellationToken);
        return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = InputLimits.MaxDepth });
    }

    private static IEnumerable<JsonElement> List(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object) : throw new JsonException("GitLab's answer is not a list");

    private static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
}

/// <summary>What <see cref="GitLabGateArtifacts"/> asks for: the merge request (or the merged commit to find it by), the build job's name, where its JSON output and its output folder are among its artifacts.</summary>
public sealed record GitLabGateQuery(string Project, int? MergeRequest, string? Commit, string JobName, string Package)
{
    public string BuildJsonPath { get; init; } = "cijobs-build.json";

    public string OutputPath { get; init; } = "cijobs-out";

    public int Limit { get; init; } = 10;
}
