using System.Diagnostics;
using CiJobs.Core;
using CiJobs.Core.Builds;
using CiJobs.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace CiJobs.Tests.Builds;

/// <summary>
/// The spec reader and editor on mutated real specs (the examples'): no exception other than a <see cref="CiJobsException"/>,
/// no input that takes more than a moment, and whenever an edit succeeds, the spec says exactly what DLRN's edit says:
/// every Version field is the new version, every Release field the new release, and the one Source0 the tarball.
/// </summary>
public class SpecEditorFuzzTests
{
    private static readonly string[] Tokens =
    [
        "\n", "\r\n", "\r", "\0", "\t", " ", "%", "%{", "}", "%(", ")", "%global dlrn 0\n", "%define upstream_version x\n",
        "Version:", "Version: 1.0\n", "Release:", "Release: 3%{?dist}\n", "Source0:", "Source:", "Source1: x.tar.gz\n",
        "%changelog\n", "* Mon Jan 01 2024 A <a@b> - 1\n", "UPSTREAMVERSION", "%prep\n", "%{name}", "\u2028", "é", "#",
    ];

    private static readonly Lazy<string[]> Specs = new(() =>
        Directory.GetFiles(Path.Combine(RepoPaths.Root, "examples", "packages"), "*.spec", SearchOption.AllDirectories)
            .Select(File.ReadAllText).ToArray());

    private static Gen<string> Mutated() =>
        from spec in Gen.Elements(Specs.Value)
        from edits in Gen.Choose(1, 8).SelectMany(n => Gen.ListOf(Edit(), n))
        select edits.Aggregate(spec, (text, edit) => edit(text));

    private static Gen<Func<string, string>> Edit() =>
        from position in Gen.Choose(0, 1000)
        from token in Gen.Elements(Tokens)
        from count in Gen.Choose(0, 30)
        select (Func<string, string>)(text =>
        {
            var at = position * text.Length / 1000;
            return count % 3 == 0 ? text.Remove(at, Math.Min(count, text.Length - at)) : text.Insert(at, token);
        });

    [Fact]
    public void Mutated_specs_are_edited_exactly_or_refused_with_a_clear_error()
    {
        var edit = new SpecEdit("1.2.1", "0.20261205.abc1234", "example-1.2.1.tar.gz", "1.2.1", KeepChangelog: false);
        var watch = Stopwatch.StartNew();
        Prop.ForAll(Mutated().ToArbitrary(), spec =>
        {
            var one = Stopwatch.StartNew();
            _ = SpecEditor.ReadVersion(spec);
            string edited;
            try
            {
                edited = SpecEditor.Apply(spec, edit);
            }
            catch (CiJobsException e)
            {
                return e.ExitCode is BuildExitCodes.SpecInvalid or BuildExitCodes.UnsafeGitValue && one.ElapsedMilliseconds < 1000;
            }

            var lines = edited.Split('\n');
            return one.ElapsedMilliseconds < 1000
                && lines.Where(l => l.Contains("Version:", StringComparison.Ordinal)).All(l => l.EndsWith("Version: 1.2.1", StringComparison.Ordinal))
                && lines.Where(l => l.Contains("Release:", StringComparison.Ordinal)).All(l => l.EndsWith("Release: 0.20261205.abc1234%{?dist}", StringComparison.Ordinal))
                && lines.Where(l => l.StartsWith("Source0:", StringComparison.Ordinal) || l.StartsWith("Source:", StringComparison.Ordinal))
                    .All(l => l.EndsWith(": example-1.2.1.tar.gz", StringComparison.Ordinal))
                && !edited.Contains("UPSTREAMVERSION", StringComparison.Ordinal);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60));
    }
}
