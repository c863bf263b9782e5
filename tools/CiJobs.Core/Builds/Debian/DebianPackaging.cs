using System.Globalization;
using System.Text.RegularExpressions;

namespace CiJobs.Core.Builds.Debian;

/// <summary>The source format a distgit's <c>debian/source/format</c> names.</summary>
public enum DebianSourceFormat
{
    /// <summary><c>3.0 (quilt)</c>, <c>1.0</c> or no file: an upstream tarball plus the debian/ changes; the version has a revision.</summary>
    WithUpstreamTarball,

    /// <summary><c>3.0 (native)</c>: one tarball; the version has no revision.</summary>
    Native,
}

/// <summary>
/// The Debian side of DLRN's versioning: the version a build gets, the <c>debian/changelog</c> entry that carries it, and
/// the source format. The rules and the dpkg documents behind them are in docs/manual/build.md ("Debian packages").
/// </summary>
public static partial class DebianPackaging
{
    /// <summary>deb-version(7): an upstream version starts with a digit and holds letters, digits and <c>. + ~</c>
    /// (a hyphen only when a revision follows; DLRN's Version never holds one).</summary>
    [GeneratedRegex(@"^[0-9][A-Za-z0-9.+~]{0,199}\z")]
    private static partial Regex UpstreamVersion();

    /// <summary>A distribution (codename or suite) as it appears in the changelog and an APT repository.</summary>
    [GeneratedRegex(@"^[a-z0-9][a-z0-9.+-]{0,63}\z")]
    private static partial Regex Distribution();

    /// <summary>The first line of a changelog entry: <c>source (version) distributions; urgency=…</c>.</summary>
    [GeneratedRegex(@"^(?<source>[a-z0-9][a-z0-9+.-]+) \((?<version>[^()\s]+)\) [^;]+;")]
    private static partial Regex ChangelogHeader();

    public static bool IsUpstreamVersion(string version) => UpstreamVersion().IsMatch(version);

    public static bool IsDistribution(string name) => Distribution().IsMatch(name);

    /// <summary>Checks a distribution name given on the command line (<c>--codename</c>).</summary>
    public static string ValidateDistribution(string name) => IsDistribution(name)
        ? name
        : throw new CiJobsException(
            $"invalid --codename '{PackageNames.Printable(name)}': use lower-case letters, digits and . + - only",
            BuildExitCodes.InvalidOption);

    /// <summary>Reads <c>debian/source/format</c> (null when the distgit has none, which dpkg-source reads as 1.0).</summary>
    public static DebianSourceFormat Format(string? formatFile)
    {
        var value = formatFile?.Trim();
        return value switch
        {
            null or "" or "1.0" or "3.0 (quilt)" => DebianSourceFormat.WithUpstreamTarball,
            "3.0 (native)" => DebianSourceFormat.Native,
            _ => throw new CiJobsException(
                $"debian/source/format '{PackageNames.Printable(value)}' is not supported: use '3.0 (quilt)', '3.0 (native)' or '1.0'",
                BuildExitCodes.SpecInvalid),
        };
    }

    /// <summary>
    /// The version of a build: DLRN's Version as the upstream part and DLRN's <c>0.&lt;time&gt;.&lt;hash&gt;</c> release as
    /// the Debian revision (<c>1.2.1-0.20261206093000.1a2b3c4</c>); for a native package the release follows a
    /// <c>+</c> instead (<c>1.2.1+0.20261206093000.1a2b3c4</c>). Either sorts after every earlier build of the same
    /// Version (the build time comes first in the release).
    /// </summary>
    public static string Version(string upstreamVersion, string release, DebianSourceFormat format)
    {
        if (!IsUpstreamVersion(upstreamVersion))
        {
            throw new CiJobsException(
                $"the version '{PackageNames.Printable(upstreamVersion)}' is not a Debian upstream version: it must start with a digit and hold only letters, digits and . + ~",
                BuildExitCodes.SpecInvalid);
        }

        return upstreamVersion + (format == DebianSourceFormat.Native ? "+" : "-") + release;
    }

    /// <summary>The upstream part of the version in the changelog's top entry, for <c>--keep-version</c>
    /// (epoch and revision dropped), or null when the changelog has no readable entry.</summary>
    public static string? ChangelogUpstreamVersion(string? changelog)
    {
        var first = changelog?.Split('\n').FirstOrDefault(l => l.Trim().Length > 0);
        var match = first is null ? null : ChangelogHeader().Match(first);
        if (match is not { Success: true })
        {
            return null;
        }

        var version = match.Groups["version"].Value;
        var colon = version.IndexOf(':', StringComparison.Ordinal);
        version = colon >= 0 ? version[(colon + 1)..] : version;
        var dash = version.LastIndexOf('-');
        return dash > 0 ? version[..dash] : version;
    }

    /// <summary>
    /// The new <c>debian/changelog</c>: one entry for this build (deb-changelog(5) format), followed by the distgit's own
    /// entries when <paramref name="keepOld"/> is set. <paramref name="maintainer"/> is the control file's Maintainer.
    /// </summary>
    public static string Changelog(string source, string version, string distribution, IReadOnlyList<string> changes, string? maintainer, DateTimeOffset time, string? oldChangelog, bool keepOld)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var trailer = maintainer is { Length: > 0 } ? maintainer : "cijobs <cijobs@localhost>";
        var date = time.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss", CultureInfo.InvariantCulture) + " +0000";
        var entry = $"{source} ({version}) {distribution}; urgency=medium\n\n"
            + string.Concat(changes.Select(c => $"  * {c}\n"))
            + $"\n -- {trailer}  {date}\n";
        return keepOld && oldChangelog is { Length: > 0 } old ? entry + "\n" + old.TrimStart('\n') : entry;
    }
}
