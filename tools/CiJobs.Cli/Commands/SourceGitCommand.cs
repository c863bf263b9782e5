using System.CommandLine;
using System.Globalization;
using System.Text;
using CiJobs.Cli.Output;
using CiJobs.Core;
using CiJobs.Core.Git;
using CiJobs.Core.Platform;
using CiJobs.Core.SourceGit;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs source-git</c>: local source-git ⇄ dist-git conversion for maintainers.</summary>
internal static class SourceGitCommand
{
    public static Command Create()
    {
        var command = new Command(
            "source-git",
            "Convert between a source-git repository (upstream history + downstream commits + .distro/) and a dist-git repository (spec + patches), locally.");
        command.Subcommands.Add(CreateUpdateDistGit());
        command.Subcommands.Add(CreateUpdateSourceGit());
        command.Subcommands.Add(CreateStatus());
        return command;
    }

    private static SourceGitConverter CreateConverter() => new(new GitCli(new CliWrapProcessRunner()));

    private static Argument<DirectoryInfo> SourceArgument() => new("SRC") { Description = "The source-git work tree (has .distro/source-git.yaml)." };

    private static Argument<DirectoryInfo> DistArgument() => new("DIST") { Description = "The dist-git work tree (spec, patches, sources)." };

    private static Option<bool> ForceOption(string what) => new("--force", "-f") { Description = what };

    private static Option<bool> DetailedExitCodeOption() => new("--detailed-exit-code")
    {
        Description = $"Exit {SourceGitExitCodes.NothingToDo} instead of 0 when there was nothing to do.",
    };

    private static Command CreateUpdateDistGit()
    {
        var src = SourceArgument();
        var dist = DistArgument();
        var upstreamRef = new Option<string?>("--upstream-ref") { Description = "Upstream commit, tag or branch after which commits are downstream patches (default: upstream_ref from .distro/source-git.yaml)." };
        var message = new Option<string?>("--message", "-m") { Description = "Dist-git commit message: first line is the title, the rest the body (default: 'Sync from source-git <sha>'). A From-source-git-commit trailer is always added." };
        var messageFile = new Option<FileInfo?>("--file", "-F") { Description = "Read the dist-git commit message from this file." };
        var noCommit = new Option<bool>("--no-commit") { Description = "Leave the changes staged in DIST instead of committing them." };
        var allowEmpty = new Option<bool>("--allow-empty") { Description = "Commit even when DIST's content does not change, to record the sync point." };
        var force = ForceOption("Skip the sync check: convert even when DIST has unsynced commits, the histories diverged or there is no sync point yet.");
        var detailed = DetailedExitCodeOption();
        var format = OutputOptions.CreateFormatOption();
        var command = new Command(
            "update-dist-git",
            "Regenerate DIST from SRC: sync files_to_sync, write one patch per downstream commit after upstream_ref, add PatchN lines to the spec, commit with a From-source-git-commit trailer. Unchanged patches stay byte-identical.")
        {
            src, dist, upstreamRef, message, messageFile, noCommit, allowEmpty, force, detailed, format,
        };
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var text = parseResult.GetValue(message);
            if (parseResult.GetValue(messageFile) is { } file)
            {
                if (text is not null)
                {
                    await Console.Error.WriteLineAsync("cijobs: error: give --message or --file, not both.");
                    return ExitCodes.Usage;
                }

                text = await File.ReadAllTextAsync(file.FullName, cancellationToken);
            }

            var (title, body) = SplitMessage(text);
            var result = await CreateConverter().UpdateDistGitAsync(
                parseResult.GetValue(src)!.FullName,
                parseResult.GetValue(dist)!.FullName,
                new UpdateDistGitOptions
                {
                    UpstreamRef = parseResult.GetValue(upstreamRef),
                    CommitTitle = title,
                    CommitBody = body,
                    Commit = !parseResult.GetValue(noCommit),
                    AllowEmpty = parseResult.GetValue(allowEmpty),
                    Force = parseResult.GetValue(force),
                },
                cancellationToken);
            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(result);
            }
            else if (result.NothingToDo)
            {
                Console.Out.WriteLine("Nothing to do: SRC and DIST are in sync.");
            }
            else
            {
                // One write for the whole list: a line per patch, hundreds of them.
                var output = new StringBuilder();
                foreach (var patch in result.Patches)
                {
                    output.AppendLine(CultureInfo.InvariantCulture, $"{patch.Status.ToString().ToLowerInvariant(),-9} {(patch.Number is { } n ? $"Patch{n}" : "(in spec)"),-10} {patch.FileName}");
                }

                output.AppendLine(result.Committed
                    ? $"Committed {result.DistGitCommit} in DIST ({result.ChangedFiles.Count} file(s) changed) from source-git {result.SourceGitCommit}."
                    : result.Changed
                        ? $"{result.ChangedFiles.Count} file(s) changed and staged in DIST; not committed."
                        : "DIST already matches SRC; no commit made.");
                Console.Out.Write(output.ToString());
            }

            var didNothing = result.NothingToDo || (!result.Changed && !result.Committed);
            return didNothing && parseResult.GetValue(detailed) ? SourceGitExitCodes.NothingToDo : ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateUpdateSourceGit()
    {
        var dist = DistArgument();
        var src = SourceArgument();
        var range = new Argument<string?>("REVISION_RANGE")
        {
            Description = "Dist-git commits to replay (for example abc123..HEAD); default: the commits after the sync point.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var force = ForceOption("Skip the sync check: replay even when SRC has unsynced commits.");
        var detailed = DetailedExitCodeOption();
        var format = OutputOptions.CreateFormatOption();
        var command = new Command(
            "update-source-git",
            "Replay dist-git commits made outside the flow onto SRC under .distro/, one source-git commit each with a From-dist-git-commit trailer. Commits touching sources or patches are refused.")
        {
            dist, src, range, force, detailed, format,
        };
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var result = await CreateConverter().UpdateSourceGitAsync(
                parseResult.GetValue(dist)!.FullName,
                parseResult.GetValue(src)!.FullName,
                new UpdateSourceGitOptions { RevisionRange = parseResult.GetValue(range), Force = parseResult.GetValue(force) },
                cancellationToken);
            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(result);
            }
            else if (result.NothingToDo)
            {
                Console.Out.WriteLine("Nothing to do: DIST has no commit after the sync point.");
            }
            else
            {
                foreach (var commit in result.Commits)
                {
                    Console.Out.WriteLine(commit.SourceGitCommit is { } made
                        ? $"{commit.DistGitCommit[..12]} -> {made[..12]} {commit.Subject}"
                        : $"{commit.DistGitCommit[..12]} skipped (no change) {commit.Subject}");
                }
            }

            return result.NothingToDo && parseResult.GetValue(detailed) ? SourceGitExitCodes.NothingToDo : ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateStatus()
    {
        var src = SourceArgument();
        var dist = DistArgument();
        var format = OutputOptions.CreateFormatOption();
        var command = new Command(
            "status",
            "Show the sync point (from the From-dist-git-commit and From-source-git-commit trailers) and the commits each side has since.")
        {
            src, dist, format,
        };
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var status = await CreateConverter().GetStatusAsync(parseResult.GetValue(src)!.FullName, parseResult.GetValue(dist)!.FullName, cancellationToken);
            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(status);
                return ExitCodes.Success;
            }

            Console.Out.WriteLine($"Sync point: source-git {status.SourceGitSyncCommit[..12]} = dist-git {status.DistGitSyncCommit[..12]} (from {status.SyncPointFrom})");
            Console.Out.WriteLine(status.State switch
            {
                SyncState.InSync => "In sync.",
                SyncState.SourceGitAhead => $"Source-git is {status.SourceGitAhead.Count} commit(s) ahead{(status.SourceGitRebased ? " (rebased since the sync point)" : string.Empty)}: run 'cijobs source-git update-dist-git'.",
                SyncState.DistGitAhead => $"Dist-git is {status.DistGitAhead.Count} commit(s) ahead: run 'cijobs source-git update-source-git'.",
                _ => $"Diverged: source-git has {status.SourceGitAhead.Count} and dist-git {status.DistGitAhead.Count} commit(s) after the sync point; reconcile by hand, then use --force.",
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static (string? Title, string? Body) SplitMessage(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }

        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n');
        var blank = normalized.IndexOf("\n\n", StringComparison.Ordinal);
        return blank < 0
            ? (normalized.Replace('\n', ' '), null)
            : (normalized[..blank].Replace('\n', ' '), normalized[(blank + 2)..]);
    }
}
