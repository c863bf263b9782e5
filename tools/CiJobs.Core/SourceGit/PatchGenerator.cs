using System.Text;
using System.Text.RegularExpressions;

namespace CiJobs.Core.SourceGit;

/// <summary>A downstream source-git commit with its parsed message and patch trailers.</summary>
internal sealed record DownstreamCommit(CommitInfo Commit, CommitMessage Message, PatchMetadata Metadata);

/// <summary>
/// One patch file to write: its name, where format-patch wrote it, its rewritten bytes (Latin-1 text,
/// one char per byte) when it differs from that file (null = move the file as is), and its commits.
/// </summary>
internal sealed record PatchFile(string FileName, string GeneratedPath, string? Content, PatchMetadata Metadata, DownstreamCommit First, IReadOnlyList<string> Commits)
{
    /// <summary>The patch text as it will be written.</summary>
    public string ReadText() => Content ?? File.ReadAllText(GeneratedPath, Encoding.Latin1);
}

/// <summary>
/// Turns the commits after <c>upstream_ref</c> into patch files: one <c>git format-patch</c> over the
/// whole range with the ignored paths excluded, then trailers applied (Ignore-patch drops,
/// No-prefix strips <c>a/</c> <c>b/</c>, adjacent equal Patch-name squash, Patch-name renames).
/// </summary>
internal static partial class PatchGenerator
{
    /// <summary>Runs <c>git format-patch</c> over <c>upstream..head</c> without the ignored paths; returns the files it wrote, in order.</summary>
    public static async Task<IReadOnlyList<string>> FormatPatchAsync(
        GitRepo source,
        string upstream,
        string head,
        IReadOnlyList<string> ignorePaths,
        string workDirectory,
        CancellationToken cancellationToken)
    {
        // The user's configuration must not change the patches (prefixes, suffix, numbering, extra headers).
        var arguments = new List<string>
        {
            "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false", "-c", "diff.relative=false", "-c", "diff.renames=true",
            "-c", "format.suffix=.patch", "-c", "format.numbered=auto", "-c", "format.subjectPrefix=PATCH", "-c", "format.signOff=false",
            "-c", "format.useAutoBase=false", "-c", "format.coverLetter=false", "-c", "format.thread=false", "-c", "format.outputDirectory=",
            "format-patch", "--no-signature", "--output-directory", workDirectory, $"{upstream}..{head}", "--", ".",
        };
        arguments.AddRange(ignorePaths.Select(FileSyncPlan.Normalize).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).Select(p => $":(exclude){p}"));
        var output = await source.RunAsync(arguments, cancellationToken);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(file => Path.IsPathRooted(file) ? file : Path.Combine(source.Root, file))
            .ToList();
    }

    /// <summary>Applies the trailers to format-patch's files: drops, strips prefixes, squashes, renames.</summary>
    public static IReadOnlyList<PatchFile> Build(IReadOnlyList<string> files, IReadOnlyList<DownstreamCommit> commits)
    {
        var byHash = commits.ToDictionary(c => c.Commit.Hash, StringComparer.Ordinal);
        var units = new List<(DownstreamCommit Commit, string Path, string? Content)>();
        var header = new byte[128];
        foreach (var path in files)
        {
            // Only the "From <sha> ..." line is needed to know the commit; the rest is read when rewritten.
            int length;
            using (var stream = File.OpenRead(path))
            {
                length = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            }

            var match = FromLine().Match(Encoding.Latin1.GetString(header, 0, length));
            if (!match.Success || !byHash.TryGetValue(match.Groups[1].Value, out var commit))
            {
                throw new InvalidOperationException($"git format-patch wrote {path} for an unknown commit.");
            }

            if (commit.Metadata.Ignore)
            {
                continue;
            }

            units.Add((commit, path, commit.Metadata.NoPrefix ? StripPrefixes(File.ReadAllText(path, Encoding.Latin1)) : null));
        }

        // Squash adjacent commits that share a Patch-name; the same name further apart is an error.
        var patches = new List<PatchFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (commit, path, content) in units)
        {
            var name = commit.Metadata.Name ?? Path.GetFileName(path);
            if (commit.Metadata.Name is not null && patches.Count > 0 && patches[^1].FileName == name && patches[^1].First.Metadata.Name is not null)
            {
                var last = patches[^1];
                var text = content ?? File.ReadAllText(path, Encoding.Latin1);
                patches[^1] = last with { Content = last.ReadText() + text, Commits = [.. last.Commits, commit.Commit.Hash] };
                continue;
            }

            if (!seen.Add(name))
            {
                throw new CiJobsException(
                    $"commit {commit.Commit.Short}: patch name '{name}' is used by a non-adjacent earlier commit; commits sharing a Patch-name must be next to each other.",
                    SourceGitExitCodes.InvalidPatchMetadata);
            }

            if (name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
            {
                throw new CiJobsException($"commit {commit.Commit.Short}: Patch-name '{name}' must be a plain file name.", SourceGitExitCodes.InvalidPatchMetadata);
            }

            patches.Add(new PatchFile(name, path, content, commit.Metadata, commit, [commit.Commit.Hash]));
        }

        return patches;
    }

    /// <summary>What <c>git format-patch --no-prefix</c> would have written: no <c>a/</c> <c>b/</c> in the file headers.</summary>
    internal static string StripPrefixes(string patch)
    {
        var lines = patch.Split('\n');
        var inHeader = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("diff --git ", StringComparison.Ordinal))
            {
                var match = DiffGitLine().Match(line);
                if (match.Success)
                {
                    lines[i] = $"diff --git {match.Groups[1].Value} {match.Groups[2].Value}";
                }

                inHeader = true;
            }
            else if (inHeader && line.StartsWith("--- a/", StringComparison.Ordinal))
            {
                lines[i] = "--- " + line[6..];
            }
            else if (inHeader && line.StartsWith("+++ b/", StringComparison.Ordinal))
            {
                lines[i] = "+++ " + line[6..];
            }
            else if (line.StartsWith("@@", StringComparison.Ordinal) || line.StartsWith("GIT binary patch", StringComparison.Ordinal))
            {
                inHeader = false;
            }
        }

        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"\AFrom ([0-9a-f]{40,64}) ")]
    private static partial Regex FromLine();

    [GeneratedRegex(@"^diff --git a/(.+) b/(.+)$")]
    private static partial Regex DiffGitLine();
}
