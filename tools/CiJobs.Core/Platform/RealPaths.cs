using System.Runtime.InteropServices;

namespace CiJobs.Core.Platform;

/// <summary>realpath(3): a path with every symbolic link in it resolved, to check that a link stays inside a folder.</summary>
public static partial class RealPaths
{
    /// <summary>The resolved absolute path, or null when a component is missing, links loop or the path cannot be read.</summary>
    public static string? Resolve(string path)
    {
        var resolved = Native.realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Native.free(resolved);
        }
    }

    /// <summary>True when <paramref name="path"/> (resolved) is <paramref name="folder"/> (resolved) or below it.</summary>
    public static bool IsInside(string path, string folder) =>
        path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal);

    private static partial class Native
    {
        [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial IntPtr realpath(string path, IntPtr resolved);

        [LibraryImport("libc")]
        internal static partial void free(IntPtr pointer);
    }
}
