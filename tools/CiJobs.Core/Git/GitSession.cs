using System.Globalization;
using System.Text;

namespace CiJobs.Core.Git;

/// <summary>The name and e-mail address git records as author and committer.</summary>
public sealed record GitIdentity(string Name, string Email)
{
    /// <summary>The identity of commits the bots make (merge-request mirroring).</summary>
    public static GitIdentity Bot { get; } = new(GitCli.BotName, GitCli.BotEmail);
}

/// <summary>
/// How <see cref="GitCli"/> retries a failed command: only failures <see cref="IsTransient"/> accepts (a lost ref lock,
/// a remote that hung up), up to <see cref="Attempts"/> runs in all, waiting <see cref="Delay"/> times the attempt number
/// in between. See docs/architecture.md, "Running git".
/// </summary>
public sealed record GitRetry(int Attempts, TimeSpan Delay)
{
    /// <summary>For pushes that race other pushes to the same ref (the merge-request mirroring).</summary>
    public static GitRetry TransientTransfer { get; } = new(5, TimeSpan.FromMilliseconds(200));

    private static readonly string[] TransientMarkers =
    [
        "cannot lock ref",
        "unable to lock",
        "ref lock",
        "failed to update ref",
        "remote end hung up",
    ];

    /// <summary>Failures that another attempt cannot mend, even when git also reports a hang-up after them.</summary>
    private static readonly string[] PermanentMarkers =
    [
        "authentication failed",
        "could not read username",
        "could not read password",
        "permission denied",
        "http 401",
        "http 403",
        "error: 401",
        "error: 403",
        "non-fast-forward",
        "fetch first",
        "[rejected]",
        "hook declined",
    ];

    /// <summary>Whether git's standard error describes a failure another attempt may not meet.</summary>
    public static bool IsTransient(string standardError)
    {
        ArgumentNullException.ThrowIfNull(standardError);
        return !PermanentMarkers.Any(m => standardError.Contains(m, StringComparison.OrdinalIgnoreCase))
            && TransientMarkers.Any(m => standardError.Contains(m, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>
/// What a <see cref="GitCli"/> gives every git command it runs: an identity, a forge authorization header, a fixed
/// commit date and an ssh key file, each optional, and a retry policy. The header reaches git only through
/// <c>GIT_CONFIG_*</c> variables and is redacted, with the credential inside it, from everything a failure reports.
/// </summary>
public sealed record GitSession
{
    private readonly string? sshKeyFile;

    /// <summary>Nothing but the deterministic environment every git command gets.</summary>
    public static GitSession Quiet { get; } = new();

    public GitIdentity? Identity { get; init; }

    /// <summary>A full header line, e.g. <c>Authorization: Basic …</c>, sent as <c>http.extraHeader</c>.</summary>
    public string? AuthorizationHeader { get; init; }

    /// <summary>Author and committer date of the commits made in this session.</summary>
    public DateTimeOffset? CommitDate { get; init; }

    /// <summary>Private key for ssh transfers; a path with a quote or a control character is refused.</summary>
    public string? SshKeyFile
    {
        get => sshKeyFile;
        init => sshKeyFile = value is null || IsSafeSshKeyFile(value)
            ? value
            : throw new ArgumentException("the ssh key file path must not be empty nor contain quotes, backslashes or control characters.", nameof(value));
    }

    public GitRetry? Retry { get; init; }

    /// <summary>Whether <paramref name="path"/> can go between single quotes in <c>GIT_SSH_COMMAND</c> unchanged.</summary>
    public static bool IsSafeSshKeyFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Length > 0 && !path.Any(c => c is '\'' or '"' or '`' or '\\' || char.IsControl(c));
    }

    /// <summary>Variables that make git deterministic and independent of the user's config.</summary>
    private static readonly IReadOnlyDictionary<string, string?> QuietEnvironment = new Dictionary<string, string?>
    {
        ["GIT_TERMINAL_PROMPT"] = "0",
        ["GIT_CONFIG_NOSYSTEM"] = "1",
        ["LC_ALL"] = "C",
    };

    /// <summary>The variables set on top of the process environment for each git command of the session.</summary>
    public IReadOnlyDictionary<string, string?> Environment()
    {
        if (Identity is null && AuthorizationHeader is null && CommitDate is null && SshKeyFile is null)
        {
            return QuietEnvironment;
        }

        var environment = new Dictionary<string, string?>(QuietEnvironment);
        if (Identity is { } identity)
        {
            environment["GIT_AUTHOR_NAME"] = identity.Name;
            environment["GIT_AUTHOR_EMAIL"] = identity.Email;
            environment["GIT_COMMITTER_NAME"] = identity.Name;
            environment["GIT_COMMITTER_EMAIL"] = identity.Email;
        }

        if (AuthorizationHeader is { } header)
        {
            environment["GIT_CONFIG_COUNT"] = "1";
            environment["GIT_CONFIG_KEY_0"] = "http.extraHeader";
            environment["GIT_CONFIG_VALUE_0"] = header;
        }

        if (CommitDate is { } date)
        {
            var text = date.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + " +0000";
            environment["GIT_AUTHOR_DATE"] = text;
            environment["GIT_COMMITTER_DATE"] = text;
        }

        if (SshKeyFile is { } key)
        {
            environment["GIT_SSH_COMMAND"] = $"ssh -i '{key}' -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new";
        }

        return environment;
    }

    /// <summary>
    /// Every form of the secret the session holds, longest first: the header line, its value, the credential after the
    /// scheme, and for Basic credentials the decoded <c>user:token</c> and the token.
    /// </summary>
    public IReadOnlyList<string> Secrets()
    {
        if (string.IsNullOrEmpty(AuthorizationHeader))
        {
            return [];
        }

        var secrets = new HashSet<string>(StringComparer.Ordinal) { AuthorizationHeader.Trim() };
        var colon = AuthorizationHeader.IndexOf(':', StringComparison.Ordinal);
        var value = (colon >= 0 ? AuthorizationHeader[(colon + 1)..] : AuthorizationHeader).Trim();
        secrets.Add(value);
        foreach (var word in value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            secrets.Add(word);
            if (TryDecodeBase64(word) is { } decoded)
            {
                secrets.Add(decoded);
                var separator = decoded.IndexOf(':', StringComparison.Ordinal);
                if (separator >= 0)
                {
                    secrets.Add(decoded[(separator + 1)..]);
                }
            }
        }

        return [.. secrets.Where(s => s.Length > 0).OrderByDescending(s => s.Length)];
    }

    private static string? TryDecodeBase64(string text)
    {
        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, buffer, out var length))
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
