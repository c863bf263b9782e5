using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Core.Dlrn;

/// <summary>
/// One commit of a build result's <c>commit.yaml</c> (reference/dlrn.md §2.3 and the appendix):
/// <c>commits:</c> is a list of mappings whose values are all strings, <c>None</c> for empty values.
/// </summary>
public sealed record DlrnBuildCommit
{
    /// <summary>The keys DLRN writes and its importer accepts; any other key makes the import fail.</summary>
    public static readonly IReadOnlySet<string> KnownKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "artifacts", "commit_branch", "commit_hash", "component", "distgit_dir", "distro_hash", "dt_build", "dt_commit",
        "dt_distro", "dt_extended", "extended_hash", "flags", "id", "notes", "project_name", "repo_dir", "status", "type",
        "versions_csv",
    };

    public required string ProjectName { get; init; }
    public required string CommitHash { get; init; }
    public required string DistroHash { get; init; }
    public string? ExtendedHash { get; init; }
    public string? Component { get; init; }
    public required string Status { get; init; }
    public double DtCommit { get; init; }
    public long DtDistro { get; init; }
    public long DtBuild { get; init; }

    /// <summary>Paths relative to the DLRN datadir, for example <c>repos/3a/93/&lt;hash&gt;_&lt;d8&gt;/foo-1.0-1.el9.noarch.rpm</c>.</summary>
    public IReadOnlyList<string> Artifacts { get; init; } = [];

    /// <summary>The hashed build directory under the datadir: <c>repos/[component/&lt;c&gt;/]&lt;h[0:2]&gt;/&lt;h[2:4]&gt;/&lt;hash&gt;_&lt;d[:8]&gt;[_&lt;e[:8]&gt;]</c>.</summary>
    public string ShardedDirectory => ShardedPath(CommitHash, DistroHash, ExtendedHash, Component);

    /// <summary>DLRN's <c>Commit.getshardedcommitdir()</c>, under <c>repos/</c>: the one place the layout is computed.</summary>
    public static string ShardedPath(string commitHash, string distroHash, string? extendedHash = null, string? component = null)
    {
        var name = $"{commitHash}_{distroHash[..Math.Min(8, distroHash.Length)]}";
        if (extendedHash is { } extended)
        {
            name += extended.Length < 49 ? $"_{extended[..Math.Min(8, extended.Length)]}" : $"_{extended[..8]}_{extended[41..49]}";
        }

        var prefix = component is null ? "repos/" : $"repos/component/{component}/";
        return $"{prefix}{commitHash[..2]}/{commitHash[2..4]}/{name}";
    }

    /// <summary>The file names of the artifacts (what the server fetches from the repo URL).</summary>
    public IReadOnlyList<string> ArtifactFileNames => [.. Artifacts.Select(a => a[(a.LastIndexOf('/') + 1)..])];

    /// <summary>Parses and checks a commit.yaml the way DLRN's importer reads it; errors name the source and line.</summary>
    public static IReadOnlyList<DlrnBuildCommit> Parse(string yaml, string source)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw Invalid(source, $"line {e.Start.Line}: {e.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw Invalid(source, "the top level is not a mapping with a 'commits' key");
        }

        if (!root.Children.TryGetValue(new YamlScalarNode("commits"), out var commitsNode) || commitsNode is not YamlSequenceNode commits || commits.Children.Count == 0)
        {
            throw Invalid(source, "there is no non-empty 'commits' list");
        }

        var result = new List<DlrnBuildCommit>();
        foreach (var node in commits.Children)
        {
            if (node is not YamlMappingNode mapping)
            {
                throw Invalid(source, $"line {node.Start.Line}: a commit is not a mapping");
            }

            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                var key = ((YamlScalarNode)keyNode).Value ?? "";
                if (!KnownKeys.Contains(key))
                {
                    throw Invalid(source, $"line {keyNode.Start.Line}: unknown key '{key}' (DLRN refuses it)");
                }

                if (valueNode is not YamlScalarNode scalar)
                {
                    throw Invalid(source, $"line {valueNode.Start.Line}: '{key}' is not a string");
                }

                fields[key] = scalar.Value ?? "None";
            }

            result.Add(FromFields(fields, source, mapping.Start.Line));
        }

        return result;
    }

    private static DlrnBuildCommit FromFields(Dictionary<string, string> fields, string source, long line)
    {
        string Required(string key) =>
            fields.TryGetValue(key, out var value) && value is not ("" or "None")
                ? value
                : throw Invalid(source, $"line {line}: '{key}' is missing");
        string? Optional(string key) => fields.TryGetValue(key, out var value) && value is not ("" or "None") ? value : null;

        var commitHash = Required("commit_hash");
        var distroHash = Required("distro_hash");
        if (commitHash.Length < 4 || !commitHash.All(char.IsAsciiLetterOrDigit) || !distroHash.All(char.IsAsciiLetterOrDigit))
        {
            throw Invalid(source, $"line {line}: commit_hash and distro_hash must be hexadecimal hashes");
        }

        var commit = new DlrnBuildCommit
        {
            ProjectName = Required("project_name"),
            CommitHash = commitHash,
            DistroHash = distroHash,
            ExtendedHash = Optional("extended_hash"),
            Component = Optional("component"),
            Status = Optional("status") ?? "SUCCESS",
            DtCommit = ParseNumber(Required("dt_commit"), "dt_commit", source, line),
            DtDistro = (long)ParseNumber(Required("dt_distro"), "dt_distro", source, line, integer: true),
            DtBuild = (long)ParseNumber(Required("dt_build"), "dt_build", source, line, integer: true),
            Artifacts = Optional("artifacts") is { } artifacts
                ? [.. artifacts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
                : [],
        };

        var directory = commit.ShardedDirectory + "/";
        foreach (var artifact in commit.Artifacts)
        {
            var fileName = artifact[(artifact.LastIndexOf('/') + 1)..];
            if (!artifact.StartsWith(directory, StringComparison.Ordinal) || fileName.Length == 0 || artifact.Length != directory.Length + fileName.Length)
            {
                throw Invalid(source, $"line {line}: artifact '{artifact}' is not directly under the commit's directory '{commit.ShardedDirectory}'");
            }
        }

        return commit;
    }

    private static double ParseNumber(string value, string key, string source, long line, bool integer = false)
    {
        var ok = integer
            ? long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) && (whole >= 0)
            : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        if (!ok)
        {
            throw Invalid(source, $"line {line}: '{key}' must be {(integer ? "an integer" : "a number")}, not '{value}'");
        }

        return double.Parse(value, CultureInfo.InvariantCulture);
    }

    private static CiJobsException Invalid(string source, string detail) =>
        new($"invalid commit.yaml at {source}: {detail}", DlrnExitCodes.BuildResultInvalid);
}
