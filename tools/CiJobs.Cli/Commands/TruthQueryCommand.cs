using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CiJobs.Cli.Output;
using CiJobs.Core;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.Truth;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs truth query ...</c>: the store's read queries on the command line; docs/manual/truth.md, "Queries".</summary>
internal static class TruthQueryCommand
{
    /// <summary>The options every query and <c>truth serve</c> take to find the store.</summary>
    internal sealed class StoreOptions
    {
        public Option<string?> Store { get; } = new("--store") { Description = $"The SQLite store file. Default: {TruthCommand.StoreVariable}." };

        public Option<string?> StoreUrl { get; } = new("--store-url") { Description = "A PostgreSQL store: postgresql://host:port/database?user=NAME (the password from PGPASSWORD)." };

        public Option<double> LockTimeout { get; } = new Option<double>("--lock-timeout") { Description = "Seconds to wait for the SQLite store's lock (its first open migrates it).", DefaultValueFactory = _ => 30 }.InRange(0, 86400);

        public void AddTo(Command command)
        {
            command.Options.Add(Store);
            command.Options.Add(StoreUrl);
            command.Options.Add(LockTimeout);
        }

        public Task<ITruthStore> OpenAsync(ParseResult parseResult, CancellationToken cancellationToken) => TruthCommand.OpenAsync(
            parseResult.GetValue(Store),
            parseResult.GetValue(StoreUrl),
            Environment.GetEnvironmentVariable(TruthCommand.StoreVariable),
            TimeSpan.FromSeconds(parseResult.GetValue(LockTimeout)),
            cancellationToken);
    }

    public static Command Create()
    {
        var command = new Command("query", "Ask the truth store: a release's status, what was built when, lineage both ways, QE status, a package's history, build times.");
        command.Subcommands.Add(Release());
        command.Subcommands.Add(Produced());
        command.Subcommands.Add(Inputs());
        command.Subcommands.Add(BuiltFrom());
        command.Subcommands.Add(Qe());
        command.Subcommands.Add(History());
        command.Subcommands.Add(BuildTimes());
        return command;
    }

    private static Option<int> LimitOption() =>
        new Option<int>("--limit") { Description = $"At most this many rows, 1 to {TruthQueryInput.MaxLimit}.", DefaultValueFactory = _ => TruthApi.DefaultLimit }.InRange(1, TruthQueryInput.MaxLimit);

    private static Option<int> DepthOption() =>
        new Option<int>("--depth") { Description = $"Layers to follow, 1 to {TruthQueryInput.MaxDepth}.", DefaultValueFactory = _ => TruthApi.DefaultDepth }.InRange(1, TruthQueryInput.MaxDepth);

    /// <summary>A query verb: the store options, --format, --limit and the given ones; <paramref name="run"/> answers with the open store.</summary>
    private static Command Query(string name, string description, IEnumerable<Symbol> symbols, Func<ParseResult, ITruthQueries, int, OutputFormat, CancellationToken, Task> run)
    {
        var store = new StoreOptions();
        var format = OutputOptions.CreateFormatOption();
        var limit = LimitOption();
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
            }
        }

        command.Options.Add(limit);
        command.Options.Add(format);
        store.AddTo(command);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            await using var truth = await store.OpenAsync(parseResult, cancellationToken);
            await run(parseResult, (ITruthQueries)truth, parseResult.GetValue(limit), parseResult.GetValue(format), cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Release()
    {
        var release = new Argument<string>("RELEASE") { Description = "The rdoinfo release." };
        var rdoinfo = new Option<string>("--rdoinfo") { Description = "The rdoinfo checkout.", Required = true };
        var entry = new Option<string>("--rdoinfo-entry") { Description = "rdoinfo's entry file.", DefaultValueFactory = _ => RdoinfoLoader.DefaultEntryFile };
        return Query(
            "release",
            "What rdoinfo says the release should produce (its packages and refs) and the newest build the store has of each: built, failed, other-ref (built from other branches) or missing.",
            [release, rdoinfo, entry],
            async (parseResult, queries, limit, format, cancellationToken) =>
            {
                var name = TruthQueryInput.Name(parseResult.GetValue(release)!, "release");
                var database = await RdoinfoLoader.LoadAsync(parseResult.GetValue(rdoinfo)!, parseResult.GetValue(entry)!, cancellationToken);
                var status = await TruthReleaseStatus.ComputeAsync(database, name, queries, limit, cancellationToken);
                Write(status, TruthJsonContext.Default.ReleaseStatus, format, () =>
                {
                    Console.Out.WriteLine($"release {status.Release}: {status.Packages} package(s); {status.Built} built, {status.Failed} failed, {status.OtherRef} other-ref, {status.Missing} missing");
                    foreach (var item in status.Items)
                    {
                        var latest = item.Latest is { } b ? $"{b.Id[..12]} {b.Status} {Time(b.DtBuild)} {b.CommitBranch}/{b.DistroBranch}" : "-";
                        Console.Out.WriteLine($"{item.State,-9} {item.Package} (expects {item.SourceRef}/{item.DistgitRef}) {latest}");
                    }
                }, status.Truncated);
            });
    }

    private static Command Produced()
    {
        var from = new Option<string>("--from") { Description = "Start (included): Unix seconds or ISO 8601 (2026-12-06T14:00:00Z, or a date).", Required = true };
        var to = new Option<string>("--to") { Description = "End (excluded): Unix seconds or ISO 8601.", Required = true };
        return Query(
            "produced",
            "The builds made in [--from, --to) (their dt_build), oldest first.",
            [from, to],
            async (parseResult, queries, limit, format, cancellationToken) =>
            {
                var start = TruthQueryInput.Time(parseResult.GetValue(from)!, "--from");
                var end = TruthQueryInput.Time(parseResult.GetValue(to)!, "--to");
                TruthQueryInput.Range(start, end);
                var page = await queries.BuildsBetweenAsync(start, end, limit, cancellationToken);
                Write(page, TruthJsonContext.Default.BuildPage, format, () =>
                {
                    foreach (var build in page.Builds)
                    {
                        Console.Out.WriteLine(Line(build));
                    }
                }, page.Truncated);
            });
    }

    private static Command Inputs()
    {
        var artifact = new Argument<string>("SHA256") { Description = "The artifact's sha256." };
        var depth = DepthOption();
        return Query(
            "inputs",
            "The inputs of an artifact: the builds that produced it, their inputs, and through artifact inputs the builds that produced those, down to --depth layers.",
            [artifact, depth],
            async (parseResult, queries, limit, format, cancellationToken) =>
            {
                var sha = TruthQueryInput.Sha256(parseResult.GetValue(artifact)!, "artifact sha256");
                WriteLineage(await queries.InputsOfAsync(sha, parseResult.GetValue(depth), limit, cancellationToken), format);
            });
    }

    private static Command BuiltFrom()
    {
        var input = new Argument<string>("INPUT") { Description = "An artifact sha256 (64 hex digits) or a git commit (40 hex digits: source, distgit, patches or rdoinfo)." };
        var depth = DepthOption();
        return Query(
            "built-from",
            "The builds that read an input, and through their outputs the builds that read those, down to --depth layers.",
            [input, depth],
            async (parseResult, queries, limit, format, cancellationToken) =>
            {
                var subject = TruthQueryInput.Input(parseResult.GetValue(input)!, "input");
                WriteLineage(await queries.BuiltFromAsync(subject, parseResult.GetValue(depth), limit, cancellationToken), format);
            });
    }

    private static Command Qe()
    {
        var build = new Option<string?>("--build") { Description = "A build id (64 hex digits)." };
        var repo = new Option<string?>("--repo-hash") { Description = "DLRN's repository hash: COMMIT_DISTRO8 (or COMMIT_DISTRO8_EXTENDED8)." };
        var aggregate = new Option<string?>("--aggregate") { Description = "DLRN's aggregate hash (32 to 64 hex digits)." };
        return Query(
            "qe",
            "The QE status of a build, a repository hash or an aggregate: CI votes and promotions; failed, in-progress, passed or none. " +
            "An aggregate's state comes from the votes on the aggregate itself (DLRN's CIVote_Aggregate, read by truth ingest --dlrn).",
            [build, repo, aggregate],
            async (parseResult, queries, limit, format, cancellationToken) =>
            {
                var subject = TruthApi.Subject(parseResult.GetValue(build), parseResult.GetValue(repo), parseResult.GetValue(aggregate));
                var status = await queries.QeStatusAsync(subject, limit, cancellationToken);
                Write(status, TruthJsonContext.Default.QeStatus, format, () =>
                {
                    var onAggregate = status.Kind == "aggregate" ? $", {status.AggregateVotes.Count} vote(s) on the aggregate" : "";
                    Console.Out.WriteLine($"{status.Kind} {status.Subject}: {status.State} ({status.Builds.Count} build(s), {status.Votes.Count} vote(s), {status.Promotions.Count} promotion(s){onAggregate})");
                    foreach (var vote in status.AggregateVotes)
                    {
                        var time = vote.Timestamp is { } t ? Time(t) : "-";
                        Console.Out.WriteLine($"aggregate {time} {vote.CiName ?? "-"} {VoteState(vote.Vote, vote.InProgress)} {vote.Server} {vote.CiUrl}");
                    }

                    foreach (var vote in status.Votes)
                    {
                        Console.Out.WriteLine($"vote      {Time(vote.Timestamp)} {vote.CiName} {VoteState(vote.Vote, vote.InProgress)} {vote.BuildId[..12]} {vote.CiUrl}");
                    }

                    foreach (var promotion in status.Promotions)
                    {
                        Console.Out.WriteLine($"promotion {Time(promotion.Timestamp)} {promotion.PromotionName} {promotion.BuildId[..12]} {promotion.AggregateHash}");
                    }
                }, status.Truncated);
            });
    }

    private static Command History()
    {
        var package = new Argument<string>("PACKAGE") { Description = "The package name." };
        return Query(
            "history",
            "A package's newest builds (--limit), oldest first: NVRs, build times, sizes.",
            [package],
            async (parseResult, queries, limit, format, cancellationToken) =>
            {
                var name = TruthQueryInput.Name(parseResult.GetValue(package)!, "package");
                var history = await queries.HistoryAsync(name, limit, cancellationToken);
                Write(history, TruthJsonContext.Default.PackageHistory, format, () =>
                {
                    foreach (var build in history.Builds)
                    {
                        Console.Out.WriteLine(Line(build));
                    }
                }, history.Truncated);
            });
    }

    private static Command BuildTimes()
    {
        var release = new Option<string?>("--release") { Description = "The packages built for this release (the builds whose release it is)." };
        var packages = new Option<string[]>("--package") { Description = "These packages (repeat the option, or give several names), whatever their release.", AllowMultipleArgumentsPerToken = true };
        var last = new Option<int>("--last")
        {
            Description = $"The median of each package's newest SUCCESS builds with a duration, this many (1 to {SqlTruthStore.MaxBuildTimesLast}).",
            DefaultValueFactory = _ => BuildTimesOutput.DefaultLast,
        }.InRange(1, SqlTruthStore.MaxBuildTimesLast);
        var format = new Option<string>("--format") { Description = "csv (name,seconds lines under a header) or json ({\"name\": seconds}): both what plan --build-times reads.", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "json");
        var store = new StoreOptions();
        var command = new Command(
            "build-times",
            "Per package, the median duration of its newest --last SUCCESS builds that recorded one (manifest version 2), for plan --build-times; packages without any are left out.");
        foreach (var option in new Option[] { release, packages, last, format })
        {
            command.Options.Add(option);
        }

        store.AddTo(command);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var scope = TruthApi.BuildTimesScope(parseResult.GetValue(release), parseResult.GetValue(packages));
            await using var truth = await store.OpenAsync(parseResult, cancellationToken);
            var times = await ((ITruthQueries)truth).BuildTimesAsync(scope, parseResult.GetValue(last), cancellationToken);
            if (parseResult.GetValue(format) == "json")
            {
                Console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(BuildTimesOutput.Json(times)));
            }
            else
            {
                Console.Out.Write(BuildTimesOutput.Csv(times));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteLineage(Lineage lineage, OutputFormat format) =>
        Write(lineage, TruthJsonContext.Default.Lineage, format, () =>
        {
            foreach (var step in lineage.Steps)
            {
                Console.Out.WriteLine($"{new string(' ', 2 * (step.Depth - 1))}{step.Depth} via {step.Via[..Math.Min(12, step.Via.Length)]}: {Line(step.Build)}");
                foreach (var input in step.Inputs)
                {
                    Console.Out.WriteLine($"{new string(' ', 2 * step.Depth)}input {input.Kind} {input.Url ?? input.Name} {input.Commit ?? input.Sha256}");
                }

                foreach (var output in step.Outputs)
                {
                    Console.Out.WriteLine($"{new string(' ', 2 * step.Depth)}output {output.Name} {output.Sha256} {output.Size}");
                }
            }
        }, lineage.Truncated);

    private static string Line(BuildSummary build) =>
        $"{Time(build.DtBuild)} {build.Package} {build.Status} {string.Join(",", build.Nvrs)} {build.Files} file(s) {build.Size} bytes " +
        $"{(build.DurationSeconds is { } seconds ? seconds.ToString("0.###", CultureInfo.InvariantCulture) + " s" : "- s")} {build.Id}";

    private static string VoteState(bool vote, bool inProgress) => inProgress ? "in-progress" : vote ? "passed" : "failed";

    private static string Time(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>JSON (one line) or the text; a cut-short answer says so on stderr in text.</summary>
    private static void Write<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, OutputFormat format, Action text, bool truncated)
    {
        if (format == OutputFormat.Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(value, type));
            return;
        }

        text();
        if (truncated)
        {
            Console.Error.WriteLine("cijobs: the answer is cut short (--limit or --depth); raise them to see more");
        }
    }
}
