using System.Globalization;

namespace CiJobs.Core.Builds;

/// <summary>The newest tag reachable from the source commit, as DLRN reads it, checked by <see cref="GitValues"/>.</summary>
/// <param name="Name">The tag (<c>git describe --abbrev=0 --tags</c>).</param>
/// <param name="PastTag">True when the commit is not the tagged one (<c>git describe --tags</c> prints more than the tag).</param>
public sealed record SourceTag
{
    public SourceTag(string name, bool pastTag, string repository = "source")
    {
        Name = GitValues.Tag(name, repository);
        PastTag = pastTag;
    }

    public string Name { get; }

    public bool PastTag { get; }
}

/// <summary>The two versions DLRN derives: the upstream one (<c>%{upstream_version}</c>, the tarball's top folder)
/// and the RPM <c>Version</c>.</summary>
public sealed record DlrnVersion(string UpstreamVersion, string Version);

/// <summary>
/// DLRN's version and release rules for a source without Python, Ruby or Puppet metadata: its
/// <c>detect_version_and_release</c> and <c>setversionandrelease</c> shell functions. Each rule and the upstream
/// lines that decide it are in docs/contracts/dlrn-build.md ("Version" and "Release").
/// </summary>
public static class DlrnVersioning
{
    /// <summary>The version used when there is no tag or the version cannot be parsed (DLRN's fallback).</summary>
    public const string FallbackVersion = "0.0.1";

    /// <summary>The versions for the source's newest tag (null when it has none).</summary>
    public static DlrnVersion FromTag(SourceTag? tag)
    {
        var version = "";
        if (tag is not null)
        {
            version = StripLeadingLetter(tag.Name);
            if (version.Length > 0 && tag.PastTag && !version.Contains("-rc", StringComparison.Ordinal))
            {
                version = BumpLastNumber(version);
            }
        }

        return SetVersionAndRelease(version.Length > 0 ? version : FallbackVersion);
    }

    /// <summary><c>sed 's/^[vVrR]//'</c>: one leading v, V, r or R goes, whatever follows it.</summary>
    public static string StripLeadingLetter(string tag) =>
        tag.Length > 0 && tag[0] is 'v' or 'V' or 'r' or 'R' ? tag[1..] : tag;

    /// <summary>
    /// The post-tag bump: the last dot-separated field is read as an awk number and 1 is added, the fields before it
    /// are kept (<c>1.2.0</c> gives <c>1.2.1</c>, <c>9</c> gives <c>10</c>, <c>1.0.0.0b2</c> gives <c>1.0.0.1</c>).
    /// </summary>
    public static string BumpLastNumber(string version)
    {
        var dot = version.LastIndexOf('.');
        return version[..(dot + 1)] + AwkFormat(AwkNumber(version[(dot + 1)..]) + 1);
    }

    /// <summary>
    /// <c>setversionandrelease</c>: the first rule that matches decides the RPM Version; the upstream version is the
    /// input unchanged. Returns <see cref="FallbackVersion"/> as the Version when no rule matches.
    /// </summary>
    public static DlrnVersion SetVersionAndRelease(string upstreamVersion)
    {
        ArgumentNullException.ThrowIfNull(upstreamVersion);
        return new DlrnVersion(upstreamVersion, RpmVersion(upstreamVersion));
    }

    private static string RpmVersion(string value)
    {
        // 1. "version-release": everything before the first dash, when at least one character follows that dash.
        var dash = value.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0 && dash < value.Length - 1)
        {
            return value[..dash];
        }

        // 2-6. ".0rc", ".0b", ".0a", ".dev", ".g" followed by at least one character: everything before the last such
        // marker (POSIX regular expressions take the longest first group).
        foreach (var marker in new[] { ".0rc", ".0b", ".0a", ".dev", ".g" })
        {
            var at = LastMarkerFollowedByMore(value, marker);
            if (at >= 0)
            {
                return value[..at];
            }
        }

        // 7. ".pre" anywhere: everything before the last one.
        var pre = value.LastIndexOf(".pre", StringComparison.Ordinal);
        if (pre >= 0)
        {
            return value[..pre];
        }

        // 8. Only digits and dots: the version as it is. 9. Anything else: the fallback.
        return value.All(c => c is '.' or (>= '0' and <= '9')) ? value : FallbackVersion;
    }

    private static int LastMarkerFollowedByMore(string value, string marker)
    {
        for (var at = value.Length - marker.Length - 1; at >= 0; at--)
        {
            if (string.CompareOrdinal(value, at, marker, 0, marker.Length) == 0)
            {
                return at;
            }
        }

        return -1;
    }

    /// <summary>
    /// A string as gawk (RHEL's awk, where DLRN runs) reads it as a number: a leading letter gives 0; a sign and
    /// <c>inf</c> or <c>nan</c> of exactly four characters is that value, longer is 0; <c>0x…</c> is 0; otherwise the
    /// longest decimal prefix (sign, digits, exponent), 0 when there is none.
    /// </summary>
    public static double AwkNumber(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (field.Length == 0 || char.IsAsciiLetter(field[0]))
        {
            return 0;
        }

        var signed = field[0] is '+' or '-';
        if (signed && field.Length >= 4 && IsMagic(field.AsSpan(1, 3)))
        {
            if (field.Length > 4)
            {
                return 0;
            }

            var magic = field[1..].Equals("inf", StringComparison.OrdinalIgnoreCase) ? double.PositiveInfinity : double.NaN;
            return field[0] == '-' ? -magic : magic;
        }

        var at = signed ? 1 : 0;
        if (field.Length > at + 1 && field[at] == '0' && field[at + 1] is 'x' or 'X')
        {
            return 0;
        }

        var digits = at;
        while (digits < field.Length && char.IsAsciiDigit(field[digits]))
        {
            digits++;
        }

        if (digits == at)
        {
            return 0;
        }

        var end = digits;
        if (end < field.Length && field[end] is 'e' or 'E')
        {
            var exponent = end + 1;
            if (exponent < field.Length && field[exponent] is '+' or '-')
            {
                exponent++;
            }

            var exponentDigits = exponent;
            while (exponentDigits < field.Length && char.IsAsciiDigit(field[exponentDigits]))
            {
                exponentDigits++;
            }

            if (exponentDigits > exponent)
            {
                end = exponentDigits;
            }
        }

        return double.Parse(field.AsSpan(0, end), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static bool IsMagic(ReadOnlySpan<char> word) =>
        word.Equals("inf", StringComparison.OrdinalIgnoreCase) || word.Equals("nan", StringComparison.OrdinalIgnoreCase);

    /// <summary>How gawk's <c>print</c> writes a number: integers in full, infinities and NaN as <c>+inf</c>,
    /// <c>-inf</c>, <c>+nan</c>, <c>-nan</c>, anything else with <c>%.6g</c>.</summary>
    public static string AwkFormat(double value)
    {
        if (double.IsNaN(value))
        {
            return double.IsNegative(value) ? "-nan" : "+nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "+inf" : "-inf";
        }

        if (Math.Floor(value) == value)
        {
            return (value == 0 ? 0 : value).ToString("F0", CultureInfo.InvariantCulture);
        }

        return value.ToString("G6", CultureInfo.InvariantCulture).Replace('E', 'e');
    }

    /// <summary>The default <c>0.date.hash</c> release: <c>0.&lt;UTC build time %Y%m%d%H%M%S&gt;.&lt;short hash&gt;</c>,
    /// without the dist tag. <paramref name="shortHash"/> is what <c>git log --abbrev=7 --format=%h</c> prints.</summary>
    public static string Release(DateTimeOffset buildTime, string shortHash) =>
        "0." + buildTime.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + shortHash;
}
