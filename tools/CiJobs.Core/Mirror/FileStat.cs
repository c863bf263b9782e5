using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace CiJobs.Core.Mirror;

/// <summary>What one <c>statx(2)</c> tells of an entry, without following a last symbolic link: one system call, relative to
/// a folder descriptor where the caller has one (docs/manual/mirror.md, "Performance").</summary>
internal readonly partial record struct FileStat(int Type, UnixFileMode Mode, long Size, long Ticks, ulong Inode, ulong Device)
{
    /// <summary>AT_FDCWD: a folder argument for an absolute name.</summary>
    public const int CurrentFolder = -100;

    private const int ErrorNoEntry = 2;
    private const int ErrorNotAFolder = 20;
    private const int TypeMask = 0xF000;
    private const int TypeDirectory = 0x4000;
    private const int TypeRegular = 0x8000;
    private const int TypeLink = 0xA000;
    private const int AtEmptyPath = 0x1000;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint Mask = 0x1 | 0x2 | 0x40 | 0x100 | 0x200; // STATX_TYPE, MODE, MTIME, INO, SIZE

    public bool IsDirectory => Type == TypeDirectory;

    public bool IsRegular => Type == TypeRegular;

    public bool IsLink => Type == TypeLink;

    /// <summary>The modification time in 100 ns ticks, the precision the copy sets it with (File.SetLastWriteTimeUtc).</summary>
    public DateTime Time => DateTime.UnixEpoch.AddTicks(Ticks);

    /// <summary>The entry <paramref name="name"/> of the folder <paramref name="folder"/> (<see cref="CurrentFolder"/> for an
    /// absolute name; an empty name: the folder itself); null when it does not exist (or a folder of its path is not one).</summary>
    public static unsafe FileStat? Of(int folder, string name, string shown)
    {
        var buffer = stackalloc byte[256];
        if (Native.statx(folder, name, name.Length == 0 ? AtEmptyPath | AtSymlinkNoFollow : AtSymlinkNoFollow, Mask, buffer) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            return error is ErrorNoEntry or ErrorNotAFolder ? null : throw new IOException($"cannot look at {shown}: {new Win32Exception(error).Message}");
        }

        var span = new ReadOnlySpan<byte>(buffer, 256);
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(span[28..]);
        var seconds = BinaryPrimitives.ReadInt64LittleEndian(span[112..]);
        var nanoseconds = BinaryPrimitives.ReadUInt32LittleEndian(span[120..]);
        return new FileStat(
            mode & TypeMask,
            (UnixFileMode)(mode & 0xFFF),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(span[40..]),
            (seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100),
            BinaryPrimitives.ReadUInt64LittleEndian(span[32..]),
            ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(span[136..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(span[140..]));
    }

    private static unsafe partial class Native
    {
        [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int statx(int folder, string name, int flags, uint mask, byte* buffer);
    }
}

/// <summary>An open folder descriptor (<c>open(2)</c> O_RDONLY), for the <c>*at</c> calls.</summary>
internal sealed partial class FolderDescriptor(int value) : IDisposable
{
    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC
    private const int Folder = 0x10000; // O_DIRECTORY: anything else (a FIFO that would block the open) is refused

    public int Value => value;

    /// <summary>The folder opened, or null when it does not exist, is not a folder, or cannot be opened.</summary>
    public static FolderDescriptor? Open(string path)
    {
        var fd = Native.open(path, ReadOnlyCloseOnExec | Folder);
        return fd >= 0 ? new FolderDescriptor(fd) : null;
    }

    public void Dispose() => _ = Native.close(value);

    private static partial class Native
    {
        [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int open(string path, int flags);

        [LibraryImport("libc", SetLastError = true)]
        internal static partial int close(int descriptor);
    }
}
