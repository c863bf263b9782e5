using CiJobs.Core.Plan;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.ZuulConfig.Bot;
using CiJobs.Tests.Plan;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Rdoinfo;

public class RdoPackageChangeTextTests
{
    private static RdoPackageChange Change(
        IReadOnlyList<RdoFieldChange>? fields = null,
        IReadOnlyList<string>? added = null,
        IReadOnlyList<string>? removed = null,
        IReadOnlyList<string>? changed = null,
        IReadOnlyList<RdoReleaseChange>? releases = null) =>
        new("glance", "openstack-glance", fields ?? [], added ?? [], removed ?? [], changed ?? [], releases ?? []);

    [Fact]
    public void Lines_name_each_fact_in_order_and_summary_joins_them()
    {
        var change = Change(
            fields: [new RdoFieldChange("maintainers", new List<object?> { "a@b.c" }, new List<object?> { "d@e.f" }), new RdoFieldChange("source-branch", null, "stable/foo")],
            added: ["under-review"],
            removed: ["build-tags-only"],
            changed: ["epoxy"],
            releases:
            [
                new RdoReleaseChange("epoxy", true, true, "4.7.0", "4.8.0"),
                new RdoReleaseChange("flamingo", false, true, null, "5.0.0"),
                new RdoReleaseChange("caracal", true, false, null, null),
                new RdoReleaseChange("dalmatian", true, true, "4.6.0", null),
            ]);

        RdoPackageChangeText.Lines(change).Should().Equal(
            "field maintainers: [a@b.c] -> [d@e.f]",
            "field source-branch: (absent) -> stable/foo",
            "tags added: under-review",
            "tags removed: build-tags-only",
            "tag overrides changed: epoxy",
            "release epoxy source-branch: 4.7.0 -> 4.8.0",
            "joins release flamingo pinned to 5.0.0",
            "leaves release caracal",
            "release dalmatian source-branch: 4.6.0 -> (release default)");
        RdoPackageChangeText.Summary(change).Should().Be(string.Join("; ", RdoPackageChangeText.Lines(change)));
    }

    [Fact]
    public void Values_are_one_bounded_line_whatever_rdoinfo_holds()
    {
        var longValue = new string('x', 5000);
        var nested = new Dictionary<string, object?> { ["k"] = new List<object?> { "a\nb", null, longValue } };
        var change = Change(
            fields: [new RdoFieldChange("summary", "one\ntwo\u001b[31m", longValue), new RdoFieldChange("extra", null, nested)],
            added: ["evil\r\ntag"],
            releases: [new RdoReleaseChange("epoxy\n", true, true, longValue, "\u0007")]);

        var lines = RdoPackageChangeText.Lines(change);

        lines.Should().OnlyContain(l => !l.Any(char.IsControl) && l.Length < 2 * RdoPackageChangeText.MaxValueLength + 60);
        lines[0].Should().Be($"field summary: one?two?[31m -> {new string('x', RdoPackageChangeText.MaxValueLength)}...");
        lines[1].Should().StartWith("field extra: (absent) -> {k: [a?b, (absent), xxx").And.EndWith("...");
        lines[2].Should().Be("tags added: evil??tag");
        lines[3].Should().Be($"release epoxy? source-branch: {new string('x', RdoPackageChangeText.MaxValueLength)}... -> ?");
    }

    [Fact]
    public void A_value_cut_inside_a_surrogate_pair_stays_valid_text()
    {
        var value = new string('a', RdoPackageChangeText.MaxValueLength - 1) + "\U0001F600tail";

        var shown = RdoPackageChangeText.Value(value);

        shown.Should().Be(new string('a', RdoPackageChangeText.MaxValueLength - 1) + "...");
    }

    /// <summary>
    /// One rdoinfo change seen through the three outputs that describe it: <c>cijobs rdoinfo diff</c>, the config bot's
    /// package details and the reason the build plan gives for the release it skips. All carry the same facts.
    /// </summary>
    [Fact]
    [Trait("Runs", "cijobs")]
    public async Task Cli_diff_config_bot_details_and_plan_reason_carry_the_same_details()
    {
        using var fixture = await PlanFixture.CreateAsync();
        var text = PlanFixture.RdoinfoText().Replace("      source-branch: stable/1", "      source-branch: stable/2\n      distro-branch: tiny-1-hotfix", StringComparison.Ordinal);
        var newrev = await fixture.Rdoinfo.CommitAsync("greetlib: tiny-1 moves to stable/2", new Dictionary<string, string> { ["rdo-full.yml"] = text });
        var rdoinfo = fixture.Checkout("rdoinfo");

        var cli = await CliRunner.RunAsync("rdoinfo", "diff", fixture.RdoinfoBase, newrev, "--repo", rdoinfo);
        cli.ExitCode.Should().Be(0, cli.ToString());
        var cliLines = cli.StandardOutput.ReplaceLineEndings("\n").Split('\n')
            .SkipWhile(l => l != "~ example-greetlib (project example-greetlib)").Skip(1)
            .TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal))
            .Select(l => l[4..])
            .ToList();

        using var before = RdoinfoAtRevision.Open(rdoinfo, fixture.RdoinfoBase);
        using var after = RdoinfoAtRevision.Open(rdoinfo, newrev);
        var diff = ZuulConfigDiff.Compare(await before.LoadAsync(RdoinfoLoader.DefaultEntryFile, CancellationToken.None), await after.LoadAsync(RdoinfoLoader.DefaultEntryFile, CancellationToken.None), ZuulGeneratorSettings.Default);
        var details = diff.Packages.Should().ContainSingle(p => p.Project == "example-greetlib").Subject.Details;

        var vars = fixture.ZuulVars("rdoinfo", "master", "post", oldrev: fixture.RdoinfoBase, newrev: newrev);
        var plan = await BuildPlanner.PlanAsync(new PlanRequest { Zuul = ZuulContext.Parse(await File.ReadAllTextAsync(vars), vars), SrcRoot = fixture.Root }, CancellationToken.None);
        var reason = plan.Skipped.Should().ContainSingle(s => s.Package == "example-greetlib" && s.Release == "tiny").Subject.Reason;

        details.Should().Equal("tag overrides changed: tiny-1", "release tiny-1 source-branch: stable/1 -> stable/2");
        cliLines.Should().Equal(details);
        reason.Should().Be(string.Join("; ", details) + "; nothing changed for tiny");
    }
}
