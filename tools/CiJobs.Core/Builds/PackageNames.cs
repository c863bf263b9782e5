using System.Text.RegularExpressions;

namespace CiJobs.Core.Builds;

/// <summary>Checks a package name before it becomes part of a file name or path.</summary>
public static partial class PackageNames
{
    /// <summary>RPM-name characters only; no path separators, no leading dot or dash.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._+-]{0,199}\z")]
    private static partial Regex SafeName();

    public static bool IsSafe(string name) => SafeName().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>Throws <see cref="BuildExitCodes.InvalidPackageName"/> unless <paramref name="name"/> is safe.</summary>
    public static string Validate(string name, string what = "package name")
    {
        if (!IsSafe(name))
        {
            throw new CiJobsException(
                $"invalid {what} '{Printable(name)}': use letters, digits and . _ + - only (no path separators, no leading dot or dash)",
                BuildExitCodes.InvalidPackageName);
        }

        return name;
    }

    /// <summary>
    /// Throws unless the release name <paramref name="name"/> is safe: the package-name rule, since a
    /// release names a folder of the build output (docs/contracts/rdoinfo-expansion.md).
    /// </summary>
    public static string ValidateRelease(string name, string what = "release name", int exitCode = BuildExitCodes.InvalidPackageName)
    {
        if (!IsSafe(name))
        {
            throw new CiJobsException(
                $"invalid {what} '{Printable(name)}': use letters, digits and . _ + - only (no path separators, no leading dot or dash, no '..')",
                exitCode);
        }

        return name;
    }

    [GeneratedRegex(@"^[A-Za-z0-9._+~]{0,40}\z")]
    private static partial Regex SafeDist();

    /// <summary>Checks the value of the dist macro (it ends up in every Release).</summary>
    public static string ValidateDist(string dist) => SafeDist().IsMatch(dist)
        ? dist
        : throw new CiJobsException($"invalid --dist '{Printable(dist)}': use letters, digits and . _ + ~ only", BuildExitCodes.InvalidOption);

    /// <summary>Checks the repository name (it names the .repo file and its section).</summary>
    public static string ValidateRepoName(string name) => IsSafe(name)
        ? name
        : throw new CiJobsException($"invalid --reponame '{Printable(name)}': use letters, digits and . _ + - only", BuildExitCodes.InvalidOption);

    internal static string Printable(string value) =>
        new(value.Take(200).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
