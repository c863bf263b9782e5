namespace CiJobs.Core.Rdoinfo;

/// <summary>
/// One revision of an rdoinfo git repository, read straight from the commit's tree without a checkout: the one
/// way <c>cijobs rdoinfo diff --repo</c>, the config bot and the build planner load rdoinfo at a revision
/// (docs/architecture.md, "Shared components").
/// </summary>
public sealed class RdoinfoAtRevision : IDisposable
{
    private readonly GitRevisionRdoinfoSource source;

    private RdoinfoAtRevision(GitRevisionRdoinfoSource source) => this.source = source;

    /// <summary>The revision as it was named, e.g. <c>HEAD~1</c>.</summary>
    public string Revision => source.Revision;

    /// <summary>The commit the revision names.</summary>
    public string CommitSha => source.CommitSha;

    /// <summary>
    /// Opens <paramref name="revision"/> of the repository at <paramref name="repositoryPath"/>. Throws an
    /// <see cref="RdoinfoException"/>: <see cref="RdoinfoExitCodes.MissingFile"/> when the folder is not a git
    /// repository, <see cref="RdoinfoExitCodes.NotFound"/> when it has no such revision.
    /// </summary>
    public static RdoinfoAtRevision Open(string repositoryPath, string revision) => new(new GitRevisionRdoinfoSource(repositoryPath, revision));

    /// <summary>The commit <paramref name="revision"/> names in the repository, or null when it names none (or the folder is no repository).</summary>
    public static string? TryResolve(string repositoryPath, string revision)
    {
        try
        {
            using var opened = Open(repositoryPath, revision);
            return opened.CommitSha;
        }
        catch (RdoinfoException)
        {
            return null;
        }
    }

    /// <summary>Opens the revision, loads the database from <paramref name="entryFile"/> and closes the repository again.</summary>
    public static async Task<(RdoinfoDatabase Database, string CommitSha)> LoadAsync(string repositoryPath, string revision, string entryFile, CancellationToken cancellationToken)
    {
        using var opened = Open(repositoryPath, revision);
        return (await opened.LoadAsync(entryFile, cancellationToken), opened.CommitSha);
    }

    /// <summary>Loads the database of this revision from <paramref name="entryFile"/>, following its imports inside the commit's tree.</summary>
    public Task<RdoinfoDatabase> LoadAsync(string entryFile, CancellationToken cancellationToken) =>
        RdoinfoLoader.LoadAsync(source, entryFile, cancellationToken);

    public void Dispose() => source.Dispose();
}
