using System.Globalization;
using System.Text;
using System.Text.Json;
using CiJobs.Core.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Core.Dlrn;

/// <summary>
/// One commit of a build result's <c>commit.yaml</c>, that is one row of DLRN's <c>commits</c> table
/// (docs/contracts/dlrn-build.md): <c>commits:</c> is a list of mappings whose values are all
/// strings, <c>None</c> for empty values. The build writes it (<see cref="ToYaml"/>) and reads earlier results
/// back (<see cref="TryParse"/>); the publisher reads and checks it the way DLRN's importer does (<see cref="Parse"/>).
/// Here null stands for <c>None</c>. (The server's view of a row, read through its API, is <see cref="DlrnCommitRecord"/>.)
/// </summary>
public sealed record DlrnCommit
{
    public const string Success = "SUCCESS";
    public const string Failed = "FAILED";
    public const string NoneValue = "None";

    public required string ProjectName { get; init; }

    public required string CommitHash { get; init; }

    public required string DistroHash { get; init; }

    public string? ExtendedHash { get; init; }

    public string? CommitBranch { get; init; }

    public string? Component { get; init; }

    /// <summary>SUCCESS, FAILED or RETRY.</summary>
    public required string Status { get; init; }

    /// <summary>Seconds since the epoch. DLRN may write a float (<c>1444139038.0</c>); its importer reads it with <c>float()</c>.</summary>
    public required double DtCommit { get; init; }

    /// <summary>Seconds since the epoch; an integer string in the file (the importer uses <c>int()</c>).</summary>
    public required long DtDistro { get; init; }

    /// <summary>Seconds since the epoch; an integer string in the file (the importer uses <c>int()</c>).</summary>
    public required long DtBuild { get; init; }

    /// <summary>OK, or why the build failed. Null and empty are both written as <c>None</c>.</summary>
    public string? Notes { get; init; }

    /// <summary>This build's own RPMs (SRPM included), relative to the DLRN datadir, for example
    /// <c>repos/3a/93/&lt;hash&gt;_&lt;d8&gt;/foo-1.0-1.el9.noarch.rpm</c>.</summary>
    public IReadOnlyList<string> Artifacts { get; init; } = [];

    /// <summary>Where DLRN kept the source clone (our build: the source location).</summary>
    public string? RepoDir { get; init; }

    /// <summary>Where DLRN kept the distgit (our build: the distgit location).</summary>
    public string? DistgitDir { get; init; }

    /// <summary>
    /// The columns as DLRN's <c>saveYAML_commit</c> writes them, sorted by key, each with its value in this
    /// record. The one list of the keys: <see cref="KnownKeys"/> is made from it.
    /// </summary>
    private static readonly (string Key, Func<DlrnCommit, string> Value)[] Columns =
    [
        ("artifacts", c => c.Artifacts.Count == 0 ? NoneValue : string.Join(',', c.Artifacts)),
        ("commit_branch", c => c.CommitBranch ?? NoneValue),
        ("commit_hash", c => c.CommitHash),
        ("component", c => c.Component ?? NoneValue),
        ("distgit_dir", c => c.DistgitDir ?? NoneValue),
        ("distro_hash", c => c.DistroHash),
        ("dt_build", c => c.DtBuild.ToString(CultureInfo.InvariantCulture)),
        ("dt_commit", c => c.DtCommit.ToString(CultureInfo.InvariantCulture)),
        ("dt_distro", c => c.DtDistro.ToString(CultureInfo.InvariantCulture)),
        ("dt_extended", _ => NoneValue),
        ("extended_hash", c => c.ExtendedHash ?? NoneValue),
        ("flags", _ => "0"),
        ("id", _ => NoneValue),
        ("notes", c => string.IsNullOrEmpty(c.Notes) ? NoneValue : c.Notes),
        ("project_name", c => c.ProjectName),
        ("repo_dir", c => c.RepoDir ?? NoneValue),
        ("status", c => c.Status),
        ("type", _ => "rpm"),
        ("versions_csv", _ => NoneValue),
    ];

    /// <summary>The keys DLRN writes and its importer accepts; any other key makes the import fail.</summary>
    public static readonly IReadOnlySet<string> KnownKeys = Columns.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);

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
    public IReadOnlyList<string> ArtifactFileNames => [.. Artifacts.Select(FileNameOf)];

    /// <summary>The SRPM's NVR (its file name without <c>.src.rpm</c>); for a Debian build the .dsc's
    /// <c>source_version</c>; or null.</summary>
    public string? SourceNvr =>
        ArtifactFileNames.FirstOrDefault(a => a.EndsWith(".src.rpm", StringComparison.Ordinal))?[..^".src.rpm".Length]
        ?? ArtifactFileNames.FirstOrDefault(a => a.EndsWith(".dsc", StringComparison.Ordinal))?[..^".dsc".Length];

    /// <summary>The columns as DLRN's <c>saveYAML_commit</c> writes them: every value a string, sorted keys.
    /// The columns this record does not hold are written as DLRN writes them for a new commit.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToColumns() =>
        [.. Columns.Select(column => new KeyValuePair<string, string>(column.Key, column.Value(this)))];

    /// <summary>The <c>commit.yaml</c> text. Values are double-quoted (JSON string syntax is valid YAML),
    /// so hashes made only of digits stay strings.</summary>
    public string ToYaml()
    {
        var text = new StringBuilder("commits:\n");
        var first = true;
        foreach (var (key, value) in ToColumns())
        {
            text.Append(first ? "- " : "  ").Append(key).Append(": ").Append(JsonSerializer.Serialize(value, DlrnJsonContext.Default.String)).Append('\n');
            first = false;
        }

        return text.ToString();
    }

    /// <summary>Parses and checks a commit.yaml the way DLRN's importer reads it; errors name the source and line
    /// and carry <see cref="DlrnExitCodes.BuildResultInvalid"/>.</summary>
    public static IReadOnlyList<DlrnCommit> Parse(string yaml, string source) => Read(yaml, source, lenient: false);

    /// <summary>
    /// Reads the commits of an earlier result's commit.yaml (DLRN's or ours), for the build's history; null when the
    /// text is not a commit.yaml. Lenient where <see cref="Parse"/> is strict for the importer's sake: unknown keys are
    /// ignored (<c>rpms</c>, the older name of <c>artifacts</c>, is read), missing or unreadable project, status and
    /// times are empty or 0, and the hashes' characters and the artifacts' folder are not checked.
    /// </summary>
    public static IReadOnlyList<DlrnCommit>? TryParse(string yaml)
    {
        try
        {
            return Read(yaml, "an earlier result", lenient: true);
        }
        catch (CiJobsException)
        {
            return null;
        }
    }

    private static List<DlrnCommit> Read(string yaml, string source, bool lenient)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        YamlStream stream;
        try
        {
            stream = BoundedYaml.Load(yaml);
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

        var result = new List<DlrnCommit>();
        foreach (var node in commits.Children)
        {
            if (node is not YamlMappingNode mapping)
            {
                throw Invalid(source, $"line {node.Start.Line}: a commit is not a mapping");
            }

            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                if (keyNode is not YamlScalarNode { Value: var key })
                {
                    throw Invalid(source, $"line {keyNode.Start.Line}: a key is not a string");
                }

                key ??= "";
                if (!lenient && !KnownKeys.Contains(key))
                {
                    throw Invalid(source, $"line {keyNode.Start.Line}: unknown key '{key}' (DLRN refuses it)");
                }

                if (valueNode is not YamlScalarNode scalar)
                {
                    throw Invalid(source, $"line {valueNode.Start.Line}: '{key}' is not a string");
                }

                fields[key] = scalar.Value ?? NoneValue;
            }

            result.Add(FromFields(fields, source, mapping.Start.Line, lenient));
        }

        return result;
    }

    private static DlrnCommit FromFields(Dictionary<string, string> fields, string source, long line, bool lenient)
    {
        string? Optional(string key) => fields.TryGetValue(key, out var value) && value is not ("" or NoneValue) ? value : null;
        string Required(string key) => Optional(key) ?? throw Invalid(source, $"line {line}: '{key}' is missing");
        double Time(string key, bool integer) => lenient
            ? double.TryParse(Optional(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : 0
            : ParseNumber(Required(key), key, source, line, integer);

        var commitHash = Required("commit_hash");
        var distroHash = Required("distro_hash");
        if (commitHash.Length < 4 || (!lenient && (!commitHash.All(char.IsAsciiLetterOrDigit) || !distroHash.All(char.IsAsciiLetterOrDigit))))
        {
            throw Invalid(source, $"line {line}: commit_hash and distro_hash must be hexadecimal hashes");
        }

        var commit = new DlrnCommit
        {
            ProjectName = lenient ? Optional("project_name") ?? "" : Required("project_name"),
            CommitHash = commitHash,
            DistroHash = distroHash,
            ExtendedHash = Optional("extended_hash"),
            CommitBranch = Optional("commit_branch"),
            Component = Optional("component"),
            Status = Optional("status") ?? (lenient ? "" : Success),
            DtCommit = Time("dt_commit", integer: false),
            DtDistro = (long)Time("dt_distro", integer: true),
            DtBuild = (long)Time("dt_build", integer: true),
            Notes = Optional("notes"),
            Artifacts = (Optional("artifacts") ?? Optional("rpms")) is { } artifacts
                ? [.. artifacts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
                : [],
            RepoDir = Optional("repo_dir"),
            DistgitDir = Optional("distgit_dir"),
        };

        if (!lenient)
        {
            CheckArtifacts(commit, source, line);
        }

        return commit;
    }

    /// <summary>The importer writes each artifact to its path under the datadir: it must be directly in the commit's directory.</summary>
    private static void CheckArtifacts(DlrnCommit commit, string source, long line)
    {
        var directory = commit.ShardedDirectory + "/";
        foreach (var artifact in commit.Artifacts)
        {
            var fileName = FileNameOf(artifact);
            if (!artifact.StartsWith(directory, StringComparison.Ordinal) || fileName.Length == 0 || artifact.Length != directory.Length + fileName.Length)
            {
                throw Invalid(source, $"line {line}: artifact '{artifact}' is not directly under the commit's directory '{commit.ShardedDirectory}'");
            }
        }
    }

    /// <summary>An artifact's file name: what follows its last <c>/</c>.</summary>
    private static string FileNameOf(string artifact) => artifact[(artifact.LastIndexOf('/') + 1)..];

    private static double ParseNumber(string value, string key, string source, long line, bool integer)
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
