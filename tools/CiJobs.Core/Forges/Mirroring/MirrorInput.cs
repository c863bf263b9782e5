using System.Globalization;
using System.Text.Json;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Forges.Mirroring;

/// <summary>Where a <c>cijobs mr</c> run takes its merge request from: flags win, then a webhook payload, then GitLab CI variables.</summary>
public sealed record MirrorInput(string? Project, int? Number, string? ServerUrl)
{
    /// <summary>Reads a GitLab "Merge Request Hook" or "Pipeline Hook" payload, or a GitHub <c>pull_request</c> event.</summary>
    /// <param name="json">The payload.</param>
    /// <param name="source">Where it came from (the file), for messages.</param>
    /// <remarks>
    /// Hostile payloads end in <see cref="ForgeExitCodes.InputInvalid"/> with a message naming the file, line or field:
    /// nesting is limited to <see cref="InputLimits.MaxDepth"/>, every field is checked for its type, and URLs in it
    /// must not carry credentials (docs/security.md).
    /// </remarks>
    public static MirrorInput FromEventPayload(string json, string source = "the event payload")
    {
        using var document = InputLimits.ParseJson(json, source, ForgeExitCodes.InputInvalid);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(source, "is not a JSON object");
        }

        if (root.TryGetProperty("object_kind", out var kind))
        {
            if (kind.ValueKind != JsonValueKind.String)
            {
                throw Invalid(source, $"object_kind is {Describe(kind)}, not a string");
            }

            switch (kind.GetString())
            {
                case "merge_request":
                    var path = ReadText(root, source, "project", "path_with_namespace");
                    return new MirrorInput(
                        path,
                        ReadNumber(root, source, "object_attributes", "iid"),
                        ServerFromWebUrl(ReadText(root, source, "project", "web_url"), path, source, "project.web_url"));
                case "pipeline" when root.TryGetProperty("merge_request", out var mr) && mr.ValueKind == JsonValueKind.Object:
                    // The pipeline may run in the bot's fork; the MR URL names the target project.
                    var url = ReadText(root, source, "merge_request", "url");
                    UrlCredentials.EnsureNone(url, $"{source}: merge_request.url");
                    var marker = url.IndexOf("/-/merge_requests/", StringComparison.Ordinal);
                    var projectUrl = marker > 0 ? url[..marker] : "";
                    var server = ServerFromWebUrl(ReadText(root, source, "project", "web_url"), ReadText(root, source, "project", "path_with_namespace"), source, "project.web_url");
                    var targetPath = server is not null && projectUrl.StartsWith(server + "/", StringComparison.Ordinal) ? projectUrl[(server.Length + 1)..] : null;
                    return new MirrorInput(targetPath, ReadNumber(root, source, "merge_request", "iid"), server);
                case "pipeline":
                    throw Invalid(source, "is a GitLab pipeline event without a merge request");
                default:
                    throw Invalid(source, $"is a GitLab {Describe(kind)} event, not a merge request or pipeline event");
            }
        }

        if (root.TryGetProperty("pull_request", out _) && root.TryGetProperty("repository", out _))
        {
            return new MirrorInput(ReadText(root, source, "repository", "full_name"), ReadNumber(root, source, "pull_request", "number"), null);
        }

        throw Invalid(source, "is neither a GitLab merge request or pipeline hook nor a GitHub pull_request event");
    }

    /// <summary>The merge request of a GitLab merge-request pipeline (<c>CI_MERGE_REQUEST_*</c>).</summary>
    public static MirrorInput FromGitLabCi(IEnvironment environment) => new(
        environment.GetVariable("CI_MERGE_REQUEST_PROJECT_PATH"),
        int.TryParse(environment.GetVariable("CI_MERGE_REQUEST_IID"), NumberStyles.None, CultureInfo.InvariantCulture, out var iid) ? iid : null,
        environment.GetVariable("CI_SERVER_URL"));

    /// <summary>Field by field: this input first, then <paramref name="fallback"/>.</summary>
    public MirrorInput Or(MirrorInput fallback) => new(Project ?? fallback.Project, Number ?? fallback.Number, ServerUrl ?? fallback.ServerUrl);

    private static string? ServerFromWebUrl(string webUrl, string path, string source, string field)
    {
        UrlCredentials.EnsureNone(webUrl, $"{source}: {field}");
        return webUrl.EndsWith("/" + path, StringComparison.Ordinal) ? webUrl[..^(path.Length + 1)] : null;
    }

    /// <summary>The element at <paramref name="path"/> (object members), or an error naming the field.</summary>
    private static JsonElement Field(JsonElement root, string source, string[] path, JsonValueKind kind, string expected)
    {
        var current = root;
        foreach (var name in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                throw Invalid(source, $"has no {string.Join('.', path)}");
            }
        }

        return current.ValueKind == kind ? current : throw Invalid(source, $"{string.Join('.', path)} is {Describe(current)}, not {expected}");
    }

    private static string ReadText(JsonElement root, string source, params string[] path) =>
        Field(root, source, path, JsonValueKind.String, "a string").GetString()!;

    private static int ReadNumber(JsonElement root, string source, params string[] path) =>
        Field(root, source, path, JsonValueKind.Number, "a number").TryGetInt32(out var number) && number > 0
            ? number
            : throw Invalid(source, $"{string.Join('.', path)} is not a merge request number (a positive integer)");

    /// <summary>A JSON value in a message: its kind, or a short one-line quote of a string.</summary>
    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => "'" + new string([.. element.GetString()!.Take(60).Select(c => char.IsControl(c) ? '?' : c)]) + "'",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static CiJobsException Invalid(string source, string problem) => new($"{source} {problem}.", ForgeExitCodes.InputInvalid);
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
