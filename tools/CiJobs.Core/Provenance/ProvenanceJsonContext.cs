using System.Text.Json.Serialization;

namespace CiJobs.Core.Provenance;

/// <summary>Source-generated JSON of the provenance manifest (Native AOT): snake_case, every member required, no other member allowed.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    MaxDepth = 16)]
[JsonSerializable(typeof(ProvenanceManifest))]
[JsonSerializable(typeof(ProvenanceInputs))]
internal sealed partial class ProvenanceJsonContext : JsonSerializerContext;
