using CiJobs.Core.Rdoinfo;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Rdoinfo;

/// <summary>RDO's real database (vendored in tests/data/rdoinfo); expected values were read by hand from the YAML.</summary>
public class RealRdoinfoTests
{
    private static readonly Lazy<Task<RdoinfoDatabase>> Database = new(() => RdoinfoLoader.LoadAsync(RepoPaths.RealRdoinfo));

    [Fact]
    public async Task The_real_database_loads_every_package_and_release()
    {
        var database = await Database.Value;

        database.Projects.Should().HaveCount(1369);
        database.Releases.Should().HaveCount(13);
        database.Releases[0].Name.Should().Be("flamingo");
        database.Releases[0].Branch.Should().Be("rpm-master");
        database.Releases[0].Repos.Select(r => r.Name).Should().Equal("el9s", "el10s");
        database.FindRelease("epoxy")!.UpstreamBranch.Should().Be("stable/2025.1");
        database.ExpandAll().Should().HaveCount(1369);
    }

    [Fact]
    public async Task Nova_expands_from_the_core_template_with_its_own_maintainers()
    {
        var database = await Database.Value;

        var nova = database.GetPackage("openstack-nova");

        nova.Project.Should().Be("nova");
        nova.Conf.Should().Be("rpmfactory-core");
        nova.Upstream.Should().Be("https://opendev.org/openstack/nova");
        nova.MasterDistgit.Should().Be("https://github.com/rdo-packages/nova-distgit.git");
        nova.Component.Should().Be("compute");
        nova.Maintainers.Should().Equal("sbauza@redhat.com", "gibi@redhat.com");
        nova.HasTag("epoxy").Should().BeTrue();
        nova.GetString("review-origin").Should().Be("ssh://review.rdoproject.org:29418/openstack/nova-distgit.git");
    }

    [Fact]
    public async Task Aodhclient_gets_the_source_branch_of_each_release_tag()
    {
        var database = await Database.Value;

        var client = database.GetPackage("aodhclient");

        client.Name.Should().Be("python-aodhclient");
        client.Upstream.Should().Be("https://opendev.org/openstack/python-aodhclient");
        client.Maintainers.Should().Equal("mrunge@redhat.com", "mmagr@redhat.com");
        database.Expand("aodhclient", database.ReleaseTagFor("aodhclient", "epoxy")).SourceBranch.Should().Be("3.7.1");
        database.Expand("aodhclient", "flamingo-uc").SourceBranch.Should().Be("3.9.0");
        database.Expand("aodhclient", database.ReleaseTagFor("aodhclient", "flamingo")).SourceBranch.Should().BeNull();
    }

    [Fact]
    public async Task A_dependency_package_takes_its_conf_from_deps_yml()
    {
        var database = await Database.Value;

        var sphinx = database.GetPackage("python-sphinx");

        sphinx.Conf.Should().Be("rdo-dependency");
        sphinx.Upstream.Should().Be("https://github.com/sphinx-doc/sphinx", "the package's own upstream beats the template's");
        sphinx.MasterDistgit.Should().Be("https://review.rdoproject.org/r/deps/python-sphinx.git");
        sphinx.GetString("centos-distgit").Should().Be("https://git.centos.org/rpms/python-sphinx");
        sphinx.Fields["patches"].Should().BeNull("the template sets patches to null over the default");
    }

    [Fact]
    public async Task Packages_under_review_carry_the_tag()
    {
        var database = await Database.Value;

        database.GetPackage("karbor").IsUnderReview.Should().BeTrue();
        database.GetPackage("nova").IsUnderReview.Should().BeFalse();
    }
}
