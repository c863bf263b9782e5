using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using CiJobs.Core.Dlrn;

namespace CiJobs.Cli.Output;

/// <summary>Source-generated JSON output of the DLRN verbs, with the same shape as <see cref="OutputOptions.Json"/> (no reflection at start-up).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(DlrnPublishResult))]
[JsonSerializable(typeof(DlrnVote))]
[JsonSerializable(typeof(DlrnPromotion))]
internal sealed partial class DlrnJsonOutput : JsonSerializerContext
{
    // Built on first use: the generated Default is initialised after this class's own static fields.
    private static JsonSerializerOptions? relaxed;

    private static JsonSerializerOptions Relaxed => relaxed ??= new(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write<T>(T value) => OutputOptions.WriteJson(value, Relaxed);
}
