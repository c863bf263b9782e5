using System.Text.RegularExpressions;

namespace CiJobs.Core.Forges.Mirroring;

/// <summary>
/// The hidden HTML-comment markers that link a source-git and a dist-git merge request (no database):
/// the dist-git description names the source-git MR and the synced sha; the source-git description names
/// the dist-git MR; the bot's one comment on the source-git MR carries its own marker so it is edited in place.
/// </summary>
public static partial class MirrorMarkers
{
    public const string NoteMarker = "<!-- cijobs:mirror-note -->";

    public const string SupersededMarker = "<!-- cijobs:superseded -->";

    /// <summary>Title prefix of merge requests the bot opens on source-git from dist-git (never mirrored back).</summary>
    public const string SyncFromDistGitTitle = "Sync from dist-git";

    public static string SourceGitLink(string project, int number) => $"<!-- cijobs:source-git-mr={project}!{number} -->";

    public static string DistGitLink(string project, int number) => $"<!-- cijobs:dist-git-mr={project}!{number} -->";

    public static string SyncedSha(string sha) => $"<!-- cijobs:source-git-sha={sha} -->";

    /// <summary>The stable bot branch in dist-git for a source-git MR: never derived from version or title.</summary>
    public static string DistGitBranch(int sourceGitNumber) => $"source-git-mr-{sourceGitNumber}";

    /// <summary>The stable source-git branch for dist-git changes made outside the flow.</summary>
    public static string SyncFromDistGitBranch(string branch) => $"sync-from-dist-git/{branch}";

    public static (string Project, int Number)? ParseSourceGitLink(string description) =>
        SourceGitLinkRegex().Match(description) is { Success: true } m ? (m.Groups[1].Value, int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)) : null;

    public static string? ParseSyncedSha(string description) =>
        SyncedShaRegex().Match(description) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>The <c>From-source-git-commit</c> trailer value of a commit message, if any.</summary>
    public static string? ParseFromSourceGitCommit(string message) =>
        FromSourceGitRegex().Match(message) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>The description without any cijobs marker lines (to copy a contributor's text).</summary>
    public static string StripMarkers(string description) => AnyMarkerRegex().Replace(description, "").TrimEnd();

    /// <summary>Dist-git convention: <c>Bugzilla: 123</c> or <c>Bugzilla: https://…show_bug.cgi?id=123</c> lines become <c>Resolves: bz#123</c>.</summary>
    public static string RewriteBugzilla(string text) => BugzillaRegex().Replace(text, "Resolves: bz#$1");

    [GeneratedRegex(@"^Bugzilla:[ \t]*(?:\S*[?&]id=)?(\d+)[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex BugzillaRegex();

    [GeneratedRegex(@"<!-- cijobs:source-git-mr=(\S+)!(\d+) -->")]
    private static partial Regex SourceGitLinkRegex();

    [GeneratedRegex(@"<!-- cijobs:source-git-sha=([0-9a-f]{7,64}) -->")]
    private static partial Regex SyncedShaRegex();

    [GeneratedRegex(@"^From-source-git-commit:\s*([0-9a-f]{7,64})\s*$", RegexOptions.Multiline)]
    private static partial Regex FromSourceGitRegex();

    [GeneratedRegex(@"\n?<!-- cijobs:[^>]*-->\n?")]
    private static partial Regex AnyMarkerRegex();
}
