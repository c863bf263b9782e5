namespace CiJobs.Core.Plan;

/// <summary>Matches a Zuul project to the git URLs rdoinfo lists (upstream, distgit), whatever the scheme, port or <c>.git</c>.</summary>
public static class ProjectUrl
{
    /// <summary><c>https://user@host:29418/r/org/repo.git/</c> → (<c>host</c>, <c>r/org/repo</c>); <c>file:///a/b</c> → (empty, <c>a/b</c>); null when it is no URL.</summary>
    public static (string Host, string Path)? Normalize(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        var text = url.Trim();
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            text = text[(scheme + 3)..];
        }
        else if (text.Contains(':', StringComparison.Ordinal) && text.IndexOf(':', StringComparison.Ordinal) < text.IndexOf('/', StringComparison.Ordinal))
        {
            text = text.Replace(':', '/');  // scp-like git@host:org/repo
        }

        text = text.TrimEnd('/');
        if (text.EndsWith(".git", StringComparison.Ordinal))
        {
            text = text[..^4];
        }

        var at = text.IndexOf('@', StringComparison.Ordinal);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (at >= 0 && (slash < 0 || at < slash))
        {
            text = text[(at + 1)..];
            slash = text.IndexOf('/', StringComparison.Ordinal);
        }

        if (slash == 0)
        {
            return (string.Empty, text.TrimStart('/'));  // file:///path/repo: no host
        }

        if (slash < 0)
        {
            return null;
        }

        var host = text[..slash];
        var colon = host.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            host = host[..colon];
        }

        return (host.ToLowerInvariant(), text[(slash + 1)..]);
    }

    /// <summary>
    /// True when <paramref name="url"/> names <paramref name="project"/>: same canonical name, or a path equal to the
    /// project name or ending with it (Gerrit's <c>/r/</c> prefix, mirrors under another host).
    /// </summary>
    public static bool Matches(string? url, ZuulProject project)
    {
        if (Normalize(url) is not { } normalized)
        {
            return false;
        }

        var (host, path) = normalized;
        return string.Equals($"{host}/{path}", project.Canonical, StringComparison.OrdinalIgnoreCase)
            || string.Equals(path, project.Name, StringComparison.Ordinal)
            || path.EndsWith("/" + project.Name, StringComparison.Ordinal);
    }
}
