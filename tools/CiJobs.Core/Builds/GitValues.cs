using System.Text.RegularExpressions;

namespace CiJobs.Core.Builds;

/// <summary>
/// The one check every value a build reads from git passes before it can reach a spec, an rpm macro, a file
/// name or a path: tags, refs (branch names), commit hashes and distgit file names. A value that fails is refused
/// with a clear error instead of being quoted or escaped (docs/contracts/dlrn-build.md, "Values read from git").
/// </summary>
public static partial class GitValues
{
    /// <summary>The longest tag, ref or file name accepted.</summary>
    public const int MaxLength = 200;

    /// <summary>A tag, or a value made from one: letters, digits, <c>. _ + -</c> (and rpm's <c>~ ^</c>, which git
    /// refuses in tags); not starting with <c>. - ~ ^</c>.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_+][A-Za-z0-9._+~^-]*\z")]
    private static partial Regex Word();

    /// <summary>A ref or revision: words separated by single slashes, and the revision suffixes <c>~N</c> and <c>^N</c>.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_+][A-Za-z0-9._+-]*(/[A-Za-z0-9_+][A-Za-z0-9._+-]*)*([~^][0-9]*)*\z")]
    private static partial Regex RefPattern();

    [GeneratedRegex(@"^[0-9a-f]{7,64}\z")]
    private static partial Regex HashPattern();

    /// <summary>True when <paramref name="value"/> is a tag (or a value made from one) that is safe in a spec, a macro and a file name.</summary>
    public static bool IsSafeWord(string? value) =>
        value is { Length: > 0 and <= MaxLength } && Word().IsMatch(value) && !value.Contains("..", StringComparison.Ordinal);

    /// <summary>True when <paramref name="value"/> is a ref or revision expression that is safe to print, log and record.</summary>
    public static bool IsSafeRef(string? value) =>
        value is { Length: > 0 and <= MaxLength } && RefPattern().IsMatch(value) && !value.Contains("..", StringComparison.Ordinal);

    /// <summary>Checks a tag read from the source (<c>git describe</c>); throws <see cref="BuildExitCodes.UnsafeGitValue"/>.</summary>
    public static string Tag(string value, string repository) => IsSafeWord(value)
        ? value
        : throw Unsafe($"the {repository}'s tag '{PackageNames.Printable(value)}' cannot be used in a version: a tag must be letters, digits and . _ + - only (no '..', not starting with . or -)");

    /// <summary>Checks a ref or revision (given on the command line, in rdoinfo, or read from git); throws with <paramref name="exitCode"/>.</summary>
    public static string Ref(string value, string what, int exitCode) => IsSafeRef(value)
        ? value
        : throw new CiJobsException(
            $"invalid {what} '{PackageNames.Printable(value)}': a ref must be letters, digits and . _ + - separated by single '/', optionally followed by ~N or ^N (no '..', not starting with . - or /)",
            exitCode);

    /// <summary>Checks a commit hash printed by git (full or abbreviated, lowercase hexadecimal).</summary>
    public static string Hash(string value, string what) => HashPattern().IsMatch(value)
        ? value
        : throw Unsafe($"git printed '{PackageNames.Printable(value)}' as the {what}, which is not a hexadecimal hash");

    /// <summary>Checks a file name read from a git tree before it is used in a path (for example the spec's name).</summary>
    public static string FileName(string value, string repository) => IsSafeWord(value)
        ? value
        : throw Unsafe($"the {repository} file name '{PackageNames.Printable(value)}' is not usable: letters, digits and . _ + - only");

    /// <summary>The error for anything read from git that is refused.</summary>
    public static CiJobsException Unsafe(string message) => new(message, BuildExitCodes.UnsafeGitValue);
}
