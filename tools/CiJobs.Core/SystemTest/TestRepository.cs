using System.Text.RegularExpressions;

namespace CiJobs.Core.SystemTest;

public enum TestRepositoryFormat
{
    Rpm,
    Deb,
}

/// <summary>
/// One per-change test repository a system test installs from: an RPM repository (a baseurl) or a single-component
/// APT repository (URL, codename, component). <paramref name="Origin"/> says where it came from, for logs only.
/// </summary>
public sealed record TestRepository(string Name, TestRepositoryFormat Format, string Url, string? Codename, string? Component, string Origin)
{
    /// <summary>The most repositories one system test takes (a gate queue rarely holds more than a few dozen items).</summary>
    public const int MaxRepositories = 500;

    /// <summary>Checks every field that ends up in a <c>.repo</c> file, a sources.list line or a file name.</summary>
    public static TestRepository Create(string name, TestRepositoryFormat format, string url, string? codename, string? component, string origin)
    {
        if (!TestRepositoryNames.IsValidName(name))
        {
            throw Invalid($"test repository name '{Printable(name)}' from {origin} is not a safe name (letters, digits, '.', '_', '+', '-'; at most 128 characters)");
        }

        var checkedUrl = CheckUrl(url, origin);
        if (format == TestRepositoryFormat.Deb)
        {
            codename ??= "";
            component ??= "main";
            if (!TestRepositoryNames.IsValidWord(codename) || !TestRepositoryNames.IsValidWord(component))
            {
                throw Invalid($"APT test repository '{name}' from {origin} needs a codename and a component made of letters, digits, '.', '_' and '-' (got '{Printable(codename)}' and '{Printable(component)}')");
            }
        }
        else
        {
            codename = null;
            component = null;
        }

        return new TestRepository(name, format, checkedUrl, codename, component, origin);
    }

    private static string CheckUrl(string url, string origin)
    {
        if (string.IsNullOrEmpty(url) || url.Length > 2048 || url.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '\'' or '[' or ']' or '<' or '>' or '\\'))
        {
            throw Invalid($"test repository URL from {origin} is empty, too long or holds spaces, quotes, brackets or control characters");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "file"))
        {
            throw Invalid($"test repository URL from {origin} is not an absolute http, https or file URL");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new CiJobsException($"test repository URL from {origin} carries credentials; give the repository without them", ExitCodes.CredentialsInUrl);
        }

        return url.EndsWith('/') ? url : url + "/";
    }

    internal static CiJobsException Invalid(string message) => new(message, SystemTestExitCodes.InvalidRepositories);

    private static string Printable(string value) => new([.. value.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
}

internal static partial class TestRepositoryNames
{
    public static bool IsValidName(string value) => value.Length <= 128 && NamePattern().IsMatch(value) && !value.Contains("..", StringComparison.Ordinal);

    public static bool IsValidWord(string value) => value.Length <= 64 && WordPattern().IsMatch(value);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._+-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex WordPattern();
}
