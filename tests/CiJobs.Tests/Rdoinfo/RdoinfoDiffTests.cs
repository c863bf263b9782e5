using CiJobs.Core.Rdoinfo;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Rdoinfo;

public class RdoinfoDiffTests
{
    [Fact]
    public async Task Compare_SameTree_IsEmpty()
    {
        using var fixture = new RdoinfoFixture();
        var database = await RdoinfoLoader.LoadAsync(fixture.Path);

        RdoinfoDiff.Compare(database, database).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public async Task Compare_AddedRemovedAndChangedPackages_AreAllReported()
    {
        using var before = new RdoinfoFixture();
        using var after = new RdoinfoFixture();
        after.Write("rdo.yml", RdoinfoFixture.Main.Replace("- project: glance\n  conf: core\n  maintainers:\n  - alice@example.org\n", "", StringComparison.Ordinal) + """

            - project: newpkg
              tags:
                under-review:
            """)
            .Write("tags/epoxy.yml", "packages:\n- project: glanceclient\n  tags:\n    epoxy:\n      source-branch: 4.8.0\n")
            .Write("tags/dalmatian.yml", "packages:\n- project: glanceclient\n  tags:\n    dalmatian:\n      source-branch: 4.6.0\n    version-locked:\n");

        var diff = RdoinfoDiff.Compare(await RdoinfoLoader.LoadAsync(before.Path), await RdoinfoLoader.LoadAsync(after.Path));

        diff.Added.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Project = "newpkg", Name = "python-newpkg", Tags = new[] { "under-review" } });
        diff.Removed.Should().ContainSingle().Which.Project.Should().Be("glance");
        var change = diff.Changed.Should().ContainSingle().Subject;
        change.Project.Should().Be("glanceclient");
        change.TagsChanged.Should().Equal("epoxy");
        change.TagsAdded.Should().Equal("version-locked");
        change.TagsRemoved.Should().BeEmpty();
        change.Releases.Should().ContainSingle().Which.Should().Be(new RdoReleaseChange("epoxy", true, true, "4.7.0", "4.8.0"));
    }

    [Fact]
    public async Task Compare_FieldChangeAndReleaseMembership_AreReported()
    {
        using var before = new RdoinfoFixture();
        using var after = new RdoinfoFixture();
        after.Write("rdo.yml", RdoinfoFixture.Main.Replace("    component: common", "    component: storage", StringComparison.Ordinal))
            .Write("tags/dalmatian.yml", "packages:\n- project: glanceclient\n  tags:\n    dalmatian:\n      source-branch: 4.6.0\n");

        var diff = RdoinfoDiff.Compare(await RdoinfoLoader.LoadAsync(before.Path), await RdoinfoLoader.LoadAsync(after.Path));

        var glance = diff.Changed.Should().ContainSingle().Subject;
        glance.Fields.Should().ContainSingle().Which.Should().Be(new RdoFieldChange("component", "common", "storage"));
        glance.TagsRemoved.Should().Equal("dalmatian");
        glance.Releases.Should().ContainSingle().Which.Should().Be(new RdoReleaseChange("dalmatian", true, false, null, null));
    }

    [Fact]
    public async Task Compare_TwoGitRevisions_ReadsEachRevisionWithoutCheckout()
    {
        using var fixture = new RdoinfoFixture();
        var git = new TestGit(fixture.Path);
        await git.RunAsync("init", "--quiet", "--initial-branch=master");
        var first = await git.CommitAsync("initial", new Dictionary<string, string>());
        await git.CommitAsync("pin glanceclient", new Dictionary<string, string> { ["tags/epoxy.yml"] = RdoinfoFixture.EpoxyTags.Replace("4.7.0", "5.0.0", StringComparison.Ordinal) + "\n" });

        using var oldSource = new GitRevisionRdoinfoSource(fixture.Path, first);
        using var newSource = new GitRevisionRdoinfoSource(fixture.Path, "HEAD");
        var diff = RdoinfoDiff.Compare(await RdoinfoLoader.LoadAsync(oldSource), await RdoinfoLoader.LoadAsync(newSource));

        diff.Changed.Should().ContainSingle().Which.Releases.Should().ContainSingle()
            .Which.Should().Be(new RdoReleaseChange("epoxy", true, true, "4.7.0", "5.0.0"));
    }
}
