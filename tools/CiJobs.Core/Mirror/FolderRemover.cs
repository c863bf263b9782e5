using System.ComponentModel;
using System.Runtime.InteropServices;

namespace CiJobs.Core.Mirror;

/// <summary>
/// Deletes a folder and everything in it, each entry by name relative to its folder's descriptor (<c>unlinkat</c>), so no
/// path is resolved from the root again for each of a snapshot's files (docs/manual/mirror.md, "Performance"). A symbolic
/// link is deleted, never followed: a folder is opened with O_NOFOLLOW, relative to its parent. Folders deeper than
/// <see cref="MaxDepth"/> are left to <see cref="Directory.Delete(string, bool)"/>.
/// </summary>
internal static partial class FolderRemover
{
    public const int MaxDepth = 64;

    private const int ErrorNoEntry = 2;
    private const int FolderFlags = 0x80000 | 0x10000 | 0x20000; // O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW
    private const int RemoveFolder = 0x200; // AT_REMOVEDIR

    /// <summary>Deletes <paramref name="path"/> (a folder, not a link to one) with everything in it.</summary>
    public static void Delete(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        var parent = Path.GetDirectoryName(full) ?? throw new IOException($"cannot delete {full}");
        using var folder = FolderDescriptor.Open(parent) ?? throw new IOException($"cannot open {parent}: {LastError()}");
        Remove(folder.Value, Path.GetFileName(full), full, 0);
    }

    /// <summary>Empties the folder <paramref name="name"/> of the folder <paramref name="parent"/>, then deletes it.</summary>
    private static void Remove(int parent, string name, string shown, int depth)
    {
        if (depth >= MaxDepth)
        {
            Directory.Delete(shown, recursive: true);
            return;
        }

        var descriptor = Native.openat(parent, name, FolderFlags);
        if (descriptor < 0)
        {
            throw new IOException($"cannot open {shown}: {LastError()}");
        }

        using (var entries = FolderEntries.Adopt(descriptor, shown))
        {
            List<string>? folders = null;
            while (entries.Next(out var type) is { } child)
            {
                if (type == FolderEntries.TypeFolder || (type == FolderEntries.TypeUnknown && FileStat.Of(descriptor, child, shown + "/" + child) is { IsDirectory: true }))
                {
                    (folders ??= []).Add(child); // Emptied once this folder is read to its end.
                }
                else if (Native.unlinkat(descriptor, child, 0) != 0 && Marshal.GetLastPInvokeError() != ErrorNoEntry)
                {
                    throw new IOException($"cannot delete {shown}/{child}: {LastError()}");
                }
            }

            foreach (var folder in folders ?? [])
            {
                Remove(descriptor, folder, shown + "/" + folder, depth + 1);
            }
        }

        if (Native.unlinkat(parent, name, RemoveFolder) != 0 && Marshal.GetLastPInvokeError() != ErrorNoEntry)
        {
            throw new IOException($"cannot delete {shown}: {LastError()}");
        }
    }

    private static string LastError() => new Win32Exception(Marshal.GetLastPInvokeError()).Message;

    private static partial class Native
    {
        [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int openat(int folder, string name, int flags);

        [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int unlinkat(int folder, string name, int flags);
    }
}
