namespace CiJobs.Core.Lint;

/// <summary>How bad a lint message is. Only errors and warnings count towards the verdict.</summary>
public enum LintSeverity
{
    Error,
    Warning,
    Info,
}

/// <summary>The packaging a result folder holds, which decides the tool: rpmlint for rpm, lintian for deb.</summary>
public enum LintFormat
{
    Rpm,
    Deb,
}

/// <summary>
/// One message of rpmlint or lintian. <see cref="Check"/> is rpmlint's message id or lintian's tag; <see cref="Detail"/>
/// the rest of the line; <see cref="Location"/> the file lintian points at (<c>[path]</c> or <c>[path:line]</c>);
/// <see cref="Line"/> the line in that file, or in the spec file for rpmlint. An overridden message (lintian <c>O:</c>
/// or <c>M:</c>) is kept for the record with <see cref="Overridden"/> set and never counts.
/// </summary>
public sealed record LintMessage(LintSeverity Severity, string Check, string? Detail, string? Location, int? Line, bool Overridden);

/// <summary>
/// One package as the tool names it: for rpm one .rpm or .src.rpm (<see cref="Kind"/> binary or source), for deb one of
/// lintian's processables (binary, udeb, source, changes, buildinfo). <see cref="File"/> is the file in the result folder
/// (null when the tool named a package cijobs did not give it).
/// </summary>
public sealed record LintPackage(string Name, LintFormat Format, string Kind, string? File, IReadOnlyList<LintMessage> Messages)
{
    public int Errors => Messages.Count(m => m.Severity == LintSeverity.Error && !m.Overridden);

    public int Warnings => Messages.Count(m => m.Severity == LintSeverity.Warning && !m.Overridden);

    public int Info => Messages.Count(m => m.Severity == LintSeverity.Info && !m.Overridden);

    public int OverriddenCount => Messages.Count(m => m.Overridden);
}

/// <summary>What one run of rpmlint or lintian said about a result folder: its packages and the lines it printed that are
/// not messages cijobs knows (kept as they are, never dropped).</summary>
public sealed record LintRun(
    string ResultDirectory,
    LintFormat Format,
    string Tool,
    int ToolExitCode,
    IReadOnlyList<LintPackage> Packages,
    IReadOnlyList<string> Notes,
    string? Rpmlintrc);

/// <summary>The limits of the verdict: more errors than <see cref="MaxErrors"/>, or more warnings than
/// <see cref="MaxWarnings"/> when it is set, fails.</summary>
public sealed record LintThresholds(int MaxErrors, int? MaxWarnings)
{
    public static LintThresholds Default { get; } = new(0, null);
}

/// <summary>Every run, the totals and the verdict.</summary>
public sealed record LintReport(IReadOnlyList<LintRun> Runs, LintThresholds Thresholds)
{
    public int Errors => Runs.Sum(r => r.Packages.Sum(p => p.Errors));

    public int Warnings => Runs.Sum(r => r.Packages.Sum(p => p.Warnings));

    public int Info => Runs.Sum(r => r.Packages.Sum(p => p.Info));

    public int Overridden => Runs.Sum(r => r.Packages.Sum(p => p.OverriddenCount));

    public bool Passed => Errors <= Thresholds.MaxErrors && (Thresholds.MaxWarnings is not { } max || Warnings <= max);
}
