using System.ComponentModel;
using System.Runtime.InteropServices;

namespace CiJobs.Core.Mirror;

/// <summary>
/// Makes a new local snapshot in one walk of SOURCE (docs/manual/mirror.md, "Steps", step 4): a file whose relative path,
/// size, modification time and mode are the same in the previous snapshot is a hard link to it; any other file, and every
/// file under a <c>repodata/</c> or <c>dists/</c> folder (metadata, rewritten in place by the tools that make
/// repositories), is copied with its time and mode; folders are made with their time and mode; a symbolic link is made
/// again as a link with the same (relative, inside) target. Nothing is ever written into a file of the previous snapshot.
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
        var madeFolders = new List<(string Path, DateTime Time, UnixFileMode Mode)>();
        var pending = new Stack<(string Relative, bool Metadata)>();
        Directory.CreateDirectory(target);
        madeFolders.Add((target, Directory.GetLastWriteTimeUtc(source), File.GetUnixFileMode(source)));
        pending.Push(("", false));
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (relative, metadata) = pending.Pop();
            var folder = relative.Length == 0 ? source : Path.Combine(source, relative);
            foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false }))
            {
                var name = entry.Name;
                if (relative.Length == 0 && PackageListFile.IsReserved(name))
                {
                    continue; // The snapshot's own package list is written by the check (LocalMirrorTarget.CheckAsync), never SOURCE's.
                }

                var path = relative.Length == 0 ? name : relative + "/" + name;
                var destination = Path.Combine(target, path);
                if (entry.Attributes.HasFlag(FileAttributes.ReparsePoint) && entry.LinkTarget is { } linkTarget)
                {
                    // Checked before (RepositoryTree.EnsureNoEscapingLinks); checked again here lexically, as SOURCE may
                    // have changed since.
                    if (Path.IsPathRooted(linkTarget) || !Inside(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(entry.FullName)!, linkTarget)), source))
                    {
                        throw new CiJobsException($"SOURCE holds a symbolic link {path} -> {linkTarget} that leads outside SOURCE", MirrorExitCodes.UnsafeSource);
                    }

                    File.CreateSymbolicLink(destination, linkTarget);
                    links++;
                }
                else if (entry is DirectoryInfo)
                {
                    Directory.CreateDirectory(destination);
                    madeFolders.Add((destination, entry.LastWriteTimeUtc, entry.UnixFileMode));
                    pending.Push((path, metadata || name is "repodata" or "dists"));
                    folders++;
                }
                else if (entry is FileInfo file)
                {
                    var time = file.LastWriteTimeUtc;
                    var mode = file.UnixFileMode;
                    if (!metadata && previous is not null && TryLink(Path.Combine(previous, path), destination, file.Length, time, mode))
                    {
                        linked++;
                        continue;
                    }

                    if (file.Length == 0)
                    {
                        // Not opened: an empty file, or a FIFO or device (whose size is 0), is made an empty file.
                        File.Create(destination).Dispose();
                    }
                    else
                    {
                        File.Copy(file.FullName, destination);
                    }

                    File.SetUnixFileMode(destination, mode);
                    File.SetLastWriteTimeUtc(destination, time);
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

    /// <summary>A hard link to the previous snapshot's file when it is a regular file of this size, time and mode.</summary>
    private static bool TryLink(string old, string destination, long size, DateTime time, UnixFileMode mode)
    {
        var info = new FileInfo(old);
        if (!info.Exists || info.Attributes.HasFlag(FileAttributes.ReparsePoint) || info.Length != size || info.LastWriteTimeUtc != time || info.UnixFileMode != mode)
        {
            return false;
        }

        if (Native.link(old, destination) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        if (error is ErrorCrossDevice or ErrorPermission or ErrorNotSupported or ErrorTooManyLinks)
        {
            return false; // Copied instead.
        }

        throw new IOException($"cannot link {destination} to {old}: {new Win32Exception(error).Message}");
    }

    private static bool Inside(string path, string folder) => path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);

    private static partial class Native
    {
        [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int link(string oldpath, string newpath);
    }
}
