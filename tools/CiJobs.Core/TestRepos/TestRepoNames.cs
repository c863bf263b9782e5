using System.Globalization;
using System.Text.RegularExpressions;
using CiJobs.Core.Builds;

namespace CiJobs.Core.TestRepos;

/// <summary>The pipeline a test repository is made for; it decides the derived name (docs/manual/testrepo.md, "Names").</summary>
public enum TestRepoPipeline
{
    Check,
    Gate,
}

/// <summary>
/// Names of test repositories: each becomes a folder under ROOT, a .repo section and a .list file name, so only
/// <c>[A-Za-z0-9][A-Za-z0-9._+-]*</c>, without <c>..</c>, at most <see cref="MaxLength"/> characters
/// (docs/manual/testrepo.md, "Names").
/// </summary>
public static partial class TestRepoNames
{
    public const int MaxLength = 100;

    /// <summary>How many characters of the Zuul queue item's uuid a gate name keeps.</summary>
    public const int ItemPrefixLength = 12;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._+-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeName();

    [GeneratedRegex("^[A-Za-z0-9-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeItem();

    [GeneratedRegex("^[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Digits();

    public static bool IsSafe(string name) =>
        name.Length <= MaxLength && SafeName().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>Returns <paramref name="name"/> when it is safe; else throws <see cref="TestRepoExitCodes.InvalidOption"/>.</summary>
    public static string Validate(string name, string what = "--name") => IsSafe(name)
        ? name
        : throw new CiJobsException(
            $"invalid {what} '{PackageNames.Printable(name)}': use 1 to {MaxLength} letters, digits and . _ + - (starting with a letter or digit, no '..')",
            TestRepoExitCodes.InvalidOption);

    /// <summary>
    /// The name of the test repository of a Zuul item: <c>check-&lt;change&gt;-&lt;patchset&gt;</c>, or for gate, where
    /// the same change can be tested in several queue items, <c>gate-&lt;change&gt;-&lt;patchset&gt;-&lt;first 12 characters
    /// of the item uuid&gt;</c>. The item is ignored for check.
    /// </summary>
    public static string Derive(TestRepoPipeline pipeline, string change, string patchset, string? item)
    {
        var changeNumber = PositiveInteger(change, "--change");
        var patchsetNumber = PositiveInteger(patchset, "--patchset");
        if (pipeline == TestRepoPipeline.Check)
        {
            return Validate($"check-{changeNumber}-{patchsetNumber}");
        }

        if (string.IsNullOrEmpty(item))
        {
            throw new CiJobsException("a gate test repository needs --item (the Zuul queue item's uuid), so that each queue item gets its own", TestRepoExitCodes.InvalidOption);
        }

        if (item.Length < ItemPrefixLength || item.Length > MaxLength || !SafeItem().IsMatch(item))
        {
            throw new CiJobsException(
                $"invalid --item '{PackageNames.Printable(item)}': a Zuul item uuid of at least {ItemPrefixLength} letters, digits or dashes",
                TestRepoExitCodes.InvalidOption);
        }

        return Validate($"gate-{changeNumber}-{patchsetNumber}-{item[..ItemPrefixLength]}");
    }

    /// <summary>A positive decimal integer (digits only, at most 18 of them), returned without leading zeros.</summary>
    private static string PositiveInteger(string value, string what)
    {
        if (value.Length is > 0 and <= 18 && Digits().IsMatch(value) && long.Parse(value, CultureInfo.InvariantCulture) is > 0 and var number)
        {
            return number.ToString(CultureInfo.InvariantCulture);
        }

        throw new CiJobsException($"invalid {what} '{PackageNames.Printable(value)}': a positive integer", TestRepoExitCodes.InvalidOption);
    }
}
