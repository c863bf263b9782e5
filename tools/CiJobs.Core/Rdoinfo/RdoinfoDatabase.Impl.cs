namespace CiJobs.Core.Rdoinfo;

// Implementation in progress (see issue 2); the public surface above is the contract other features code against.
public sealed partial class RdoinfoDatabase
{
    private RdoinfoDatabase(IReadOnlyList<RdoRelease> releases, IReadOnlyList<string> projects)
    {
        Releases = releases;
        Projects = projects;
    }

    internal static Task<RdoinfoDatabase> LoadCoreAsync(string directory, string entryFile, CancellationToken cancellationToken) => throw new NotImplementedException();

    private string? ReleaseTagForCore(string project, string release) => throw new NotImplementedException();

    private RdoPackage ExpandCore(string project, string? tag) => throw new NotImplementedException();

    private IReadOnlyList<RdoPackage> ExpandAllCore(string? release) => throw new NotImplementedException();

    private RdoPackage? FindPackageCore(string reference) => throw new NotImplementedException();

    private IReadOnlyList<string> SuggestNamesCore(string reference) => throw new NotImplementedException();
}
