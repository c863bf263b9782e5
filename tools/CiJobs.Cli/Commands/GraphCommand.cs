using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CiJobs.Core;
using CiJobs.Core.Builds;
using CiJobs.Core.Graph;
using CiJobs.Core.Platform;
using CiJobs.Core.Rdoinfo;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs graph</c>: the build-dependency graph of a set of packages, with its cycles (docs/manual/graph-and-partitions.md).</summary>
internal static class GraphCommand
{
    public static Command Create()
    {
        var inputs = new GraphInputOptions();
        var rdoinfo = new Option<string?>("--rdoinfo") { Description = "The rdoinfo folder: graph the packages of --release, whose distgits are under --checkouts-dir." };
        var release = new Option<string?>("--release") { Description = "With --rdoinfo: the release whose packages to graph." };
        var format = new Option<string>("--format") { Description = "Output format: json (for jobs and plan --graph), dot (Graphviz) or text.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("json", "dot", "text");
        var command = new Command("graph",
            "Read each package's BuildRequires and Provides (rpmspec) or Build-Depends and Provides (dpkg's parser), map them onto " +
            "the packages given, and print the build-dependency graph with its cycles and external dependencies.");
        foreach (var option in inputs.All.Append(rdoinfo).Append(release).Append(format))
        {
            command.Options.Add(option);
        }

        command.SetHandler(async (parse, ct) =>
        {
            var graph = await inputs.LoadAsync(parse, parse.GetValue(rdoinfo), parse.GetValue(release), ct);
            switch (parse.GetValue(format))
            {
                case "json":
                    GraphJson.Write(graph, GraphJson.Default.DependencyGraph);
                    break;
                case "dot":
                    Console.Out.Write(GraphText.ToDot(graph));
                    break;
                default:
                    Console.Out.Write(GraphText.ToText(graph));
                    break;
            }

            return ExitCodes.Success;
        });
        return command;
    }
}

/// <summary>The options that say which packages make a graph, shared by <c>graph</c> and <c>plan --partitions</c>.</summary>
internal sealed class GraphInputOptions
{
    public Option<string[]> SpecDirs { get; } = new("--spec-dir") { Description = "A package and its distgit (spec or debian/) folder, as NAME=DIR. Repeatable." };

    public Option<string[]> PackagesDirs { get; } = new("--packages-dir") { Description = "A folder of package folders, each named as its package. Repeatable." };

    public Option<string?> CheckoutsDir { get; } = new("--checkouts-dir") { Description = "With --rdoinfo: the folder holding one distgit checkout per package name." };

    public Option<string> Dist { get; } = new("--dist") { Description = "The rpm dist macro the specs are read with (as cijobs build --dist).", DefaultValueFactory = _ => BuildRequest.DefaultDist };

    public Option<string[]> Defines { get; } = new("--define") { Description = "Another rpm macro for rpmspec, as 'NAME VALUE'. Repeatable." };

    public Option<int> MaxPackages { get; } = new Option<int>("--max-packages")
    {
        Description = "Refuse more packages than this (exit 133).",
        DefaultValueFactory = _ => GraphFiles.DefaultMaxPackages,
    }.InRange(1, 1_000_000);

    public IEnumerable<Option> All => [SpecDirs, PackagesDirs, CheckoutsDir, Dist, Defines, MaxPackages];

    /// <summary>Collects the packages, reads them with rpmspec or dpkg's parser, and builds the graph.</summary>
    public async Task<DependencyGraph> LoadAsync(ParseResult parse, string? rdoinfoDir, string? release, CancellationToken cancellationToken)
    {
        var readerOptions = DependencyReaderOptions.Create(parse.GetValue(Dist)!, parse.GetValue(Defines) ?? []);
        RdoinfoDatabase? database = null;
        if (rdoinfoDir is not null)
        {
            database = await RdoinfoLoader.LoadAsync(Path.GetFullPath(rdoinfoDir), RdoinfoLoader.DefaultEntryFile, cancellationToken);
        }
        else if (release is not null)
        {
            throw new CiJobsException("--release needs --rdoinfo", GraphExitCodes.InvalidInput);
        }

        var sources = PackageSources.Collect(new PackageSourceRequest
        {
            SpecDirs = parse.GetValue(SpecDirs) ?? [],
            PackagesDirs = parse.GetValue(PackagesDirs) ?? [],
            Rdoinfo = database,
            Release = release,
            CheckoutsDir = parse.GetValue(CheckoutsDir) is { } checkouts ? Path.GetFullPath(checkouts) : null,
            MaxPackages = parse.GetValue(MaxPackages),
        });
        var reader = new DependencyReader(new CliWrapProcessRunner(), readerOptions);
        return await PackageSources.BuildGraphAsync(sources, reader, cancellationToken);
    }

}

/// <summary>A partition of one wave, what <c>plan --partitions N --partition K --wave W</c> prints for a CI node.</summary>
internal sealed record PartitionSelection(int Wave, int Waves, int Partition, int Partitions, double Seconds, IReadOnlyList<string> Packages);

/// <summary>Source-generated JSON of <c>cijobs graph</c> and <c>cijobs plan --partitions</c> (snake_case, indented).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(DependencyGraph))]
[JsonSerializable(typeof(PartitionedPlan))]
[JsonSerializable(typeof(PartitionSelection))]
internal sealed partial class GraphJson : JsonSerializerContext
{
    private static JsonSerializerOptions? relaxed;

    private static JsonSerializerOptions Relaxed => relaxed ??= new(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write<T>(T value, JsonTypeInfo<T> info) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Relaxed.GetTypeInfo(info.Type)));
}
