using CiJobs.Core;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.ZuulConfig.Bot;
using CiJobs.Tests.Rdoinfo;
using CiJobs.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Tests.ZuulConfig.Bot;

public class ZuulConfigGeneratorTests
{
    private static async Task<GeneratedConfig> GenerateAsync(RdoinfoFixture fixture, ZuulGeneratorSettings? settings = null) =>
        ZuulConfigGenerator.Generate(await RdoinfoLoader.LoadAsync(fixture.Path), settings ?? ZuulGeneratorSettings.Default);

    [Fact]
    public async Task Generate_Fixture_WritesSourceAndDistgitStanzasWithPackageVariables()
    {
        using var fixture = new RdoinfoFixture();

        var config = await GenerateAsync(fixture);

        config.Projects.Select(p => p.CanonicalName).Should().Equal(
            "git.example.org/distgits/glance-distgit",
            "git.example.org/distgits/glanceclient-distgit",
            "opendev.org/openstack/glance",
            "opendev.org/openstack/python-glanceclient");
        var projects = config.RenderProjects();
        projects.Should().StartWith(ConfigBotNames.GeneratedHeader + "\n");
        projects.Should().Contain("""
            - project:
                name: git.example.org/distgits/glanceclient-distgit
                default-branch: rpm-master
                templates:
                  - cijobs-distgit
                vars:
                  cijobs_packages:
                    - name: python-glanceclient
                      source_branches:
                        epoxy: 4.7.0
                        dalmatian: 4.6.0
            - project:
                name: opendev.org/openstack/glance
                templates:
                  - cijobs-upstream
                vars:
                  cijobs_packages:
                    - name: openstack-glance
                      source_branches:
                        epoxy: master
                        dalmatian: stable/2024.2

            """.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Generate_Fixture_TenantListsDistgitsUnderGerritAndSourcesUnderTheirHost()
    {
        using var fixture = new RdoinfoFixture();

        var tenant = (await GenerateAsync(fixture, new ZuulGeneratorSettings { Tenant = "packaging" })).RenderTenant();

        tenant.Should().Be($"""
            {ConfigBotNames.GeneratedHeader}
            # Packaging and upstream repositories carry no Zuul configuration of their own here (include: []).
            - tenant:
                name: packaging
                source:
                  gerrit:
                    untrusted-projects:
                      - include: []
                        projects:
                          - distgits/glance-distgit
                          - distgits/glanceclient-distgit
                  opendev.org:
                    untrusted-projects:
                      - include: []
                        projects:
                          - openstack/glance
                          - openstack/python-glanceclient

            """.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Generate_ConnectionMap_NamesTheConnectionOfAHost()
    {
        using var fixture = new RdoinfoFixture();
        var settings = new ZuulGeneratorSettings
        {
            Connections = ZuulGeneratorSettings.ParseConnections(["opendev.org=opendev", "GIT.example.org=rdo-gerrit"]),
        };

        var config = await GenerateAsync(fixture, settings);

        config.Projects.Select(p => p.Connection).Distinct().Order().Should().Equal("opendev", "rdo-gerrit");
    }

    [Fact]
    public void ParseConnections_WithoutEquals_IsRefused()
    {
        var act = () => ZuulGeneratorSettings.ParseConnections(["opendev.org"]);

        act.Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(ConfigBotExitCodes.InputInvalid);
    }

    [Fact]
    public async Task Generate_UnderReviewPackage_IsConfiguredAndMarkedUnderReview()
    {
        using var fixture = new RdoinfoFixture();
        fixture.Write("rdo.yml", RdoinfoFixture.Main + "\n- project: newlib\n  conf: client\n  tags:\n    under-review:\n");

        var config = await GenerateAsync(fixture);

        var source = config.Projects.Single(p => p.CanonicalName == "opendev.org/openstack/python-newlib");
        source.Packages.Should().ContainSingle().Which.UnderReview.Should().BeTrue();
        GeneratedConfig.RenderStanza(source).Should().Contain("under_review: true");
        config.Projects.Where(p => p.CanonicalName != source.CanonicalName)
            .SelectMany(p => p.Packages).Should().OnlyContain(p => !p.UnderReview || p.Name == "python-newlib");
    }

    [Fact]
    public async Task Generate_PackagesSharingAnUpstream_GetOneStanzaListingBoth()
    {
        using var fixture = new RdoinfoFixture();
        fixture.Write("rdo.yml", RdoinfoFixture.Main + """

            - project: glanceclient-doc
              name: python-glanceclient-doc
              upstream: https://opendev.org/openstack/python-glanceclient.git
            """);

        var config = await GenerateAsync(fixture);

        var shared = config.Projects.Where(p => p.CanonicalName == "opendev.org/openstack/python-glanceclient").Should().ContainSingle().Subject;
        shared.Packages.Select(p => p.Name).Should().Equal("python-glanceclient", "python-glanceclient-doc");
    }

    [Fact]
    public async Task Generate_QuotesValuesYamlWouldReadAsNumbersOrBooleans()
    {
        using var fixture = new RdoinfoFixture();
        fixture.Write("tags/dalmatian.yml", RdoinfoFixture.DalmatianTags.Replace("4.6.0", "2024.2", StringComparison.Ordinal));
        fixture.Write("rdo.yml", RdoinfoFixture.Main + "\n- project: 'yes'\n  conf: client\n"); // quoted: plain yes is True for distroinfo

        var config = await GenerateAsync(fixture);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(config.RenderProjects()));

        var stanzas = (YamlSequenceNode)yaml.Documents[0].RootNode;
        var values = stanzas.AllNodes.OfType<YamlScalarNode>().ToList();
        values.Should().Contain(n => n.Value == "2024.2" && n.Style == YamlDotNet.Core.ScalarStyle.SingleQuoted);
        values.Should().Contain(n => n.Value == "python-yes");
    }

    [Fact]
    public async Task Write_Twice_SecondRunChangesNothingAndBytesAreIdentical()
    {
        using var fixture = new RdoinfoFixture();
        using var repo = new TempDir("config");
        var config = await GenerateAsync(fixture);

        var first = await GeneratedFileWriter.WriteAsync(repo.Path, config, CancellationToken.None);
        var bytes = await File.ReadAllBytesAsync(repo.Combine(ConfigBotNames.ProjectsFile));
        var second = await GeneratedFileWriter.WriteAsync(repo.Path, await GenerateAsync(fixture), CancellationToken.None);

        first.Should().OnlyContain(f => f.Status == GeneratedFileStatus.Created);
        second.Should().OnlyContain(f => f.Status == GeneratedFileStatus.Unchanged);
        (await File.ReadAllBytesAsync(repo.Combine(ConfigBotNames.ProjectsFile))).Should().Equal(bytes);
    }

    [Fact]
    public async Task Generate_UnrelatedRdoinfoEdit_GivesTheSameBytes()
    {
        using var fixture = new RdoinfoFixture();
        var before = (await GenerateAsync(fixture)).Files();
        fixture.Write("rdo.yml", RdoinfoFixture.Main.Replace("alice@example.org", "bob@example.org", StringComparison.Ordinal)
            .Replace("component: common", "component: storage", StringComparison.Ordinal));

        var after = (await GenerateAsync(fixture)).Files();

        after.Should().Equal(before);
    }

    [Fact]
    public async Task Write_HandWrittenFileAtABotPath_IsRefusedAndLeftAlone()
    {
        using var fixture = new RdoinfoFixture();
        using var repo = new TempDir("config");
        var handWritten = repo.Write(ConfigBotNames.ProjectsFile, "- project:\n    name: mine\n");
        var other = repo.Write("zuul.d/projects.yaml", "- project:\n    name: also-mine\n");

        var config = await GenerateAsync(fixture);

        var act = () => GeneratedFileWriter.WriteAsync(repo.Path, config, CancellationToken.None);

        (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(ConfigBotExitCodes.ConfigRepoInvalid);
        (await File.ReadAllTextAsync(handWritten)).Should().Be("- project:\n    name: mine\n");
        (await File.ReadAllTextAsync(other)).Should().Be("- project:\n    name: also-mine\n");
        File.Exists(repo.Combine(ConfigBotNames.TenantFile)).Should().BeFalse("nothing is half-written");
    }

    [Theory]
    [InlineData("https://opendev.org/openstack/nova", "opendev.org", "openstack/nova")]
    [InlineData("https://opendev.org/openstack/nova.git/", "opendev.org", "openstack/nova")]
    [InlineData("ssh://bot@Review.RdoProject.org:29418/puppet/puppet-aodh-distgit.git", "review.rdoproject.org", "puppet/puppet-aodh-distgit")]
    [InlineData("http://review.rdoproject.org/r/puppet/puppet-aodh.git", "review.rdoproject.org", "puppet/puppet-aodh")]
    public void Parse_GitUrl_GivesHostAndProjectPath(string url, string host, string path) =>
        RepositoryUrl.Parse(url).Should().Be(new RepositoryUrl(host, path));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("https://opendev.org/")]
    public void Parse_NoProject_IsNull(string? url) => RepositoryUrl.Parse(url).Should().BeNull();
}
