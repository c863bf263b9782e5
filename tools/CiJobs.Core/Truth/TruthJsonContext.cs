using System.Text.Json.Serialization;

namespace CiJobs.Core.Truth;

/// <summary>Source-generated JSON of the query answers (Native AOT), the same for <c>truth query --format json</c> and the HTTP API: snake_case, one line.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false)]
[JsonSerializable(typeof(ReleaseStatus))]
[JsonSerializable(typeof(BuildPage))]
[JsonSerializable(typeof(Lineage))]
[JsonSerializable(typeof(QeStatus))]
[JsonSerializable(typeof(PackageHistory))]
[JsonSerializable(typeof(TruthApiError))]
[JsonSerializable(typeof(TruthIngestReport))]
public sealed partial class TruthJsonContext : JsonSerializerContext;

/// <summary>The body of an HTTP API error.</summary>
public sealed record TruthApiError(string Error);
