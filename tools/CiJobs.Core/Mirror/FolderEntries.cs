using System.ComponentModel;
using System.Runtime.InteropServices;

namespace CiJobs.Core.Mirror;

/// <summary>
/// The entries of an open folder (<c>readdir(3)</c>), "." and ".." left out, each with the type the folder gives
/// (<c>d_type</c>; <see cref="TypeUnknown"/> where the file system gives none). Shared by the copy (SnapshotCopier) and the
/// deletion (FolderRemover) of snapshots; <see cref="Descriptor"/> is the folder's descriptor, for the <c>*at</c> calls.
/// </summary>
internal sealed partial class FolderEntries : IDisposable
{
    public const byte TypeUnknown = 0;
    public const byte TypeFolder = 4;

    private readonly IntPtr handle;
    private readonly string shown;

    private FolderEntries(IntPtr handle, string shown)
    {
        this.handle = handle;
        this.shown = shown;
        Descriptor = Native.dirfd(handle);
    }

    public int Descriptor { get; }

    /// <summary>The folder at <paramref name="path"/> (<c>opendir(3)</c>, which follows links).</summary>
    public static FolderEntries Open(string path)
    {
        var handle = Native.opendir(path);
        return handle != IntPtr.Zero ? new FolderEntries(handle, path) : throw new IOException($"cannot read the folder {path}: {LastError()}");
    }

    /// <summary>The folder open as <paramref name="descriptor"/> (<c>fdopendir(3)</c>), which is closed with this object, or
    /// at once when it cannot be read.</summary>
    public static FolderEntries Adopt(int descriptor, string shown)
    {
        var handle = Native.fdopendir(descriptor);
        if (handle != IntPtr.Zero)
        {
            return new FolderEntries(handle, shown);
        }

        var error = LastError();
        _ = Native.close(descriptor);
        throw new IOException($"cannot read the folder {shown}: {error}");
    }

    /// <summary>The next entry's name and type, or null at the end.</summary>
    public string? Next(out byte type)
    {
        while (true)
        {
            var entry = Native.readdir(handle);
            if (entry == IntPtr.Zero)
            {
                // The end, or an error (errno, cleared before the call, is then set).
                var error = Marshal.GetLastPInvokeError();
                type = TypeUnknown;
                return error == 0 ? null : throw new IOException($"cannot read the folder {shown}: {new Win32Exception(error).Message}");
            }

            // struct dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), then d_name.
            var name = Marshal.PtrToStringUTF8(entry + 19)!;
            if (name is not ("." or ".."))
            {
                type = Marshal.ReadByte(entry + 18);
                return name;
            }
        }
    }

    public void Dispose() => _ = Native.closedir(handle);

    private static string LastError() => new Win32Exception(Marshal.GetLastPInvokeError()).Message;

    private static partial class Native
    {
        [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial IntPtr opendir(string path);

        [LibraryImport("libc", SetLastError = true)]
        internal static partial IntPtr fdopendir(int descriptor);

        [LibraryImport("libc")]
        internal static partial int dirfd(IntPtr folder);

        [LibraryImport("libc", SetLastError = true)]
        internal static partial IntPtr readdir(IntPtr folder);

        [LibraryImport("libc")]
        internal static partial int closedir(IntPtr folder);

        [LibraryImport("libc")]
        internal static partial int close(int descriptor);
    }
}
