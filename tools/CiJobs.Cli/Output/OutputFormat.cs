using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CiJobs.Core;
using CiJobs.Core.Platform;

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

    /// <summary>snake_case keys (the vocabulary of DLRN and Zuul), indented, enums as strings; only the
    /// source-generated <see cref="CliJsonContext"/> resolves types, so an unregistered one throws in every build.</summary>
    public static JsonSerializerOptions Json { get; } = new(CliJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void WriteJson<T>(T value) => WriteJson(value, Json);

    /// <summary>Writes <paramref name="value"/> with the source-generated metadata that <paramref name="options"/> resolve.</summary>
    public static void WriteJson<T>(T value, JsonSerializerOptions options) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(value, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T))));

    /// <summary>Writes an output file beside stdout (a dotenv report, a key) in one atomic step; a failure is exit 4 naming the file.</summary>
    public static async Task WriteFileAsync(string path, string text)
    {
        try
        {
            await AtomicFileSystem.WriteAllTextAsync(path, text, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot write {path}: {e.Message}", ExitCodes.Io, e);
        }
    }
}
