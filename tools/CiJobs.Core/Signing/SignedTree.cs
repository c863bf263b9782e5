using CiJobs.Core.Platform;

namespace CiJobs.Core.Signing;

/// <summary>
/// What a tree holds to sign or verify: RPM packages (<c>*.rpm</c>), RPM repository metadata (<c>repodata/repomd.xml</c>)
/// and APT Release files (<c>dists/&lt;codename&gt;/Release</c>), anywhere in it. Symbolic links are never followed: one
/// leading outside the tree is refused, one inside is skipped (its target is found by the walk itself). File names with
/// control characters are refused. docs/manual/signing.md, "Trees".
/// </summary>
public sealed record SignedTree(string Root, IReadOnlyList<string> Rpms, IReadOnlyList<string> RepomdFiles, IReadOnlyList<string> ReleaseFiles)
{
    /// <summary>Deepest folder nesting walked; deeper trees are refused, not half-walked.</summary>
    public const int MaxDepth = 32;

    public bool IsEmpty => Rpms.Count == 0 && RepomdFiles.Count == 0 && ReleaseFiles.Count == 0;

    public static SignedTree Scan(string tree)
    {
        var full = Path.GetFullPath(tree);
        var root = RealPaths.Resolve(full);
        if (root is null || !Directory.Exists(root))
        {
            throw new CiJobsException($"the tree {tree} is not a folder", SigningExitCodes.UnsafeInput);
        }

        var rpms = new List<string>();
        var repomd = new List<string>();
        var releases = new List<string>();
        Walk(root, root, 0, rpms, repomd, releases);
        return new SignedTree(root, Sorted(rpms), Sorted(repomd), Sorted(releases));
    }

    /// <summary>A path to print: relative to the tree.</summary>
    public string Relative(string path) => Path.GetRelativePath(Root, path);

    private static List<string> Sorted(List<string> paths) => [.. paths.Order(StringComparer.Ordinal)];

    private static void Walk(string root, string folder, int depth, List<string> rpms, List<string> repomd, List<string> releases)
    {
        if (depth > MaxDepth)
        {
            throw new CiJobsException($"{folder} is nested deeper than {MaxDepth} folders in the tree", SigningExitCodes.UnsafeInput);
        }

        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot read the folder {folder}: {e.Message}", SigningExitCodes.UnsafeInput, e);
        }

        foreach (var entry in entries)
        {
            var name = Path.GetFileName(entry);
            CheckName(entry, name);
            var info = new FileInfo(entry);
            if (info.LinkTarget is not null)
            {
                var target = RealPaths.Resolve(entry);
                if (target is null || !(target == root || RealPaths.IsInside(target, root)))
                {
                    throw new CiJobsException($"{Path.GetRelativePath(root, entry)} is a symbolic link leading outside the tree", SigningExitCodes.UnsafeInput);
                }

                continue;
            }

            if (Directory.Exists(entry))
            {
                Walk(root, entry, depth + 1, rpms, repomd, releases);
                continue;
            }

            if (Rdoinfo.RealPath.KindOf(entry) != Rdoinfo.RealPath.FileKind.Regular)
            {
                continue; // A FIFO, socket or device: nothing to sign.
            }

            var parent = Path.GetFileName(folder);
            if (name.EndsWith(".rpm", StringComparison.Ordinal))
            {
                rpms.Add(entry);
            }
            else if (name == "repomd.xml" && parent == "repodata")
            {
                repomd.Add(entry);
            }
            else if (name == "Release" && Path.GetFileName(Path.GetDirectoryName(folder)) == "dists")
            {
                releases.Add(entry);
            }
        }
    }

    /// <summary>A name with control characters (a line break would forge lines of tool output) is refused.</summary>
    public static void CheckName(string path, string name)
    {
        if (name.Length == 0 || name.Any(char.IsControl) || name.Contains('\uFFFD', StringComparison.Ordinal))
        {
            throw new CiJobsException($"unsafe file name {Printable(path)}: control characters or bytes that are not UTF-8", SigningExitCodes.UnsafeInput);
        }
    }

    public static string Printable(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()));
}
