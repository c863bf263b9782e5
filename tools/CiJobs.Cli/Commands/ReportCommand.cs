using System.CommandLine;
using CiJobs.Cli.Output;
using CiJobs.Core.Dlrn;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs report</c>: send a CI (QE) result for a build to DLRN (report_result).</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var dlrn = new DlrnOptions();
        var jobId = new Option<string>("--job-id") { Description = "Name of the CI job that tested the repository.", Required = true };
        var url = new Option<string>("--url") { Description = "URL of the job's logs.", Required = true };
        var success = new Option<bool>("--success") { Description = "The result: --success true or --success false.", Required = true };
        var timestamp = new Option<long?>("--timestamp") { Description = "Unix time of the result (0 to 253402300799, the end of year 9999). Default: now." }
            .InRange(0L, DateTimeOffset.MaxValue.ToUnixTimeSeconds());
        var notes = new Option<string?>("--notes") { Description = "Free text stored with the vote." };
        var hashes = new HashOptions();
        var aggregate = new Option<string?>("--aggregate-hash") { Description = "Aggregate hash (component repos) instead of a commit and distro hash." };
        var format = OutputOptions.CreateFormatOption();
        var command = new Command(
            "report",
            "Report a CI result to DLRN (POST /api/report_result) for --commit-hash and --distro-hash, or for --aggregate-hash. " +
            "Credentials as for publish.");
        dlrn.AddTo(command);
        foreach (var option in (Option[])[jobId, url, success, timestamp, notes])
        {
            command.Options.Add(option);
        }

        hashes.AddTo(command, required: false);
        command.Options.Add(aggregate);
        command.Options.Add(format);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var options = await dlrn.ResolveAsync(parseResult, cancellationToken);
            using var http = DlrnOptions.CreateHttpClient();
            var voting = new DlrnVoting(new DlrnApiClient(http, options), TimeProvider.System);
            var vote = await voting.ReportAsync(
                new DlrnReportSettings
                {
                    JobId = parseResult.GetValue(jobId)!,
                    Url = parseResult.GetValue(url)!,
                    Success = parseResult.GetValue(success),
                    Timestamp = parseResult.GetValue(timestamp),
                    Notes = parseResult.GetValue(notes),
                    CommitHash = parseResult.GetValue(hashes.CommitHash),
                    DistroHash = parseResult.GetValue(hashes.DistroHash),
                    ExtendedHash = parseResult.GetValue(hashes.ExtendedHash),
                    AggregateHash = parseResult.GetValue(aggregate),
                },
                cancellationToken);
            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                DlrnJsonOutput.Write(vote);
            }
            else
            {
                var target = vote.AggregateHash ?? $"{vote.CommitHash} distro {vote.DistroHash}";
                Console.Out.WriteLine($"reported {(vote.Success == true ? "success" : "failure")} of {vote.JobId} for {target}");
            }

            return 0;
        });
        return command;
    }
}

/// <summary>--commit-hash, --distro-hash and --extended-hash.</summary>
internal sealed class HashOptions
{
    public Option<string?> CommitHash { get; } = new("--commit-hash") { Description = "Source commit hash of the build." };
    public Option<string?> DistroHash { get; } = new("--distro-hash") { Description = "Distgit commit hash of the build." };
    public Option<string?> ExtendedHash { get; } = new("--extended-hash") { Description = "Extended hash, when the build has one." };

    public void AddTo(Command command, bool required)
    {
        CommitHash.Required = required;
        DistroHash.Required = required;
        command.Options.Add(CommitHash);
        command.Options.Add(DistroHash);
        command.Options.Add(ExtendedHash);
    }
}
