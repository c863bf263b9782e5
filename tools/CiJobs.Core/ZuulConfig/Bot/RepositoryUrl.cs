namespace CiJobs.Core.ZuulConfig.Bot;

/// <summary>A git URL reduced to what Zuul names a project by: the host and the path without <c>.git</c>.</summary>
public sealed record RepositoryUrl(string Host, string Path)
{
    /// <summary>
    /// <c>https://opendev.org/openstack/nova.git</c> and <c>ssh://user@review.example.org:29418/openstack/nova</c>
    /// → (<c>opendev.org</c>, <c>openstack/nova</c>); Gerrit's <c>/r/</c> web prefix is dropped. Null when no host or path.
    /// </summary>
    public static RepositoryUrl? Parse(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.IsFile || uri.Host.Length == 0)
        {
            return null;
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.EndsWith(".git", StringComparison.Ordinal))
        {
            path = path[..^4];
        }

        if (path.StartsWith("r/", StringComparison.Ordinal))
        {
            path = path[2..];
        }

        return path.Length == 0 ? null : new RepositoryUrl(uri.Host.ToLowerInvariant(), Uri.UnescapeDataString(path));
    }
}
