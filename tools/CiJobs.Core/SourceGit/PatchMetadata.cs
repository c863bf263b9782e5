using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Core.SourceGit;

/// <summary>The patch-control trailers of one source-git commit (values are YAML, as in Packit).</summary>
public sealed record PatchMetadata(
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
            Yaml(message, PatchName, commit),
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
            var stream = new YamlStream();
            stream.Load(new StringReader(raw + "\n"));
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

    private static CiJobsException Invalid(string commit, string detail) =>
        new($"commit {commit[..Math.Min(12, commit.Length)]}: {detail}.", SourceGitExitCodes.InvalidPatchMetadata);
}
