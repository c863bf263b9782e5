using System.CommandLine;
using System.Globalization;
using CiJobs.Cli.Output;
using CiJobs.Core;
using CiJobs.Core.Graph;

namespace CiJobs.Cli.Commands;

/// <summary>
/// <c>cijobs plan --partitions N</c>: split a mass rebuild into balanced partitions that no dependency crosses, in
/// waves when a connected part of the graph is too large (docs/manual/graph-and-partitions.md, "Partitions").
/// </summary>
internal sealed class PlanPartitionsOptions
{
    /// <summary>The build time of a package the build-times file does not list, in seconds (docs/manual/graph-and-partitions.md).</summary>
    public const double DefaultBuildTime = 300;

    public Option<int?> Partitions { get; } = new Option<int?>("--partitions")
    {
        Description = "Mass-rebuild mode: split the packages of a graph into N partitions no dependency crosses (waves when needed) instead of planning a Zuul item.",
    }.InRange(1, 10_000);

    public Option<string?> Graph { get; } = new("--graph") { Description = "With --partitions: the graph, as printed by cijobs graph --format json (else read from --spec-dir, --packages-dir or --rdoinfo)." };

    public Option<string?> BuildTimes { get; } = new("--build-times") { Description = "With --partitions: build times in seconds by package, a JSON object {\"name\": seconds} or CSV lines name,seconds." };

    public Option<double> DefaultTime { get; } = new Option<double>("--default-build-time")
    {
        Description = "With --partitions: the build time, in seconds, of a package --build-times does not list.",
        DefaultValueFactory = _ => DefaultBuildTime,
    }.InRange(0, 1e7);

    public Option<int?> Partition { get; } = new Option<int?>("--partition")
    {
        Description = "With --partitions: print only partition K (1-based, as GitLab's CI_NODE_INDEX) of --wave: its packages in build order.",
    }.InRange(1, 10_000);

    public Option<int> Wave { get; } = new Option<int>("--wave")
    {
        Description = "With --partition: the wave (1-based). A wave past the last one prints no package.",
        DefaultValueFactory = _ => 1,
    }.InRange(1, 1_000_000);

    public Option<int?> MaxWaves { get; } = new Option<int?>("--max-waves")
    {
        Description = "With --partitions: fail (exit 134) when the plan needs more waves than this (the number of wave stages a pipeline has).",
    }.InRange(1, 1_000_000);

    public Option<string[]> Changed { get; } = new("--changed")
    {
        Description = "With --partitions: rebuild only these packages (repeatable; an incremental rebuild) instead of the whole graph.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<bool> WithReverseDeps { get; } = new("--with-reverse-deps")
    {
        Description = "With --changed: also rebuild every package that build-requires a changed one, directly or through others.",
    };

    public GraphInputOptions Inputs { get; } = new();

    public IEnumerable<Option> All => new Option[] { Partitions, Graph, BuildTimes, DefaultTime, Partition, Wave, MaxWaves, Changed, WithReverseDeps }.Concat(Inputs.All);

    public async Task<int> RunAsync(ParseResult parse, int partitions, string? rdoinfoDir, IReadOnlyList<string> releases, OutputFormat format, CancellationToken cancellationToken)
    {
        if (releases.Count > 1)
        {
            throw new CiJobsException("--partitions takes one --release", GraphExitCodes.InvalidInput);
        }

        DependencyGraph graph;
        if (parse.GetValue(Graph) is { } graphFile)
        {
            if (rdoinfoDir is not null || (parse.GetValue(Inputs.SpecDirs) ?? []).Length > 0 || (parse.GetValue(Inputs.PackagesDirs) ?? []).Length > 0)
            {
                throw new CiJobsException("--graph does not go with --rdoinfo, --spec-dir or --packages-dir", GraphExitCodes.InvalidInput);
            }

            var text = await InputLimits.ReadTextFileAsync(Path.GetFullPath(graphFile), "the graph file", GraphExitCodes.InvalidInput, cancellationToken);
            graph = GraphFiles.ParseGraph(text, graphFile, parse.GetValue(Inputs.MaxPackages));
        }
        else
        {
            graph = await Inputs.LoadAsync(parse, rdoinfoDir, releases.Count == 1 ? releases[0] : null, cancellationToken);
        }

        var changed = parse.GetValue(Changed) ?? [];
        if (changed.Length > 0)
        {
            graph = IncrementalSelection.Select(graph, changed, parse.GetValue(WithReverseDeps));
        }
        else if (parse.GetValue(WithReverseDeps))
        {
            throw new CiJobsException("--with-reverse-deps goes with --changed", GraphExitCodes.InvalidInput);
        }

        IReadOnlyDictionary<string, double> times = new Dictionary<string, double>();
        if (parse.GetValue(BuildTimes) is { } timesFile)
        {
            var text = await InputLimits.ReadTextFileAsync(Path.GetFullPath(timesFile), "the build-times file", GraphExitCodes.InvalidInput, cancellationToken);
            times = GraphFiles.ParseBuildTimes(text, timesFile, Math.Max(parse.GetValue(Inputs.MaxPackages), GraphFiles.DefaultMaxPackages));
        }

        var plan = Partitioner.Plan(graph, partitions, times, parse.GetValue(DefaultTime));
        if (parse.GetValue(MaxWaves) is { } maxWaves && plan.Waves.Count > maxWaves)
        {
            throw new CiJobsException(
                $"the plan needs {plan.Waves.Count} waves and --max-waves is {maxWaves}: add wave stages, or use fewer partitions",
                GraphExitCodes.TooManyWaves);
        }

        if (parse.GetValue(Partition) is { } k)
        {
            if (k > partitions)
            {
                throw new CiJobsException($"--partition {k} is past --partitions {partitions}", GraphExitCodes.InvalidInput);
            }

            var w = parse.GetValue(Wave);
            var part = w <= plan.Waves.Count ? plan.Waves[w - 1].Partitions[k - 1] : new PartitionPlan(k, 0, []);
            if (format == OutputFormat.Json)
            {
                GraphJson.Write(new PartitionSelection(w, plan.Waves.Count, k, partitions, part.Seconds, part.Packages), GraphJson.Default.PartitionSelection);
            }
            else
            {
                foreach (var package in part.Packages)
                {
                    Console.Out.WriteLine(package);
                }
            }

            return ExitCodes.Success;
        }

        if (format == OutputFormat.Json)
        {
            GraphJson.Write(plan, GraphJson.Default.PartitionedPlan);
        }
        else
        {
            WriteText(plan);
        }

        return ExitCodes.Success;
    }

    private static void WriteText(PartitionedPlan plan)
    {
        static string S(double seconds) => seconds.ToString("0", CultureInfo.InvariantCulture) + " s";
        var o = Console.Out;
        o.WriteLine($"{plan.Packages} packages in {plan.Components} connected parts (largest {plan.LargestComponent}), {plan.Partitions} partitions, {plan.Waves.Count} wave(s)");
        o.WriteLine($"total {S(plan.TotalSeconds)}, critical path {S(plan.CriticalPathSeconds)}, lower bound {S(plan.LowerBoundSeconds)}");
        o.WriteLine($"makespan {S(plan.MakespanSeconds)} ({plan.RatioToLowerBound.ToString("0.000", CultureInfo.InvariantCulture)} x the lower bound)");
        o.WriteLine($"split by name (ignores dependencies, optimistic): makespan {S(plan.ByName.MakespanSeconds)} " +
            $"({plan.ByName.RatioToLowerBound.ToString("0.000", CultureInfo.InvariantCulture)} x), {plan.ByName.BrokenEdges} dependencies across partitions");
        if (plan.UnknownTimes > 0)
        {
            o.WriteLine($"{plan.UnknownTimes} package(s) without a known build time took the default");
        }

        foreach (var wave in plan.Waves)
        {
            o.WriteLine($"wave {wave.Wave}: {S(wave.Seconds)}");
            foreach (var part in wave.Partitions)
            {
                o.WriteLine($"  partition {part.Partition}: {S(part.Seconds)}, {part.Packages.Count} package(s)");
            }
        }
    }
}
