using System.ComponentModel;
using System.Runtime.InteropServices;

namespace CiJobs.Core.Platform;

/// <summary>
/// The two file-system steps .NET has no API for, done with one system call each (Linux): swapping two folders in
/// one step, so that a reader of a path sees the old folder or the new one and never a gap, and hard links.
/// docs/contracts/dlrn-build.md, "Crash safety of the result folder".
/// </summary>
public static partial class AtomicFileSystem
{
    private const int AtFdCwd = -100;
    private const uint RenameExchange = 2;
    private const int ErrorInvalid = 22;
    private const int ErrorNoSystemCall = 38;
    private const int ErrorNotSupported = 95;
    private const int ErrorCrossDevice = 18;
    private const int ErrorPermission = 1;

    /// <summary>
    /// Puts <paramref name="replacement"/> at <paramref name="path"/> in one step: the two folders swap names with
    /// <c>renameat2(RENAME_EXCHANGE)</c>, and the old one is left at <paramref name="replacement"/> for the caller to delete.
    /// Where the file system cannot swap (some network file systems), the old folder is renamed aside first: then there is
    /// a moment without <paramref name="path"/>, but never a half-written folder there. Returns whether the swap was atomic.
    /// </summary>
    public static bool Exchange(string replacement, string path)
    {
        if (Native.renameat2(AtFdCwd, replacement, AtFdCwd, path, RenameExchange) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        if (error is not (ErrorInvalid or ErrorNoSystemCall or ErrorNotSupported))
        {
            throw new IOException($"cannot swap {replacement} and {path}: {new Win32Exception(error).Message}");
        }

        // Named like a staging folder without an owner lock: if this process dies here, the next writer deletes it.
        var aside = Path.Combine(Path.GetDirectoryName(replacement)!, $".{Path.GetFileName(path)}.tmp-{Guid.NewGuid():N}");
        Directory.Move(path, aside);
        Directory.Move(replacement, path);
        Directory.Move(aside, replacement);
        return false;
    }

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> in one step: into a uniquely named file beside it, then one
    /// rename over it, so a reader sees the old file or the new one, never a half-written one. On failure the aside file is removed
    /// and the I/O error is the caller's to report.
    /// </summary>
    public static async Task WriteAllTextAsync(string path, string content, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            await File.WriteAllTextAsync(temporary, content, cancellationToken);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Makes <paramref name="link"/> a hard link to <paramref name="target"/>; where the file system refuses (another device,
    /// no hard links), a copy. Either way <paramref name="link"/> keeps its bits when <paramref name="target"/> is replaced or deleted.
    /// </summary>
    public static void HardLinkOrCopy(string target, string link)
    {
        if (Native.link(target, link) == 0)
        {
            return;
        }

        var error = Marshal.GetLastPInvokeError();
        if (error is ErrorCrossDevice or ErrorPermission or ErrorNotSupported)
        {
            File.Copy(target, link);
            return;
        }

        throw new IOException($"cannot link {link} to {target}: {new Win32Exception(error).Message}");
    }

    private static partial class Native
    {
        [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

        [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int link(string oldpath, string newpath);
    }
}
