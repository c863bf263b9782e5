using System.Globalization;
using System.Text.RegularExpressions;
using CiJobs.Core.Builds;

namespace CiJobs.Core.Truth;

/// <summary>
/// The checks of every query argument, shared by the CLI and the HTTP API (docs/manual/truth.md, "Queries"). A bad value
/// is refused (exit 139 on the command line, 400 over HTTP) naming the argument; nothing is asked of the store.
/// </summary>
public static partial class TruthQueryInput
{
    public const int MaxLimit = 1000;
    public const int MaxDepth = 32;

    [GeneratedRegex("^[0-9a-f]{64}\\z")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex("^[0-9a-f]{40}\\z")]
    private static partial Regex CommitPattern();

    [GeneratedRegex("^([0-9a-f]{40})_([0-9a-f]{8})(?:_([0-9A-Za-z]{1,8}))?\\z")]
    private static partial Regex RepoHashPattern();

    [GeneratedRegex("^[0-9a-f]{32,64}\\z")]
    private static partial Regex AggregatePattern();

    [GeneratedRegex("^[0-9]{1,12}\\z")]
    private static partial Regex UnixSecondsPattern();

    private static CiJobsException Invalid(string what, string value, string rule) =>
        new($"invalid {what} '{PackageNames.Printable(value)}': {rule}", TruthExitCodes.StoreOption);

    /// <summary>A sha256: 64 lower-case hex digits (upper case is lowered).</summary>
    public static string Sha256(string value, string what)
    {
        ArgumentNullException.ThrowIfNull(value);
        var lowered = value.ToLowerInvariant();
        return Sha256Pattern().IsMatch(lowered) ? lowered : throw Invalid(what, value, "a sha256 is 64 hex digits");
    }

    /// <summary>An artifact sha256 (64 hex digits) or a git commit (40 hex digits).</summary>
    public static TruthInput Input(string value, string what)
    {
        ArgumentNullException.ThrowIfNull(value);
        var lowered = value.ToLowerInvariant();
        return Sha256Pattern().IsMatch(lowered) ? new TruthInput(TruthInputKind.Artifact, lowered)
            : CommitPattern().IsMatch(lowered) ? new TruthInput(TruthInputKind.Commit, lowered)
            : throw Invalid(what, value, "give an artifact sha256 (64 hex digits) or a git commit (40 hex digits)");
    }

    /// <summary>A DLRN repository hash: COMMIT_DISTRO8 or COMMIT_DISTRO8_EXTENDED8.</summary>
    public static QeSubject RepoHash(string value, string what)
    {
        ArgumentNullException.ThrowIfNull(value);
        var trimmed = value;
        return RepoHashPattern().IsMatch(trimmed)
            ? new QeSubject(QeSubjectKind.Repo, trimmed)
            : throw Invalid(what, value, "a repository hash is the 40-digit commit hash, '_' and the first 8 digits of the distro hash (optionally '_' and up to 8 characters of the extended hash)");
    }

    /// <summary>An aggregate hash: 32 to 64 hex digits.</summary>
    public static string Aggregate(string value, string what)
    {
        ArgumentNullException.ThrowIfNull(value);
        var lowered = value.ToLowerInvariant();
        return AggregatePattern().IsMatch(lowered) ? lowered : throw Invalid(what, value, "an aggregate hash is 32 to 64 hex digits");
    }

    /// <summary>A package or release name (the rule of package names).</summary>
    public static string Name(string value, string what)
    {
        ArgumentNullException.ThrowIfNull(value);
        return PackageNames.IsSafe(value) ? value : throw Invalid(what, value, "use letters, digits and . _ + - only (no leading dot or dash, no '..')");
    }

    /// <summary>A time as Unix seconds (digits only) or ISO 8601 with a date, a time and an offset (Z or +hh:mm); a date alone is midnight UTC.</summary>
    public static long Time(string value, string what)
    {
        ArgumentNullException.ThrowIfNull(value);
        var trimmed = value;
        if (UnixSecondsPattern().IsMatch(trimmed))
        {
            return long.Parse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        string[] formats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];
        if (DateTimeOffset.TryParseExact(trimmed, formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            && (trimmed.Length == 10 || trimmed.EndsWith('Z') || trimmed[^6] is '+' or '-'))
        {
            return time.ToUnixTimeSeconds();
        }

        throw Invalid(what, value, "give Unix seconds or an ISO 8601 time with its offset (2026-12-06T14:00:00Z) or a date (2026-12-06)");
    }

    /// <summary>A limit or depth in [1, <paramref name="maximum"/>].</summary>
    public static int Bounded(string value, string what, int maximum)
    {
        ArgumentNullException.ThrowIfNull(value);
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1 && number <= maximum
            ? number
            : throw Invalid(what, value, $"a whole number from 1 to {maximum}");
    }

    /// <summary>[from, to): refused when from is not before to.</summary>
    public static void Range(long from, long to)
    {
        if (from >= to)
        {
            throw new CiJobsException($"the time range is empty: from ({from}) must be before to ({to})", TruthExitCodes.StoreOption);
        }
    }
}
