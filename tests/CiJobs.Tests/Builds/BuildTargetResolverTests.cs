using CiJobs.Core;
using CiJobs.Core.Builds;
using CiJobs.Core.Rdoinfo;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Builds;

/// <summary>RDO's real database, loaded once for the resolver tests.</summary>
public sealed class RealRdoinfoFixture : IAsyncLifetime
{
    public RdoinfoDatabase Database { get; private set; } = null!;

    public async Task InitializeAsync() => Database = await RdoinfoLoader.LoadAsync(RepoPaths.RealRdoinfo);

    public Task DisposeAsync() => Task.CompletedTask;
}

public class BuildTargetResolverTests(RealRdoinfoFixture rdoinfo) : IClassFixture<RealRdoinfoFixture>
{
    private static BuildRequest Request(string package, string? release = null) => new()
    {
        RdoinfoDirectory = RepoPaths.RealRdoinfo,
        Package = package,
        Release = release,
        OutputDirectory = "unused",
    };

    [Fact]
    public void Resolve_PinnedPackage_UsesTheReleaseSourceBranchAndTheReleaseDistgitBranch()
    {
        var target = BuildTargetResolver.Resolve(rdoinfo.Database, Request("python-aodhclient", "epoxy"));

        target.PackageName.Should().Be("python-aodhclient");
        target.Project.Should().Be("aodhclient");
        target.Release.Should().Be("epoxy");
        target.SourceLocation.Should().Be("https://opendev.org/openstack/python-aodhclient");
        target.DistgitLocation.Should().Be("https://github.com/rdo-packages/aodhclient-distgit.git");
        target.SourceRef.Should().Be("3.7.1");
        target.DistgitRef.Should().Be("epoxy-rdo");
        target.Provenance.Should().Contain("source ref: 3.7.1 (rdoinfo source-branch)");
    }

    [Fact]
    public void Resolve_UnpinnedPackage_FallsBackToTheReleaseUpstreamBranch()
    {
        var target = BuildTargetResolver.Resolve(rdoinfo.Database, Request("openstack-nova", "flamingo"));

        target.SourceRef.Should().Be("master");
        target.DistgitRef.Should().Be("rpm-master");
        target.Provenance.Should().Contain("source ref: master (release flamingo upstream_branch)");
    }

    [Fact]
    public void Resolve_PackageInTheReleaseThroughPackageDefaultTags_BuildsForIt()
    {
        // instack has no tags of its own; package-default's tags put it in ussuri (docs/contracts/rdoinfo-expansion.md).
        var target = BuildTargetResolver.Resolve(rdoinfo.Database, Request("instack", "ussuri"));

        target.Release.Should().Be("ussuri");
        target.DistgitRef.Should().Be("rpm-master");
        target.Provenance.Should().Contain("rdoinfo: project instack, name instack, tag ussuri");
    }

    [Theory]
    [InlineData("../../../somewhere")]
    [InlineData("epoxy/..")]
    [InlineData("")]
    [InlineData("epoxy\nx")]
    public void Resolve_ReleaseNameUnsafeInAPath_IsAnInvalidName(string release)
    {
        var act = () => BuildTargetResolver.Resolve(rdoinfo.Database, Request("python-aodhclient", release));

        var error = act.Should().Throw<CiJobsException>().Which;
        error.ExitCode.Should().Be(BuildExitCodes.InvalidPackageName);
        error.Message.Should().StartWith("invalid release name '").And.Contain("use letters, digits and . _ + - only");
    }

    [Fact]
    public void Resolve_WithoutRelease_DefaultsToHead()
    {
        var target = BuildTargetResolver.Resolve(rdoinfo.Database, Request("openstack-nova"));

        target.SourceRef.Should().Be("HEAD");
        target.DistgitRef.Should().Be("HEAD");
    }

    [Fact]
    public void Resolve_FlagsOverrideRdoinfo()
    {
        var target = BuildTargetResolver.Resolve(
            rdoinfo.Database,
            Request("python-aodhclient", "epoxy") with { Source = "/src/aodhclient", Distgit = "/src/distgit", SourceRef = "HEAD", DistgitRef = "abc123" });

        target.SourceLocation.Should().Be("/src/aodhclient");
        target.DistgitLocation.Should().Be("/src/distgit");
        target.SourceRef.Should().Be("HEAD");
        target.DistgitRef.Should().Be("abc123");
    }

    [Fact]
    public void Resolve_UnknownPackage_SuggestsCloseNames()
    {
        var act = () => BuildTargetResolver.Resolve(rdoinfo.Database, Request("python-aodhclent"));

        var error = act.Should().Throw<CiJobsException>().Which;
        error.ExitCode.Should().Be(BuildExitCodes.UnknownPackage);
        error.Message.Should().Contain("did you mean").And.Contain("python-aodhclient");
    }

    [Fact]
    public void Resolve_ListsTheReleasesPackagesInRdoinfoOrderForVersionsCsv()
    {
        var target = BuildTargetResolver.Resolve(rdoinfo.Database, Request("python-aodhclient", "epoxy"));

        var expected = rdoinfo.Database.ExpandAll("epoxy");
        target.Packages.Select(p => p.Name).Should().Equal(expected.Select(p => p.Name), "DLRN writes versions.csv in the order of its package list");
        target.Packages.Should().Contain(new PackageRepositories("openstack-nova", "https://opendev.org/openstack/nova", "https://github.com/rdo-packages/nova-distgit.git"));
        target.Packages.Select(p => p.Name).Should().Contain("python-aodhclient").And.NotBeInAscendingOrder(StringComparer.Ordinal);
        target.Packages.Should().HaveCount(expected.Count).And.HaveCountLessThan(rdoinfo.Database.Projects.Count, "only the release's packages");
    }
}
