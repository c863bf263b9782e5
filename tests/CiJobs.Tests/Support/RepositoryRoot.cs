namespace CiJobs.Tests.Support;

/// <summary>The checkout the tests were built from (the folder holding CiJobs.sln), for tests over the job library itself.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "CiJobs.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("CiJobs.sln not found above " + AppContext.BaseDirectory);
    }
}
