using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.InteropServices;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Mirror;

/// <summary>
/// Makes a new local snapshot in one walk of SOURCE (docs/manual/mirror.md, "Steps", step 4): a file whose relative path,
/// size, modification time and mode are the same in the previous snapshot is a hard link to it; any other file, and every
/// file under a <c>repodata/</c> or <c>dists/</c> folder (metadata, rewritten in place by the tools that make
/// repositories), is copied with its time and mode; folders are made with their time and mode; a symbolic link is made
/// again as a link with the same target after the check that it stays inside SOURCE (docs/manual/mirror.md, "Symbolic
/// links in SOURCE"). Nothing is ever written into a file of the previous snapshot.
/// <para>
/// Each folder is read once (readdir) and each entry looked at with one <c>statx</c> relative to its folder's descriptor;
/// the previous snapshot's file is looked at and linked relative to descriptors too (<c>statx</c>, <c>linkat</c>), so no
/// path is resolved from the root again (docs/manual/mirror.md, "Performance").
/// </para>
/// </summary>
internal static partial class SnapshotCopier
{
    private const int ErrorCrossDevice = 18;
    private const int ErrorPermission = 1;
    private const int ErrorTooManyLinks = 31;
    private const int ErrorNotSupported = 95;

    /// <summary>Counts of what a copy did, for the progress line.</summary>
    internal readonly record struct Counts(int Linked, int Copied, int Links, int Folders);

    public static Counts Copy(string source, string target, string? previous, CancellationToken cancellationToken)
    {
        int linked = 0, copied = 0, links = 0, folders = 0;
        var realSource = RealPaths.Resolve(source) ?? source;
        var madeFolders = new List<(string Path, DateTime Time, UnixFileMode Mode)>();
        var pending = new Stack<(string Relative, bool Metadata, FileStat Seen)>();
        var rootStat = FileStat.Of(FileStat.CurrentFolder, source, "SOURCE") ?? throw new DirectoryNotFoundException($"SOURCE {source} is gone");
        if (!rootStat.IsDirectory)
        {
            throw new IOException($"SOURCE {source} is no longer a folder");
        }

        Directory.CreateDirectory(target);
        madeFolders.Add((target, rootStat.Time, rootStat.Mode));
        pending.Push(("", false, rootStat));
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (relative, metadata, expected) = pending.Pop();
            var folder = relative.Length == 0 ? source : source + "/" + relative;
            var targetFolder = relative.Length == 0 ? target : target + "/" + relative;
            using var reader = OpenWalked(folder, expected);
            using var made = FolderDescriptor.Open(targetFolder) ?? throw new IOException($"cannot open {targetFolder}: {LastError()}");
            using var old = previous is null || metadata ? null : FolderDescriptor.Open(relative.Length == 0 ? previous : previous + "/" + relative);
            while (reader.Next(out _) is { } name)
            {
                if (relative.Length == 0 && PackageListFile.IsReserved(name))
                {
                    continue; // The snapshot's own package list is written by the check (LocalMirrorTarget.CheckAsync), never SOURCE's.
                }

                var path = relative.Length == 0 ? name : relative + "/" + name;
                var entry = FileStat.Of(reader.Descriptor, name, path) ?? throw new FileNotFoundException($"{Path.Combine(source, path)} vanished during the copy");
                var destination = targetFolder + "/" + name;
                if (entry.IsLink)
                {
                    var linkTarget = new FileInfo(folder + "/" + name).LinkTarget ?? throw new IOException($"cannot read the symbolic link {Path.Combine(source, path)}");
                    EnsureInside(source, realSource, folder, path, linkTarget);
                    File.CreateSymbolicLink(destination, linkTarget);
                    links++;
                }
                else if (entry.IsDirectory)
                {
                    Directory.CreateDirectory(destination);
                    madeFolders.Add((destination, entry.Time, entry.Mode));
                    pending.Push((path, metadata || name is "repodata" or "dists", entry));
                    folders++;
                }
                else
                {
                    if (old is not null && TryLink(old, made, name, entry))
                    {
                        linked++;
                        continue;
                    }

                    if (entry.Size == 0)
                    {
                        // Not opened: an empty file, or a FIFO or device (whose size is 0), is made an empty file.
                        File.Create(destination).Dispose();
                    }
                    else
                    {
                        File.Copy(folder + "/" + name, destination);
                    }

                    File.SetUnixFileMode(destination, entry.Mode);
                    File.SetLastWriteTimeUtc(destination, entry.Time);
                    copied++;
                }
            }
        }

        // Folder times last, deepest first: making an entry in a folder changes its time.
        for (var i = madeFolders.Count - 1; i >= 0; i--)
        {
            var (path, time, mode) = madeFolders[i];
            File.SetUnixFileMode(path, mode);
            Directory.SetLastWriteTimeUtc(path, time);
        }

        return new Counts(linked, copied, links, folders);
    }

    /// <summary>
    /// Refuses a symbolic link that is absolute, or whose target leads outside SOURCE lexically or once every link in it is
    /// resolved (docs/manual/mirror.md, "Symbolic links in SOURCE"). Checked here, in the copy, as each link is met: a
    /// refusal deletes the half-made snapshot and publishes nothing.
    /// </summary>
    internal static void EnsureInside(string source, string realSource, string folder, string shown, string linkTarget)
    {
        if (Path.IsPathRooted(linkTarget))
        {
            throw new CiJobsException($"SOURCE holds an absolute symbolic link {shown} -> {linkTarget}; only relative links that stay inside SOURCE are copied", MirrorExitCodes.UnsafeSource);
        }

        var lexical = Path.GetFullPath(Path.Combine(folder, linkTarget));
        var resolved = RealPaths.Resolve(lexical) ?? lexical;
        if (!Inside(lexical, source) || !Inside(resolved, realSource))
        {
            throw new CiJobsException($"SOURCE holds a symbolic link {shown} -> {linkTarget} that leads outside SOURCE", MirrorExitCodes.UnsafeSource);
        }
    }

    /// <summary>A hard link to the previous snapshot's file when it is a regular file of this size, time and mode.</summary>
    private static bool TryLink(FolderDescriptor old, FolderDescriptor made, string name, FileStat entry)
    {
        if (FileStat.Of(old.Value, name, name) is not { IsRegular: true } previous || previous.Size != entry.Size || previous.Ticks != entry.Ticks || previous.Mode != entry.Mode)
        {
            return false;
        }

        if (Native.linkat(old.Value, name, made.Value, name, 0) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        if (error is ErrorCrossDevice or ErrorPermission or ErrorNotSupported or ErrorTooManyLinks)
        {
            return false; // Copied instead.
        }

        throw new IOException($"cannot link {name} to the previous snapshot's file: {new Win32Exception(error).Message}");
    }

    private static bool Inside(string path, string folder) => path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);

    private static string LastError() => new Win32Exception(Marshal.GetLastPInvokeError()).Message;

    /// <summary>
    /// A folder of SOURCE, to read its entries. The folder opened must be the one its parent's walk saw (same device and
    /// inode): a folder replaced meanwhile (by a symbolic link) is refused.
    /// </summary>
    private static FolderEntries OpenWalked(string path, FileStat expected)
    {
        var entries = FolderEntries.Open(path);
        if (FileStat.Of(entries.Descriptor, "", path) is not { IsDirectory: true } opened || opened.Inode != expected.Inode || opened.Device != expected.Device)
        {
            entries.Dispose();
            throw new IOException($"the folder {path} changed during the copy");
        }

        return entries;
    }

    private static partial class Native
    {
        [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int linkat(int oldFolder, string oldName, int newFolder, string newName, int flags);
    }
}
