using System.Globalization;
using System.Text.RegularExpressions;

namespace CiJobs.Core.Builds;

/// <summary>DLRN's version and release scheme for sources without Python/Ruby/Puppet metadata.</summary>
public static partial class DlrnVersioning
{
    /// <summary>The version used when the source has no tag (DLRN's fallback).</summary>
    public const string FallbackVersion = "0.0.1";

    [GeneratedRegex(@"^[vVrR](?=[0-9])")]
    private static partial Regex LeadingLetter();

    // DLRN's setversionandrelease: pre-release suffixes go; what stays is the RPM Version.
    [GeneratedRegex(@"(\.dev.*|\.0rc[0-9].*|\.0b[0-9].*|\.0a[0-9].*|\.g[0-9a-f]+.*|\.pre.*|-.*)$")]
    private static partial Regex PreReleaseSuffix();

    [GeneratedRegex(@"^[A-Za-z0-9._+~^]+$")]
    private static partial Regex RpmVersionCharacters();

    /// <summary>The upstream version from a tag: one leading v, V, r or R before a digit is dropped.</summary>
    public static string UpstreamVersionFromTag(string? tag) =>
        string.IsNullOrWhiteSpace(tag) ? FallbackVersion : LeadingLetter().Replace(tag.Trim(), "");

    /// <summary>The RPM Version for an upstream version: pre-release suffixes stripped, a dash becomes a dot.
    /// Falls back to <see cref="FallbackVersion"/> when nothing valid is left.</summary>
    public static string RpmVersion(string upstreamVersion)
    {
        var version = PreReleaseSuffix().Replace(upstreamVersion, "").Replace('-', '.');
        return version.Length > 0 && RpmVersionCharacters().IsMatch(version) ? version : FallbackVersion;
    }

    /// <summary><c>0.&lt;UTC build time %Y%m%d%H%M%S&gt;.&lt;7-char source hash&gt;</c>, without the dist tag.</summary>
    public static string Release(DateTimeOffset buildTime, string sourceHash) =>
        "0." + buildTime.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + sourceHash[..Math.Min(7, sourceHash.Length)];
}
