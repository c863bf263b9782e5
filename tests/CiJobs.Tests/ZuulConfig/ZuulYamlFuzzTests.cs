using System.Diagnostics;
using CiJobs.Core.ZuulConfig;
using CiJobs.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace CiJobs.Tests.ZuulConfig;

/// <summary>
/// Fuzzing the Zuul YAML reader and the checker with mutated real configurations (the good fixture and the job
/// library's own <c>zuul.d/</c>) and random text: no exception escapes, and reading and checking one file of a few
/// kilobytes allocates less than <see cref="AllocationCap"/> (docs/contracts/zuul-config.md, "Reading untrusted
/// configuration").
/// </summary>
public class ZuulYamlFuzzTests
{
    /// <summary>The most one check of one mutated file may allocate: ample for a few kilobytes, far below a bomb.</summary>
    private const long AllocationCap = 64L * 1024 * 1024;

    /// <summary>YAML syntax and Zuul keys spliced into the corpus, anchors and aliases included (recursive ones too).</summary>
    private static readonly string[] Tokens =
    [
        "\n", "\n  ", "\n    ", "- ", ": ", "? ", "[", "]", "{", "}", ",", "'", "\"", "#", "|", ">", "!", "!encrypted/pkcs1-oaep ",
        "!override ", "!inherit ", "!!str ", "---\n", "...\n", "%YAML 1.1\n", "\t", "\r", "\u0085", "\u2028", "\uFEFF", "\0", "~",
        "null", "yes", "0x1F", "1e5", "- job:\n    name: x\n", "parent: ", "run: ", "nodeset: ", "secrets: [s]", "vars:\n      a: 1\n",
        "- project:\n    check:\n      jobs: [x]\n", "- nodeset:\n    name: n\n    nodes: []\n", "name: ", "timeout: ", "branches: ",
        "'(abc'", "^(?!x)", "[z-a]", "a**", "{name: n, label: l}", "- pipeline:\n    name: p\n    manager: dependent\n",
        "&a ", "*a", "&b [*a, *a, *a]", "<<: *a\n", "- job: &a {name: x, vars: {v: *a}}\n", "vars: &v {a: *v}\n",
    ];

    private static readonly Lazy<string[]> Corpus = new(() =>
    [
        .. Directory.GetFiles(Path.Combine(RepoPaths.Root, "tests", "CiJobs.Tests", "ZuulConfig", "Fixtures", "good"), "*.yaml", SearchOption.AllDirectories),
        .. Directory.GetFiles(Path.Combine(RepoPaths.Root, "zuul.d"), "*.yaml"),
    ]);

    private static Gen<string> Mutated() =>
        from file in Gen.Elements(Corpus.Value.Select(File.ReadAllText).ToArray())
        from edits in Gen.Choose(1, 8).SelectMany(n => Gen.ListOf(Edit(), n))
        select edits.Aggregate(file, (text, edit) => edit(text));

    /// <summary>One edit at a position given as a fraction of the text, so it fits any length.</summary>
    private static Gen<Func<string, string>> Edit()
    {
        var at = Gen.Choose(0, 1000).Select(p => p / 1000.0);
        Func<string, string> Insert(double where, string token) => text => text.Insert((int)(where * text.Length), token);
        Func<string, string> Delete(double where, int count) => text =>
        {
            var start = (int)(where * text.Length);
            return text.Remove(start, Math.Min(count, text.Length - start));
        };
        Func<string, string> Line(double where, Func<string[], int, string[]> change) => text =>
        {
            var lines = text.Split('\n');
            return string.Join('\n', change(lines, (int)(where * (lines.Length - 1))));
        };
        return Gen.OneOf(
            Gen.Zip(at, Gen.Elements(Tokens)).Select(t => Insert(t.Item1, t.Item2)),
            Gen.Zip(at, Gen.Choose(1, 40)).Select(t => Delete(t.Item1, t.Item2)),
            at.Select(w => Line(w, (lines, i) => [.. lines.Take(i + 1), lines[i], .. lines.Skip(i + 1)])),
            Gen.Zip(at, at).Select(t => Line(t.Item1, (lines, i) =>
            {
                var j = (int)(t.Item2 * (lines.Length - 1));
                (lines[i], lines[j]) = (lines[j], lines[i]);
                return lines;
            })),
            Gen.Zip(at, Gen.Elements("  ", " ", "")).Select(t => Line(t.Item1, (lines, i) =>
            {
                lines[i] = t.Item2.Length > 0 ? t.Item2 + lines[i] : lines[i].TrimStart(' ');
                return lines;
            })),
            at.Select(w => (Func<string, string>)(text => text[..(int)(w * text.Length)])));
    }

    private static Gen<string> Random() => ArbMap.Default.GeneratorFor<string>().Select(s => s ?? "");

    /// <summary>
    /// Inputs the fuzz found, on which YamlDotNet throws something other than a YamlException (<c>- :</c>, valid for PyYAML,
    /// is refused by YamlDotNet's parser itself in the limits pass, before its loader gets to throw).
    /// </summary>
    [Theory]
    [InlineData("...\n-", "YAML error: YAML the reader cannot handle (The scanner should contain no more tokens.)")]
    [InlineData("!![", "YAML error: YAML the reader cannot handle (Global tags must be valid URIs. (Parameter 'value'))")]
    [InlineData("- :", "YAML error: While parsing a block collection, did not find expected '-' indicator.")]
    public async Task CheckAsync_YamlTheParserChokesOn_IsAYamlErrorOfTheFile(string yaml, string message)
    {
        using var temp = new TempDir("zuulfuzz");
        temp.Write("zuul.d/bad.yaml", yaml);

        var result = await ZuulConfigChecker.CheckAsync([temp.Path], ZuulCheckContext.Empty, CancellationToken.None);

        result.Problems.Should().ContainSingle().Which.Should().Match<ZuulConfigProblem>(p =>
            p.File == temp.Path + "/zuul.d/bad.yaml" && p.IsError && p.Message == message);
    }

    [Fact]
    public async Task LoadAsync_ContextFileTheParserChokesOn_IsABadContext()
    {
        using var temp = new TempDir("zuulfuzz");
        var file = temp.Write("context.yaml", "...\n-");

        var act = () => ZuulCheckContext.LoadAsync(file, CancellationToken.None);

        (await act.Should().ThrowAsync<CiJobs.Core.CiJobsException>()).Which.ExitCode.Should().Be(ZuulConfigExitCodes.BadContext);
    }

    [Fact]
    public void WalkTextAndCrossReference_MutatedAndRandomConfigurations_NeverThrowAndStayUnderTheAllocationCap()
    {
        using var root = new TempDir("zuulfuzz");
        var context = ZuulCheckContext.Empty.With(["job:base"], ["review:gerrit", "upstream:git"]);
        var clock = Stopwatch.StartNew();
        var checkedFiles = 0;

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(400), Prop.ForAll(Gen.Frequency((4, Mutated()), (1, Random())).ToArbitrary(), text =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var walker = new ZuulConfigWalker(context) { File = "zuul.d/fuzz.yaml", Root = root.Path, Project = new ZuulProject(root.Path, root.Path, "fuzz", Trusted: false, 0) };
            ZuulConfigChecker.WalkText(walker, text, new Dictionary<string, int>());
            var problems = walker.Problems.Concat(ZuulCrossReference.Check(walker, context)).ToList();
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            allocated.Should().BeLessThan(AllocationCap, $"checking {text.Length} characters");
            problems.Where(p => p.File != "zuul.d/fuzz.yaml" || p.Line < 0 || p.ToString().Contains('\n')).Should().BeEmpty();
            checkedFiles++;
        }));

        checkedFiles.Should().Be(400);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "the fuzz is bounded to a few seconds on an idle machine");
    }
}
