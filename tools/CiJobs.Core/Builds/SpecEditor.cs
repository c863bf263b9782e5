using System.Text;
using System.Text.RegularExpressions;

namespace CiJobs.Core.Builds;

/// <summary>What DLRN changes in a distgit spec before the SRPM build.</summary>
/// <param name="Version">The new Version, or null to keep the spec's.</param>
/// <param name="Release">The release without dist; the spec gets <c>&lt;Release&gt;%{?dist}</c>.</param>
/// <param name="Tarball">The generated source tarball's file name, put in Source0.</param>
/// <param name="UpstreamVersion">The upstream version (<c>%{upstream_version}</c>, the UPSTREAMVERSION token).</param>
public sealed record SpecEdit(string? Version, string Release, string Tarball, string UpstreamVersion, bool KeepChangelog);

/// <summary>Edits a spec the way DLRN's build_srpm.sh does (Version, Release, Source0, dlrn globals, changelog).</summary>
public static partial class SpecEditor
{
    [GeneratedRegex(@"^Version:[ \t]*(?<value>.*?)[ \t]*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex VersionLine();

    [GeneratedRegex(@"^Release:[ \t]*.*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex ReleaseLine();

    [GeneratedRegex(@"^Source0?:[ \t]*.*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex Source0Line();

    [GeneratedRegex(@"^%(global|define)[ \t]+(dlrn|dlrn_nvr|upstream_version)[ \t].*\n?", RegexOptions.Multiline)]
    private static partial Regex DlrnGlobals();

    [GeneratedRegex(@"^%changelog[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex ChangelogSection();

    /// <summary>The literal value of the first Version: line, or null.</summary>
    public static string? ReadVersion(string spec)
    {
        var match = VersionLine().Match(spec);
        return match.Success ? match.Groups["value"].Value : null;
    }

    /// <summary>Applies <paramref name="edit"/>; throws <see cref="BuildExitCodes.SpecInvalid"/> when a line to edit is missing.</summary>
    public static string Apply(string spec, SpecEdit edit)
    {
        var text = spec.Replace("\r\n", "\n", StringComparison.Ordinal);
        text = DlrnGlobals().Replace(text, "");
        text = ReplaceFirst(text, ReleaseLine(), "Release:        " + edit.Release + "%{?dist}", "Release");
        text = ReplaceFirst(text, Source0Line(), "Source0:        " + edit.Tarball, "Source0");
        text = edit.Version is null
            ? (VersionLine().IsMatch(text) ? text : throw Missing("Version"))
            : ReplaceFirst(text, VersionLine(), "Version:        " + edit.Version, "Version");
        text = text.Replace("UPSTREAMVERSION", edit.UpstreamVersion, StringComparison.Ordinal);

        if (!edit.KeepChangelog)
        {
            var changelog = ChangelogSection().Match(text);
            if (changelog.Success)
            {
                text = text[..(changelog.Index + changelog.Length)] + "\n";
            }
        }

        var dlrnNvr = edit.Tarball.EndsWith(".tar.gz", StringComparison.Ordinal) ? edit.Tarball[..^".tar.gz".Length] : edit.Tarball;
        var header = new StringBuilder()
            .Append("%global dlrn 1\n")
            .Append("%global dlrn_nvr ").Append(dlrnNvr).Append('\n')
            .Append("%global upstream_version ").Append(edit.UpstreamVersion).Append('\n');
        return header + text;
    }

    private static string ReplaceFirst(string text, Regex pattern, string replacement, string field)
    {
        var match = pattern.Match(text);
        if (!match.Success)
        {
            throw Missing(field);
        }

        return text[..match.Index] + replacement + text[(match.Index + match.Length)..];
    }

    private static CiJobsException Missing(string field) =>
        new($"the spec has no {field}: line to set", BuildExitCodes.SpecInvalid);
}
