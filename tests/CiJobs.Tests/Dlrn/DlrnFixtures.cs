using System.Globalization;
using System.Text;
using System.Text.Json;
using CiJobs.Fakes;
using CiJobs.Fakes.Dlrn;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Dlrn;

/// <summary>A DLRN-shaped build result on disk: <c>repos/&lt;h0h1&gt;/&lt;h2h3&gt;/&lt;hash&gt;_&lt;d8&gt;/</c> with commit.yaml and RPMs.</summary>
public sealed record FixtureBuild(string DataDirectory, string ShardedDirectory, string ProjectName, string CommitHash, string DistroHash, IReadOnlyList<string> Artifacts)
{
    public string Directory => Path.Combine(DataDirectory, ShardedDirectory);

    /// <summary>The repo URL of this build on a server that serves <see cref="DataDirectory"/> at <paramref name="baseUrl"/>.</summary>
    public Uri RepoUrl(string baseUrl) => new($"{baseUrl.TrimEnd('/')}/{ShardedDirectory}/");
}

internal static class DlrnFixtures
{
    public const string User = "publisher";
    public const string Password = "s3cret-Pa55word-xyzzy";

    /// <summary>Writes a build result with fake RPM bytes (the fake server does not read RPMs).</summary>
    public static FixtureBuild WriteBuild(
        string dataDirectory, string projectName = "python-example", string? commitHash = null, string distroHash = "d1f2e3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0",
        long dtCommit = 1_700_000_000, long dtDistro = 1_700_000_100, string status = "SUCCESS", string[]? rpms = null)
    {
        commitHash ??= "3a93c5a9e1d2b3c4d5e6f7a8b9c0d1e2f3a4b5c6";
        rpms ??= [$"{projectName}-1.0-0.1.el9.src.rpm", $"{projectName}-1.0-0.1.el9.noarch.rpm"];
        var sharded = $"repos/{commitHash[..2]}/{commitHash[2..4]}/{commitHash}_{distroHash[..8]}";
        var directory = Path.Combine(dataDirectory, sharded);
        System.IO.Directory.CreateDirectory(directory);
        foreach (var rpm in rpms)
        {
            File.WriteAllBytes(Path.Combine(directory, rpm), Encoding.UTF8.GetBytes($"not really an rpm: {rpm}"));
        }

        File.WriteAllText(Path.Combine(directory, "rpmbuild.log"), "build ok\n");
        var artifacts = rpms.Select(r => $"{sharded}/{r}").ToList();
        File.WriteAllText(Path.Combine(directory, "commit.yaml"), CommitYaml(projectName, commitHash, distroHash, dtCommit, dtDistro, status, artifacts));
        return new FixtureBuild(dataDirectory, sharded, projectName, commitHash, distroHash, artifacts);
    }

    /// <summary>commit.yaml as DLRN writes it: every key, every value a (quoted) string.</summary>
    public static string CommitYaml(string projectName, string commitHash, string distroHash, long dtCommit, long dtDistro, string status, IReadOnlyList<string> artifacts)
    {
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["artifacts"] = artifacts.Count == 0 ? "None" : string.Join(',', artifacts),
            ["commit_branch"] = "master",
            ["commit_hash"] = commitHash,
            ["component"] = "None",
            ["distgit_dir"] = $"/data/{projectName}_distro",
            ["distro_hash"] = distroHash,
            ["dt_build"] = (dtCommit + 500).ToString(CultureInfo.InvariantCulture),
            ["dt_commit"] = dtCommit.ToString(CultureInfo.InvariantCulture),
            ["dt_distro"] = dtDistro.ToString(CultureInfo.InvariantCulture),
            ["dt_extended"] = "None",
            ["extended_hash"] = "None",
            ["flags"] = "0",
            ["id"] = "None",
            ["notes"] = "OK",
            ["project_name"] = projectName,
            ["repo_dir"] = $"/data/{projectName}",
            ["status"] = status,
            ["type"] = "rpm",
            ["versions_csv"] = "None",
        };
        var text = new StringBuilder("commits:\n");
        var first = true;
        foreach (var (key, value) in fields)
        {
            text.Append(first ? "- " : "  ").Append(key).Append(": ").Append(JsonSerializer.Serialize(value)).Append('\n');
            first = false;
        }

        return text.ToString();
    }

    public static async Task<FakeDlrnServer> StartDlrnAsync(TempDir temp)
    {
        var server = new FakeDlrnServer(temp.Combine("central"));
        server.AddUser(User, Password);
        await server.StartAsync();
        return server;
    }

    public static async Task<FakeFileServer> StartFilesAsync(string root)
    {
        var server = new FakeFileServer(root);
        await server.StartAsync();
        return server;
    }
}
