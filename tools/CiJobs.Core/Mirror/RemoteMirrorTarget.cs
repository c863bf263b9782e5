using System.Globalization;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Mirror;

/// <summary>
/// A DEST on another host, reached with <c>--rsh</c> (ssh) and rsync. Every remote command is a fixed script whose only
/// variable parts are paths checked by <see cref="MirrorDestination"/> and generated names, each single-quoted.
/// The lock is <c>flock</c> on the host, held by a remote <c>cat</c> reading this process's pipe for the whole
/// transaction: it ends when the sync ends or dies. docs/manual/mirror.md, "Remote DEST".
/// </summary>
internal sealed class RemoteMirrorTarget : IMirrorTarget
{
    private readonly IProcessRunner runner;
    private readonly MirrorDestination destination;
    private readonly string rsh;
    private readonly string rshProgram;
    private readonly IReadOnlyList<string> rshArguments;

    public RemoteMirrorTarget(IProcessRunner runner, MirrorDestination destination, string rsh)
    {
        this.runner = runner;
        this.destination = destination;
        this.rsh = rsh;
        var words = rsh.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || rsh.Any(char.IsControl))
        {
            throw new CiJobsException("--rsh is empty or holds control characters", MirrorExitCodes.InvalidDestination);
        }

        rshProgram = words[0];
        rshArguments = words[1..];
    }

    private string Snapshot(string name) => destination.SnapshotsFolder + "/" + name;

    private string Remote(string path) => $"{destination.Host}:{path}";

    internal static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private ProcessSpec Ssh(string script) => new(rshProgram, [.. rshArguments, destination.Host!, script]) { MaxOutputChars = 1 << 20 };

    private async Task<ProcessResult> RunRemoteAsync(string script, string what, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(Ssh(script), cancellationToken);
        if (!result.Succeeded)
        {
            throw new CiJobsException($"{what} on {destination.Host} failed (exit {result.ExitCode}): {MirrorText.LastLine(result.StandardError)}", MirrorExitCodes.SyncFailed);
        }

        return result;
    }

    public async Task<IAsyncDisposable> LockAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var wait = timeout > TimeSpan.Zero ? "-w " + timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) : "-n";
        var script = $"mkdir -p -- {Quote(destination.Parent)} && exec flock {wait} -E 75 {Quote(destination.LockFile)} sh -c 'echo cijobs-locked; exec cat >/dev/null'";
        var input = new HeldOpenStream();
        var locked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = runner.RunAsync(
            Ssh(script) with
            {
                StandardInputStream = input,
                OnOutputLine = line =>
                {
                    if (line.Trim() == "cijobs-locked")
                    {
                        locked.TrySetResult();
                    }
                },
            },
            CancellationToken.None);
        var first = await Task.WhenAny(locked.Task, holder);
        if (first != locked.Task)
        {
            var result = await holder;
            throw result.ExitCode == 75
                ? new CiJobsException($"another sync of {destination} holds {destination.LockFile}{(timeout > TimeSpan.Zero ? $" (waited {timeout.TotalSeconds:0.#} s)" : "")}; try again later or give --lock-timeout", MirrorExitCodes.Locked)
                : new CiJobsException($"cannot take the lock {destination.LockFile} on {destination.Host} (exit {result.ExitCode}): {MirrorText.LastLine(result.StandardError)}", MirrorExitCodes.SyncFailed);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new Held(input, holder);
    }

    private sealed class Held(HeldOpenStream input, Task holder) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            input.Release();
            await holder;
        }
    }

    public async Task<TargetState> InspectAsync(CancellationToken cancellationToken)
    {
        var parent = Quote(destination.Parent);
        var name = Quote(destination.Name);
        var script =
            $"cd -- {parent} || exit 1; " +
            $"if [ -L {name} ]; then printf 'link\\t%s\\0' \"$(readlink -- {name})\"; elif [ -e {name} ]; then printf 'exists\\0'; fi; " +
            "if [ -L snapshots ] || { [ -e snapshots ] && [ ! -d snapshots ]; }; then printf 'badsnapshots\\0'; exit 0; fi; " +
            "mkdir -p snapshots || exit 1; " +
            $"rm -f -- .{destination.Name}.link-*; " +
            "find . snapshots -mindepth 1 -maxdepth 1 -type l -printf 'L\\t%l\\0'; " +
            "find snapshots -mindepth 1 -maxdepth 1 -type d -printf 'D\\t%f\\0'";
        var result = await RunRemoteAsync(script, "reading DEST's folder", cancellationToken);
        string? link = null;
        var snapshots = new HashSet<string>(StringComparer.Ordinal);
        var links = new List<string>();
        foreach (var item in result.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = item.IndexOf('\t');
            var (kind, value) = tab < 0 ? (item, "") : (item[..tab], item[(tab + 1)..]);
            switch (kind)
            {
                case "exists":
                    throw new CiJobsException($"DEST {destination} exists and is not a symbolic link; mirror sync publishes DEST as a link to snapshots/ and does not take over a real folder (move it away first)", MirrorExitCodes.InvalidDestination);
                case "badsnapshots":
                    throw new CiJobsException($"{Remote(destination.SnapshotsFolder)} is not a folder", MirrorExitCodes.InvalidDestination);
                case "link":
                    link = value;
                    break;
                case "L":
                    links.Add(value);
                    break;
                case "D":
                    snapshots.Add(value);
                    break;
            }
        }

        return new TargetState(link, snapshots, links);
    }

    public async Task TransferAsync(string source, IReadOnlyList<FoundRepository> repositories, string partial, string? linkDest, CancellationToken cancellationToken)
    {
        List<string> arguments = ["-a", "--delete", "--no-inc-recursive", "-e", rsh];
        if (linkDest is not null)
        {
            arguments.Add("--link-dest=" + Snapshot(linkDest));
        }

        arguments.AddRange(["--", source + "/", Remote(Snapshot(partial)) + "/"]);
        foreach (var pass in new[] { arguments, [.. MirrorText.MetadataPass, "-e", rsh, "--", source + "/", Remote(Snapshot(partial)) + "/"] })
        {
            var result = await runner.RunAsync(new ProcessSpec("rsync", pass) { MaxOutputChars = 64 * 1024 }, cancellationToken);
            if (!result.Succeeded)
            {
                throw new CiJobsException($"rsync to {Remote(Snapshot(partial))} failed (exit {result.ExitCode}): {MirrorText.LastLine(result.StandardError)}", MirrorExitCodes.SyncFailed);
            }
        }
    }

    /// <summary>The copy is SOURCE's: rsync finds nothing to change by size and time, and nothing by checksum in the metadata files.</summary>
    public async Task CheckAsync(string source, IReadOnlyList<FoundRepository> repositories, string partial, CancellationToken cancellationToken)
    {
        var temp = Directory.CreateTempSubdirectory("cijobs-mirror-").FullName;
        try
        {
            var list = Path.Combine(temp, "metadata");
            var files = MirrorText.MetadataFiles(repositories).Where(f => File.Exists(Path.Combine(source, f))).ToList();
            await File.WriteAllLinesAsync(list, files, cancellationToken);
            foreach (var extra in new[] { new[] { "-a", "--delete" }, new[] { "-c", "--files-from=" + list } })
            {
                var result = await runner.RunAsync(
                    new ProcessSpec("rsync", [.. extra, "-n", "-i", "--no-inc-recursive", "-e", rsh, "--", source + "/", Remote(Snapshot(partial)) + "/"]) { MaxOutputChars = 64 * 1024 },
                    cancellationToken);
                if (!result.Succeeded || result.StandardOutput.Trim().Length > 0)
                {
                    var why = result.Succeeded ? "differs from SOURCE: " + result.StandardOutput.Trim().Split('\n')[0] : MirrorText.LastLine(result.StandardError);
                    throw new CiJobsException($"the new snapshot {Remote(Snapshot(partial))} {why}", MirrorExitCodes.SyncFailed);
                }
            }
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>SOURCE's index (read in full in step 1) against the published snapshot's metadata, both in memory.</summary>
    public async Task<PackageChanges> CompareAsync(string? previous, string partial, PackageIndex sourcePackages, CancellationToken cancellationToken)
    {
        var old = previous is null ? new PackageIndex() : await ReadPackagesAsync(previous, cancellationToken);
        return PackageChanges.Merge(sourcePackages.SortedRows(), old.SortedRows());
    }

    /// <summary>The published snapshot's metadata only (repodata/ and dists/), fetched into a temp folder and read there.</summary>
    private async Task<PackageIndex> ReadPackagesAsync(string snapshot, CancellationToken cancellationToken)
    {
        var temp = Directory.CreateTempSubdirectory("cijobs-mirror-").FullName;
        try
        {
            var result = await runner.RunAsync(
                new ProcessSpec("rsync", ["-a", "-m", "--include=*/", "--include=repodata/**", "--include=dists/**", "--exclude=*", "-e", rsh, "--", Remote(Snapshot(snapshot)) + "/", temp + "/"]) { MaxOutputChars = 64 * 1024 },
                cancellationToken);
            if (!result.Succeeded)
            {
                throw new CiJobsException($"cannot fetch the metadata of {Remote(Snapshot(snapshot))}: {MirrorText.LastLine(result.StandardError)}", MirrorExitCodes.SyncFailed);
            }

            return await new RepositoryTree(runner, temp).ReadPackagesAsync(cancellationToken);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    public Task RenameSnapshotAsync(string from, string to, CancellationToken cancellationToken) =>
        RunRemoteAsync($"mv -T -- {Quote(Snapshot(from))} {Quote(Snapshot(to))}", $"renaming {from} to {to}", cancellationToken);

    public Task SwitchAsync(string snapshot, CancellationToken cancellationToken)
    {
        var aside = $".{destination.Name}.link-{Guid.NewGuid():N}";
        return RunRemoteAsync(
            $"cd -- {Quote(destination.Parent)} && ln -s -- {Quote("snapshots/" + snapshot)} {Quote(aside)} && mv -T -f -- {Quote(aside)} {Quote(destination.Name)}",
            $"switching {destination} to {snapshot}",
            cancellationToken);
    }

    public Task DeleteSnapshotAsync(string snapshot, CancellationToken cancellationToken) =>
        RunRemoteAsync($"rm -rf -- {Quote(Snapshot(snapshot))}", $"deleting {snapshot}", cancellationToken);
}

/// <summary>A stream whose reads wait until <see cref="Release"/>, then end: a program's standard input kept open.</summary>
internal sealed class HeldOpenStream : Stream
{
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => released.TrySetResult();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        released.Task.Wait();
        return 0;
    }

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        await released.Task.WaitAsync(cancellationToken);
        return 0;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await released.Task.WaitAsync(cancellationToken);
        return 0;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
