using System.CommandLine;

namespace CiJobs.Cli.Commands;

/// <summary>The verbs of <c>cijobs</c>, in the order <c>--help</c> lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> Create()
    {
        yield return RdoinfoCommand.Create();
        yield return PlanCommand.Create();
        yield return GraphCommand.Create();
        yield return BuildCommand.Create();
        yield return LintCommand.Create();
        yield return PublishCommand.Create();
        yield return ReportCommand.Create();
        yield return PromoteCommand.Create();
        yield return ReuseCommand.Create();
        yield return TestRepoCommand.Create();
        yield return ReleaseCommand.Create();
        yield return ServeCommand.Create();
        yield return InstallTestCommand.Create();
        yield return SystemTestCommand.Create();
        yield return ZuulConfigCommand.Create();
        yield return SourceGitCommand.Create();
        yield return MrCommand.Create();
        yield return SignCommand.Create();
        yield return MirrorCommand.Create();
        yield return TruthCommand.Create();
        yield return AuditCommand.Create();
        yield return ReplayCommand.Create();
    }
}
