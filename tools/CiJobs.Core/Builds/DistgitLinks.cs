namespace CiJobs.Core.Builds;

/// <summary>
/// Refuses distgit symlinks that lead outside the distgit folder the build unpacked: rpmbuild follows a symlink used
/// as a Source or Patch, so a link to <c>/etc/passwd</c> would put the host's file into the SRPM and RPM
/// (docs/contracts/dlrn-build.md, "Distgit symlinks"). Links that stay inside are kept.
/// </summary>
public static class DistgitLinks
{
    /// <summary>Symlinks followed while resolving one link before it counts as a loop (Linux's limit).</summary>
    public const int MaxHops = 40;

    /// <summary>Every symlink under <paramref name="root"/> (relative path with <c>/</c> → its target); symlinked folders are not entered.</summary>
    public static IReadOnlyDictionary<string, string> Read(string root)
    {
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        Walk(root, "");
        return links;

        void Walk(string directory, string relative)
        {
            foreach (var entry in Directory.GetFileSystemEntries(directory).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(entry);
                var path = relative.Length == 0 ? name : relative + "/" + name;
                var info = new FileInfo(entry);
                if (info.LinkTarget is { } target)
                {
                    links[path] = target;
                }
                else if (Directory.Exists(entry))
                {
                    Walk(entry, path);
                }
            }
        }
    }

    /// <summary>
    /// Resolves each link the way the kernel would inside the unpacked folder (following links it meets on the way)
    /// and throws <see cref="BuildExitCodes.UnsafeGitValue"/> for the first one that is absolute, climbs above the
    /// folder, contains a control character, or loops.
    /// </summary>
    /// <param name="links">Link path relative to the folder (with <c>/</c>) → its target.</param>
    /// <param name="folder">The distgit and folder, for the message (for example <c>/src/foo-distgit</c> or <c>…/openstack/foo</c>).</param>
    public static void Check(IReadOnlyDictionary<string, string> links, string folder)
    {
        ArgumentNullException.ThrowIfNull(links);
        foreach (var (path, target) in links.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            var start = path.Split('/')[..^1].ToList();
            var hops = 0;
            var problem = Resolve(start, target, links, ref hops, out _);
            if (problem is not null)
            {
                throw GitValues.Unsafe(
                    $"the distgit file '{PackageNames.Printable(path)}' is a symlink to '{PackageNames.Printable(target)}', which {problem}; "
                    + $"only symlinks to files inside the distgit ({folder}) are allowed");
            }
        }
    }

    private static string? Resolve(List<string> start, string target, IReadOnlyDictionary<string, string> links, ref int hops, out List<string> resolved)
    {
        resolved = start;
        if (target.Length == 0 || target.Any(char.IsControl))
        {
            return "is empty or holds a control character";
        }

        if (target.StartsWith('/'))
        {
            return "is an absolute path outside the distgit";
        }

        var stack = new List<string>(start);
        foreach (var part in target.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (stack.Count == 0)
                {
                    return "leads outside the distgit";
                }

                stack.RemoveAt(stack.Count - 1);
                continue;
            }

            stack.Add(part);
            var through = string.Join('/', stack);
            if (links.TryGetValue(through, out var next))
            {
                if (++hops > MaxHops)
                {
                    return "does not resolve (a symlink loop)";
                }

                stack.RemoveAt(stack.Count - 1);
                var problem = Resolve(stack, next, links, ref hops, out stack);
                if (problem is not null)
                {
                    return problem.StartsWith("goes through", StringComparison.Ordinal) || problem.EndsWith("loop)", StringComparison.Ordinal)
                        ? problem
                        : $"goes through the symlink '{PackageNames.Printable(through)}', which {problem}";
                }
            }
        }

        resolved = stack;
        return null;
    }
}
