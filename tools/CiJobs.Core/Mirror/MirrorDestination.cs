using System.Text.RegularExpressions;

namespace CiJobs.Core.Mirror;

/// <summary>
/// A parsed DEST: a local path, or <c>[user@]host:/path</c>. Its base name names the snapshots and the lock; every part
/// that becomes a path or an ssh argument is checked here (docs/manual/mirror.md, "Names and paths").
/// </summary>
public sealed partial record MirrorDestination(string? Host, string Parent, string Name)
{
    public bool IsRemote => Host is not null;

    public string Path => Parent == "/" ? "/" + Name : Parent + "/" + Name;

    public string SnapshotsFolder => Parent == "/" ? "/snapshots" : Parent + "/snapshots";

    public string LockFile => (Parent == "/" ? "" : Parent) + "/." + Name + ".lock";

    public override string ToString() => Host is null ? Path : $"{Host}:{Path}";

    public static MirrorDestination Parse(string destination)
    {
        if (RemoteRegex().Match(destination) is { Success: true } remote)
        {
            var path = remote.Groups["path"].Value;
            if (!SafeRemotePathRegex().IsMatch(path) || path.Split('/').Any(p => p is "." or ".." || p.StartsWith('-')))
            {
                throw new CiJobsException($"DEST path '{Shorten(path)}' is not safe for a remote command: use an absolute path of letters, digits and . _ + - / without '.' or '..' parts", MirrorExitCodes.InvalidDestination);
            }

            var (parent, name) = Split(path.TrimEnd('/'));
            return new MirrorDestination(remote.Groups["host"].Value, parent, name);
        }

        var colon = destination.IndexOf(':');
        if (colon >= 0 && (destination.IndexOf('/') is var slash && (slash < 0 || colon < slash)))
        {
            throw new CiJobsException($"DEST '{Shorten(destination)}' looks like a remote [user@]host:/path but is not one: the host must be a host name or [address] and the path absolute (write ./{Shorten(destination)} for a local path)", MirrorExitCodes.InvalidDestination);
        }

        if (destination.Length == 0 || destination.Contains('\0', StringComparison.Ordinal) || destination.Any(char.IsControl))
        {
            throw new CiJobsException("DEST is empty or holds control characters", MirrorExitCodes.InvalidDestination);
        }

        var full = System.IO.Path.GetFullPath(destination).TrimEnd('/');
        var (localParent, localName) = Split(full);
        return new MirrorDestination(null, localParent, localName);
    }

    private static (string Parent, string Name) Split(string path)
    {
        var slash = path.LastIndexOf('/');
        var parent = slash <= 0 ? "/" : path[..slash];
        var name = path[(slash + 1)..];
        if (!NameRegex().IsMatch(name) || name == "snapshots")
        {
            throw new CiJobsException($"DEST's base name '{Shorten(name)}' must be 1-100 letters, digits and . _ + - starting with a letter or digit, and not 'snapshots'", MirrorExitCodes.InvalidDestination);
        }

        return (parent, name);
    }

    private static string Shorten(string text) => text.Length > 100 ? text[..100] + "..." : text;

    [GeneratedRegex("^(?<host>(?:[A-Za-z0-9_][A-Za-z0-9._-]{0,63}@)?(?:[A-Za-z0-9][A-Za-z0-9.-]{0,252}|\\[[0-9A-Fa-f:.]{2,45}\\])):(?<path>/.*)$")]
    private static partial Regex RemoteRegex();

    [GeneratedRegex("^/[A-Za-z0-9._+/-]{0,1000}$")]
    private static partial Regex SafeRemotePathRegex();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$")]
    private static partial Regex NameRegex();
}
