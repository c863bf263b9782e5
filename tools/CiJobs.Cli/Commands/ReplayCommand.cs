using System.CommandLine;
using CiJobs.Cli.Output;
using CiJobs.Core;
using CiJobs.Core.Builds;
using CiJobs.Core.Git;
using CiJobs.Core.Platform;
using CiJobs.Core.Provenance;
using CiJobs.Core.Replay;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs replay BUILD</c>: re-run a recorded build from its provenance manifest and compare (docs/manual/replay.md).</summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var build = new Argument<string>("BUILD") { Description = "The recorded build: its provenance.json, the result folder holding it, or its build id (64 hex digits) in the truth store (--store, --store-url, CIJOBS_TRUTH_STORE)." };
        var rdoinfo = new Option<string>("--rdoinfo") { Description = "An rdoinfo checkout holding the recorded rdoinfo commit; the replay reads that commit in a throwaway checkout.", Required = true };
        var source = new Option<string?>("--source") { Description = "Read the source from here (a local mirror or another URL) instead of the recorded location; the recorded commit must be in it." };
        var distgit = new Option<string?>("--distgit") { Description = "Read the distgit from here instead of the recorded location; the recorded commit must be in it." };
        var output = new Option<string>("--output") { Description = "DLRN data directory for the replay's result (use another one than the recorded build's).", Required = true };
        var builderImage = new Option<string?>("--builder-image") { Description = $"The image this replay runs in, recorded in its provenance.json. Default: {BuildProvenanceContext.BuilderImageVariable}, else \"unknown\"." };
        var requireIdentical = new Option<bool>("--require-identical") { Description = "Fail (148) unless every file is built again bit for bit; by default the same status, NVRs and file names are enough." };
        var store = new Option<string?>("--store") { Description = $"The SQLite truth store, when BUILD is a build id. Default: {TruthCommand.StoreVariable}." };
        var storeUrl = new Option<string?>("--store-url") { Description = "A PostgreSQL truth store (postgresql://host:port/database?user=NAME; the password from PGPASSWORD), when BUILD is a build id." };
        var format = OutputOptions.CreateFormatOption();
        var command = new Command(
            "replay",
            "Re-run a recorded build from its provenance manifest: the rdoinfo, source and distgit commits it recorded, its settings, build root and build time; " +
            "then compare the outputs: bit for bit where the build is reproducible, else status, NVRs and file names. " +
            "Exit 0 when they match, 147 when they differ, 146 when a recorded input cannot be had again.");
        command.Arguments.Add(build);
        foreach (var option in new Option[] { rdoinfo, source, distgit, output, builderImage, requireIdentical, store, storeUrl, format })
        {
            command.Options.Add(option);
        }

        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var recorded = await ReadRecordedAsync(parseResult.GetValue(build)!, parseResult.GetValue(store), parseResult.GetValue(storeUrl), cancellationToken);
            var environment = SystemEnvironment.Instance;
            var runner = new CliWrapProcessRunner();
            var progress = new Action<string>(line => Console.Error.WriteLine("replay: " + line));
            var replayer = new BuildReplayer(
                new GitCli(runner),
                clock => new PackageBuildService(runner, new RpmbuildPackageBuilder(runner), clock, line => Console.Error.WriteLine("build: " + line)),
                progress);
            var report = await replayer.ReplayAsync(
                new ReplayRequest(
                    recorded,
                    parseResult.GetValue(rdoinfo)!,
                    parseResult.GetValue(source),
                    parseResult.GetValue(distgit),
                    parseResult.GetValue(output)!,
                    new BuildProvenanceContext(
                        BuildCommand.CijobsVersion(),
                        parseResult.GetValue(builderImage) ?? environment.GetVariable(BuildProvenanceContext.BuilderImageVariable),
                        [],
                        BuildProvenanceContext.JobFrom(environment, null, null, null))),
                cancellationToken);

            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(report);
            }
            else
            {
                WriteText(report);
            }

            return report.Comparison.Verdict switch
            {
                ReplayVerdict.Different => ReplayExitCodes.OutputsDiffer,
                ReplayVerdict.Equivalent when parseResult.GetValue(requireIdentical) => ReplayExitCodes.NotIdentical,
                _ => ExitCodes.Success,
            };
        });
        return command;
    }

    /// <summary>The recorded manifest: a file, a result folder's provenance.json, or a build id looked up in the store.</summary>
    private static async Task<ReadManifest> ReadRecordedAsync(string build, string? store, string? storeUrl, CancellationToken cancellationToken)
    {
        if (File.Exists(build))
        {
            return await ProvenanceReader.ReadFileAsync(build, cancellationToken);
        }

        if (Directory.Exists(build))
        {
            var file = Path.Combine(build, ProvenanceManifest.FileName);
            return File.Exists(file)
                ? await ProvenanceReader.ReadFileAsync(file, cancellationToken)
                : throw new CiJobsException($"the folder {build} holds no {ProvenanceManifest.FileName}", ReplayExitCodes.InvalidInput);
        }

        if (!InputHash.IsSha256(build))
        {
            throw new CiJobsException("BUILD is neither a manifest file, a result folder nor a build id (64 lower-case hex digits)", ReplayExitCodes.InvalidInput);
        }

        var variable = Environment.GetEnvironmentVariable(TruthCommand.StoreVariable);
        var sqlite = storeUrl is null ? store ?? (string.IsNullOrWhiteSpace(variable) || variable.Contains("://", StringComparison.Ordinal) || variable.Contains('=', StringComparison.Ordinal) ? null : variable.Trim()) : null;
        if (sqlite is not null && !File.Exists(sqlite))
        {
            throw new CiJobsException($"the truth store {sqlite} does not exist", ReplayExitCodes.InvalidInput);
        }

        await using var truth = await TruthCommand.OpenAsync(store, storeUrl, variable, TimeSpan.FromSeconds(30), cancellationToken);
        var stored = await truth.FindBuildAsync(build, cancellationToken)
            ?? throw new CiJobsException($"the {truth.Description} has no build {build}", ReplayExitCodes.InvalidInput);
        return ProvenanceReader.Read(System.Text.Encoding.UTF8.GetBytes(stored.Manifest), $"build {build} of the {truth.Description}");
    }

    private static void WriteText(ReplayReport report)
    {
        var comparison = report.Comparison;
        Console.Out.WriteLine($"{comparison.Verdict.ToString().ToUpperInvariant()} {report.Package}: replay of build {report.RecordedBuildId[..12]}");
        Console.Out.WriteLine($"  status {comparison.RecordedStatus} -> {comparison.ReplayedStatus}");
        Console.Out.WriteLine($"  input hash {(comparison.SameInputHash ? "same" : "differs")}: {report.RecordedInputHash[..12]} -> {report.ReplayedInputHash[..12]}");
        foreach (var input in comparison.Inputs)
        {
            Console.Out.WriteLine($"  input {input.Name}{(input.Decisive ? "" : " (not decisive)")}: {input.Recorded ?? "(none)"} -> {input.Replayed ?? "(none)"}");
        }

        foreach (var nvr in comparison.MissingNvrs)
        {
            Console.Out.WriteLine($"  nvr missing {nvr}");
        }

        foreach (var nvr in comparison.ExtraNvrs)
        {
            Console.Out.WriteLine($"  nvr extra {nvr}");
        }

        foreach (var file in comparison.Files)
        {
            Console.Out.WriteLine($"  file {file.State} {file.Name}{(file.Record && file.State == "differs" ? " (a build record: may differ)" : "")}");
        }

        Console.Out.WriteLine($"  result {report.ResultPath}");
    }
}
