using System.CommandLine;
using CiJobs.Cli.Output;
using CiJobs.Core;
using CiJobs.Core.Platform;
using CiJobs.Core.Release;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs release publish</c>: a persistent release repository (RPM and Debian) that accumulates build results; docs/manual/release.md.</summary>
internal static class ReleaseCommand
{
    public static Command Create()
    {
        var command = new Command("release", "A persistent release repository (RPM and Debian) that keeps every published package.");
        command.Subcommands.Add(CreatePublish());
        return command;
    }

    private static Command CreatePublish()
    {
        var results = new Argument<string[]>("RESULT_DIR") { Description = "Build results ('cijobs build' folders) whose packages to publish.", Arity = ArgumentArity.OneOrMore };
        var repo = new Option<string>("--repo") { Description = "The release repository ROOT (ROOT/rpm, ROOT/deb); created when missing, refused when it holds files not made by cijobs.", Required = true };
        var codename = new Option<string>("--codename") { Description = "Debian part: the distribution. Default: this machine's VERSION_CODENAME from /etc/os-release, else unstable.", DefaultValueFactory = _ => BuildCommand.HostCodename() };
        var component = new Option<string>("--component") { Description = "Debian part: the component.", DefaultValueFactory = _ => ReleaseRequest.DefaultComponent };
        var lockTimeout = new Option<int>("--lock-timeout")
        {
            Description = "Seconds to wait for another publish to the same ROOT to finish.",
            DefaultValueFactory = _ => (int)ReleaseRequest.DefaultLockTimeout.TotalSeconds,
        }.InRange(0, 86400);
        var requireProvenance = new Option<bool>("--require-provenance") { Description = "Refuse a RESULT_DIR without a provenance.json. Each manifest found is checked against its folder's files and published as ROOT/rpm|deb/provenance/BUILD_ID.json with the packages." };
        var format = OutputOptions.CreateFormatOption();
        var dotenvFile = new Option<FileInfo?>("--dotenv-file") { Description = "Also write CIJOBS_RELEASE_ROOT, _ADDED and _SKIPPED to this file (a GitLab 'reports: dotenv' artifact)." };
        var command = new Command(
            "publish",
            "Publish the packages of RESULT_DIRs into the release repository ROOT. Each must be newer than every published version of its " +
            "name (115 otherwise) or the very same bits (skipped; other bits: 116); nothing is published unless everything can be. Earlier versions stay. " +
            "With --sign-key-file, new RPMs, repomd.xml and the APT Release are signed (docs/manual/signing.md).");
        command.Arguments.Add(results);
        foreach (var option in new Option[] { repo, codename, component, lockTimeout, requireProvenance, format, dotenvFile })
        {
            command.Options.Add(option);
        }

        var signing = new SigningOptions();
        signing.AddTo(command);

        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var request = new ReleaseRequest(parseResult.GetValue(results)!, parseResult.GetValue(repo)!, parseResult.GetValue(codename)!)
            {
                Component = parseResult.GetValue(component)!,
                LockTimeout = TimeSpan.FromSeconds(parseResult.GetValue(lockTimeout)),
                RequireProvenance = parseResult.GetValue(requireProvenance),
            };
            var runner = new CliWrapProcessRunner();
            // Without a key (no --sign-key-file, no CIJOBS_SIGN_KEY_FILE) the repository is published unsigned.
            await using var signer = await signing.CreateSignerAsync(parseResult, SystemEnvironment.Instance, runner, cancellationToken);
            var result = await new ReleasePublisher(runner).PublishAsync(request, signer, cancellationToken);
            if (parseResult.GetValue(dotenvFile) is { } file)
            {
                await OutputOptions.WriteFileAsync(file.FullName, ReleaseOutput.Dotenv(result));
            }

            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                ReleaseJsonOutput.Write(result);
            }
            else
            {
                await Console.Out.WriteAsync(ReleaseOutput.Text(result));
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
