namespace CiJobs.Tests.Support;

/// <summary>Well-known folders: the repository root (where CiJobs.sln is) and the shared/ folder beside it.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The nearest <c>shared/</c> above the repository root (CI clones beside it; worktrees sit deeper).</summary>
    public static string Shared { get; } = FindShared();

    /// <summary>RDO's real package database (read-only; copy it to make variants).</summary>
    public static string RealRdoinfo { get; } = Path.Combine(Shared, "data", "rdoinfo");

    public static string Examples { get; } = Path.Combine(Root, "examples");

    private static string FindShared()
    {
        for (var dir = new DirectoryInfo(Root).Parent; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "data", "rdoinfo")))
            {
                return candidate;
            }
        }

        return Path.GetFullPath(Path.Combine(Root, "..", "shared"));
    }

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
