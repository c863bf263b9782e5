using System.Globalization;
using System.Text;
using System.Text.Json;
using YamlDotNet.Serialization;

namespace CiJobs.Core.Builds;

/// <summary>
/// One row of DLRN's <c>commits</c> table, as <c>commit.yaml</c> carries it. DLRN writes every column
/// as a string (<c>None</c> for empty) with the keys sorted; the central's remote import reads it back.
/// </summary>
public sealed record DlrnCommit
{
    public const string Success = "SUCCESS";
    public const string Failed = "FAILED";
    public const string NoneValue = "None";

    public required string ProjectName { get; init; }

    public required string CommitHash { get; init; }

    public required string DistroHash { get; init; }

    public required string CommitBranch { get; init; }

    public required long DtCommit { get; init; }

    public required long DtDistro { get; init; }

    public required long DtBuild { get; init; }

    public required string Status { get; init; }

    public required string Notes { get; init; }

    /// <summary>This build's own RPMs (SRPM included), relative to the data directory.</summary>
    public IReadOnlyList<string> Artifacts { get; init; } = [];

    public string? RepoDir { get; init; }

    public string? DistgitDir { get; init; }

    public string? Component { get; init; }

    /// <summary><c>&lt;h[0:2]&gt;/&lt;h[2:4]&gt;/&lt;commit_hash&gt;_&lt;distro_hash[:8]&gt;</c>, relative to <c>repos/</c>.</summary>
    public string ShardedDirectory => ShardedDirectoryFor(CommitHash, DistroHash);

    public static string ShardedDirectoryFor(string commitHash, string distroHash) =>
        Dlrn.DlrnBuildCommit.ShardedPath(commitHash, distroHash)["repos/".Length..];

    /// <summary>The SRPM's NVR (its file name without <c>.src.rpm</c>), or null.</summary>
    public string? SourceNvr => Artifacts.Select(Path.GetFileName).FirstOrDefault(a => a!.EndsWith(".src.rpm", StringComparison.Ordinal))?[..^".src.rpm".Length];

    /// <summary>The columns as DLRN's <c>saveYAML_commit</c> writes them: every value a string, sorted keys.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToColumns() =>
    [
        new("artifacts", Artifacts.Count == 0 ? NoneValue : string.Join(',', Artifacts)),
        new("commit_branch", CommitBranch),
        new("commit_hash", CommitHash),
        new("component", Component ?? NoneValue),
        new("distgit_dir", DistgitDir ?? NoneValue),
        new("distro_hash", DistroHash),
        new("dt_build", DtBuild.ToString(CultureInfo.InvariantCulture)),
        new("dt_commit", DtCommit.ToString(CultureInfo.InvariantCulture)),
        new("dt_distro", DtDistro.ToString(CultureInfo.InvariantCulture)),
        new("dt_extended", NoneValue),
        new("extended_hash", NoneValue),
        new("flags", "0"),
        new("id", NoneValue),
        new("notes", Notes.Length == 0 ? NoneValue : Notes),
        new("project_name", ProjectName),
        new("repo_dir", RepoDir ?? NoneValue),
        new("status", Status),
        new("type", "rpm"),
        new("versions_csv", NoneValue),
    ];

    /// <summary>The <c>commit.yaml</c> text. Values are double-quoted (JSON string syntax is valid YAML),
    /// so hashes made only of digits stay strings.</summary>
    public string ToYaml()
    {
        var text = new StringBuilder("commits:\n");
        var first = true;
        foreach (var (key, value) in ToColumns())
        {
            text.Append(first ? "- " : "  ").Append(key).Append(": ").Append(JsonSerializer.Serialize(value)).Append('\n');
            first = false;
        }

        return text.ToString();
    }

    /// <summary>Reads the commits of a <c>commit.yaml</c> (DLRN's or ours); null when the text is not one.</summary>
    public static IReadOnlyList<DlrnCommit>? TryParseYaml(string text)
    {
        Dictionary<string, List<Dictionary<string, string?>>>? document;
        try
        {
            document = new DeserializerBuilder().Build().Deserialize<Dictionary<string, List<Dictionary<string, string?>>>>(text);
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return null;
        }

        if (document is null || !document.TryGetValue("commits", out var commits) || commits is null)
        {
            return null;
        }

        var result = new List<DlrnCommit>();
        foreach (var row in commits)
        {
            string? Get(string key) => row.TryGetValue(key, out var value) && value is not null and not NoneValue ? value : null;
            var commitHash = Get("commit_hash");
            var distroHash = Get("distro_hash");
            if (commitHash is null || distroHash is null || commitHash.Length < 4)
            {
                return null;
            }

            var artifacts = Get("artifacts") ?? Get("rpms");
            result.Add(new DlrnCommit
            {
                ProjectName = Get("project_name") ?? "",
                CommitHash = commitHash,
                DistroHash = distroHash,
                CommitBranch = Get("commit_branch") ?? "",
                DtCommit = ParseTime(Get("dt_commit")),
                DtDistro = ParseTime(Get("dt_distro")),
                DtBuild = ParseTime(Get("dt_build")),
                Status = Get("status") ?? "",
                Notes = Get("notes") ?? "",
                Artifacts = artifacts is null ? [] : artifacts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                RepoDir = Get("repo_dir"),
                DistgitDir = Get("distgit_dir"),
                Component = Get("component"),
            });
        }

        return result;
    }

    private static long ParseTime(string? value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? (long)number : 0;
}
