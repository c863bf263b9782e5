using System.Globalization;
using System.Text.Json;
using CiJobs.Core.Forges.GitLab;

namespace CiJobs.Core.SystemTest;

/// <summary>Asks the CI system whether the system test must stop (docs/manual/systest.md, "Abort").</summary>
public interface IAbortWatch
{
    /// <summary>What is watched, for the log.</summary>
    string Description { get; }

    /// <summary>The reason to abort now, or null to go on. A failing status request throws; the runner logs it and asks again.</summary>
    Task<string?> CheckAsync(CancellationToken cancellationToken);
}

/// <summary>
/// GitLab: the install-test job cancels the pipeline when it fails (<c>cijobs systest abort</c>); this watch sees the
/// pipeline canceled (or already failed) and stops the system test. Real GitLab also cancels the job itself; the watch
/// makes the stop independent of the runner's cancel and lets gitlab-ci-local, which has no API, show it.
/// </summary>
public sealed class GitLabPipelineWatch(IGitLabPipelineControl gitLab, string project, long pipelineId) : IAbortWatch
{
    public string Description => $"GitLab pipeline {pipelineId.ToString(CultureInfo.InvariantCulture)} of {project}";

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        var pipeline = await gitLab.GetPipelineAsync(project, pipelineId, cancellationToken);
        return pipeline.Status is "canceled" or "failed"
            ? $"GitLab pipeline {pipelineId.ToString(CultureInfo.InvariantCulture)} is {pipeline.Status}"
            : null;
    }
}

/// <summary>
/// Zuul: reads the item of this build from Zuul's status API (<c>GET api/tenant/T/status/change/N,P</c>) and stops the
/// system test as soon as a watched job of the same item has a result other than SUCCESS or SKIPPED, or is failing
/// early (<c>pre_fail</c>). Zuul's own <c>fail-fast</c> does the same from the scheduler; this watch is what the job
/// harness can show, and it keeps working where a tenant's pipeline does not set <c>fail-fast</c>.
/// The item is found by this build's UUID among its jobs, so items of other pipelines for the same change are ignored.
/// </summary>
public sealed class ZuulJobWatch(HttpClient http, string tenant, string change, string buildUuid, IReadOnlyCollection<string> jobNames) : IAbortWatch
{
    private const int MaxStatusBytes = 16 * 1024 * 1024;

    public string Description => $"Zuul jobs {string.Join(", ", jobNames)} of change {change} (tenant {tenant})";

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        var path = $"api/tenant/{Uri.EscapeDataString(tenant)}/status/change/{Uri.EscapeDataString(change)}";
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Zuul answered HTTP {((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)} for the status of change {change}");
        }

        if (response.Content.Headers.ContentLength > MaxStatusBytes)
        {
            throw new HttpRequestException($"Zuul's status of change {change} is larger than {MaxStatusBytes / (1024 * 1024)} MiB");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var bounded = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (bounded.Length + read > MaxStatusBytes)
            {
                throw new HttpRequestException($"Zuul's status of change {change} is larger than {MaxStatusBytes / (1024 * 1024)} MiB");
            }

            bounded.Write(buffer, 0, read);
        }

        using var document = JsonDocument.Parse(bounded.ToArray(), new JsonDocumentOptions { MaxDepth = InputLimits.MaxDepth });
        return Verdict(document.RootElement);
    }

    /// <summary>The abort reason in one status answer (a list of items), or null.</summary>
    public string? Verdict(JsonElement items)
    {
        if (items.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("jobs", out var jobs) || jobs.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            var mine = jobs.EnumerateArray().Any(j => j.ValueKind == JsonValueKind.Object && Text(j, "uuid") == buildUuid);
            if (!mine)
            {
                continue;
            }

            foreach (var job in jobs.EnumerateArray())
            {
                var name = Text(job, "name");
                if (name is null || !jobNames.Contains(name))
                {
                    continue;
                }

                var result = Text(job, "result");
                if (result is not null && result is not ("SUCCESS" or "SKIPPED"))
                {
                    return $"Zuul job {name} finished with {result}";
                }

                if (job.TryGetProperty("pre_fail", out var preFail) && preFail.ValueKind == JsonValueKind.True)
                {
                    return $"Zuul job {name} is failing";
                }
            }
        }

        return null;
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
