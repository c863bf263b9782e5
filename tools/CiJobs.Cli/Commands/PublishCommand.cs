using System.CommandLine;
using CiJobs.Cli.Output;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Truth;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs publish dlrn</c>: remote import of a served build into a central DLRN, verified.</summary>
internal static class PublishCommand
{
    public static Command Create()
    {
        var publish = new Command("publish", "Publish a build result.");
        publish.Subcommands.Add(CreateDlrn());
        return publish;
    }

    private static Command CreateDlrn()
    {
        var dlrn = new DlrnOptions();
        var repoUrl = new Option<string>("--repo-url")
        {
            Description = "HTTP(S) URL of the hashed build directory (holds commit.yaml and the RPMs, flat), e.g. from 'cijobs serve'.",
            Required = true,
        };
        var centralUrl = new Option<string?>("--central-url")
        {
            Description = "The central's public repository base (its projects.ini baseurl); when given, every RPM is checked there after the import.",
        };
        var verifyWait = new Option<double>("--verify-wait")
        {
            Description = "Seconds to keep checking whether the server recorded the commit when the import's answer is lost " +
                "(timeout, dropped connection, 502/504); the import is never sent twice.",
            DefaultValueFactory = _ => 600.0,
        }.InRange(0.0, 86400.0);
        var store = new Option<string?>("--store") { Description = "Record the publication in this SQLite truth store once DLRN accepted the import (imported, already present or skipped), for 'cijobs audit --store'." };
        var storeUrl = new Option<string?>("--store-url") { Description = "Record the publication in this PostgreSQL truth store (postgresql://host:port/database?user=NAME; the password from PGPASSWORD)." };
        var format = OutputOptions.CreateFormatOption();
        var command = new Command(
            "dlrn",
            "Ask a central DLRN server to import the build at --repo-url (remote import API), then verify it: DLRN answers 201 " +
            "even when it skipped the commit (not newer than what it holds) or could not download RPMs. Outcomes: imported, " +
            "already_present (exit 0), skipped (44), failed (45 artifacts missing, 48 nothing recorded). Verified through GraphQL, " +
            "or without it through the central's commit.yaml (--central-url) or repo_status (49 when no way is left).");
        dlrn.AddTo(command);
        command.Options.Add(repoUrl);
        command.Options.Add(centralUrl);
        command.Options.Add(verifyWait);
        command.Options.Add(store);
        command.Options.Add(storeUrl);
        command.Options.Add(format);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var options = await dlrn.ResolveAsync(parseResult, cancellationToken);
            // The store is opened (and migrated) before anything is sent, so a store that cannot be used stops the publish.
            await using var truth = parseResult.GetValue(store) is null && parseResult.GetValue(storeUrl) is null
                ? null
                : await TruthCommand.OpenAsync(parseResult.GetValue(store), parseResult.GetValue(storeUrl), null, TimeSpan.FromSeconds(30), cancellationToken);
            var settings = new DlrnPublishSettings(ParseHttpUrl(parseResult.GetValue(repoUrl)!, "--repo-url"))
            {
                CentralReposUrl = parseResult.GetValue(centralUrl) is { } central ? ParseHttpUrl(central, "--central-url") : null,
                LostAnswerWait = TimeSpan.FromSeconds(NotNegative(parseResult.GetValue(verifyWait), "--verify-wait")),
                PollInterval = options.RetryDelay > TimeSpan.Zero ? options.RetryDelay : TimeSpan.FromSeconds(1),
            };
            using var http = DlrnOptions.CreateHttpClient();
            var client = new DlrnApiClient(http, options);
            var publisher = new DlrnPublisher(client, client, http, message => Console.Error.WriteLine($"cijobs: {message}"));
            var result = await publisher.PublishAsync(settings, cancellationToken);
            if (truth is not null && PublicationOutcome(result.Outcome) is { } outcome)
            {
                // DLRN answered the import (201): recorded, so the audit can tell when DLRN no longer holds it (docs/manual/audit.md).
                await ((IDlrnTruthStore)truth).RecordPublicationAsync(
                    new PublicationRecord(
                        DlrnIngest.ServerKey(options.ApiUrl), result.ProjectName, result.CommitHash, result.DistroHash, result.ExtendedHash,
                        result.BuildStatus, result.RepoUrl, outcome, TimeProvider.System.GetUtcNow().ToUnixTimeSeconds()),
                    cancellationToken);
                Console.Error.WriteLine($"cijobs: recorded the publication ({outcome}) in the {truth.Description}");
            }

            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                DlrnJsonOutput.Write(result);
            }
            else
            {
                Console.Out.WriteLine($"{OutcomeWord(result.Outcome)}: {result.ProjectName} commit {result.CommitHash} distro {result.DistroHash}");
                if (result.MissingArtifacts.Count > 0)
                {
                    foreach (var missing in result.MissingArtifacts)
                    {
                        Console.Out.WriteLine($"  missing: {missing}");
                    }
                }
            }

            if (result.ExitCode != 0)
            {
                await Console.Error.WriteLineAsync($"cijobs: error: {result.Message}");
            }
            else
            {
                await Console.Error.WriteLineAsync($"cijobs: {result.Message}");
            }

            return result.ExitCode;
        });
        return command;
    }

    internal static Uri ParseHttpUrl(string value, string option) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new Core.CiJobsException($"{option} must be an http or https URL, not '{value}'", DlrnExitCodes.RequestRejected);

    private static double NotNegative(double value, string option) =>
        value >= 0 && double.IsFinite(value)
            ? value
            : throw new Core.CiJobsException($"{option} must be a number of seconds, not {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}", DlrnExitCodes.RequestRejected);

    /// <summary>The outcomes where DLRN accepted the import request, as the publications table names them; null for a failed one.</summary>
    private static string? PublicationOutcome(DlrnPublishOutcome outcome) => outcome switch
    {
        DlrnPublishOutcome.Imported => "imported",
        DlrnPublishOutcome.AlreadyPresent => "already_present",
        DlrnPublishOutcome.Skipped => "skipped",
        _ => null,
    };

    private static string OutcomeWord(DlrnPublishOutcome outcome) => outcome switch
    {
        DlrnPublishOutcome.Imported => "imported",
        DlrnPublishOutcome.AlreadyPresent => "already present",
        DlrnPublishOutcome.Skipped => "skipped",
        _ => "failed",
    };
}
