namespace CiJobs.Tests.Support;

/// <summary>Well-known folders of the repository (where CiJobs.sln is).</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>RDO's real package database, vendored in <c>tests/data/rdoinfo</c> (read-only; copy it to make variants).</summary>
    public static string RealRdoinfo { get; } = Path.Combine(Root, "tests", "data", "rdoinfo");

    public static string Examples { get; } = Path.Combine(Root, "examples");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CiJobs.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("CiJobs.sln not found above " + AppContext.BaseDirectory);
    }
}
