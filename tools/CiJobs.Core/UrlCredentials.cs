using System.Text.RegularExpressions;

namespace CiJobs.Core;

/// <summary>
/// The one check for credentials in URLs (docs/security.md, "Credentials in URLs"). A URL cijobs is given (an
/// option, an environment variable, a webhook payload) must not carry user information: tokens and passwords come
/// from variables or files only, so they never reach a command line, a message, a log or a forge. A refused URL is
/// never repeated, and <see cref="Redact"/> masks user information in any text before it is printed.
/// </summary>
public static partial class UrlCredentials
{
    /// <summary>
    /// True when <paramref name="value"/>, as a whole, is a URL (<c>scheme://...</c>) whose authority holds user
    /// information: any at all for http, https and the other schemes (GitHub and GitLab take a token as the user name),
    /// only a password for ssh (<c>ssh://git@host/...</c> names an account, not a secret).
    /// </summary>
    public static bool Carries(string? value)
    {
        if (value is null)
        {
            return false;
        }

        var match = Authority().Match(value.Trim());
        if (!match.Success)
        {
            return false;
        }

        var authority = match.Groups["authority"].Value;
        var at = authority.LastIndexOf('@');
        if (at < 0)
        {
            return false;
        }

        var scheme = match.Groups["scheme"].Value.ToLowerInvariant();
        return scheme is not ("ssh" or "git+ssh" or "ssh+git") || authority[..at].Contains(':', StringComparison.Ordinal);
    }

    /// <summary>
    /// Refuses a URL that <see cref="Carries"/> credentials, with <see cref="ExitCodes.CredentialsInUrl"/>; the
    /// message names where the URL came from (<paramref name="where"/>: an option, a variable, a field), never the URL.
    /// </summary>
    public static void EnsureNone(string? value, string where)
    {
        if (Carries(value))
        {
            throw new CiJobsException(
                $"{where} must not carry credentials (nothing before '@' in a URL); pass the token or password the way the help says " +
                "(an environment variable or a file), never in a URL",
                ExitCodes.CredentialsInUrl);
        }
    }

    /// <summary>The text with the user information of every URL in it replaced by <c>***</c>.</summary>
    public static string Redact(string text) =>
        text.Contains("://", StringComparison.Ordinal) && text.Contains('@', StringComparison.Ordinal)
            ? UserInfo().Replace(text, "${scheme}***@")
            : text;

    /// <summary>
    /// <paramref name="value"/> with the credentials of a URL removed, for records that keep URLs (the provenance
    /// manifest, docs/manual/provenance.md): all user information of an http(s) or other URL, the password only of an
    /// ssh URL (its user names an account). Anything that is not a URL is returned as it is.
    /// </summary>
    public static string Strip(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        value = value.Trim();
        var match = Authority().Match(value);
        if (!match.Success)
        {
            return value;
        }

        var group = match.Groups["authority"];
        var authority = group.Value;
        var at = authority.LastIndexOf('@');
        if (at < 0)
        {
            return value;
        }

        var scheme = match.Groups["scheme"].Value.ToLowerInvariant();
        var user = authority[..at];
        var kept = scheme is "ssh" or "git+ssh" or "ssh+git" && !user.Contains(':', StringComparison.Ordinal) ? user + "@"
            : scheme is "ssh" or "git+ssh" or "ssh+git" ? user[..user.IndexOf(':', StringComparison.Ordinal)] + "@"
            : "";
        return value[..group.Index] + kept + authority[(at + 1)..] + value[(group.Index + group.Length)..];
    }

    // RFC 3986: the authority ends at the first '/', '?' or '#' ('\' too, as browsers read http URLs).
    [GeneratedRegex(@"\A(?<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?<authority>[^/?#\\]*)")]
    private static partial Regex Authority();

    [GeneratedRegex(@"(?<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)[^\s/?#\\]*@")]
    private static partial Regex UserInfo();
}
