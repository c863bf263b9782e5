using CiJobs.Core.Platform;

namespace CiJobs.Core.Mirror;

/// <summary>A DEST on this machine: flock on <c>PARENT/.NAME.lock</c>, snapshots made by SnapshotCopier (hard links and copies), a symlink renamed over DEST with mv -T.</summary>
internal sealed partial class LocalMirrorTarget(IProcessRunner runner, MirrorDestination destination) : IMirrorTarget
{
    private string Snapshot(string name) => Path.Combine(destination.SnapshotsFolder, name);

    /// <summary>The folder, in a half-made snapshot, where SOURCE's lists read during the copy are kept until its check.</summary>
    internal static string CaptureFolder(string snapshot) => Path.Combine(snapshot, PackageListFile.Name + ".captured");

    /// <summary>What the last <see cref="TransferAsync"/> read of SOURCE's lists while it copied; null when that failed.</summary>
    private ListCapture? captured;

    /// <summary>Whether the last <see cref="CheckAsync"/> took the lists read during the copy (false: it read the copy's).</summary>
    internal bool AdoptedCapture { get; private set; }

    public async Task<IAsyncDisposable> LockAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(destination.Parent);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot create DEST's folder {destination.Parent}: {e.Message}", MirrorExitCodes.SyncFailed, e);
        }

        var deadline = time.GetUtcNow() + timeout;
        var announced = false;
        while (true)
        {
            try
            {
                // FileShare.None is flock(LOCK_EX) on Linux; the kernel drops it when the process dies.
                return new FileStream(destination.LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(destination.LockFile))
            {
                if (time.GetUtcNow() >= deadline)
                {
                    throw new CiJobsException($"another sync of {destination} holds {destination.LockFile}{(timeout > TimeSpan.Zero ? $" (waited {timeout.TotalSeconds:0.#} s)" : "")}; try again later or give --lock-timeout", MirrorExitCodes.Locked);
                }

                if (!announced)
                {
                    announced = true;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CiJobsException($"cannot open the lock {destination.LockFile}: {e.Message}", MirrorExitCodes.SyncFailed, e);
            }
        }
    }

    public Task<TargetState> InspectAsync(CancellationToken cancellationToken)
    {
        try
        {
            var dest = new FileInfo(destination.Path);
            string? link = null;
            if (dest.LinkTarget is { } target)
            {
                link = target;
            }
            else if (dest.Exists || Directory.Exists(destination.Path))
            {
                throw new CiJobsException($"DEST {destination} exists and is not a symbolic link; mirror sync publishes DEST as a link to snapshots/ and does not take over a real folder (move it away first)", MirrorExitCodes.InvalidDestination);
            }

            var snapshots = new DirectoryInfo(destination.SnapshotsFolder);
            if (snapshots.LinkTarget is not null || File.Exists(destination.SnapshotsFolder))
            {
                throw new CiJobsException($"{destination.SnapshotsFolder} is not a folder", MirrorExitCodes.InvalidDestination);
            }

            Directory.CreateDirectory(destination.SnapshotsFolder);
            foreach (var aside in Directory.EnumerateFileSystemEntries(destination.Parent, $".{destination.Name}.link-*"))
            {
                File.Delete(aside);
            }

            var folders = Directory.EnumerateDirectories(destination.SnapshotsFolder)
                .Where(d => new DirectoryInfo(d).LinkTarget is null)
                .Select(d => Path.GetFileName(d)!)
                .ToHashSet(StringComparer.Ordinal);
            var links = Directory.EnumerateFileSystemEntries(destination.Parent)
                .Concat(Directory.EnumerateFileSystemEntries(destination.SnapshotsFolder))
                .Select(e => new FileInfo(e).LinkTarget)
                .OfType<string>()
                .ToList();
            return Task.FromResult(new TargetState(link, folders, links));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot read DEST's folder {destination.Parent}: {e.Message}", MirrorExitCodes.SyncFailed, e);
        }
    }

    public async Task TransferAsync(string source, IReadOnlyList<FoundRepository> repositories, string partial, string? linkDest, CancellationToken cancellationToken)
    {
        // One walk of SOURCE in process: hard links to the published snapshot for unchanged files, copies for the rest
        // (docs/manual/mirror.md, "Steps", step 4, and "Performance"). Meanwhile, on another thread, SOURCE's package lists
        // are read (the longest part of the check), for the copy's check to adopt when the copy has the same lists.
        var copy = Snapshot(partial);
        try
        {
            Directory.CreateDirectory(copy);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"copy to {copy} failed: {e.Message}", MirrorExitCodes.SyncFailed, e);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = Task.Run(() => CaptureAsync(source, repositories, copy, stop.Token), CancellationToken.None);
        try
        {
            SnapshotCopier.Copy(source, copy, linkDest is null ? null : Snapshot(linkDest), cancellationToken);
        }
        catch (Exception e)
        {
            // Nothing may still write into the snapshot when the sync deletes it.
            await stop.CancelAsync();
            (await SettleAsync(reading))?.Dispose();
            if (e is IOException or UnauthorizedAccessException)
            {
                throw new CiJobsException($"copy to {copy} failed: {e.Message}", MirrorExitCodes.SyncFailed, e);
            }

            throw;
        }

        captured = await SettleAsync(reading);
    }

    /// <summary>SOURCE's lists, read as the copy's check would read them, into <see cref="CaptureFolder"/>: the sorted
    /// package list, and the digests and package claims (<see cref="ListCapture"/>).</summary>
    private async Task<ListCapture> CaptureAsync(string source, IReadOnlyList<FoundRepository> repositories, string copy, CancellationToken cancellationToken)
    {
        var folder = CaptureFolder(copy);
        Directory.CreateDirectory(folder);
        var capture = new ListCapture(folder);
        try
        {
            var list = new PackageListWriter(folder);
            await new RepositoryTree(runner, source).CaptureListsAsync(repositories, MirrorExitCodes.NotARepository, list, capture, cancellationToken);
            list.Complete();
            capture.Complete();
            return capture;
        }
        catch
        {
            capture.Dispose();
            throw;
        }
    }

    /// <summary>The capture, or null when it failed or was stopped: the copy's check then reads the copy's lists itself,
    /// and reports what is wrong with them. Every failure is taken so: the capture only ever saves time.</summary>
    private static async Task<ListCapture?> SettleAsync(Task<ListCapture> reading)
    {
        try
        {
            return await reading;
        }
        catch (Exception)
        {
            return null;
        }
    }

    public async Task CheckAsync(string source, IReadOnlyList<FoundRepository> repositories, string partial, CancellationToken cancellationToken)
    {
        var copy = Snapshot(partial);
        var tree = new RepositoryTree(runner, copy);
        var found = tree.Find();
        if (!found.SequenceEqual(repositories))
        {
            throw new CiJobsException($"the new snapshot {copy} does not hold the repositories SOURCE holds", MirrorExitCodes.SyncFailed);
        }

        // The full check (package lists read, every listed package present with its size) is made here only, on the
        // copy: SOURCE's check stopped at the metadata checksums. A failure is SOURCE's (the copy is SOURCE's files). The
        // packages read go, sorted, to the snapshot's package list (docs/manual/mirror.md, "The package list of a snapshot").
        // When the lists read from SOURCE during the copy are the copy's lists (the copy's metadata gives each one's
        // SHA-256, and it is the SHA-256 of the bytes read), their packages are looked for in the copy and their sorted
        // list is the snapshot's, instead of reading the lists again.
        var list = new PackageListWriter(copy);
        var capture = captured;
        captured = null;
        var captureFolder = CaptureFolder(copy);
        AdoptedCapture = false;
        try
        {
            if (capture is not null)
            {
                try
                {
                    var expected = await tree.CheckMetadataAsync(found, MirrorExitCodes.NotARepository, cancellationToken);
                    if (capture.Matches(expected))
                    {
                        tree.CheckClaims(capture, MirrorExitCodes.NotARepository, cancellationToken);
                        File.Move(Path.Combine(captureFolder, PackageListFile.Name), list.Path, overwrite: true);
                        AdoptedCapture = true;
                    }
                }
                finally
                {
                    capture.Dispose();
                    Directory.Delete(captureFolder, recursive: true);
                }
            }
            else if (Directory.Exists(captureFolder))
            {
                Directory.Delete(captureFolder, recursive: true);
            }

            if (!AdoptedCapture)
            {
                await tree.CheckAsync(found, MirrorExitCodes.NotARepository, list, cancellationToken);
            }
        }
        catch (CiJobsException e) when (e.ExitCode is MirrorExitCodes.NotARepository or MirrorExitCodes.UnsafeSource)
        {
            throw new CiJobsException($"SOURCE {source} is not a sound repository tree (seen in its copy; nothing published): {e.Message}", e.ExitCode, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot write the package list {list.Path}: {e.Message}", MirrorExitCodes.SyncFailed, e); // A chunk file.
        }

        foreach (var file in MirrorText.MetadataFiles(repositories))
        {
            var expected = Path.Combine(source, file);
            var actual = Path.Combine(copy, file);
            if (File.Exists(expected) != File.Exists(actual) || (File.Exists(expected) && !await SameBytesAsync(expected, actual, cancellationToken)))
            {
                throw new CiJobsException($"the new snapshot's {file} differs from SOURCE's", MirrorExitCodes.SyncFailed);
            }
        }

        try
        {
            if (!AdoptedCapture)
            {
                list.Complete();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot write the package list {list.Path}: {e.Message}", MirrorExitCodes.SyncFailed, e);
        }
    }

    private static async Task<bool> SameBytesAsync(string one, string other, CancellationToken cancellationToken)
    {
        var first = await File.ReadAllBytesAsync(one, cancellationToken);
        var second = await File.ReadAllBytesAsync(other, cancellationToken);
        return first.AsSpan().SequenceEqual(second);
    }

    /// <summary>
    /// A sort-merge of the new snapshot's package list with the previous one's, read as streams (docs/manual/mirror.md,
    /// "The package list of a snapshot"). A previous snapshot without a usable list (made before lists existed, or edited)
    /// is read from its metadata instead, into memory.
    /// </summary>
    public async Task<PackageChanges> CompareAsync(string? previous, string partial, PackageIndex sourcePackages, CancellationToken cancellationToken)
    {
        var newList = Path.Combine(Snapshot(partial), PackageListFile.Name);
        try
        {
            if (previous is null)
            {
                return PackageChanges.Merge(PackageListFile.Read(newList, header: true), []);
            }

            var oldList = Path.Combine(Snapshot(previous), PackageListFile.Name);
            if (new FileInfo(oldList) is { Exists: true, LinkTarget: null })
            {
                try
                {
                    return PackageChanges.Merge(PackageListFile.Read(newList, header: true), PackageListFile.Read(oldList, header: true));
                }
                catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
                {
                    // Read again below from the metadata; a fault of the new list shows there again.
                }
            }

            var old = await new RepositoryTree(runner, Snapshot(previous)).ReadPackagesAsync(cancellationToken);
            return PackageChanges.Merge(PackageListFile.Read(newList, header: true), old.SortedRows());
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot read the package list {newList}: {e.Message}", MirrorExitCodes.SyncFailed, e);
        }
    }

    public Task RenameSnapshotAsync(string from, string to, CancellationToken cancellationToken)
    {
        try
        {
            Directory.Move(Snapshot(from), Snapshot(to));
            return Task.CompletedTask;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot rename {Snapshot(from)} to {to}: {e.Message}", MirrorExitCodes.SyncFailed, e);
        }
    }

    public Task SwitchAsync(string snapshot, CancellationToken cancellationToken)
    {
        var aside = Path.Combine(destination.Parent, $".{destination.Name}.link-{Guid.NewGuid():N}");
        try
        {
            File.CreateSymbolicLink(aside, "snapshots/" + snapshot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot create the link {aside}: {e.Message}", MirrorExitCodes.SyncFailed, e);
        }

        // rename(2) of the new link over DEST: a reader sees the old target or the new one, never none. Called directly
        // (mv -T did the same rename in a child process, which cost more than the rest of the switch).
        if (Native.rename(aside, destination.Path) != 0)
        {
            var error = new System.ComponentModel.Win32Exception(System.Runtime.InteropServices.Marshal.GetLastPInvokeError()).Message;
            File.Delete(aside);
            throw new CiJobsException($"cannot switch {destination} to {snapshot}: rename {aside}: {error}", MirrorExitCodes.SyncFailed);
        }

        return Task.CompletedTask;
    }

    private static partial class Native
    {
        [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true, StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
        internal static partial int rename(string oldpath, string newpath);
    }

    public Task DeleteSnapshotAsync(string snapshot, CancellationToken cancellationToken)
    {
        var path = Snapshot(snapshot);
        try
        {
            if (Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null)
            {
                FolderRemover.Delete(path);
            }

            return Task.CompletedTask;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot delete {path}: {e.Message}", MirrorExitCodes.SyncFailed, e);
        }
    }
}

/// <summary>Small helpers shared by the targets.</summary>
internal static class MirrorText
{
    /// <summary>
    /// The second rsync pass: every file under repodata/ and dists/ compared by checksum, because rsync's quick check (size
    /// and time) keeps a hard link to the old file when a metadata file was rewritten in the same second with the same size.
    /// </summary>
    public static readonly IReadOnlyList<string> MetadataPass = ["-a", "-c", "--no-inc-recursive", "--include=*/", "--include=repodata/**", "--include=dists/**", "--exclude=*"];

    /// <summary>The line that says why: the last one, but not rsync's summary nor the sender's broken pipe that follows the receiver's error.</summary>
    public static string LastLine(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var line = lines.LastOrDefault(l => !l.StartsWith("rsync error:", StringComparison.Ordinal) && !l.Contains("Broken pipe", StringComparison.Ordinal))
            ?? lines.LastOrDefault();
        return line is null ? "no message" : line.Length > 300 ? line[..300] + "..." : line;
    }

    /// <summary>The files whose presence and bytes a copy must share with SOURCE: repomd.xml(.asc), Release, InRelease, Release.gpg.</summary>
    public static IEnumerable<string> MetadataFiles(IReadOnlyList<FoundRepository> repositories) =>
        repositories.SelectMany(r => r.Kind == RepositoryKind.Rpm
            ? new[] { Path.Combine(r.RelativePath, "repodata", "repomd.xml"), Path.Combine(r.RelativePath, "repodata", "repomd.xml.asc") }
            : [Path.Combine(r.RelativePath, "Release"), Path.Combine(r.RelativePath, "InRelease"), Path.Combine(r.RelativePath, "Release.gpg")]);
}
