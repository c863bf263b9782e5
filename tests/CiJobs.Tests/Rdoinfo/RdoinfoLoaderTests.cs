using CiJobs.Core.Rdoinfo;

namespace CiJobs.Tests.Rdoinfo;

public class RdoinfoLoaderTests
{
    private static int LineOf(string text, string fragment) =>
        text.Split('\n').Select((l, i) => (l, i)).First(x => x.l.Contains(fragment, StringComparison.Ordinal)).i + 1;

    private static Task<RdoinfoDatabase> LoadAsync(RdoinfoFixture fixture) => RdoinfoLoader.LoadAsync(fixture.Path);

    [Fact]
    public async Task Load_SmallTree_ExpandsTemplatesAndPlaceholders()
    {
        using var fixture = new RdoinfoFixture();

        var database = await LoadAsync(fixture);
        var glance = database.Expand("glance");
        var client = database.Expand("glanceclient");

        database.Projects.Should().Equal("glance", "glanceclient");
        glance.Name.Should().Be("openstack-glance");
        glance.Upstream.Should().Be("https://opendev.org/openstack/glance");
        glance.MasterDistgit.Should().Be("https://git.example.org/distgits/glance-distgit.git");
        glance.Component.Should().Be("common");
        client.Name.Should().Be("python-glanceclient");
        client.Upstream.Should().Be("https://opendev.org/openstack/python-glanceclient");
        client.Component.Should().Be("clients");
    }

    [Fact]
    public async Task Expand_PackageKeys_ReplaceTemplateKeysShallowly()
    {
        using var fixture = new RdoinfoFixture();

        var database = await LoadAsync(fixture);

        // The package's own maintainers replace the default's list; they are not merged into it.
        database.Expand("glance").Maintainers.Should().Equal("alice@example.org");
        database.Expand("glanceclient").Maintainers.Should().Equal("packagers@example.org");
    }

    [Fact]
    public async Task Merge_SameProjectInSeveralFiles_AccumulatesTags()
    {
        using var fixture = new RdoinfoFixture();

        var database = await LoadAsync(fixture);

        // The package's merged tags map replaces the default tag set entirely.
        database.Expand("glanceclient").Tags.Keys.Should().Equal("epoxy", "dalmatian");
    }

    [Fact]
    public async Task Expand_WithReleaseTag_AppliesTheOverrideMap()
    {
        using var fixture = new RdoinfoFixture();

        var database = await LoadAsync(fixture);

        database.Expand("glanceclient", "epoxy").SourceBranch.Should().Be("4.7.0");
        database.Expand("glanceclient", "dalmatian").SourceBranch.Should().Be("4.6.0");
        database.Expand("glanceclient").SourceBranch.Should().BeNull();
        database.Expand("glance", "epoxy").SourceBranch.Should().BeNull("a null tag value carries no overrides");
    }

    [Fact]
    public async Task Merge_NullValueInLaterFile_KeepsEarlierValue()
    {
        using var fixture = new RdoinfoFixture()
            .Write("tags/dalmatian.yml", """
                packages:
                - project: glanceclient
                  tags:
                    epoxy:
                    dalmatian:
                - project: glance
                  maintainers:
                """);

        var database = await LoadAsync(fixture);

        database.Expand("glanceclient", "epoxy").SourceBranch.Should().Be("4.7.0", "a later null does not erase the earlier override map");
        database.Expand("glance").Maintainers.Should().Equal("alice@example.org");
    }

    [Fact]
    public async Task Merge_NullForKeyThePackageNeverHad_IsKeptAndHidesTheTemplateValue()
    {
        using var fixture = new RdoinfoFixture()
            .Write("tags/dalmatian.yml", "packages:\n- project: glanceclient\n  component:\n");

        var database = await LoadAsync(fixture);

        // distroinfo: the merge adds the new key with None, and the shallow update then hides the template's value.
        database.Expand("glanceclient").Fields.Should().ContainKey("component");
        database.Expand("glanceclient").Component.Should().BeNull();
    }

    [Fact]
    public async Task Merge_ListsInTwoFiles_AreConcatenated()
    {
        using var fixture = new RdoinfoFixture()
            .Write("tags/dalmatian.yml", """
                packages:
                - project: glance
                  maintainers:
                  - bob@example.org
                """);

        var database = await LoadAsync(fixture);

        database.Expand("glance").Maintainers.Should().Equal("alice@example.org", "bob@example.org");
    }

    [Fact]
    public async Task Merge_ScalarInLaterFile_Wins()
    {
        using var fixture = new RdoinfoFixture()
            .Write("tags/dalmatian.yml", """
                packages:
                - project: glance
                  component: storage
                """);

        var database = await LoadAsync(fixture);

        database.Expand("glance").Component.Should().Be("storage");
    }

    [Fact]
    public async Task Merge_TemplatesFromTwoFiles_AreDeepMerged()
    {
        using var fixture = new RdoinfoFixture()
            .Write("tags.yml", "import:\n- tags/epoxy.yml\n- tags/dalmatian.yml\n- extra.yml")
            .Write("extra.yml", """
                package-configs:
                  client:
                    distro-branch: main
                """);

        var database = await LoadAsync(fixture);

        var client = database.Expand("glanceclient");
        client.DistroBranch.Should().Be("main");
        client.Upstream.Should().Be("https://opendev.org/openstack/python-glanceclient");
    }

    [Fact]
    public async Task Expand_NullInTemplate_OverridesTheDefault()
    {
        using var fixture = new RdoinfoFixture()
            .Write("rdo.yml", RdoinfoFixture.Main.Replace("    component: clients", "    component: clients\n    master-distgit:", StringComparison.Ordinal));

        var database = await LoadAsync(fixture);

        // dict.update semantics: a template's null replaces the default (unlike the file merge).
        database.Expand("glanceclient").MasterDistgit.Should().BeNull();
    }

    [Fact]
    public async Task Expand_Substitution_IsOnePassOverTopLevelStringsOnly()
    {
        using var fixture = new RdoinfoFixture()
            .Write("rdo.yml", RdoinfoFixture.Main + """

                - project: nested
                  name: n-%(project)s
                  summary: '%(name)s is 100%% done'
                  extra:
                    url: https://x/%(project)s
                """);

        var database = await LoadAsync(fixture);
        var nested = database.Expand("nested");

        nested.Name.Should().Be("n-nested");
        nested.GetString("summary").Should().Be("n-%(project)s is 100% done", "substitution uses the values before substitution");
        ((IReadOnlyDictionary<string, object?>)nested.Fields["extra"]!)["url"].Should().Be("https://x/%(project)s");
    }

    [Fact]
    public async Task ReleaseTagFor_PackageWithUpperConstraintTagOnly_IsInTheRelease()
    {
        using var fixture = new RdoinfoFixture()
            .Write("tags/epoxy.yml", """
                packages:
                - project: glanceclient
                  tags:
                    epoxy-uc:
                      source-branch: 4.7.1
                """);

        var database = await LoadAsync(fixture);

        database.ReleaseTagFor("glanceclient", "epoxy").Should().Be("epoxy");
        database.ReleaseTagFor("glance", "epoxy").Should().BeNull("glance now only carries dalmatian");
        database.Expand("glanceclient", "epoxy-uc").SourceBranch.Should().Be("4.7.1");
        database.ExpandAll("epoxy").Select(p => p.Project).Should().Equal("glanceclient");
    }

    [Fact]
    public async Task Load_Releases_DefaultRepoBranchToReleaseBranch()
    {
        using var fixture = new RdoinfoFixture();

        var database = await LoadAsync(fixture);

        database.Releases.Select(r => r.Name).Should().Equal("epoxy", "dalmatian");
        database.FindRelease("epoxy")!.Repos.Single().Branch.Should().Be("rpm-master");
        database.FindRelease("epoxy")!.Repos.Single().BuildsysTags.Should().Equal("cloud9s-openstack-epoxy-candidate");
        database.FindRelease("dalmatian")!.Repos.Single().Branch.Should().Be("c9s-dalmatian-rdo");
        database.FindRelease("dalmatian")!.UpstreamBranch.Should().Be("stable/2024.2");
    }

    [Fact]
    public async Task FindPackage_ByNameProjectOrUrl_FindsThePackage()
    {
        using var fixture = new RdoinfoFixture();

        var database = await LoadAsync(fixture);

        database.FindPackage("openstack-glance")!.Project.Should().Be("glance");
        database.FindPackage("glanceclient")!.Name.Should().Be("python-glanceclient");
        database.FindPackage("https://opendev.org/openstack/python-glanceclient.git")!.Project.Should().Be("glanceclient");
        database.FindPackage("https://git.example.org/distgits/glance-distgit.git")!.Project.Should().Be("glance");
        database.FindPackage("nothing-like-it").Should().BeNull();
    }

    [Fact]
    public async Task GetPackage_UnknownName_SuggestsCloseNames()
    {
        using var fixture = new RdoinfoFixture();
        var database = await LoadAsync(fixture);

        var act = () => database.GetPackage("openstack-glanse");

        act.Should().Throw<RdoinfoException>()
            .Which.Message.Should().Contain("did you mean 'openstack-glance'");
    }

    [Theory]
    [InlineData("import:\n- rdo.yml\n- missing.yml", "rdo-full.yml:3", "imported file 'missing.yml' not found", RdoinfoExitCodes.MissingFile)]
    [InlineData("import:\n- rdo.yml\n- rdo-full.yml", "rdo-full.yml:3", "import cycle: rdo-full.yml -> rdo-full.yml", RdoinfoExitCodes.ImportCycle)]
    [InlineData("import:\n- rdo.yml\npackages: [a: b", "rdo-full.yml", "YAML syntax error", RdoinfoExitCodes.Syntax)]
    [InlineData("import:\n- rdo.yml\nreleases: []\nwhen: 2025-02-30", "rdo-full.yml:4", "not a valid date", RdoinfoExitCodes.Syntax)]
    [InlineData("import:\n- rdo.yml\nx: &a [*a]", "rdo-full.yml:3", "refers to a node that contains it", RdoinfoExitCodes.Syntax)]
    public async Task Load_BadEntryFile_FailsNamingFileAndLine(string entry, string where, string message, int exitCode)
    {
        using var fixture = new RdoinfoFixture().Write("rdo-full.yml", entry);

        var act = () => LoadAsync(fixture);

        var error = (await act.Should().ThrowAsync<RdoinfoException>()).Which;
        error.Message.Should().Contain(where).And.Contain(message);
        error.ExitCode.Should().Be(exitCode);
    }

    [Fact]
    public async Task Load_IndirectImportCycle_ShowsTheChain()
    {
        using var fixture = new RdoinfoFixture().Write("tags/dalmatian.yml", "import:\n- tags.yml\n");

        var act = () => LoadAsync(fixture);

        (await act.Should().ThrowAsync<RdoinfoException>()).Which.Message
            .Should().Contain("tags/dalmatian.yml:2").And.Contain("import cycle: tags.yml -> tags/dalmatian.yml -> tags.yml");
    }

    [Fact]
    public async Task Load_PackageWithoutProject_FailsAtItsLine()
    {
        using var fixture = new RdoinfoFixture().Write("tags/epoxy.yml", "packages:\n- project: glance\n- name: orphan\n");

        var act = () => LoadAsync(fixture);

        var error = (await act.Should().ThrowAsync<RdoinfoException>()).Which;
        error.Message.Should().Contain("tags/epoxy.yml:3").And.Contain("package entry without 'project'");
        error.ExitCode.Should().Be(RdoinfoExitCodes.Invalid);
    }

    [Fact]
    public async Task Load_PackageWithoutMaintainers_FailsAtItsLine()
    {
        using var fixture = new RdoinfoFixture()
            .Write("rdo.yml", RdoinfoFixture.Main.Replace("  maintainers:\n  - packagers@example.org\n", "", StringComparison.Ordinal));

        var act = () => LoadAsync(fixture);

        var error = (await act.Should().ThrowAsync<RdoinfoException>()).Which;
        error.Message.Should().Contain("rdo.yml:").And.Contain("package 'glanceclient' has no maintainers");
        error.Line.Should().Be(LineOf(File.ReadAllText(Path.Combine(fixture.Path, "rdo.yml")), "- project: glanceclient"));
    }

    [Fact]
    public async Task Load_UnknownConfTemplate_FailsAtTheConfLine()
    {
        using var fixture = new RdoinfoFixture()
            .Write("rdo.yml", RdoinfoFixture.Main.Replace("  conf: client", "  conf: clinet", StringComparison.Ordinal));

        var act = () => LoadAsync(fixture);

        var error = (await act.Should().ThrowAsync<RdoinfoException>()).Which;
        var line = LineOf(File.ReadAllText(Path.Combine(fixture.Path, "rdo.yml")), "conf: clinet");
        error.Message.Should().Contain($"rdo.yml:{line}").And.Contain("unknown conf template 'clinet'");
        error.ExitCode.Should().Be(RdoinfoExitCodes.Invalid);
    }

    [Fact]
    public async Task Load_SubstitutionOfMissingKey_Fails()
    {
        using var fixture = new RdoinfoFixture()
            .Write("rdo.yml", RdoinfoFixture.Main.Replace("name: openstack-%(project)s", "name: openstack-%(projct)s", StringComparison.Ordinal));

        var act = () => LoadAsync(fixture);

        (await act.Should().ThrowAsync<RdoinfoException>()).Which.Message.Should().Contain("'%(projct)s'");
    }

    [Fact]
    public async Task Load_MissingEntryFile_Fails()
    {
        using var fixture = new RdoinfoFixture();

        var act = () => RdoinfoLoader.LoadAsync(fixture.Path, "nope.yml");

        (await act.Should().ThrowAsync<RdoinfoException>()).Which.ExitCode.Should().Be(RdoinfoExitCodes.MissingFile);
    }
}
