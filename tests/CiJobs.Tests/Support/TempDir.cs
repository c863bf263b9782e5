namespace CiJobs.Tests.Support;

/// <summary>A fresh folder under the system temp folder, deleted with its content on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string? prefix = null)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cijobs-{prefix ?? "test"}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Writes a file (creating its folders) and returns its full path.</summary>
    public string Write(string relativePath, string content)
    {
        var full = Combine(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose()
    {
        try
        {
            MakeWritable(Path);
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void MakeWritable(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        // Symbolic links are skipped: never followed (a link to '.' would recurse without end), never chmod-ed
        // (that would change their target, which may be outside this folder).
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (var entry in Directory.EnumerateFileSystemEntries(path, "*", options))
        {
            try
            {
                File.SetUnixFileMode(entry, File.GetUnixFileMode(entry) | UnixFileMode.UserWrite | UnixFileMode.UserRead | UnixFileMode.UserExecute);
            }
            catch (IOException)
            {
            }
        }
    }
}
