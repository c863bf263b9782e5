using System.Globalization;
using CiJobs.Core;
using CiJobs.Core.Plan;

namespace CiJobs.Tests.Plan;

public class BuildPlannerTests
{
    private static async Task<BuildPlan> PlanAsync(PlanFixture fixture, string varsFile, Func<PlanRequest, PlanRequest>? adjust = null)
    {
        var request = new PlanRequest { Zuul = ZuulContext.Parse(await File.ReadAllTextAsync(varsFile), varsFile), SrcRoot = fixture.Root };
        return await BuildPlanner.PlanAsync(adjust?.Invoke(request) ?? request, CancellationToken.None);
    }

    [Fact]
    public async Task PlanAsync_UpstreamMainUpdated_BuildsOnlyTheReleaseBuildingFromMain()
    {
        using var fixture = await PlanFixture.CreateAsync();
        var vars = fixture.ZuulVars("example-greetlib", "main", "post", oldrev: "1111111", newrev: "2222222", projects: ["rdoinfo"]);

        var plan = await PlanAsync(fixture, vars);

        plan.Trigger.Should().Be(PlanTrigger.Upstream);
        var build = plan.Builds.Should().ContainSingle().Subject;
        build.Should().BeEquivalentTo(new
        {
            Package = "example-greetlib",
            Release = "tiny",
            Source = fixture.Checkout("example-greetlib"),
            SourceRef = "2222222",
            Distgit = (string?)null,
            DistgitRef = "rpm-main",
        });
        plan.Skipped.Should().BeEmpty();
        plan.RdoinfoDirectory.Should().Be(fixture.Checkout("rdoinfo"));
    }

    [Fact]
    public async Task PlanAsync_UpstreamStableBranch_BuildsTheStableReleaseWithThePreparedDistgit()
    {
        using var fixture = await PlanFixture.CreateAsync();
        var vars = fixture.ZuulVars("example-greetlib", "stable/1", "post", newrev: "3333333", projects: ["rdoinfo", "example-greetlib-distgit"]);

        var plan = await PlanAsync(fixture, vars);

        var build = plan.Builds.Should().ContainSingle().Subject;
        build.Release.Should().Be("tiny-1");
        build.Distgit.Should().Be(fixture.Checkout("example-greetlib-distgit"));
        build.DistgitRef.Should().Be("tiny-1-rdo");
    }

    [Fact]
    public async Task PlanAsync_UpstreamBranchNoReleaseUses_SkipsWithTheReleasesBranches()
    {
        using var fixture = await PlanFixture.CreateAsync();
        var vars = fixture.ZuulVars("example-greetlib", "feature/x", "post", newrev: "4444444", projects: ["rdoinfo"]);

        var plan = await PlanAsync(fixture, vars);

        plan.Builds.Should().BeEmpty();
        plan.Skipped.Should().ContainSingle().Which.Reason.Should()
            .Be("no release builds example-greetlib from branch feature/x (source-branch tiny: main, tiny-1: stable/1)");
    }

    [Fact]
    public async Task PlanAsync_UpstreamTagPushed_BuildsTheReleasePinnedToThatTag()
    {
        using var fixture = await PlanFixture.CreateAsync();
        await fixture.Rdoinfo.CommitAsync("Pin tiny-1", new Dictionary<string, string>
        {
            ["rdo-full.yml"] = PlanFixture.RdoinfoText().Replace("source-branch: stable/1", "source-branch: v1.1.0", StringComparison.Ordinal),
        });
        var vars = fixture.ZuulVars("example-greetlib", "main", "post", newrev: "6666666", projects: ["rdoinfo"]);
        var text = (await File.ReadAllTextAsync(vars)).Replace("  branch: main\n", "", StringComparison.Ordinal).Replace("refs/heads/main", "refs/tags/v1.1.0", StringComparison.Ordinal);
        await File.WriteAllTextAsync(vars, text);

        var plan = await PlanAsync(fixture, vars);

        plan.Builds.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Release = "tiny-1", SourceRef = "6666666" });
    }

    [Fact]
    public async Task PlanAsync_UpstreamOfPackageUnderReview_SkipsIt()
    {
        using var fixture = await PlanFixture.CreateAsync();
        await fixture.Rdoinfo.CommitAsync("Add newpkg", new Dictionary<string, string>
        {
            ["rdo-full.yml"] = PlanFixture.RdoinfoText(extraPackages: "- project: example-new\n  tags:\n    under-review:\n    tiny:"),
        });
        Directory.CreateDirectory(fixture.Checkout("example-new"));
        var vars = fixture.ZuulVars("example-new", "main", "post", newrev: "5555555", projects: ["rdoinfo"]);

        var plan = await PlanAsync(fixture, vars);

        plan.Builds.Should().BeEmpty();
        plan.Skipped.Should().ContainSingle().Which.Should().Be(new SkippedBuild("example-new", null, "under review in rdoinfo (tag under-review)"));
    }

    [Fact]
    public async Task PlanAsync_DistgitCheck_BuildsTheProposedSpecAtHeadWithThePreparedSource()
    {
        using var fixture = await PlanFixture.CreateAsync();
        var vars = fixture.ZuulVars("example-greeter-distgit", "rpm-main", "check", change: "101", projects: ["rdoinfo", "example-greeter"]);

        var plan = await PlanAsync(fixture, vars);

        plan.Trigger.Should().Be(PlanTrigger.Distgit);
        plan.Builds.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Package = "example-greeter",
            Release = "tiny",
            Source = fixture.Checkout("example-greeter"),
            SourceRef = "main",
            Distgit = fixture.Checkout("example-greeter-distgit"),
            DistgitRef = "HEAD",
            Reason = "distgit change 101,1 on rpm-main; tiny packages example-greeter from rpm-main",
        });
    }

    [Fact]
    public async Task PlanAsync_DistgitPostOnRpmMain_IgnoresTheEolReleaseAndUsesNewrev()
    {
        using var fixture = await PlanFixture.CreateAsync();
        var vars = fixture.ZuulVars("example-greetlib-distgit", "rpm-main", "post", oldrev: "aaaaaaa", newrev: "bbbbbbb", projects: ["rdoinfo"]);

        var plan = await PlanAsync(fixture, vars);

        var build = plan.Builds.Should().ContainSingle().Subject;
        build.Release.Should().Be("tiny", "old is end-of-life although its branch is rpm-main too");
        build.DistgitRef.Should().Be("bbbbbbb");
        build.Source.Should().BeNull("Zuul did not prepare the source, so the build clones the rdoinfo upstream");
    }

    [Fact]
    public async Task PlanAsync_DistgitBranchOfNoRelease_SkipsWithAReason()
    {
        using var fixture = await PlanFixture.CreateAsync();
        var vars = fixture.ZuulVars("example-greeter-distgit", "tiny-1-rdo", "check", change: "7", projects: ["rdoinfo"]);

        var plan = await PlanAsync(fixture, vars);

        plan.Builds.Should().BeEmpty();
        plan.Skipped.Should().ContainSingle().Which.Reason.Should().Contain("branch tiny-1-rdo is not the distgit branch of any release of example-greeter (distgit branches tiny: rpm-main)");
    }

    [Fact]
    public async Task PlanAsync_RdoinfoCheck_BuildsChangedPackagesAndSkipsUnderReviewAndAbsentOnes()
    {
        using var fixture = await PlanFixture.CreateAsync();
        await fixture.Rdoinfo.CommitAsync("Change greeter, add two packages", new Dictionary<string, string>
        {
            ["rdo-full.yml"] = PlanFixture.RdoinfoText(
                greeterExtra: "  maintainers:\n  - greeter@example.org",
                extraPackages: "- project: example-new\n  tags:\n    under-review:\n    tiny:\n- project: example-stable-only\n  tags:\n    tiny-1:"),
        });
        var vars = fixture.ZuulVars("rdoinfo", "master", "check", change: "55");

        var plan = await PlanAsync(fixture, vars, r => r with { Releases = ["tiny"] });

        plan.Trigger.Should().Be(PlanTrigger.Rdoinfo);
        plan.Builds.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Package = "example-greeter", Release = "tiny", Reason = "rdoinfo field maintainers: [maintainer@example.org] -> [greeter@example.org]" });
        plan.Skipped.Should().BeEquivalentTo(new[]
        {
            new SkippedBuild("example-new", null, "added, but under review (tag under-review)"),
            new SkippedBuild("example-stable-only", null, "added, but not in tiny"),
        });
        plan.Notes.Should().ContainSingle().Which.Should().StartWith($"rdoinfo compared {await fixture.Rdoinfo.RunAsync("rev-parse", "HEAD")}^ with HEAD");
    }

    [Fact]
    public async Task PlanAsync_RdoinfoPost_ComparesOldrevWithNewrevAndBuildsANewReleaseTag()
    {
        using var fixture = await PlanFixture.CreateAsync();
        var newrev = await fixture.Rdoinfo.CommitAsync("Greeter joins tiny-1", new Dictionary<string, string>
        {
            ["rdo-full.yml"] = PlanFixture.RdoinfoText(greeterExtra: "    tiny-1:"),
        });
        var vars = fixture.ZuulVars("rdoinfo", "master", "post", oldrev: fixture.RdoinfoBase, newrev: newrev);

        var plan = await PlanAsync(fixture, vars);

        plan.Builds.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Package = "example-greeter", Release = "tiny-1", SourceRef = "stable/1", DistgitRef = "tiny-1-rdo" });
        plan.Skipped.Should().ContainSingle().Which.Should().Be(new SkippedBuild("example-greeter", "tiny", "tags added: tiny-1; joins release tiny-1; nothing changed for tiny"));
    }

    [Fact]
    public async Task PlanAsync_RdoinfoOverrideOfOneReleaseChanged_BuildsThatReleaseOnly()
    {
        using var fixture = await PlanFixture.CreateAsync();
        var text = PlanFixture.RdoinfoText().Replace("      source-branch: stable/1", "      source-branch: stable/1\n      distro-branch: tiny-1-hotfix", StringComparison.Ordinal);
        var newrev = await fixture.Rdoinfo.CommitAsync("greetlib: tiny-1 distgit branch", new Dictionary<string, string> { ["rdo-full.yml"] = text });
        var vars = fixture.ZuulVars("rdoinfo", "master", "post", oldrev: fixture.RdoinfoBase, newrev: newrev);

        var plan = await PlanAsync(fixture, vars);

        plan.Builds.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Package = "example-greetlib", Release = "tiny-1", DistgitRef = "tiny-1-hotfix" });
        plan.Skipped.Should().ContainSingle().Which.Should().Be(new SkippedBuild("example-greetlib", "tiny", "tag overrides changed: tiny-1; nothing changed for tiny"));
    }

    [Fact]
    public async Task PlanAsync_RdoinfoFieldOverriddenByAReleaseTag_BuildsOnlyTheReleasesWhoseExpansionChanged()
    {
        using var fixture = await PlanFixture.CreateAsync();
        var text = PlanFixture.RdoinfoText().Replace("- project: example-greetlib\n", "- project: example-greetlib\n  source-branch: stable/foo\n", StringComparison.Ordinal);
        var newrev = await fixture.Rdoinfo.CommitAsync("greetlib: build from stable/foo", new Dictionary<string, string> { ["rdo-full.yml"] = text });
        var vars = fixture.ZuulVars("rdoinfo", "master", "post", oldrev: fixture.RdoinfoBase, newrev: newrev);

        var plan = await PlanAsync(fixture, vars, r => r with { Releases = ["tiny", "tiny-1", "old"] });

        // tiny-1 pins source-branch in its own tag, so its expansion is the same before and after.
        plan.Builds.Should().BeEquivalentTo(new[]
        {
            new { Package = "example-greetlib", Release = "tiny", SourceRef = "stable/foo", Reason = "rdoinfo field source-branch: (absent) -> stable/foo" },
            new { Package = "example-greetlib", Release = "old", SourceRef = "stable/foo", Reason = "rdoinfo field source-branch: (absent) -> stable/foo" },
        });
        plan.Skipped.Should().ContainSingle().Which.Should().Be(new SkippedBuild("example-greetlib", "tiny-1", "field source-branch: (absent) -> stable/foo; release tiny source-branch: (release default) -> stable/foo; release old source-branch: (release default) -> stable/foo; nothing changed for tiny-1"));
    }

    [Fact]
    public async Task PlanAsync_RdoinfoChangeVisibleOnlyInTheReleaseExpansion_BuildsThatRelease()
    {
        using var fixture = await PlanFixture.CreateAsync();
        const string Flavored = "- project: example-flavored\n  flavor: plain\n  summary: '{0}'\n  tags:\n    tiny:\n      flavor: spicy";
        var baseRev = await fixture.Rdoinfo.CommitAsync("Add flavored", new Dictionary<string, string>
        {
            ["rdo-full.yml"] = PlanFixture.RdoinfoText(extraPackages: string.Format(CultureInfo.InvariantCulture, Flavored, "%(flavor)s build")),
        });
        var newrev = await fixture.Rdoinfo.CommitAsync("flavored: literal summary", new Dictionary<string, string>
        {
            ["rdo-full.yml"] = PlanFixture.RdoinfoText(extraPackages: string.Format(CultureInfo.InvariantCulture, Flavored, "plain build")),
        });
        var vars = fixture.ZuulVars("rdoinfo", "master", "post", oldrev: baseRev, newrev: newrev);

        var plan = await PlanAsync(fixture, vars);

        // Unexpanded, the package reads the same ("plain build" both times); expanded for tiny it does not.
        plan.Builds.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Package = "example-flavored", Release = "tiny", Reason = "rdoinfo field summary: spicy build -> plain build" });
        plan.Skipped.Should().BeEmpty();
    }

    [Fact]
    public async Task PlanAsync_RdoinfoTagThatIsNoRelease_BuildsEveryReleaseOfThePackage()
    {
        using var fixture = await PlanFixture.CreateAsync();
        var text = PlanFixture.RdoinfoText().Replace("    tiny-1:\n      source-branch: stable/1", "    build-tags-only:\n    tiny-1:\n      source-branch: stable/1", StringComparison.Ordinal);
        var newrev = await fixture.Rdoinfo.CommitAsync("greetlib: tags only", new Dictionary<string, string> { ["rdo-full.yml"] = text });
        var vars = fixture.ZuulVars("rdoinfo", "master", "post", oldrev: fixture.RdoinfoBase, newrev: newrev);

        var plan = await PlanAsync(fixture, vars);

        plan.Builds.Select(b => (b.Package, b.Release, b.Reason)).Should().BeEquivalentTo(new[]
        {
            ("example-greetlib", "tiny", "rdoinfo tags added: build-tags-only"),
            ("example-greetlib", "tiny-1", "rdoinfo tags added: build-tags-only"),
        });
        plan.Skipped.Should().BeEmpty();
    }

    [Fact]
    public async Task PlanAsync_RdoinfoBaseRevisionMissing_ThrowsRevisionNotFound()
    {
        using var fixture = await PlanFixture.CreateAsync();
        var vars = fixture.ZuulVars("rdoinfo", "master", "post", oldrev: "0123456789abcdef0123456789abcdef01234567", newrev: fixture.RdoinfoBase);

        var act = () => PlanAsync(fixture, vars);

        (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(PlanExitCodes.RevisionNotFound);
    }

    /// <summary>The tiny rdoinfo with one more maintained release, <paramref name="release"/>, that example-greetlib is in.</summary>
    internal static string RdoinfoWithRelease(string release) => PlanFixture.RdoinfoText()
        .Replace("- name: old\n", $"- name: '{release}'\n  status: maintained\n  branch: evil-rdo\n  upstream_branch: main\n  repos:\n  - name: el9s\n- name: old\n", StringComparison.Ordinal)
        .Replace("    old:\n", $"    old:\n    '{release}':\n", StringComparison.Ordinal);

    [Theory]
    [InlineData("../../../somewhere")]
    [InlineData("tiny/../../x")]
    [InlineData(".hidden")]
    [InlineData("-rf")]
    public async Task PlanAsync_ReleaseNameFromRdoinfoUnsafeInAPath_ThrowsInvalidInput(string release)
    {
        using var fixture = await PlanFixture.CreateAsync();
        await fixture.Rdoinfo.CommitAsync("A hostile release", new Dictionary<string, string> { ["rdo-full.yml"] = RdoinfoWithRelease(release) });
        var vars = fixture.ZuulVars("example-greetlib", "main", "post", newrev: "2222222", projects: ["rdoinfo"]);

        var act = () => PlanAsync(fixture, vars);

        var error = (await act.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(PlanExitCodes.InvalidInput);
        error.Message.Should().StartWith($"invalid rdoinfo release name '{release}': use letters, digits and . _ + - only");
    }

    [Fact]
    public async Task PlanAsync_ReleaseNameFlagUnsafeInAPath_ThrowsInvalidInputBeforeTheLookup()
    {
        using var fixture = await PlanFixture.CreateAsync();
        var vars = fixture.ZuulVars("example-greetlib", "main", "post", newrev: "2222222", projects: ["rdoinfo"]);

        var act = () => PlanAsync(fixture, vars, r => r with { Releases = ["tiny", "../tiny"] });

        var error = (await act.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(PlanExitCodes.InvalidInput);
        error.Message.Should().StartWith("invalid release name '../tiny'");
    }

    [Fact]
    public async Task PlanAsync_UnrelatedProject_ThrowsUnknownProject()
    {
        using var fixture = await PlanFixture.CreateAsync();
        Directory.CreateDirectory(fixture.Checkout("website"));
        var vars = fixture.ZuulVars("website", "main", "post", newrev: "1", projects: ["rdoinfo"]);

        var act = () => PlanAsync(fixture, vars);

        (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(PlanExitCodes.UnknownProject);
    }

    [Fact]
    public async Task PlanAsync_NoRdoinfoCheckout_ThrowsMissingCheckout()
    {
        using var fixture = await PlanFixture.CreateAsync();
        var vars = fixture.ZuulVars("example-greetlib", "main", "post", newrev: "1");

        var act = () => PlanAsync(fixture, vars);

        var error = (await act.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(PlanExitCodes.MissingCheckout);
        error.Message.Should().Contain("required-projects");
    }

    [Fact]
    public async Task PlanAsync_PreparedCheckoutMissingOnDisk_ThrowsMissingCheckout()
    {
        using var fixture = await PlanFixture.CreateAsync();
        Directory.Delete(fixture.Checkout("example-greetlib"), recursive: true);
        var vars = fixture.ZuulVars("example-greetlib", "main", "post", newrev: "1", projects: ["rdoinfo"]);

        var act = () => PlanAsync(fixture, vars);

        (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(PlanExitCodes.MissingCheckout);
    }
}
