using System.Text.Json.Serialization;

namespace CiJobs.Core.Dlrn;

/// <summary>Source-generated JSON for the DLRN API records: no reflection, less start-up work in short-lived jobs.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(DlrnImportResponse))]
[JsonSerializable(typeof(DlrnHealth))]
[JsonSerializable(typeof(DlrnVote))]
[JsonSerializable(typeof(List<DlrnVote>))]
[JsonSerializable(typeof(DlrnReportResultRequest))]
[JsonSerializable(typeof(DlrnPromoteRequest))]
[JsonSerializable(typeof(DlrnPromotion))]
[JsonSerializable(typeof(List<DlrnPromotion>))]
[JsonSerializable(typeof(DlrnLastTestedRepoQuery))]
[JsonSerializable(typeof(DlrnLastTestedRepo))]
[JsonSerializable(typeof(DlrnBuildMetrics))]
internal sealed partial class DlrnJsonContext : JsonSerializerContext;
