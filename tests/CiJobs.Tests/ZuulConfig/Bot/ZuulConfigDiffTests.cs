using CiJobs.Core.Rdoinfo;
using CiJobs.Core.ZuulConfig.Bot;
using CiJobs.Tests.Rdoinfo;

namespace CiJobs.Tests.ZuulConfig.Bot;

public class ZuulConfigDiffTests
{
    private static async Task<ZuulConfigDiff> DiffAsync(Action<RdoinfoFixture> edit)
    {
        using var before = new RdoinfoFixture();
        using var after = new RdoinfoFixture();
        edit(after);
        return ZuulConfigDiff.Compare(await RdoinfoLoader.LoadAsync(before.Path), await RdoinfoLoader.LoadAsync(after.Path), ZuulGeneratorSettings.Default);
    }

    [Fact]
    public async Task Compare_SameRdoinfo_IsEmpty()
    {
        var diff = await DiffAsync(_ => { });

        diff.IsEmpty.Should().BeTrue();
        diff.Packages.Should().BeEmpty();
    }

    [Fact]
    public async Task Compare_AddedPackage_AddsItsTwoProjectsAndTenantEntries()
    {
        var diff = await DiffAsync(f => f.Write("rdo.yml", RdoinfoFixture.Main + "\n- project: cinder\n  conf: core\n"));

        var package = diff.Packages.Should().ContainSingle().Subject;
        package.Kind.Should().Be(ConfigChangeKind.Added);
        package.Name.Should().Be("openstack-cinder");
        package.ConfigChanges.Select(c => (c.Kind, c.CanonicalName, c.Connection)).Should().Equal(
            (ConfigChangeKind.Added, "git.example.org/distgits/cinder-distgit", "gerrit"),
            (ConfigChangeKind.Added, "opendev.org/openstack/cinder", "opendev.org"));
        package.ConfigChanges[0].NewStanza.Should().Contain("default-branch: rpm-master");
    }

    [Fact]
    public async Task Compare_RemovedPackage_ProposesRemovalOfItsProjects()
    {
        var diff = await DiffAsync(f => f
            .Write("rdo.yml", RdoinfoFixture.Main.Replace("- project: glance\n  conf: core\n  maintainers:\n  - alice@example.org\n", "", StringComparison.Ordinal))
            .Write("tags/epoxy.yml", "packages:\n- project: glanceclient\n  tags:\n    epoxy:\n      source-branch: 4.7.0\n")
            .Write("tags/dalmatian.yml", "packages:\n- project: glanceclient\n  tags:\n    dalmatian:\n      source-branch: 4.6.0\n"));

        var package = diff.Packages.Should().ContainSingle().Subject;
        package.Kind.Should().Be(ConfigChangeKind.Removed);
        package.Project.Should().Be("glance");
        package.ConfigChanges.Should().HaveCount(2).And.OnlyContain(c => c.Kind == ConfigChangeKind.Removed && c.NewStanza == null);
        diff.IsEmpty.Should().BeFalse();
    }

    [Fact]
    public async Task Compare_SourceBranchPinChange_ChangesTheStanzasOfThatPackage()
    {
        var diff = await DiffAsync(f => f.Write("tags/epoxy.yml", RdoinfoFixture.EpoxyTags.Replace("4.7.0", "4.8.0", StringComparison.Ordinal)));

        var package = diff.Packages.Should().ContainSingle().Subject;
        package.Kind.Should().Be(ConfigChangeKind.Changed);
        package.Details.Should().Contain("release epoxy source-branch: 4.7.0 -> 4.8.0");
        package.Details.Should().Contain("tag overrides changed: epoxy");
        package.ConfigChanges.Should().HaveCount(2).And.OnlyContain(c => c.Kind == ConfigChangeKind.Changed);
        package.ConfigChanges[0].OldStanza.Should().Contain("epoxy: 4.7.0");
        package.ConfigChanges[0].NewStanza.Should().Contain("epoxy: 4.8.0");
    }

    [Fact]
    public async Task Compare_UnderReviewTagAdded_IsAChangeThatMarksTheProjects()
    {
        var diff = await DiffAsync(f => f.Write("tags/dalmatian.yml", RdoinfoFixture.DalmatianTags + "\n    under-review:\n"));

        var package = diff.Packages.Should().ContainSingle().Subject;
        package.Name.Should().Be("python-glanceclient");
        package.Details.Should().Contain("tags added: under-review");
        package.ConfigChanges.Should().OnlyContain(c => c.NewStanza!.Contains("under_review: true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Compare_FieldChangeWithoutConfigEffect_IsReportedWithNoConfigChange()
    {
        var diff = await DiffAsync(f => f.Write("rdo.yml", RdoinfoFixture.Main.Replace("alice@example.org", "bob@example.org", StringComparison.Ordinal)));

        diff.IsEmpty.Should().BeTrue();
        var package = diff.Packages.Should().ContainSingle().Subject;
        package.Details.Should().ContainSingle().Which.Should().StartWith("field maintainers:");
        package.ConfigChanges.Should().BeEmpty();
    }

    [Fact]
    public async Task Compare_UpstreamMoved_RemovesTheOldProjectAndAddsTheNew()
    {
        var diff = await DiffAsync(f => f.Write("rdo.yml", RdoinfoFixture.Main.Replace(
            "upstream: https://opendev.org/openstack/python-%(project)s", "upstream: https://github.com/openstack/python-%(project)s", StringComparison.Ordinal)));

        diff.Projects.Select(c => (c.Kind, c.CanonicalName)).Should().Equal(
            (ConfigChangeKind.Added, "github.com/openstack/python-glanceclient"),
            (ConfigChangeKind.Removed, "opendev.org/openstack/python-glanceclient"));
    }
}
