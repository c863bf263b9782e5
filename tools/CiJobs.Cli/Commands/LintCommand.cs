using System.CommandLine;
using System.Globalization;
using CiJobs.Cli.Output;
using CiJobs.Core.Lint;
using CiJobs.Core.Platform;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs lint</c>: rpmlint and lintian on build results, one summary and a verdict (docs/manual/lint.md).</summary>
internal static class LintCommand
{
    public static Command Create()
    {
        var resultDirectories = new Argument<string[]>("result-dir")
        {
            Description = "DLRN result folders (repos/<h0h1>/<h2h3>/<commit>_<distro8>/) to lint: the artifacts their commit.yaml lists, " +
                "else every .rpm, .deb, .udeb, .dsc, .changes and .buildinfo in them.",
            Arity = ArgumentArity.OneOrMore,
        };
        var distgit = new Option<string?>("--distgit")
        {
            Description = "The package's distgit checkout: its rpmlintrc (rpmlintrc, *.rpmlintrc or *-rpmlintrc at its root, a regular file) is given to rpmlint.",
        };
        var rpmlintConfig = new Option<string?>("--rpmlint-config")
        {
            Description = "An rpmlint TOML configuration added to the one cijobs ships (name it *.override.toml to replace its lists instead of adding to them).",
        };
        var maxWarnings = new Option<int?>("--max-warnings")
        {
            Description = "Fail when there are more warnings than this. Default: warnings never fail.",
        }.InRange(0, int.MaxValue);
        var maxErrors = new Option<int>("--max-errors")
        {
            Description = "Fail when there are more errors than this.",
            DefaultValueFactory = _ => 0,
        }.InRange(0, int.MaxValue);
        var format = OutputOptions.CreateFormatOption();
        var command = new Command(
            "lint",
            "Run rpmlint (with the configuration cijobs ships and the distgit's rpmlintrc) on the RPMs and lintian on the Debian " +
            "packages of build results, print every message and a summary, and exit " +
            $"{LintExitCodes.LintFailed} when there are more errors than --max-errors or more warnings than --max-warnings.")
        {
            resultDirectories, distgit, rpmlintConfig, maxWarnings, maxErrors, format,
        };
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var request = new LintRequest(
                parseResult.GetValue(resultDirectories) ?? [],
                LintConfigLocator.FindShippedRpmlintConfig(AppContext.BaseDirectory))
            {
                Distgit = parseResult.GetValue(distgit),
                RpmlintConfig = parseResult.GetValue(rpmlintConfig),
                Thresholds = new LintThresholds(parseResult.GetValue(maxErrors), parseResult.GetValue(maxWarnings)),
            };
            var report = await new LintService(new CliWrapProcessRunner()).LintAsync(request, cancellationToken);
            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(LintReportJson.From(report));
            }
            else
            {
                await WriteTextAsync(report);
            }

            if (report.Passed)
            {
                return 0;
            }

            // The verdict, not an error of the tool: the report above stays whole; one line on stderr says why it failed.
            var warningLimit = report.Thresholds.MaxWarnings is { } max ? max.ToString(CultureInfo.InvariantCulture) : "none";
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"cijobs: error: lint failed: {report.Errors} error(s) (max {report.Thresholds.MaxErrors}), {report.Warnings} warning(s) (max {warningLimit})"));
            return LintExitCodes.LintFailed;
        });
        return command;
    }

    private static async Task WriteTextAsync(LintReport report)
    {
        var output = Console.Out;
        foreach (var run in report.Runs)
        {
            await output.WriteLineAsync($"{run.Tool} {run.ResultDirectory}{(run.Rpmlintrc is null ? string.Empty : $" (rpmlintrc {run.Rpmlintrc})")}");
            foreach (var package in run.Packages)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {package.Name} {package.Kind} {(package.File is null ? "(no file)" : Path.GetFileName(package.File))}: {package.Errors} error(s), {package.Warnings} warning(s), {package.Info} info, {package.OverriddenCount} overridden"));
                foreach (var message in package.Messages)
                {
                    var where = message.Location is null
                        ? message.Line is { } line ? string.Create(CultureInfo.InvariantCulture, $" [line {line}]") : string.Empty
                        : message.Line is { } at ? string.Create(CultureInfo.InvariantCulture, $" [{message.Location}:{at}]") : $" [{message.Location}]";
                    await output.WriteLineAsync(
                        $"    {(message.Overridden ? "overridden" : LintReportJson.Name(message.Severity))}: {message.Check}{(message.Detail is null ? string.Empty : " " + message.Detail)}{where}");
                }
            }

            foreach (var note in run.Notes)
            {
                await output.WriteLineAsync($"  note: {note}");
            }
        }

        var thresholds = report.Thresholds;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"lint: {report.Runs.Sum(r => r.Packages.Count)} package(s): {report.Errors} error(s) (max {thresholds.MaxErrors}), " +
            $"{report.Warnings} warning(s) (max {(thresholds.MaxWarnings is { } max ? max.ToString(CultureInfo.InvariantCulture) : "none")}), " +
            $"{report.Info} info, {report.Overridden} overridden: {(report.Passed ? "passed" : "FAILED")}"));
    }
}

/// <summary>The JSON of <c>cijobs lint</c>; the keys come out in this order (docs/manual/lint.md, "JSON").</summary>
internal sealed record LintReportJson(
    string Verdict,
    bool Passed,
    LintThresholdsJson Thresholds,
    LintCountsJson Totals,
    IReadOnlyList<LintRunJson> Runs)
{
    public static string Name(LintSeverity severity) => severity switch
    {
        LintSeverity.Error => "error",
        LintSeverity.Warning => "warning",
        _ => "info",
    };

    public static LintReportJson From(LintReport report) => new(
        report.Passed ? "passed" : "failed",
        report.Passed,
        new LintThresholdsJson(report.Thresholds.MaxErrors, report.Thresholds.MaxWarnings),
        new LintCountsJson(report.Runs.Sum(r => r.Packages.Count), report.Errors, report.Warnings, report.Info, report.Overridden),
        [.. report.Runs.Select(r => new LintRunJson(
            r.ResultDirectory,
            r.Format == LintFormat.Rpm ? "rpm" : "deb",
            r.Tool,
            r.ToolExitCode,
            r.Rpmlintrc,
            new LintCountsJson(r.Packages.Count, r.Packages.Sum(p => p.Errors), r.Packages.Sum(p => p.Warnings), r.Packages.Sum(p => p.Info), r.Packages.Sum(p => p.OverriddenCount)),
            [.. r.Packages.Select(p => new LintPackageJson(
                p.Name,
                p.Format == LintFormat.Rpm ? "rpm" : "deb",
                p.Kind,
                p.File,
                new LintCountsJson(1, p.Errors, p.Warnings, p.Info, p.OverriddenCount),
                [.. p.Messages.Select(m => new LintMessageJson(Name(m.Severity), m.Check, m.Detail, m.Location, m.Line, m.Overridden))]))],
            r.Notes))]);
}

internal sealed record LintThresholdsJson(int MaxErrors, int? MaxWarnings);

internal sealed record LintCountsJson(int Packages, int Errors, int Warnings, int Info, int Overridden);

internal sealed record LintRunJson(
    string ResultDir,
    string Format,
    string Tool,
    int ToolExitCode,
    string? Rpmlintrc,
    LintCountsJson Counts,
    IReadOnlyList<LintPackageJson> Packages,
    IReadOnlyList<string> Notes);

internal sealed record LintPackageJson(string Name, string Format, string Kind, string? File, LintCountsJson Counts, IReadOnlyList<LintMessageJson> Messages);

internal sealed record LintMessageJson(string Severity, string Check, string? Detail, string? Location, int? Line, bool Overridden);
