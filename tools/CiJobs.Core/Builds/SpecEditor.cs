using System.Text.RegularExpressions;

namespace CiJobs.Core.Builds;

/// <summary>What DLRN changes in a distgit spec before the SRPM build.</summary>
/// <param name="Version">The RPM Version.</param>
/// <param name="Release">The release without dist; the spec gets <c>&lt;Release&gt;%{?dist}</c>.</param>
/// <param name="Tarball">The generated source tarball's file name (<c>&lt;Version&gt;-&lt;Release&gt;.tar.gz</c>), put in Source0.</param>
/// <param name="UpstreamVersion">The upstream version (<c>%{upstream_version}</c>, the UPSTREAMVERSION token).</param>
public sealed record SpecEdit(string Version, string Release, string Tarball, string UpstreamVersion, bool KeepChangelog);

/// <summary>
/// Edits a spec the way DLRN's build_srpm.sh does, in its order: <c>%define upstream_version</c>, <c>%global dlrn</c>,
/// <c>%global dlrn_nvr</c> (each replaced where the spec has it, else put first), the UPSTREAMVERSION token, every
/// <c>Version:</c> and <c>Release:</c>, the <c>Source:</c>/<c>Source0:</c> lines, then the changelog cut
/// (docs/contracts/dlrn-build.md, "Spec edits").
/// </summary>
public static partial class SpecEditor
{
    /// <summary>What <c>grep -e '^Version:' | awk '{print $2}'</c> reads (DLRN_KEEP_VERSION).</summary>
    [GeneratedRegex(@"^Version:[ \t]*(?<value>[^ \t\n]*)", RegexOptions.Multiline)]
    private static partial Regex VersionLine();

    [GeneratedRegex("^%define upstream_version.*", RegexOptions.Multiline)]
    private static partial Regex UpstreamVersionDefine();

    [GeneratedRegex("^%global dlrn .*", RegexOptions.Multiline)]
    private static partial Regex DlrnGlobal();

    [GeneratedRegex("^%global dlrn_nvr .*", RegexOptions.Multiline)]
    private static partial Regex DlrnNvrGlobal();

    /// <summary><c>s/Version:.*/…/</c>: anywhere in a line, to its end.</summary>
    [GeneratedRegex("Version:.*")]
    private static partial Regex VersionField();

    [GeneratedRegex("Release:.*")]
    private static partial Regex ReleaseField();

    [GeneratedRegex(@"^(?<tag>Source|Source0):.*", RegexOptions.Multiline)]
    private static partial Regex SourceLine();

    [GeneratedRegex("^%changelog.*", RegexOptions.Multiline)]
    private static partial Regex ChangelogLine();

    /// <summary>The Version a spec declares (the second word of its first <c>Version:</c> line), or null.</summary>
    public static string? ReadVersion(string spec)
    {
        var match = VersionLine().Match(spec.Replace("\r\n", "\n", StringComparison.Ordinal));
        return match.Success ? match.Groups["value"].Value : null;
    }

    /// <summary>Applies <paramref name="edit"/>. Throws <see cref="BuildExitCodes.SpecInvalid"/> when the spec has no line
    /// DLRN would set a Version, Release or Source0 in, and <see cref="BuildExitCodes.UnsafeGitValue"/> when a value is
    /// not one <see cref="GitValues"/> accepts (so nothing unchecked reaches the spec).</summary>
    public static string Apply(string spec, SpecEdit edit)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(edit);
        foreach (var (value, what) in new[] { (edit.Version, "Version"), (edit.Release, "Release"), (edit.Tarball, "Source0"), (edit.UpstreamVersion, "upstream_version") })
        {
            if (!GitValues.IsSafeWord(value))
            {
                throw GitValues.Unsafe($"the spec's {what} would be '{PackageNames.Printable(value)}': only letters, digits and . _ + - are written into a spec");
            }
        }

        var text = spec.Replace("\r\n", "\n", StringComparison.Ordinal);
        RequireLine(text, VersionField(), "Version");
        RequireLine(text, ReleaseField(), "Release");
        RequireLine(text, SourceLine(), "Source0");

        var dlrnNvr = edit.Tarball.EndsWith(".tar.gz", StringComparison.Ordinal) ? edit.Tarball[..^".tar.gz".Length] : edit.Tarball;
        text = SetOrPrepend(text, UpstreamVersionDefine(), "%define upstream_version " + edit.UpstreamVersion);
        text = SetOrPrepend(text, DlrnGlobal(), "%global dlrn 1");
        text = SetOrPrepend(text, DlrnNvrGlobal(), "%global dlrn_nvr " + dlrnNvr);
        text = text.Replace("UPSTREAMVERSION", edit.UpstreamVersion, StringComparison.Ordinal);
        text = VersionField().Replace(text, _ => "Version: " + edit.Version);
        text = ReleaseField().Replace(text, _ => "Release: " + edit.Release + "%{?dist}");
        text = SourceLine().Replace(text, match => match.Groups["tag"].Value + ": " + edit.Tarball);

        if (!edit.KeepChangelog)
        {
            var changelog = ChangelogLine().Match(text);
            if (changelog.Success)
            {
                text = text[..(changelog.Index + changelog.Length)] + "\n";
            }
        }

        return text;
    }

    /// <summary><c>grep -q PATTERN &amp;&amp; sed s/PATTERN/LINE/ || sed 1iLINE</c>.</summary>
    private static string SetOrPrepend(string text, Regex pattern, string line) =>
        pattern.IsMatch(text) ? pattern.Replace(text, _ => line) : line + "\n" + text;

    private static void RequireLine(string text, Regex pattern, string field)
    {
        if (!pattern.IsMatch(text))
        {
            throw new CiJobsException($"the spec has no {field}: line to set", BuildExitCodes.SpecInvalid);
        }
    }
}
