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
    public static IReadOnlyList<(int Number, string FileName)> ExistingPatches(string spec) =>
        spec.Split('\n')
            .Select(l => PatchTag().Match(l))
            .Where(m => m.Success)
            .Select(m => (m.Groups[1].Value.Length == 0 ? 0 : int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value))
            .ToList();

    public static string AddPatches(string spec, IReadOnlyList<SpecPatch> patches, int digits)
    {
        if (patches.Count == 0)
        {
            return spec;
        }

        var newline = spec.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var lines = spec.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        var firstSection = lines.FindIndex(l => Section().IsMatch(l));
        var preambleEnd = firstSection < 0 ? lines.Count : firstSection;
        var anchor = lines.FindLastIndex(preambleEnd - 1, preambleEnd, l => PatchTag().IsMatch(l));
        if (anchor < 0)
        {
            anchor = lines.FindLastIndex(preambleEnd - 1, preambleEnd, l => SourceTag().IsMatch(l));
        }

        int insertAt;
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

        var block = new List<string>();
        foreach (var patch in patches)
        {
            block.Add(string.Empty);
            block.AddRange(patch.Comment.Select(c => c.StartsWith('#') ? c : c.Length == 0 ? "#" : "# " + c));
            block.Add($"Patch{patch.Number.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0')}: {patch.FileName}");
        }

        lines.InsertRange(insertAt, block);
        return string.Join(newline, lines);
    }

    [GeneratedRegex(@"^\s*Patch(\d*)\s*:\s*(\S+)", RegexOptions.IgnoreCase)]
    private static partial Regex PatchTag();

    [GeneratedRegex(@"^\s*Source\d*\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex SourceTag();

    [GeneratedRegex(@"^%(package|description|prep|build|install|check|files|changelog|pre|post|preun|postun|pretrans|posttrans|generate_buildrequires|conf)\b")]
    private static partial Regex Section();
}
