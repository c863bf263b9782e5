namespace CiJobs.Core.SourceGit;

/// <summary>Copies a tracked file of SRC into DIST's work tree as git would check it out: regular, executable or symbolic link.</summary>
internal static class WorkTreeFiles
{
    public static void Copy(string source, string destination, string mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        if (File.Exists(destination) || new FileInfo(destination).LinkTarget is not null)
        {
            File.Delete(destination);
        }

        if (mode == "120000")
        {
            File.CreateSymbolicLink(destination, new FileInfo(source).LinkTarget ?? throw new IOException($"{source} is not a symbolic link."));
            return;
        }

        File.Copy(source, destination);
        if (!OperatingSystem.IsWindows())
        {
            var executable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            var current = File.GetUnixFileMode(destination);
            File.SetUnixFileMode(destination, mode == "100755" ? current | executable : current & ~executable);
        }
    }
}
