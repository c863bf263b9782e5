using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CiJobs.Core.SourceGit;

/// <summary>Keeps dist-git's patch files byte-identical when their change did not change (a rebase, new hashes).</summary>
internal static partial class PatchIdRestore
{
    /// <summary>
    /// Puts back dist-git's own bytes for every patch whose content did not really change: same blob,
    /// or the same <c>git patch-id --stable</c> (format-patch headers, numbering and index lines differ
    /// after a rebase; the change itself does not). Returns the paths left as in dist-git HEAD.
    /// </summary>
    public static async Task<HashSet<string>> RestoreIdenticalAsync(
        GitRepo dist,
        IReadOnlyList<string> patchPaths,
        IReadOnlyDictionary<string, TrackedFile> headFiles,
        CancellationToken cancellationToken)
    {
        var unchanged = new HashSet<string>(StringComparer.Ordinal);
        var candidates = patchPaths.Where(headFiles.ContainsKey).ToList();
        if (candidates.Count == 0)
        {
            return unchanged;
        }

        var hashes = (await dist.RunAsync(["hash-object", "--no-filters", "--", .. candidates], cancellationToken))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var differing = new List<string>();
        for (var i = 0; i < candidates.Count; i++)
        {
            if (hashes[i] == headFiles[candidates[i]].ObjectId)
            {
                unchanged.Add(candidates[i]);
            }
            else
            {
                differing.Add(candidates[i]);
            }
        }

        if (differing.Count == 0)
        {
            return unchanged;
        }

        // One patch-id run over "new, old" pairs, each behind a synthetic From line naming it.
        var oldContents = await ReadBlobsAsync(dist, differing.Select(p => headFiles[p].ObjectId).ToList(), cancellationToken);
        var input = new StringBuilder();
        for (var i = 0; i < differing.Count; i++)
        {
            var current = await File.ReadAllTextAsync(Path.Combine(dist.Root, differing[i]), cancellationToken);
            input.Append(WithSyntheticFromLine(current, 2 * i));
            input.Append(WithSyntheticFromLine(oldContents[i], (2 * i) + 1));
        }

        var ids = new Dictionary<int, string>();
        foreach (var line in (await dist.RunAsync(["patch-id", "--stable"], cancellationToken, input.ToString())).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var slot))
            {
                ids[slot] = parts[0];
            }
        }

        var restore = new List<string>();
        for (var i = 0; i < differing.Count; i++)
        {
            if (ids.TryGetValue(2 * i, out var now) && ids.TryGetValue((2 * i) + 1, out var before) && now == before)
            {
                restore.Add(differing[i]);
                unchanged.Add(differing[i]);
            }
        }

        if (restore.Count > 0)
        {
            await dist.RunAsync(["checkout", "HEAD", "--", .. restore], cancellationToken);
        }

        return unchanged;
    }

    private static string WithSyntheticFromLine(string patch, int slot)
    {
        var from = $"From {slot.ToString("x40", CultureInfo.InvariantCulture)} Mon Sep 17 00:00:00 2001\n";
        var body = FromLine().IsMatch(patch) ? patch[(patch.IndexOf('\n', StringComparison.Ordinal) + 1)..] : patch;
        return from + body + (body.EndsWith('\n') ? string.Empty : "\n");
    }

    private static async Task<List<string>> ReadBlobsAsync(GitRepo repo, IReadOnlyList<string> objectIds, CancellationToken cancellationToken)
    {
        var contents = new List<string>();
        foreach (var id in objectIds)
        {
            contents.Add(await repo.RunAsync(["cat-file", "blob", id], cancellationToken));
        }

        return contents;
    }

    [GeneratedRegex(@"\AFrom [0-9a-f]{40,64} ")]
    private static partial Regex FromLine();
}
