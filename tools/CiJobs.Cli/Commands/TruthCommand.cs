using System.CommandLine;
using CiJobs.Cli.Output;
using CiJobs.Core;
using CiJobs.Core.Dlrn;
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
        var manifests = new Argument<string[]>("MANIFEST") { Description = "provenance.json files, or folders searched for provenance.json files.", Arity = ArgumentArity.ZeroOrMore };
        var store = new Option<string?>("--store") { Description = $"The SQLite store file (created when missing). Default: {StoreVariable}." };
        var storeUrl = new Option<string?>("--store-url") { Description = $"A PostgreSQL store: postgresql://host:port/database?user=NAME (the password from PGPASSWORD; or put a Host=...;Password=... string in {StoreVariable})." };
        var lockTimeout = new Option<double>("--lock-timeout") { Description = "Seconds to wait for another writer of a SQLite store.", DefaultValueFactory = _ => 30 }.InRange(0, 86400);
        var dlrnUrl = new Option<string?>("--dlrn") { Description = "Also read this DLRN API (its base URL, as --api-url elsewhere) anonymously: commits, CI votes, aggregate votes, promotions, from the stored cursors on." };
        var reread = new Option<long>("--dlrn-reread") { Description = "Rows at or below each cursor read again, for rows DLRN changed or deleted since (0 to 1000000000; a large number re-reads everything).", DefaultValueFactory = _ => DlrnIngest.DefaultReread }.InRange(0L, 1_000_000_000L);
        var dlrn = new DlrnOptions();
        var format = OutputOptions.CreateFormatOption();
        var command = new Command(
            "ingest",
            "Read provenance manifests (schema checked, input hash verified) and store their builds in one transaction: all or nothing. " +
            "Builds already stored are left as they are, so ingesting again adds nothing. With --dlrn, also read a DLRN server's rows " +
            "from the stored cursors on and store them with the advanced cursors in one transaction.");
        command.Arguments.Add(manifests);
        foreach (var option in new Option[] { store, storeUrl, lockTimeout, dlrnUrl, reread, dlrn.Retries, dlrn.RetryDelay, dlrn.Timeout, format })
        {
            command.Options.Add(option);
        }

        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var given = parseResult.GetValue(manifests) ?? [];
            var dlrnValue = parseResult.GetValue(dlrnUrl);
            if (given.Length == 0 && dlrnValue is null)
            {
                await Console.Error.WriteLineAsync("cijobs: error: nothing to ingest: give manifests, --dlrn URL, or both.");
                return ExitCodes.Usage;
            }

            // Everything given is checked before the store is opened.
            var apiUrl = dlrnValue is null ? null : DlrnClientOptions.ParseApiUrl(dlrnValue);
            var files = Collect(given);
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
            var report = new TruthIngestReport { Store = truth.Description };
            var json = parseResult.GetValue(format) == OutputFormat.Json;
            if (given.Length > 0)
            {
                var result = await truth.IngestAsync(read, cancellationToken);
                report = report with { Manifests = new DlrnManifestCounts(read.Count, result.Added, result.AlreadyStored) };
                if (!json)
                {
                    Console.Out.WriteLine($"ingested {read.Count} manifest(s) into the {truth.Description}: {result.Added} added, {result.AlreadyStored} already stored");
                }
            }

            if (apiUrl is not null)
            {
                var server = DlrnIngest.ServerKey(apiUrl);
                var progress = new Action<string>(line => Console.Error.WriteLine($"cijobs: {line}"));
                var timeout = TimeSpan.FromSeconds(parseResult.GetValue(dlrn.Timeout));
                var options = new DlrnClientOptions(apiUrl, null)
                {
                    MaxRetries = parseResult.GetValue(dlrn.Retries),
                    RetryDelay = TimeSpan.FromSeconds(parseResult.GetValue(dlrn.RetryDelay)),
                    RequestTimeout = timeout,
                    ImportTimeout = timeout,
                };
                using var http = DlrnOptions.CreateHttpClient();
                var reader = new DlrnIngestReader(new DlrnApiClient(http, options), progress);
                progress($"reading DLRN {server} from the cursors of the {truth.Description}");
                var applied = await DlrnIngest.RunAsync((IDlrnTruthStore)truth, reader, server, parseResult.GetValue(reread), TimeProvider.System, cancellationToken);
                report = report with { Dlrn = applied.Dlrn, Kinds = applied.Kinds, LinkedVotes = applied.LinkedVotes, LinkedPromotions = applied.LinkedPromotions };
                if (!json)
                {
                    Console.Out.WriteLine($"read DLRN {server} into the {truth.Description}:");
                    foreach (var kind in applied.Kinds)
                    {
                        Console.Out.WriteLine($"  {kind.Kind}: {kind.Read} read, {kind.Added} added, {kind.Updated} updated, {kind.Unchanged} unchanged, {kind.Removed} removed; cursor {kind.Cursor}");
                    }

                    Console.Out.WriteLine($"  linked to cijobs builds: {applied.LinkedVotes} vote(s), {applied.LinkedPromotions} promotion(s)");
                }
            }

            if (json)
            {
                Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(report, TruthJsonContext.Default.TruthIngestReport));
            }

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
