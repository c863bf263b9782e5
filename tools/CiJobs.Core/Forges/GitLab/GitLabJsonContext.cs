using System.Text.Json;
using System.Text.Json.Serialization;

namespace CiJobs.Core.Forges.GitLab;

/// <summary>Source-generated JSON for the GitLab wire shapes: web defaults (case-insensitive reads) with snake_case names.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(GitLabUserDto))]
[JsonSerializable(typeof(GitLabProjectDto))]
[JsonSerializable(typeof(GitLabMergeRequestDto))]
[JsonSerializable(typeof(List<GitLabMergeRequestDto>))]
[JsonSerializable(typeof(List<GitLabCommitDto>))]
[JsonSerializable(typeof(GitLabNoteDto))]
[JsonSerializable(typeof(List<GitLabNoteDto>))]
[JsonSerializable(typeof(GitLabPipelineDto))]
[JsonSerializable(typeof(List<GitLabPipelineDto>))]
[JsonSerializable(typeof(GitLabErrorDto))]
// Request bodies: their values are strings, booleans and project ids.
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(long))]
internal sealed partial class GitLabJsonContext : JsonSerializerContext;
