using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CiJobs.Cli.Output;

internal enum OutputFormat
{
    Text,
    Json,
}

/// <summary>The shared <c>--format</c> option and the JSON settings every verb prints with.</summary>
internal static class OutputOptions
{
    public static Option<OutputFormat> CreateFormatOption() => new("--format")
    {
        Description = "Output format: text for people, json for jobs.",
        DefaultValueFactory = _ => OutputFormat.Text,
    };

    /// <summary>snake_case keys (the vocabulary of DLRN and Zuul), indented, enums as strings.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Json));
}
