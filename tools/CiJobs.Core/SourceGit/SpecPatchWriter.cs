using System.Globalization;
using System.Text.RegularExpressions;

namespace CiJobs.Core.SourceGit;

/// <summary>A <c>PatchN:</c> line to add: number, file name, comment lines written above it.</summary>
public sealed record SpecPatch(int Number, string FileName, IReadOnlyList<string> Comment);

/// <summary>
/// Adds <c>PatchN:</c> tags to a spec: after the last existing <c>Patch</c> tag, else after the last
/// <c>Source</c> tag of the preamble, else before the first section. Each patch is a blank line,
/// its comment lines (prefixed <c># </c> unless they already start with <c>#</c>) and the tag.
/// No <c>%patch</c> lines are written: the spec applies patches with <c>%autosetup</c>/<c>%autopatch</c>.
/// </summary>
public static partial class SpecPatchWriter
{
    /// <summary>The numbers and file names of the Patch tags already in the spec (<c>Patch:</c> counts as 0).</summary>
    public static IReadOnlyList<(int Number, string FileName)> ExistingPatches(string spec)
    {
        var patches = new List<(int Number, string FileName)>();
        foreach (var line in spec.Split('\n'))
        {
            if (TryReadPatchTag(line, out var number, out var fileName))
            {
                patches.Add((number, fileName));
            }
        }

        return patches;
    }

    public static string AddPatches(string spec, IReadOnlyList<SpecPatch> patches, int digits) =>
        patches.Count == 0 ? spec : SpecLayout.Read(spec).AddPatches(patches, digits);

    /// <summary>Reads a Patch tag line: its number (<c>Patch:</c> counts as 0) and file name.</summary>
    internal static bool TryReadPatchTag(string line, out int number, out string fileName)
    {
        var match = PatchTag().Match(line);
        number = 0;
        if (match.Success && match.Groups[1].Value.Length > 0 && !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out number))
        {
            throw new CiJobsException($"the spec's Patch{match.Groups[1].Value[..Math.Min(20, match.Groups[1].Value.Length)]} tag has a number above {int.MaxValue}.", SourceGitExitCodes.BadConfig);
        }

        fileName = match.Success ? match.Groups[2].Value : string.Empty;
        return match.Success;
    }

    internal static bool IsPatchTag(string line) => PatchTag().IsMatch(line);

    internal static bool IsSourceTag(string line) => SourceTag().IsMatch(line);

    internal static bool IsSection(string line) => Section().IsMatch(line);

    [GeneratedRegex(@"^\s*Patch(\d*)\s*:\s*(\S+)", RegexOptions.IgnoreCase)]
    private static partial Regex PatchTag();

    [GeneratedRegex(@"^\s*Source\d*\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex SourceTag();

    [GeneratedRegex(@"^%(package|description|prep|build|install|check|files|changelog|pre|post|preun|postun|pretrans|posttrans|generate_buildrequires|conf)\b")]
    private static partial Regex Section();
}

/// <summary>
/// A spec read once, before its patches are known: its lines, where new <c>PatchN:</c> lines go (see
/// <see cref="SpecPatchWriter"/>), and the Patch tags it already has.
/// </summary>
internal sealed class SpecLayout
{
    private readonly string text;
    private readonly string newline;
    private readonly string[] lines;
    private readonly int insertAt;
    private readonly Dictionary<string, int> listed = new(StringComparer.Ordinal);

    private SpecLayout(string text)
    {
        this.text = text;
        newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        foreach (var line in lines)
        {
            if (SpecPatchWriter.TryReadPatchTag(line, out var number, out var fileName))
            {
                listed.TryAdd(fileName, number);
                HighestNumber = HasPatches ? Math.Max(HighestNumber, number) : number;
                HasPatches = true;
            }
        }

        var firstSection = Array.FindIndex(lines, SpecPatchWriter.IsSection);
        var preambleEnd = firstSection < 0 ? lines.Length : firstSection;
        var anchor = Array.FindLastIndex(lines, preambleEnd - 1, preambleEnd, SpecPatchWriter.IsPatchTag);
        if (anchor < 0)
        {
            anchor = Array.FindLastIndex(lines, preambleEnd - 1, preambleEnd, SpecPatchWriter.IsSourceTag);
        }

        if (anchor >= 0)
        {
            insertAt = anchor + 1;
        }
        else
        {
            // Before the first section, and before the blank lines that separate it.
            insertAt = preambleEnd;
            while (insertAt > 0 && string.IsNullOrWhiteSpace(lines[insertAt - 1]))
            {
                insertAt--;
            }
        }
    }

    /// <summary>True when the spec has at least one Patch tag.</summary>
    public bool HasPatches { get; }

    /// <summary>The highest Patch tag number (<c>Patch:</c> counts as 0), or 0 without any.</summary>
    public int HighestNumber { get; }

    public static SpecLayout Read(string spec) => new(spec);

    /// <summary>The number of the first Patch tag listing <paramref name="fileName"/>, or null.</summary>
    public int? NumberOf(string fileName) => listed.TryGetValue(fileName, out var number) ? number : null;

    /// <summary>The spec with the patches' lines added; the spec itself, unchanged, without patches.</summary>
    public string AddPatches(IReadOnlyList<SpecPatch> patches, int digits)
    {
        if (patches.Count == 0)
        {
            return text;
        }

        var block = new List<string>();
        foreach (var patch in patches)
        {
            if (PatchFileName.Problem(patch.FileName) is { } problem)
            {
                throw new CiJobsException($"patch name {PatchFileName.Quote(patch.FileName)} {problem}.", SourceGitExitCodes.InvalidPatchMetadata);
            }

            block.Add(string.Empty);
            block.AddRange(patch.Comment.Select(CommentLine));
            block.Add($"Patch{patch.Number.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0')}: {patch.FileName}");
        }

        return string.Join(newline, lines.Take(insertAt).Concat(block).Concat(lines.Skip(insertAt)));
    }

    /// <summary>
    /// A comment line from a commit message or Patch-status: <c># </c> added unless it starts with <c>#</c>, and every
    /// <c>%</c> doubled, because rpm expands macros in comments too (<c>%(command)</c> would run when the spec is read;
    /// <c>%%</c> reads as one <c>%</c>). Carriage returns are dropped: the spec's lines end where the message's do.
    /// See docs/security.md, "Patch names".
    /// </summary>
    private static string CommentLine(string line)
    {
        line = line.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("%", "%%", StringComparison.Ordinal);
        return line.StartsWith('#') ? line : line.Length == 0 ? "#" : "# " + line;
    }
}
