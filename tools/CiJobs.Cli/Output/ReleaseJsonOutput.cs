using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using CiJobs.Core.Release;

namespace CiJobs.Cli.Output;

/// <summary>Source-generated JSON output of <c>cijobs release</c>, with the same shape as <see cref="OutputOptions.Json"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(ReleaseResult))]
internal sealed partial class ReleaseJsonOutput : JsonSerializerContext
{
    private static JsonSerializerOptions? relaxed;

    private static JsonSerializerOptions Relaxed => relaxed ??= new(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write<T>(T value) => OutputOptions.WriteJson(value, Relaxed);
}
