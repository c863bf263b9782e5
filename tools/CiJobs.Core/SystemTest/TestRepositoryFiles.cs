using System.Globalization;
using System.Text;
using CiJobs.Core.Platform;

namespace CiJobs.Core.SystemTest;

/// <summary>What <see cref="TestRepositoryFiles.Write"/> wrote, and the variables that point at it.</summary>
public sealed record TestRepositoryFileSet(string? RepoFile, string? AptListFile, IReadOnlyDictionary<string, string> Variables);

/// <summary>
/// Writes the files a system test installs from: one dnf/yum <c>.repo</c> file with a section per RPM test repository
/// and one APT sources list with a line per DEB test repository, in the order given (the items ahead first). The
/// repositories are unsigned per-change builds, so the files say so (<c>gpgcheck=0</c>, <c>[trusted=yes]</c>); they get
/// the highest priority so their packages win over the base system's. Each file is written aside, then renamed
/// (<see cref="AtomicFileSystem.WriteAllTextAsync"/>).
/// </summary>
public static class TestRepositoryFiles
{
    public const string RepoFileName = "cijobs-test.repo";
    public const string AptListFileName = "cijobs-test.list";

    public static async Task<TestRepositoryFileSet> WriteAsync(string directory, IReadOnlyList<TestRepository> repositories, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repositories);
        Directory.CreateDirectory(directory);
        var rpm = repositories.Where(r => r.Format == TestRepositoryFormat.Rpm).ToList();
        var deb = repositories.Where(r => r.Format == TestRepositoryFormat.Deb).ToList();
        var variables = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["CIJOBS_TEST_REPO_COUNT"] = repositories.Count.ToString(CultureInfo.InvariantCulture),
            ["CIJOBS_TEST_RPM_URLS"] = string.Join(' ', rpm.Select(r => r.Url)),
            ["CIJOBS_TEST_DEB_URLS"] = string.Join(' ', deb.Select(r => r.Url)),
        };

        string? repoFile = null;
        if (rpm.Count > 0)
        {
            repoFile = Path.Combine(directory, RepoFileName);
            await AtomicFileSystem.WriteAllTextAsync(repoFile, RepoFileText(rpm), cancellationToken);
            variables["CIJOBS_TEST_REPO_FILE"] = repoFile;
        }

        string? listFile = null;
        if (deb.Count > 0)
        {
            listFile = Path.Combine(directory, AptListFileName);
            await AtomicFileSystem.WriteAllTextAsync(listFile, AptListText(deb), cancellationToken);
            variables["CIJOBS_TEST_APT_LIST"] = listFile;
        }

        return new TestRepositoryFileSet(repoFile, listFile, variables);
    }

    /// <summary>One section per repository; a name used twice (one repository per change and format) gets a suffix.</summary>
    public static string RepoFileText(IReadOnlyList<TestRepository> repositories)
    {
        var text = new StringBuilder();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var repository in repositories)
        {
            var id = "cijobs-" + repository.Name;
            for (var n = 2; !used.Add(id); n++)
            {
                id = "cijobs-" + repository.Name + "-" + n.ToString(CultureInfo.InvariantCulture);
            }

            text.Append(CultureInfo.InvariantCulture, $"[{id}]\n")
                .Append(CultureInfo.InvariantCulture, $"name=CiJobs test repository {repository.Name}\n")
                .Append(CultureInfo.InvariantCulture, $"baseurl={repository.Url}\n")
                .Append("enabled=1\ngpgcheck=0\npriority=1\nmodule_hotfixes=1\n\n");
        }

        return text.ToString();
    }

    public static string AptListText(IReadOnlyList<TestRepository> repositories)
    {
        var text = new StringBuilder();
        foreach (var repository in repositories)
        {
            text.Append(CultureInfo.InvariantCulture, $"# {repository.Name}\n")
                .Append(CultureInfo.InvariantCulture, $"deb [trusted=yes] {repository.Url} {repository.Codename} {repository.Component}\n");
        }

        return text.ToString();
    }
}
