using System.Text.Json;
using System.Text.Json.Serialization;
using CiJobs.Cli.Commands;
using CiJobs.Core.Audit;
using CiJobs.Core.BuildOnce;
using CiJobs.Core.Builds;
using CiJobs.Core.Forges.Mirroring;
using CiJobs.Core.InstallTest;
using CiJobs.Core.Plan;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.Replay;
using CiJobs.Core.SourceGit;
using CiJobs.Core.TestRepos;

namespace CiJobs.Cli.Output;

/// <summary>
/// Source-generated JSON for every <c>--format json</c> output of <see cref="OutputOptions.Json"/> (Native AOT has
/// no reflection serializer). Each enum the outputs hold needs its snake_case converter listed here.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    Converters =
    [
        typeof(YamlValueJsonConverter),
        typeof(SnakeCaseEnumConverter<MirrorAction>),
        typeof(SnakeCaseEnumConverter<PlanTrigger>),
        typeof(SnakeCaseEnumConverter<PatchFileStatus>),
        typeof(SnakeCaseEnumConverter<SyncState>),
        typeof(SnakeCaseEnumConverter<AuditClass>),
        typeof(SnakeCaseEnumConverter<ReplayVerdict>),
    ])]
[JsonSerializable(typeof(AuditReport))]
[JsonSerializable(typeof(ReplayReport))]
[JsonSerializable(typeof(MirrorResult))]
[JsonSerializable(typeof(SystemTestSummary))]
[JsonSerializable(typeof(List<SystemTestRepositoryJson>))]
[JsonSerializable(typeof(BuildPlan))]
[JsonSerializable(typeof(BuildResult))]
[JsonSerializable(typeof(BuildOnceResult))]
[JsonSerializable(typeof(InstallTestResult))]
[JsonSerializable(typeof(IReadOnlyList<RdoRelease>))]
[JsonSerializable(typeof(RdoinfoDiff))]
[JsonSerializable(typeof(RdoinfoShowJson))]
[JsonSerializable(typeof(UpdateDistGitResult))]
[JsonSerializable(typeof(UpdateSourceGitResult))]
[JsonSerializable(typeof(SyncStatus))]
[JsonSerializable(typeof(LintReportJson))]
[JsonSerializable(typeof(ZuulConfigCheckJson))]
[JsonSerializable(typeof(ZuulConfigGenerateJson))]
[JsonSerializable(typeof(ZuulConfigDiffJson))]
[JsonSerializable(typeof(ProposalJson))]
[JsonSerializable(typeof(TestRepoResult))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

/// <summary>An enum as its snake_case name (<c>UpToDate</c> → <c>up_to_date</c>), without the reflection of the non-generic converter.</summary>
internal sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower)
    where TEnum : struct, Enum;
