using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;

namespace CiJobs.Core.SourceGit;

/// <summary>
/// Writes the patch files of <c>update-dist-git</c> into a scratch folder (under DIST's git directory, same file
/// system) before they move into the work tree. Creating a file costs more than writing its bytes, and creations in
/// one directory take turns: each processor creates its share in a directory of its own.
/// </summary>
internal static class ScratchPatchWriter
{
    /// <summary>Writes every patch (Latin-1, one byte per char) and returns the paths, in the patches' order.</summary>
    /// <exception cref="CiJobsException">A file cannot be written (<see cref="ExitCodes.Io"/>).</exception>
    public static string[] Write(IReadOnlyList<PatchFile> patchFiles, string workDirectory, CancellationToken cancellationToken) =>
        Write(patchFiles, workDirectory, File.WriteAllBytes, cancellationToken);

    /// <summary>
    /// As <see cref="Write(IReadOnlyList{PatchFile}, string, CancellationToken)"/>, each file through
    /// <paramref name="writeFile"/>. Returns only when every writer has stopped, so nothing writes afterwards, whether it
    /// returns or throws. When writes fail, the failure of the lowest patch index is thrown (docs/manual/source-git.md,
    /// "Errors of concurrent steps"): each writer takes its files in increasing order and, after a failure, skips only
    /// the files above the lowest failed index, so every file below it was tried and the report is the same whichever
    /// writer failed first. An I/O failure becomes <see cref="ExitCodes.Io"/> with the file's path; any other exception
    /// is rethrown as is.
    /// </summary>
    internal static string[] Write(IReadOnlyList<PatchFile> patchFiles, string workDirectory, Action<string, byte[]> writeFile, CancellationToken cancellationToken)
    {
        var writers = Math.Clamp(Math.Min(Environment.ProcessorCount, patchFiles.Count / 16), 1, 4);
        var directories = Enumerable.Range(0, writers)
            .Select(k => Directory.CreateDirectory(Path.Combine(workDirectory, k.ToString(CultureInfo.InvariantCulture))).FullName)
            .ToList();
        var files = new string[patchFiles.Count];
        var errors = new Exception?[patchFiles.Count];
        var lowestFailed = int.MaxValue;
        Parallel.For(0, writers, k =>
        {
            for (var i = k; i < patchFiles.Count; i += writers)
            {
                if (i > Volatile.Read(ref lowestFailed) || cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                files[i] = Path.Combine(directories[k], patchFiles[i].FileName);
                try
                {
                    writeFile(files[i], Encoding.Latin1.GetBytes(patchFiles[i].Content));
                }
#pragma warning disable CA1031 // Kept, and the lowest index's rethrown below once every writer has stopped.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    errors[i] = e;
                    for (var seen = Volatile.Read(ref lowestFailed); i < seen; seen = Volatile.Read(ref lowestFailed))
                    {
                        if (Interlocked.CompareExchange(ref lowestFailed, i, seen) == seen)
                        {
                            break;
                        }
                    }

                    return;
                }
            }
        });

        if (lowestFailed != int.MaxValue)
        {
            var error = errors[lowestFailed]!;
            if (error is IOException or UnauthorizedAccessException)
            {
                throw new CiJobsException($"cannot write {files[lowestFailed]}: {error.Message}", ExitCodes.Io, error);
            }

            ExceptionDispatchInfo.Throw(error);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return files;
    }
}
