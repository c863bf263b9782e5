using System.Globalization;
using System.Text.RegularExpressions;

namespace CiJobs.Core.Lint;

/// <summary>A message and the package the tool named it for: rpmlint's <c>name.arch</c> (or a spec file name),
/// lintian's <c>name</c> and processable type.</summary>
public sealed record LintLine(string Package, string Kind, LintMessage Message);

/// <summary>What a parser read: the messages in the tool's order and the lines it did not recognise, as they are.</summary>
public sealed record ParsedLintOutput(IReadOnlyList<LintLine> Lines, IReadOnlyList<string> Notes);

/// <summary>Limits shared by the parsers, so that hostile output ends in a bounded model.</summary>
internal static class LintOutputLimits
{
    /// <summary>Longest line kept (characters); a longer one is cut and marked.</summary>
    public const int MaxLineChars = 8192;

    /// <summary>Most unrecognised lines kept as notes; the rest are counted in one last note.</summary>
    public const int MaxNotes = 1000;

    public static string Clip(string line) =>
        line.Length <= MaxLineChars ? line : string.Concat(line.AsSpan(0, MaxLineChars), " [cut]");

    /// <summary>Adds a note, or counts it once <see cref="MaxNotes"/> are kept.</summary>
    public static void AddNote(List<string> notes, ref int dropped, string line)
    {
        if (notes.Count < MaxNotes)
        {
            notes.Add(Clip(line));
        }
        else
        {
            dropped++;
        }
    }

    public static IReadOnlyList<string> Finish(List<string> notes, int dropped)
    {
        if (dropped > 0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"[{dropped} more unrecognised lines not kept]"));
        }

        return notes;
    }

    public static IEnumerable<string> Lines(string output) =>
        output.Split('\n').Select(l => AnsiEscape().Replace(l.TrimEnd('\r'), string.Empty));

    private static Regex AnsiEscape() => AnsiRegex;

    private static readonly Regex AnsiRegex = new(@"\x1b\[[0-9;]*m", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}

/// <summary>
/// Reads the report rpmlint 2.x prints on standard output: <c>NAME.ARCH:[LINE:] LEVEL: ID[ (Badness: N)][ DETAIL]</c>
/// per message, between a header and a summary line it also prints. docs/manual/lint.md, "rpmlint".
/// </summary>
public static partial class RpmlintOutputParser
{
    [GeneratedRegex(@"^(?<pkg>[^\s:]+):(?:(?<line>[0-9]{1,9}):)? (?<level>[EWI]): (?<id>\S+)(?: \(Badness: [0-9]+\))?(?: (?<detail>.*))?$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Message();

    /// <summary>The frame rpmlint prints around the messages (header, configuration list, summary, badness verdict).</summary>
    [GeneratedRegex(@"^(?:=+ rpmlint session starts =+|rpmlint: \S+|configuration:|    \S.*|rpmlintrc: .*|checks: [0-9]+, packages: [0-9]+|=* ?[0-9]+ packages and [0-9]+ specfiles checked; .*|-* ?Badness [0-9]+ exceeds threshold .*|)$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Frame();

    public static ParsedLintOutput Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var lines = new List<LintLine>();
        var notes = new List<string>();
        var dropped = 0;
        foreach (var raw in LintOutputLimits.Lines(output))
        {
            var line = raw.Length > LintOutputLimits.MaxLineChars ? LintOutputLimits.Clip(raw) : raw;
            var match = raw.Length > LintOutputLimits.MaxLineChars ? null : Message().Match(line);
            if (match is { Success: true })
            {
                var severity = match.Groups["level"].Value switch
                {
                    "E" => LintSeverity.Error,
                    "W" => LintSeverity.Warning,
                    _ => LintSeverity.Info,
                };
                int? number = match.Groups["line"].Success ? int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture) : null;
                var detail = match.Groups["detail"].Success && match.Groups["detail"].Value.Trim() is { Length: > 0 } text ? text : null;
                var package = match.Groups["pkg"].Value;
                lines.Add(new LintLine(package, KindOf(package), new LintMessage(severity, match.Groups["id"].Value, detail, null, number, false)));
            }
            else if (raw.Length > LintOutputLimits.MaxLineChars || !Frame().IsMatch(line))
            {
                LintOutputLimits.AddNote(notes, ref dropped, line);
            }
        }

        return new ParsedLintOutput(lines, LintOutputLimits.Finish(notes, dropped));
    }

    /// <summary>rpmlint names a binary package <c>name.arch</c>, a source one <c>name.src</c> (or <c>.nosrc</c>) and
    /// the spec file inside a source package by its file name.</summary>
    internal static string KindOf(string package) =>
        package.EndsWith(".spec", StringComparison.Ordinal) ? "spec"
        : package.EndsWith(".src", StringComparison.Ordinal) || package.EndsWith(".nosrc", StringComparison.Ordinal) ? "source"
        : "binary";
}

/// <summary>
/// Reads lintian's EWI report: <c>CODE: PACKAGE[ TYPE]: TAG[ CONTEXT][ [POINTER]]</c>, where CODE is E, W, I, P, X, C,
/// O (overridden) or M (masked), TYPE is absent for a binary package, and <c>N:</c> lines are notes (override comments,
/// explanations). docs/manual/lint.md, "lintian".
/// </summary>
public static partial class LintianOutputParser
{
    [GeneratedRegex(@"^(?<code>[EWIPXCOM]): (?<pkg>[^\s:]+)(?: (?<type>source|binary|udeb|changes|buildinfo))?: (?<tag>\S+)(?: (?<context>.*))?$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Message();

    [GeneratedRegex(@"^(?<detail>.*?)\s*\[(?<path>[^\[\]]*?)(?::(?<line>[0-9]{1,9}))?\]$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Pointer();

    public static ParsedLintOutput Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var lines = new List<LintLine>();
        var notes = new List<string>();
        var dropped = 0;
        foreach (var raw in LintOutputLimits.Lines(output))
        {
            if (raw.Length == 0 || raw == "N:")
            {
                continue;
            }

            var match = raw.Length > LintOutputLimits.MaxLineChars ? null : Message().Match(raw);
            if (match is not { Success: true })
            {
                LintOutputLimits.AddNote(notes, ref dropped, raw);
                continue;
            }

            var code = match.Groups["code"].Value;
            var severity = code switch
            {
                "E" => LintSeverity.Error,
                "W" => LintSeverity.Warning,
                _ => LintSeverity.Info,
            };
            var context = match.Groups["context"].Success ? match.Groups["context"].Value.Trim() : string.Empty;
            string? location = null;
            int? number = null;
            if (Pointer().Match(context) is { Success: true } pointer && pointer.Groups["path"].Value.Length > 0)
            {
                location = pointer.Groups["path"].Value;
                number = pointer.Groups["line"].Success ? int.Parse(pointer.Groups["line"].Value, CultureInfo.InvariantCulture) : null;
                context = pointer.Groups["detail"].Value;
            }

            var kind = match.Groups["type"].Success ? match.Groups["type"].Value : "binary";
            lines.Add(new LintLine(
                match.Groups["pkg"].Value,
                kind,
                new LintMessage(severity, match.Groups["tag"].Value, context.Length > 0 ? context : null, location, number, code is "O" or "M")));
        }

        return new ParsedLintOutput(lines, LintOutputLimits.Finish(notes, dropped));
    }
}
