using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CiJobs.Core.SourceGit;

/// <summary>A downstream source-git commit with its parsed message and patch trailers.</summary>
internal sealed record DownstreamCommit(CommitInfo Commit, CommitMessage Message, PatchMetadata Metadata);

/// <summary>What <c>git format-patch</c> wrote as one stream (Latin-1 text, one char per byte), and the file name length it would cut names to.</summary>
internal sealed record FormatPatchStream(string Text, long NameMax);

/// <summary>One patch as <c>git format-patch --output-directory</c> would write it: commit, file name and bytes (Latin-1 text, one char per byte).</summary>
internal sealed record FormattedPatch(string Commit, string FileName, string Text);

/// <summary>One patch file to write: its name, its bytes (Latin-1 text, one char per byte), and its commits.</summary>
internal sealed record PatchFile(string FileName, string Content, PatchMetadata Metadata, DownstreamCommit First, IReadOnlyList<string> Commits);

/// <summary>
/// Turns the commits after <c>upstream_ref</c> into patch files: one <c>git format-patch</c> over the
/// whole range with the ignored paths excluded, then trailers applied (Ignore-patch drops,
/// No-prefix strips <c>a/</c> <c>b/</c>, adjacent equal Patch-name squash, Patch-name renames).
/// </summary>
internal static partial class PatchGenerator
{
    private const string Suffix = ".patch";

    /// <summary>format-patch's default <c>format.filenameMaxLength</c>.</summary>
    private const int DefaultNameMax = 64;

    /// <summary>
    /// Runs <c>git format-patch</c> over <c>upstream..head</c> without the ignored paths, writing all patches as
    /// one stream into <paramref name="outputFile"/> (creating a file per patch costs format-patch more than the
    /// diffs); <see cref="Split"/> cuts it into the files <c>--output-directory</c> would have written.
    /// </summary>
    public static async Task<FormatPatchStream> FormatPatchAsync(
        GitRepo source,
        string upstream,
        string head,
        IReadOnlyList<string> ignorePaths,
        string outputFile,
        CancellationToken cancellationToken)
    {
        // The user's configuration must not change the patches (prefixes, suffix, numbering, extra headers).
        var arguments = new List<string>
        {
            "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false", "-c", "diff.relative=false", "-c", "diff.renames=true",
            "-c", "format.suffix=" + Suffix, "-c", "format.numbered=auto", "-c", "format.subjectPrefix=PATCH", "-c", "format.signOff=false",
            "-c", "format.useAutoBase=false", "-c", "format.coverLetter=false", "-c", "format.thread=false", "-c", "format.outputDirectory=",
            "format-patch", "--no-signature", "--output=" + outputFile, $"{upstream}..{head}", "--", ".",
        };
        arguments.AddRange(ignorePaths.Select(FileSyncPlan.Normalize).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).Select(p => $":(exclude){p}"));
        var formatPatch = source.RunAsync(arguments, cancellationToken);

        // The file names follow the user's format.filenameMaxLength, as format-patch's own would.
        var nameMax = source.RunAsync(["config", "--type=int", $"--default={DefaultNameMax}", "--get", "format.filenameMaxLength"], cancellationToken);
        await Task.WhenAll(formatPatch, nameMax);
        var text = File.Exists(outputFile) ? await File.ReadAllTextAsync(outputFile, Encoding.Latin1, cancellationToken) : string.Empty;
        return new FormatPatchStream(text, long.Parse(await nameMax, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Cuts format-patch's stream into its patches, named as <c>--output-directory</c> names them.
    /// <paramref name="commits"/> are the commits of the range, oldest first (format-patch writes a subset:
    /// no merges, none that only touch ignored paths). On a stream format-patch puts an empty line between
    /// two patches, before the next <c>From &lt;commit&gt;</c> line; a message may quote an earlier commit's
    /// From line but cannot name a later commit, so a From line of a later commit is where a patch ends.
    /// </summary>
    internal static IReadOnlyList<FormattedPatch> Split(FormatPatchStream stream, IReadOnlyList<CommitInfo> commits)
    {
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < commits.Count; i++)
        {
            positions[commits[i].Hash] = i;
        }

        var text = stream.Text;
        var patches = new List<FormattedPatch>();
        var start = 0;
        while (start < text.Length)
        {
            var position = (text.AsSpan(start).StartsWith("From ", StringComparison.Ordinal) ? CommitAt(text, start + "From ".Length, positions) : null)
                ?? throw new InvalidOperationException("git format-patch wrote a patch for an unknown commit.");
            var next = text.IndexOf("\nFrom ", start, StringComparison.Ordinal);
            while (next >= 0 && !(CommitAt(text, next + "\nFrom ".Length, positions) > position))
            {
                next = text.IndexOf("\nFrom ", next + 1, StringComparison.Ordinal);
            }

            if (next > 0 && text[next - 1] != '\n')
            {
                throw new InvalidOperationException("git format-patch did not separate its patches by an empty line.");
            }

            var commit = commits[position];
            patches.Add(new FormattedPatch(commit.Hash, FileName(patches.Count + 1, commit.SanitizedSubject, stream.NameMax), text[start..(next < 0 ? text.Length : next)]));
            start = next < 0 ? text.Length : next + 1;
        }

        return patches;
    }

    /// <summary>The position in the range of the commit whose id starts at <paramref name="index"/> (followed by a space), or null.</summary>
    private static int? CommitAt(string text, int index, Dictionary<string, int> positions)
    {
        var space = text.IndexOf(' ', index);
        return space > index && positions.TryGetValue(text[index..space], out var position) ? position : null;
    }

    /// <summary>format-patch's file name (git's <c>fmt_output_subject</c>): <c>%04d-</c> and the subject, cut to the maximum length less the suffix and one, then the suffix.</summary>
    internal static string FileName(int number, string sanitizedSubject, long nameMax)
    {
        var name = $"{number.ToString("D4", CultureInfo.InvariantCulture)}-{sanitizedSubject}";
        var maxLength = Math.Max(nameMax, "0000-".Length + Suffix.Length) - (Suffix.Length + 1);
        return (name.Length > maxLength ? name[..(int)maxLength] : name) + Suffix;
    }

    /// <summary>Applies the trailers to format-patch's patches: drops, strips prefixes, squashes, renames.</summary>
    public static IReadOnlyList<PatchFile> Build(IReadOnlyList<FormattedPatch> formatted, IReadOnlyList<DownstreamCommit> commits)
    {
        var byHash = commits.ToDictionary(c => c.Commit.Hash, StringComparer.Ordinal);
        var units = new List<(DownstreamCommit Commit, string FileName, string Content)>();
        foreach (var patch in formatted)
        {
            if (!byHash.TryGetValue(patch.Commit, out var commit))
            {
                throw new InvalidOperationException($"git format-patch wrote {patch.FileName} for an unknown commit.");
            }

            if (commit.Metadata.Ignore)
            {
                continue;
            }

            units.Add((commit, patch.FileName, commit.Metadata.NoPrefix ? StripPrefixes(patch.Text) : patch.Text));
        }

        // Squash adjacent commits that share a Patch-name; the same name further apart is an error.
        var patches = new List<PatchFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (commit, fileName, content) in units)
        {
            var name = commit.Metadata.Name ?? fileName;
            if (commit.Metadata.Name is not null && patches.Count > 0 && patches[^1].FileName == name && patches[^1].First.Metadata.Name is not null)
            {
                var last = patches[^1];
                patches[^1] = last with { Content = last.Content + content, Commits = [.. last.Commits, commit.Commit.Hash] };
                continue;
            }

            if (!seen.Add(name))
            {
                throw new CiJobsException(
                    $"commit {commit.Commit.Short}: patch name '{name}' is used by a non-adjacent earlier commit; commits sharing a Patch-name must be next to each other.",
                    SourceGitExitCodes.InvalidPatchMetadata);
            }

            if (PatchFileName.Problem(name) is { } problem)
            {
                throw new CiJobsException($"commit {commit.Commit.Short}: patch name {PatchFileName.Quote(name)} {problem}.", SourceGitExitCodes.InvalidPatchMetadata);
            }

            patches.Add(new PatchFile(name, content, commit.Metadata, commit, [commit.Commit.Hash]));
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

    [GeneratedRegex(@"^diff --git a/(.+) b/(.+)$")]
    private static partial Regex DiffGitLine();
}
