using System.Text.Json.Serialization;

namespace CiJobs.Core.Forges.GitLab;

// Wire shapes of the GitLab v4 REST API (only the fields we read); they never leave this folder.
internal sealed record GitLabUserDto(long Id, string Username);

internal sealed record GitLabProjectDto(
    long Id,
    [property: JsonPropertyName("path_with_namespace")] string PathWithNamespace,
    [property: JsonPropertyName("http_url_to_repo")] string HttpUrlToRepo,
    [property: JsonPropertyName("web_url")] string WebUrl,
    [property: JsonPropertyName("default_branch")] string? DefaultBranch);

internal sealed record GitLabMergeRequestDto(
    long Id,
    int Iid,
    string State,
    string Title,
    string? Description,
    [property: JsonPropertyName("source_branch")] string SourceBranch,
    [property: JsonPropertyName("target_branch")] string TargetBranch,
    [property: JsonPropertyName("source_project_id")] long SourceProjectId,
    [property: JsonPropertyName("target_project_id")] long TargetProjectId,
    string? Sha,
    GitLabUserDto? Author,
    [property: JsonPropertyName("web_url")] string WebUrl);

internal sealed record GitLabCommitDto(string Id, string? Message);

internal sealed record GitLabNoteDto(long Id, string Body, GitLabUserDto? Author, bool System);

internal sealed record GitLabPipelineDto(long Id, string Status, string? Sha, [property: JsonPropertyName("web_url")] string? WebUrl);

internal sealed record GitLabErrorDto(JsonElementHolder? Message, string? Error);

/// <summary>GitLab's <c>message</c> is a string, an array or an object; kept raw.</summary>
[JsonConverter(typeof(JsonElementHolderConverter))]
internal sealed record JsonElementHolder(string Text);

internal sealed class JsonElementHolderConverter : JsonConverter<JsonElementHolder>
{
    public override JsonElementHolder Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        using var document = System.Text.Json.JsonDocument.ParseValue(ref reader);
        var element = document.RootElement;
        return new JsonElementHolder(element.ValueKind == System.Text.Json.JsonValueKind.String ? element.GetString()! : element.GetRawText());
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, JsonElementHolder value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Text);
}
