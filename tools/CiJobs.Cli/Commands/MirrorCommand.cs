using System.CommandLine;
using CiJobs.Core;
using CiJobs.Core.Mirror;
using CiJobs.Core.Platform;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs mirror sync SOURCE DEST</c>: transactional repository mirror sync; docs/manual/mirror.md.</summary>
internal static class MirrorCommand
{
    internal enum MirrorFormat
    {
        Text,
        Json,
    }

    public static Command Create()
    {
        var command = new Command("mirror", "Mirror repository trees (RPM and Debian) to published snapshots.");
        command.Subcommands.Add(CreateSync());
        return command;
    }

    private static Command CreateSync()
    {
        var source = new Argument<string>("SOURCE") { Description = "A local repository tree: any number of RPM (repodata/repomd.xml) and Debian (dists/*/Release) repositories." };
        var dest = new Argument<string>("DEST") { Description = "A local path or [user@]host:/path; it becomes a symbolic link to snapshots/<name>-<UTC time> in its parent folder." };
        var keep = new Option<int>("--keep") { Description = "Snapshots to keep, the new one included; a snapshot a symbolic link points at is never deleted.", DefaultValueFactory = _ => MirrorRequest.DefaultKeep }.InRange(1, 1000);
        var lockTimeout = new Option<double>("--lock-timeout") { Description = "Seconds to wait for another sync of the same DEST (0: fail at once).", DefaultValueFactory = _ => 0 }.InRange(0, 86400);
        var rsh = new Option<string>("--rsh") { Description = "The remote shell for a remote DEST (words split on spaces, no quoting), for ssh and rsync -e.", DefaultValueFactory = _ => "ssh" };
        var reportDir = new Option<DirectoryInfo?>("--report-dir") { Description = "Write sync-report.json and sync-report.txt there." };
        var format = new Option<MirrorFormat>("--format") { Description = "Output: text for people, json for jobs.", DefaultValueFactory = _ => MirrorFormat.Text };
        var command = new Command(
            "sync",
            "Copy SOURCE to a new snapshot beside DEST's (hard links for unchanged files), check every repository's checksums in it, " +
            "switch DEST to it in one rename and keep the newest --keep snapshots. A failure leaves the published snapshot untouched.");
        command.Arguments.Add(source);
        command.Arguments.Add(dest);
        foreach (var option in new Option[] { keep, lockTimeout, rsh, reportDir, format })
        {
            command.Options.Add(option);
        }

        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var request = new MirrorRequest(parseResult.GetValue(source)!, parseResult.GetValue(dest)!)
            {
                Keep = parseResult.GetValue(keep),
                LockTimeout = TimeSpan.FromSeconds(parseResult.GetValue(lockTimeout)),
                Rsh = parseResult.GetValue(rsh)!,
            };
            var sync = new MirrorSync(new CliWrapProcessRunner(), TimeProvider.System, line => Console.Error.WriteLine($"cijobs: mirror: {line}"));
            var result = await sync.SyncAsync(request, cancellationToken);
            if (parseResult.GetValue(reportDir) is { } folder)
            {
                try
                {
                    Directory.CreateDirectory(folder.FullName);
                    await AtomicFileSystem.WriteAllTextAsync(Path.Combine(folder.FullName, "sync-report.json"), MirrorReport.Json(result), CancellationToken.None);
                    await AtomicFileSystem.WriteAllTextAsync(Path.Combine(folder.FullName, "sync-report.txt"), MirrorReport.Text(result), CancellationToken.None);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new CiJobsException($"the sync is published, but the report cannot be written to {folder.FullName}: {e.Message}", ExitCodes.Io, e);
                }
            }

            await Console.Out.WriteAsync(parseResult.GetValue(format) == MirrorFormat.Json ? MirrorReport.Json(result) : MirrorReport.Text(result));
            return ExitCodes.Success;
        });
        return command;
    }
}
