using System.Globalization;
using System.Text.Json;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Forges.Mirroring;

/// <summary>Where a <c>cijobs mr</c> run takes its merge request from: flags win, then a webhook payload, then GitLab CI variables.</summary>
public sealed record MirrorInput(string? Project, int? Number, string? ServerUrl)
{
    /// <summary>Reads a GitLab "Merge Request Hook" or "Pipeline Hook" payload, or a GitHub <c>pull_request</c> event.</summary>
    public static MirrorInput FromEventPayload(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.TryGetProperty("object_kind", out var kind))
            {
                switch (kind.GetString())
                {
                    case "merge_request":
                        var attributes = root.GetProperty("object_attributes");
                        var project = root.GetProperty("project");
                        return new MirrorInput(
                            project.GetProperty("path_with_namespace").GetString(),
                            attributes.GetProperty("iid").GetInt32(),
                            ServerFromWebUrl(project.GetProperty("web_url").GetString(), project.GetProperty("path_with_namespace").GetString()));
                    case "pipeline" when root.TryGetProperty("merge_request", out var mr) && mr.ValueKind == JsonValueKind.Object:
                        // The pipeline may run in the bot's fork; the MR URL names the target project.
                        var url = mr.GetProperty("url").GetString() ?? "";
                        var marker = url.IndexOf("/-/merge_requests/", StringComparison.Ordinal);
                        var projectUrl = marker > 0 ? url[..marker] : "";
                        var pipelineProject = root.GetProperty("project");
                        var server = ServerFromWebUrl(pipelineProject.GetProperty("web_url").GetString(), pipelineProject.GetProperty("path_with_namespace").GetString());
                        var path = server is not null && projectUrl.StartsWith(server + "/", StringComparison.Ordinal) ? projectUrl[(server.Length + 1)..] : null;
                        return new MirrorInput(path, mr.GetProperty("iid").GetInt32(), server);
                    default:
                        throw new CiJobsException($"The event payload is a GitLab '{kind.GetString()}' event without a merge request.", ForgeExitCodes.InputInvalid);
                }
            }

            if (root.TryGetProperty("pull_request", out var pull) && root.TryGetProperty("repository", out var repository))
            {
                return new MirrorInput(repository.GetProperty("full_name").GetString(), pull.GetProperty("number").GetInt32(), null);
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new CiJobsException($"The event payload cannot be read: {e.Message}", ForgeExitCodes.InputInvalid, e);
        }

        throw new CiJobsException("The event payload is neither a GitLab merge request or pipeline hook nor a GitHub pull_request event.", ForgeExitCodes.InputInvalid);
    }

    /// <summary>The merge request of a GitLab merge-request pipeline (<c>CI_MERGE_REQUEST_*</c>).</summary>
    public static MirrorInput FromGitLabCi(IEnvironment environment) => new(
        environment.GetVariable("CI_MERGE_REQUEST_PROJECT_PATH"),
        int.TryParse(environment.GetVariable("CI_MERGE_REQUEST_IID"), NumberStyles.None, CultureInfo.InvariantCulture, out var iid) ? iid : null,
        environment.GetVariable("CI_SERVER_URL"));

    /// <summary>Field by field: this input first, then <paramref name="fallback"/>.</summary>
    public MirrorInput Or(MirrorInput fallback) => new(Project ?? fallback.Project, Number ?? fallback.Number, ServerUrl ?? fallback.ServerUrl);

    private static string? ServerFromWebUrl(string? webUrl, string? path) =>
        webUrl is not null && path is not null && webUrl.EndsWith("/" + path, StringComparison.Ordinal) ? webUrl[..^(path.Length + 1)] : null;
}

/// <summary>Reads forge tokens from the environment (<c>NAME</c>) or a file (<c>NAME_FILE</c>); never from a command line.</summary>
public static class ForgeTokens
{
    public static string? Read(IEnvironment environment, params string[] names)
    {
        foreach (var name in names)
        {
            if (environment.GetVariable(name) is { Length: > 0 } value)
            {
                return value.Trim();
            }

            if (environment.GetVariable(name + "_FILE") is { Length: > 0 } file)
            {
                try
                {
                    return File.ReadAllText(file).Trim();
                }
                catch (IOException e)
                {
                    throw new CiJobsException($"The token file named by {name}_FILE cannot be read: {e.Message}", ExitCodes.Io, e);
                }
            }
        }

        return null;
    }
}
