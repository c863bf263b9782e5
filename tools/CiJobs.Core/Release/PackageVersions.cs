namespace CiJobs.Core.Release;

/// <summary>
/// Version comparison as the package managers do it (docs/manual/release.md, "Version rules"): <see cref="CompareRpm"/>
/// follows rpm's <c>rpmvercmp</c> and <c>rpmverCmp</c>, <see cref="CompareDeb"/> dpkg's <c>verrevcmp</c> and
/// <c>dpkg_version_compare</c>. Both are property-tested against the real rpm and dpkg.
/// </summary>
public static class PackageVersions
{
    /// <summary>rpm's EVR order: the epoch (missing is 0), then the version, then the release, each with <see cref="RpmVerCmp"/>.</summary>
    public static int CompareRpm(RpmEvr left, RpmEvr right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var rc = RpmVerCmp(left.Epoch ?? "0", right.Epoch ?? "0");
        return rc != 0 ? rc : RpmVerCmp(left.Version, right.Version) is var v and not 0 ? v : RpmVerCmp(left.Release, right.Release);
    }

    /// <summary>rpm's segment comparison of two version strings: -1, 0 or 1.</summary>
    public static int RpmVerCmp(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a == b)
        {
            return 0;
        }

        int one = 0, two = 0;
        while (one < a.Length || two < b.Length)
        {
            while (one < a.Length && !IsAsciiAlnum(a[one]) && a[one] is not ('~' or '^'))
            {
                one++;
            }

            while (two < b.Length && !IsAsciiAlnum(b[two]) && b[two] is not ('~' or '^'))
            {
                two++;
            }

            var c1 = At(a, one);
            var c2 = At(b, two);

            // A tilde sorts before everything, the end included.
            if (c1 == '~' || c2 == '~')
            {
                if (c1 != '~')
                {
                    return 1;
                }

                if (c2 != '~')
                {
                    return -1;
                }

                one++;
                two++;
                continue;
            }

            // A caret sorts after the end but before everything else.
            if (c1 == '^' || c2 == '^')
            {
                if (c1 == '\0')
                {
                    return -1;
                }

                if (c2 == '\0')
                {
                    return 1;
                }

                if (c1 != '^')
                {
                    return 1;
                }

                if (c2 != '^')
                {
                    return -1;
                }

                one++;
                two++;
                continue;
            }

            if (c1 == '\0' || c2 == '\0')
            {
                break;
            }

            int end1 = one, end2 = two;
            bool numeric = char.IsAsciiDigit(c1);
            Func<char, bool> kind = numeric ? char.IsAsciiDigit : char.IsAsciiLetter;
            while (end1 < a.Length && kind(a[end1]))
            {
                end1++;
            }

            while (end2 < b.Length && kind(b[end2]))
            {
                end2++;
            }

            if (end2 == two)
            {
                // Segments of different kinds: a number is newer than letters.
                return numeric ? 1 : -1;
            }

            var s1 = a[one..end1];
            var s2 = b[two..end2];
            if (numeric)
            {
                s1 = s1.TrimStart('0');
                s2 = s2.TrimStart('0');
                if (s1.Length != s2.Length)
                {
                    return s1.Length > s2.Length ? 1 : -1;
                }
            }

            var rc = string.CompareOrdinal(s1, s2);
            if (rc != 0)
            {
                return rc < 0 ? -1 : 1;
            }

            one = end1;
            two = end2;
        }

        if (one >= a.Length && two >= b.Length)
        {
            return 0;
        }

        return one >= a.Length ? -1 : 1;
    }

    /// <summary>dpkg's order of two Debian versions <c>[epoch:]upstream[-revision]</c>: negative, 0 or positive.</summary>
    public static int CompareDeb(string left, string right)
    {
        var (e1, v1, r1) = SplitDeb(left);
        var (e2, v2, r2) = SplitDeb(right);
        if (e1 != e2)
        {
            return e1 > e2 ? 1 : -1;
        }

        var rc = VerRevCmp(v1, v2);
        return rc != 0 ? rc : VerRevCmp(r1, r2);
    }

    /// <summary>Splits a Debian version as dpkg does: the epoch before the first ':', the revision after the last '-'.</summary>
    public static (long Epoch, string Upstream, string Revision) SplitDeb(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var text = version.Trim();
        long epoch = 0;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            var digits = text[..colon];
            if (digits.Length is 0 or > 9 || !digits.All(char.IsAsciiDigit))
            {
                throw new CiJobsException($"invalid Debian version '{Builds.PackageNames.Printable(version)}': the epoch is not a number", ReleaseExitCodes.CannotPublish);
            }

            epoch = long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
            text = text[(colon + 1)..];
        }

        var hyphen = text.LastIndexOf('-');
        return hyphen >= 0 ? (epoch, text[..hyphen], text[(hyphen + 1)..]) : (epoch, text, "");
    }

    private static int VerRevCmp(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            var firstDiff = 0;
            while ((i < a.Length && !char.IsAsciiDigit(a[i])) || (j < b.Length && !char.IsAsciiDigit(b[j])))
            {
                var ac = Order(At(a, i));
                var bc = Order(At(b, j));
                if (ac != bc)
                {
                    return ac - bc;
                }

                i++;
                j++;
            }

            while (At(a, i) == '0')
            {
                i++;
            }

            while (At(b, j) == '0')
            {
                j++;
            }

            while (char.IsAsciiDigit(At(a, i)) && char.IsAsciiDigit(At(b, j)))
            {
                if (firstDiff == 0)
                {
                    firstDiff = a[i] - b[j];
                }

                i++;
                j++;
            }

            if (char.IsAsciiDigit(At(a, i)))
            {
                return 1;
            }

            if (char.IsAsciiDigit(At(b, j)))
            {
                return -1;
            }

            if (firstDiff != 0)
            {
                return firstDiff;
            }
        }

        return 0;
    }

    /// <summary>dpkg's weight of a character: digits 0, letters their code, '~' below everything, other characters after letters.</summary>
    private static int Order(char c) =>
        char.IsAsciiDigit(c) ? 0 : char.IsAsciiLetter(c) ? c : c == '~' ? -1 : c != '\0' ? c + 256 : 0;

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private static bool IsAsciiAlnum(char c) => char.IsAsciiLetterOrDigit(c);
}

/// <summary>An RPM's epoch (null when it has none), version and release.</summary>
public sealed record RpmEvr(string? Epoch, string Version, string Release)
{
    public override string ToString() => Epoch is null ? $"{Version}-{Release}" : $"{Epoch}:{Version}-{Release}";
}
