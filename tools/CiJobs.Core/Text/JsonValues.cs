using System.Text.Json;

namespace CiJobs.Core.Text;

/// <summary>Reading loosely typed JSON answers (Zuul, GitLab): a property's value as text.</summary>
public static class JsonValues
{
    /// <summary>The property's string, or a number's literal text (ids come as either); null when missing or of another kind.</summary>
    public static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
}
