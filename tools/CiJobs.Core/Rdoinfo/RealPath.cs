using System.Runtime.InteropServices;
using System.Text;

namespace CiJobs.Core.Rdoinfo;

/// <summary>Symlink-resolved paths (as realpath(3) gives them) and file types, for keeping reads inside a folder.</summary>
internal static class RealPath
{
    /// <summary>As Linux's limit on symlinks followed in one path lookup (ELOOP).</summary>
    public const int MaxSymlinkHops = 40;

    public enum FileKind
    {
        Missing,
        Regular,
        Directory,

        /// <summary>A device, a FIFO or a socket: reading could block or never end.</summary>
        Other,
    }

    /// <summary>
    /// The absolute path <paramref name="path"/> with every symlink of every component resolved and no
    /// <c>.</c> or <c>..</c>, as far as it exists: from the first missing component on, the rest is joined as
    /// written (<paramref name="exists"/> is false). <paramref name="loop"/> is set (and null returned) after
    /// <see cref="MaxSymlinkHops"/> symlinks.
    /// </summary>
    public static string? Resolve(string path, out bool exists, out bool loop) => Resolve(path, "/", out exists, out loop);

    /// <summary>As <see cref="Resolve(string, out bool, out bool)"/>, a relative <paramref name="path"/> taken from <paramref name="realStart"/>, a path already resolved.</summary>
    public static string? Resolve(string path, string realStart, out bool exists, out bool loop)
    {
        loop = false;
        exists = true;
        var pending = new Stack<string>();
        Push(pending, path);
        var current = path.StartsWith('/') ? "/" : realStart;
        var hops = 0;
        while (pending.TryPop(out var part))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }

            var candidate = Path.Join(current, part);
            if (exists)
            {
                var info = new FileInfo(candidate);
                if (info.LinkTarget is { } target)
                {
                    if (++hops > MaxSymlinkHops)
                    {
                        loop = true;
                        return null;
                    }

                    if (target.StartsWith('/'))
                    {
                        current = "/";
                    }

                    Push(pending, target);
                    continue;
                }

                exists = info.Exists || System.IO.Directory.Exists(candidate);
            }

            current = candidate;
        }

        return current;
    }

    private static void Push(Stack<string> pending, string path)
    {
        var parts = path.Split('/');
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }

    /// <summary>The type of what <paramref name="path"/> names, without following a final symlink.</summary>
    public static FileKind KindOf(string path)
    {
        if (System.IO.Directory.Exists(path))
        {
            return FileKind.Directory;
        }

        if (!File.Exists(path))
        {
            return FileKind.Missing;
        }

        // .NET has no portable call for the file type; statx(2) has one layout on every Linux architecture.
        var mode = StatxMode(path);
        return mode is null ? FileKind.Regular
            : (mode.Value & FileTypeMask) switch
            {
                RegularFile => FileKind.Regular,
                DirectoryType => FileKind.Directory,
                _ => FileKind.Other,
            };
    }

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28; // struct statx: stx_mask, stx_blksize, stx_attributes, stx_nlink, stx_uid, stx_gid, stx_mode
    private const int FileTypeMask = 0xF000; // S_IFMT
    private const int RegularFile = 0x8000; // S_IFREG
    private const int DirectoryType = 0x4000; // S_IFDIR

    /// <summary>The st_mode of <paramref name="path"/>, or null where statx is not available.</summary>
    private static int? StatxMode(string path)
    {
        var name = Encoding.UTF8.GetBytes(path + "\0");
        var buffer = new byte[256];
        try
        {
            return Statx(AtFdCwd, name, AtSymlinkNoFollow, StatxType, buffer) == 0
                ? MemoryMarshal.Read<ushort>(buffer.AsSpan(ModeOffset))
                : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "statx")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int directoryFd, byte[] path, int flags, uint mask, [Out] byte[] buffer);
}
