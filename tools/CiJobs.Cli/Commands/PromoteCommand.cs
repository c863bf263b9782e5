using System.CommandLine;
using CiJobs.Cli.Output;
using CiJobs.Core.Dlrn;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs promote</c>: give a build's repository a promotion name on DLRN (promote).</summary>
internal static class PromoteCommand
{
    public static Command Create()
    {
        var dlrn = new DlrnOptions();
        var hashes = new HashOptions();
        var name = new Option<string>("--promote-name")
        {
            Description = "Promotion name, e.g. tripleo-ci-testing (not 'current' or 'consistent', which DLRN reserves).",
            Required = true,
        };
        var format = OutputOptions.CreateFormatOption();
        var command = new Command(
            "promote",
            "Promote a build's repository on DLRN (POST /api/promote): DLRN points <promote-name> at the commit's repository. Credentials as for publish.");
        dlrn.AddTo(command);
        hashes.AddTo(command, required: true);
        command.Options.Add(name);
        command.Options.Add(format);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var options = await dlrn.ResolveAsync(parseResult, cancellationToken);
            using var http = DlrnOptions.CreateHttpClient();
            var voting = new DlrnVoting(new DlrnApiClient(http, options), TimeProvider.System);
            var promotion = await voting.PromoteAsync(
                new DlrnPromoteRequest
                {
                    CommitHash = parseResult.GetValue(hashes.CommitHash)!,
                    DistroHash = parseResult.GetValue(hashes.DistroHash)!,
                    ExtendedHash = parseResult.GetValue(hashes.ExtendedHash),
                    PromoteName = parseResult.GetValue(name)!,
                },
                cancellationToken);
            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                DlrnJsonOutput.Write(promotion);
            }
            else
            {
                Console.Out.WriteLine($"promoted {promotion.RepoHash} as {promotion.PromoteName}: {promotion.RepoUrl}");
            }

            return 0;
        });
        return command;
    }
}
