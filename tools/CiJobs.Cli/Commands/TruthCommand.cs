using System.CommandLine;
using CiJobs.Core;
using CiJobs.Core.Provenance;
using CiJobs.Core.Truth;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs truth ingest</c>: provenance manifests into the truth store; docs/manual/truth.md.</summary>
internal static class TruthCommand
{
    /// <summary>The variable holding the store (a SQLite path, a postgresql:// URL or an Npgsql keyword string) when no option names one.</summary>
    public const string StoreVariable = "CIJOBS_TRUTH_STORE";

    public static Command Create()
    {
        var command = new Command("truth", "The truth store: builds, their inputs and outputs by sha256 (SQLite file or PostgreSQL).");
        command.Subcommands.Add(CreateIngest());
        command.Subcommands.Add(TruthQueryCommand.Create());
        command.Subcommands.Add(TruthServeCommand.Create());
        return command;
    }

    private static Command CreateIngest()
    {
        var manifests = new Argument<string[]>("MANIFEST") { Description = "provenance.json files, or folders searched for provenance.json files.", Arity = ArgumentArity.OneOrMore };
        var store = new Option<string?>("--store") { Description = $"The SQLite store file (created when missing). Default: {StoreVariable}." };
        var storeUrl = new Option<string?>("--store-url") { Description = $"A PostgreSQL store: postgresql://host:port/database?user=NAME (the password from PGPASSWORD; or put a Host=...;Password=... string in {StoreVariable})." };
        var lockTimeout = new Option<double>("--lock-timeout") { Description = "Seconds to wait for another writer of a SQLite store.", DefaultValueFactory = _ => 30 }.InRange(0, 86400);
        var command = new Command(
            "ingest",
            "Read provenance manifests (schema checked, input hash verified) and store their builds in one transaction: all or nothing. " +
            "Builds already stored are left as they are, so ingesting again adds nothing.");
        command.Arguments.Add(manifests);
        foreach (var option in new Option[] { store, storeUrl, lockTimeout })
        {
            command.Options.Add(option);
        }

        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var files = Collect(parseResult.GetValue(manifests) ?? []);
            var read = new List<ReadManifest>(files.Count);
            foreach (var file in files)
            {
                read.Add(await ProvenanceReader.ReadFileAsync(file, cancellationToken));
            }

            await using var truth = await OpenAsync(
                parseResult.GetValue(store),
                parseResult.GetValue(storeUrl),
                Environment.GetEnvironmentVariable(StoreVariable),
                TimeSpan.FromSeconds(parseResult.GetValue(lockTimeout)),
                cancellationToken);
            var result = await truth.IngestAsync(read, cancellationToken);
            Console.Out.WriteLine($"ingested {read.Count} manifest(s) into the {truth.Description}: {result.Added} added, {result.AlreadyStored} already stored");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The manifest files: each argument as it is, or every provenance.json below a folder, in ordinal order.</summary>
    private static List<string> Collect(IEnumerable<string> arguments)
    {
        var files = new List<string>();
        foreach (var argument in arguments)
        {
            if (Directory.Exists(argument))
            {
                var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = false, MatchCasing = MatchCasing.CaseSensitive };
                files.AddRange(Directory.EnumerateFiles(argument, ProvenanceManifest.FileName, options).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(argument))
            {
                files.Add(argument);
            }
            else
            {
                throw new CiJobsException($"the manifest {argument} does not exist", ExitCodes.Io);
            }
        }

        return files;
    }

    /// <summary>The store the options name, else <see cref="StoreVariable"/>: a postgresql:// URL or Npgsql keyword string is
    /// PostgreSQL, anything else a SQLite file.</summary>
    internal static async Task<ITruthStore> OpenAsync(string? store, string? storeUrl, string? variable, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        if (store is not null && storeUrl is not null)
        {
            throw new CiJobsException("give --store or --store-url, not both", TruthExitCodes.StoreOption);
        }

        var postgres = storeUrl ?? (store is null && variable is { } value && IsPostgres(value) ? value : null);
        if (postgres is not null)
        {
            return await PostgresTruthStore.OpenAsync(PostgresTruthStore.ParseConnection(postgres), TimeProvider.System, cancellationToken);
        }

        var path = store ?? (string.IsNullOrWhiteSpace(variable) ? null : variable.Trim())
            ?? throw new CiJobsException($"no store: give --store FILE, --store-url postgresql://... or set {StoreVariable}", TruthExitCodes.StoreOption);
        return await SqliteTruthStore.OpenAsync(path, lockTimeout, TimeProvider.System, cancellationToken);
    }

    private static bool IsPostgres(string value)
    {
        var text = value.TrimStart();
        return text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || text.Contains("Host=", StringComparison.OrdinalIgnoreCase);
    }
}
