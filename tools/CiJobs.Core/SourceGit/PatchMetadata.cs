using CiJobs.Core.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Core.SourceGit;

/// <summary>The patch-control trailers of one source-git commit (values are YAML, as in Packit).</summary>
public sealed partial record PatchMetadata(
    string? Name,
    int? Id,
    string? Status,
    bool PresentInSpecfile,
    bool Ignore,
    bool NoPrefix)
{
    public const string PatchName = "Patch-name";
    public const string PatchId = "Patch-id";
    public const string PatchStatus = "Patch-status";
    public const string PresentInSpecfileToken = "Patch-present-in-specfile";
    public const string IgnorePatch = "Ignore-patch";
    public const string NoPrefixToken = "No-prefix";

    /// <summary>The six patch-control trailer tokens.</summary>
    public static IReadOnlyList<string> Tokens { get; } = [PatchName, PatchId, PatchStatus, PresentInSpecfileToken, IgnorePatch, NoPrefixToken];

    /// <summary>True when the message has at least one patch-control trailer.</summary>
    public static bool HasTrailers(CommitMessage message) =>
        message.Trailers.Any(t => Tokens.Contains(t.Token, StringComparer.OrdinalIgnoreCase));

    /// <summary>
    /// The legacy Packit format, used when no commit in the range has patch trailers: YAML keys
    /// <c>patch_name</c>, <c>description</c>, <c>present_in_specfile</c>, <c>ignore</c>,
    /// <c>patch_id</c>, <c>no_prefix</c> at the end of the message (from the first such key on).
    /// </summary>
    /// <returns>The metadata and the message without the metadata block.</returns>
    public static (PatchMetadata Metadata, string Message) FromLegacy(string message, string commit)
    {
        var lines = message.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        for (var start = 1; start < lines.Length; start++)
        {
            if (!LegacyKey().IsMatch(lines[start]))
            {
                continue;
            }

            YamlMappingNode? mapping = null;
            try
            {
                var stream = BoundedYaml.Load(string.Join('\n', lines[start..]) + "\n");
                mapping = stream.Documents.Count == 1 ? stream.Documents[0].RootNode as YamlMappingNode : null;
            }
            catch (YamlException)
            {
                // Not the metadata block (prose that happens to start with "ignore:"); look further down.
            }

            if (mapping is null || !mapping.Children.Keys.All(k => k is YamlScalarNode { Value: { } key } && LegacyKey().IsMatch(key + ":")))
            {
                continue;
            }

            string? Value(string key) => mapping.Children.TryGetValue(new YamlScalarNode(key), out var node)
                ? (node as YamlScalarNode)?.Value ?? throw Invalid(commit, $"{key} must be a single value")
                : null;
            bool Flag(string key) => Value(key) switch
            {
                null or "false" or "False" or "no" or "" => false,
                "true" or "True" or "yes" => true,
                var other => throw Invalid(commit, $"{key} '{other}' is not true or false"),
            };

            var id = Value("patch_id");
            return (new PatchMetadata(
                CheckName(Value("patch_name"), "patch_name", commit),
                id is null ? null : int.TryParse(id, out var n) && n >= 0 ? n : throw Invalid(commit, $"patch_id '{id}' is not a non-negative integer"),
                Value("description"),
                Flag("present_in_specfile"),
                Flag("ignore"),
                Flag("no_prefix")), string.Join('\n', lines[..start]).TrimEnd('\n'));
        }

        return (new PatchMetadata(null, null, null, false, false, false), message);
    }

    [System.Text.RegularExpressions.GeneratedRegex("^(patch_name|description|present_in_specfile|ignore|squash_commits|patch_id|no_prefix):")]
    private static partial System.Text.RegularExpressions.Regex LegacyKey();

    public static PatchMetadata From(CommitMessage message, string commit)
    {
        var id = Yaml(message, PatchId, commit);
        int? number = null;
        if (id is not null)
        {
            number = int.TryParse(id, out var n) && n >= 0
                ? n
                : throw Invalid(commit, $"{PatchId} '{id}' is not a non-negative integer");
        }

        return new PatchMetadata(
            CheckName(Yaml(message, PatchName, commit), PatchName, commit),
            number,
            Yaml(message, PatchStatus, commit),
            Flag(message, PresentInSpecfileToken, commit),
            Flag(message, IgnorePatch, commit),
            Flag(message, NoPrefixToken, commit));
    }

    private static bool Flag(CommitMessage message, string token, string commit) => Yaml(message, token, commit) switch
    {
        null => false,
        "true" or "True" or "TRUE" or "yes" or "on" => true,
        "false" or "False" or "FALSE" or "no" or "off" or "" => false,
        var other => throw Invalid(commit, $"{token} '{other}' is not true or false"),
    };

    /// <summary>The trailer's value loaded as a YAML scalar (so <c>|</c> block scalars work).</summary>
    private static string? Yaml(CommitMessage message, string token, string commit)
    {
        var raw = message.Get(token);
        if (raw is null)
        {
            return null;
        }

        try
        {
            var stream = BoundedYaml.Load(raw + "\n");
            return stream.Documents.Count == 0
                ? string.Empty
                : stream.Documents[0].RootNode is YamlScalarNode scalar
                    ? scalar.Value ?? string.Empty
                    : throw Invalid(commit, $"{token} must be a single value");
        }
        catch (YamlException e)
        {
            throw Invalid(commit, $"{token} is not valid YAML ({e.Message})");
        }
    }

    /// <summary>A Patch-name that is a plain <c>.patch</c> file name (<see cref="PatchFileName"/>), or an error.</summary>
    private static string? CheckName(string? name, string token, string commit) =>
        name is null || PatchFileName.Problem(name) is not { } problem ? name : throw Invalid(commit, $"{token} {PatchFileName.Quote(name)} {problem}");

    private static CiJobsException Invalid(string commit, string detail) =>
        new($"commit {commit[..Math.Min(12, commit.Length)]}: {detail}.", SourceGitExitCodes.InvalidPatchMetadata);
}
