using System.Globalization;
using System.Text.RegularExpressions;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Mirror;

/// <summary>
/// <c>cijobs mirror sync SOURCE DEST</c>: checks SOURCE, copies it to a new snapshot beside the published one (hard links
/// for unchanged files: SnapshotCopier locally, rsync --link-dest remotely), checks the copy, switches DEST's symlink to it in one rename, and keeps the
/// newest snapshots. Under DEST's lock from the first look at DEST to the last deletion. docs/manual/mirror.md.
/// </summary>
public sealed partial class MirrorSync(IProcessRunner runner, TimeProvider time, Action<string> progress)
{
    /// <summary>Names a snapshot <c>NAME-YYYYMMDDTHHMMSSZ[-N]</c> gets; only these are ever deleted by retention.</summary>
    internal static Regex SnapshotName(string name) => new($"^{Regex.Escape(name)}-(?<stamp>[0-9]{{8}}T[0-9]{{6}}Z)(?:-(?<n>[0-9]{{1,4}}))?$", RegexOptions.CultureInvariant);

    /// <summary>A half-made snapshot: <c>.NAME.partial-&lt;32 hex&gt;</c>; under the lock, every such folder is left by a dead sync.</summary>
    internal static Regex PartialName(string name) => new($"^\\.{Regex.Escape(name)}\\.partial-[0-9a-f]{{32}}$", RegexOptions.CultureInvariant);

    public async Task<MirrorSyncResult> SyncAsync(MirrorRequest request, CancellationToken cancellationToken)
    {
        if (request.Keep < 1)
        {
            throw new CiJobsException("--keep must be at least 1", MirrorExitCodes.InvalidDestination);
        }

        var destination = MirrorDestination.Parse(request.Destination);
        var source = Path.GetFullPath(request.Source).TrimEnd('/');
        if (!Directory.Exists(source) || new DirectoryInfo(source).LinkTarget is not null)
        {
            throw new CiJobsException($"SOURCE {source} is not a folder (a symbolic link to one is not taken either)", MirrorExitCodes.NotARepository);
        }

        if (!destination.IsRemote && Inside(destination.Parent, source))
        {
            throw new CiJobsException($"DEST {destination} is inside SOURCE {source}", MirrorExitCodes.InvalidDestination);
        }

        progress($"checking SOURCE {source}");
        var sourceTree = new RepositoryTree(runner, source);
        if (destination.IsRemote)
        {
            // rsync copies links as they are: they are checked before it runs. A local copy checks each link as it meets it
            // (SnapshotCopier), which spares a walk of SOURCE (docs/manual/mirror.md, "Symbolic links in SOURCE").
            sourceTree.EnsureNoEscapingLinks();
        }

        var repositories = sourceTree.Find();
        if (repositories.Count == 0)
        {
            throw new CiJobsException($"SOURCE {source} is not a repository tree: it holds no repodata/repomd.xml and no dists/*/Release", MirrorExitCodes.NotARepository);
        }

        PackageIndex newPackages;
        try
        {
            // A local DEST's snapshot is checked fully after the copy (package lists and package files), so SOURCE's
            // check stops at the checksums of the metadata files; a remote one is only compared with SOURCE, so SOURCE is
            // checked fully (docs/manual/mirror.md, "Steps").
            newPackages = await sourceTree.CheckAsync(repositories, MirrorExitCodes.NotARepository, cancellationToken, readLists: destination.IsRemote);
        }
        catch (CiJobsException e)
        {
            throw new CiJobsException($"SOURCE {source} is not a sound repository tree: {e.Message}", e.ExitCode, e);
        }

        progress($"SOURCE holds {repositories.Count} repositories{(destination.IsRemote ? $", {newPackages.Count} package names" : "")}");

        IMirrorTarget target = destination.IsRemote
            ? new RemoteMirrorTarget(runner, destination, request.Rsh)
            : new LocalMirrorTarget(runner, destination);
        await using var held = await target.LockAsync(request.LockTimeout, time, cancellationToken);
        var state = await target.InspectAsync(cancellationToken);
        var snapshotName = SnapshotName(destination.Name);
        string? published = null;
        if (state.Link is { } link)
        {
            var match = LinkRegex().Match(link);
            published = match.Success && snapshotName.IsMatch(match.Groups["name"].Value) ? match.Groups["name"].Value : null;
            if (published is null || !state.Snapshots.Contains(published))
            {
                throw new CiJobsException($"DEST {destination} is a symbolic link to '{Shorten(link)}', not to a snapshot of mirror sync (snapshots/{destination.Name}-<UTC time>); refusing to replace it", MirrorExitCodes.InvalidDestination);
            }
        }

        foreach (var stale in state.Snapshots.Where(n => PartialName(destination.Name).IsMatch(n)))
        {
            progress($"deleting {stale}, left by an interrupted sync");
            try
            {
                await target.DeleteSnapshotAsync(stale, cancellationToken);
            }
            catch (CiJobsException e)
            {
                progress($"could not delete {stale} (the next sync tries again): {e.Message}");
            }
        }

        var final = NewName(destination.Name, state.Snapshots);
        var partial = $".{destination.Name}.partial-{Guid.NewGuid():N}";
        var switched = false;
        try
        {
            progress($"copying SOURCE to {destination.SnapshotsFolder}/{partial}{(published is null ? "" : $" (hard links to {published})")}");
            await target.TransferAsync(source, repositories, partial, published, cancellationToken);
            progress("checking the new snapshot");
            try
            {
                await target.CheckAsync(source, repositories, partial, cancellationToken);
            }
            catch (CiJobsException e) when (e.ExitCode is not (MirrorExitCodes.NotARepository or MirrorExitCodes.UnsafeSource) && (e.ExitCode != MirrorExitCodes.SyncFailed || !e.Message.StartsWith("the new snapshot", StringComparison.Ordinal)))
            {
                throw new CiJobsException($"the new snapshot failed its check (nothing published): {e.Message}", MirrorExitCodes.SyncFailed, e);
            }

            // Before the rename and retention: with --keep 1 retention deletes the published snapshot.
            var changes = await target.CompareAsync(published, partial, newPackages, cancellationToken);
            await target.RenameSnapshotAsync(partial, final, cancellationToken);
            partial = final;
            progress($"switching {destination} to snapshots/{final}");
            await target.SwitchAsync(final, cancellationToken);
            switched = true;

            var deleted = new List<string>();
            var referenced = (await target.InspectAsync(cancellationToken)).LinkTargets
                .Select(l => LinkRegex().Match(l))
                .Where(m => m.Success)
                .Select(m => m.Groups["name"].Value)
                .ToHashSet(StringComparer.Ordinal);
            var ours = state.Snapshots.Append(final).Distinct().Where(n => snapshotName.IsMatch(n)).OrderByDescending(n => SortKey(snapshotName, n), StringComparer.Ordinal).ToList();
            foreach (var old in ours.Skip(request.Keep))
            {
                if (old == final || referenced.Contains(old))
                {
                    progress($"keeping {old}: a symbolic link points at it");
                    continue;
                }

                // Renamed to a half-made name first: a sync killed while deleting leaves a folder the next one deletes.
                progress($"deleting the old snapshot {old}");
                var doomed = $".{destination.Name}.partial-{Guid.NewGuid():N}";
                await target.RenameSnapshotAsync(old, doomed, cancellationToken);
                await target.DeleteSnapshotAsync(doomed, cancellationToken);
                deleted.Add(old);
            }

            return new MirrorSyncResult(
                destination.ToString(),
                final,
                published,
                [.. repositories.Select(r => (r.RelativePath.Length == 0 ? "." : r.RelativePath) + (r.Kind == RepositoryKind.Rpm ? " (rpm)" : " (deb)"))],
                changes.Added,
                changes.Removed,
                changes.Changed,
                deleted);
        }
        catch when (!switched)
        {
            try
            {
                await target.DeleteSnapshotAsync(partial, CancellationToken.None);
            }
            catch (CiJobsException)
            {
                // The next sync deletes it (under the lock, an unreferenced half-made snapshot is stale).
            }

            throw;
        }
    }

    private static string SortKey(Regex regex, string name)
    {
        var match = regex.Match(name);
        var n = match.Groups["n"].Success ? int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture) : 0;
        return match.Groups["stamp"].Value + n.ToString("D4", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A name that sorts after every snapshot there: <c>NAME-&lt;UTC second&gt;</c>, or with <c>-N</c> one above the highest N of that
    /// second still there. A name is never given again while a newer one of its second exists, so a reader that sees the same
    /// link target twice saw one snapshot (a lowest free N would reuse the name of one retention deleted).
    /// </summary>
    private string NewName(string name, IReadOnlyCollection<string> existing)
    {
        var second = time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var stamp = $"{name}-{second}";
        var regex = SnapshotName(name);
        var highest = -1;
        foreach (var match in existing.Select(e => regex.Match(e)).Where(m => m.Success && m.Groups["stamp"].Value == second))
        {
            highest = Math.Max(highest, match.Groups["n"].Success ? int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture) : 0);
        }

        var candidate = highest < 0 ? stamp : $"{stamp}-{highest + 1}";
        for (var n = highest + 2; existing.Contains(candidate); n++)
        {
            candidate = $"{stamp}-{n}";
        }

        return candidate;
    }

    private static bool Inside(string path, string folder) => path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);

    private static string Shorten(string text) => text.Length > 120 ? text[..120] + "..." : text;

    /// <summary>A link target that names a snapshot: <c>snapshots/X</c> or <c>X</c> (a link inside snapshots/), or an absolute path ending so.</summary>
    [GeneratedRegex("^(?:.*/)?(?:snapshots/)?(?<name>[A-Za-z0-9][A-Za-z0-9._+-]{0,130})/?$")]
    private static partial Regex LinkRegex();
}

/// <summary>What DEST's parent holds: DEST's link target (null when DEST does not exist), every folder in snapshots/ and the
/// targets of every symbolic link in the parent and in snapshots/.</summary>
internal sealed record TargetState(string? Link, IReadOnlyCollection<string> Snapshots, IReadOnlyList<string> LinkTargets);

/// <summary>The steps of a sync on the side of DEST: local folders, or a host reached with ssh and rsync.</summary>
internal interface IMirrorTarget
{
    Task<IAsyncDisposable> LockAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken);

    /// <summary>Refuses a DEST that exists and is not a symbolic link; creates snapshots/ when missing.</summary>
    Task<TargetState> InspectAsync(CancellationToken cancellationToken);

    /// <summary>Copies SOURCE (whose <paramref name="repositories"/> were found and checked) to the half-made snapshot
    /// <paramref name="partial"/>, with hard links to <paramref name="linkDest"/>'s unchanged files.</summary>
    Task TransferAsync(string source, IReadOnlyList<FoundRepository> repositories, string partial, string? linkDest, CancellationToken cancellationToken);

    /// <summary>Checks the copy (a local one also gets its package list file, docs/manual/mirror.md, "The package list of a snapshot").</summary>
    Task CheckAsync(string source, IReadOnlyList<FoundRepository> repositories, string partial, CancellationToken cancellationToken);

    /// <summary>The report's package changes from <paramref name="previous"/> (null: none) to the checked copy
    /// <paramref name="partial"/>; <paramref name="sourcePackages"/> is SOURCE's index when SOURCE's lists were read (remote).</summary>
    Task<PackageChanges> CompareAsync(string? previous, string partial, PackageIndex sourcePackages, CancellationToken cancellationToken);

    Task RenameSnapshotAsync(string from, string to, CancellationToken cancellationToken);

    Task SwitchAsync(string snapshot, CancellationToken cancellationToken);

    Task DeleteSnapshotAsync(string snapshot, CancellationToken cancellationToken);
}
