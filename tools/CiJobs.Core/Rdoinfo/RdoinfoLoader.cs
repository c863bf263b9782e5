namespace CiJobs.Core.Rdoinfo;

/// <summary>Loads an rdoinfo tree: entry file, recursive imports, keyed deep merge.</summary>
public static class RdoinfoLoader
{
    public const string DefaultEntryFile = "rdo-full.yml";

    /// <summary>Loads <paramref name="directory"/>/<paramref name="entryFile"/> and everything it imports.
    /// Throws <see cref="RdoinfoException"/> naming the file and line of the first problem.</summary>
    public static Task<RdoinfoDatabase> LoadAsync(string directory, string entryFile = DefaultEntryFile, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(directory))
        {
            throw new RdoinfoException($"rdoinfo folder '{directory}' does not exist", RdoinfoExitCodes.MissingFile);
        }

        return LoadAsync(new DirectoryRdoinfoSource(directory), entryFile, cancellationToken);
    }

    /// <summary>Loads from any source, for example one revision of an rdoinfo git repository.</summary>
    public static Task<RdoinfoDatabase> LoadAsync(IRdoinfoSource source, string entryFile = DefaultEntryFile, CancellationToken cancellationToken = default) =>
        RdoinfoDatabase.LoadCoreAsync(source, entryFile, cancellationToken);
}
