namespace CiJobs.Core.Rdoinfo;

/// <summary>Loads an rdoinfo tree: entry file, recursive imports, keyed deep merge.</summary>
public static class RdoinfoLoader
{
    public const string DefaultEntryFile = "rdo-full.yml";

    /// <summary>Loads <paramref name="directory"/>/<paramref name="entryFile"/> and everything it imports.
    /// Throws <see cref="RdoinfoException"/> naming the file and line of the first problem.</summary>
    public static Task<RdoinfoDatabase> LoadAsync(string directory, string entryFile = DefaultEntryFile, CancellationToken cancellationToken = default) =>
        RdoinfoDatabase.LoadCoreAsync(directory, entryFile, cancellationToken);
}
