using CiJobs.Core;
using CiJobs.Core.Plan;

namespace CiJobs.Tests.Plan;

public class ZuulContextTests
{
    [Fact]
    public void Parse_JsonOfTheZuulDict_ReadsItemAndProjects()
    {
        const string json = """
            {"project": {"name": "openstack/glance", "short_name": "glance", "canonical_hostname": "opendev.org",
                         "canonical_name": "opendev.org/openstack/glance", "src_dir": "src/opendev.org/openstack/glance"},
             "branch": "master", "ref": "refs/heads/master", "oldrev": "aaa", "newrev": "bbb", "pipeline": "post",
             "items": [{"project": {"name": "openstack/glance"}}],
             "projects": {"review.example.org/rdoinfo": {"name": "rdoinfo", "short_name": "rdoinfo",
                          "canonical_name": "review.example.org/rdoinfo", "src_dir": "src/review.example.org/rdoinfo"}}}
            """;

        var zuul = ZuulContext.Parse(json, "vars.json");

        zuul.Project.Canonical.Should().Be("opendev.org/openstack/glance");
        zuul.EffectiveBranch.Should().Be("master");
        zuul.NewRev.Should().Be("bbb");
        zuul.IsChange.Should().BeFalse();
        zuul.FindProject("rdoinfo")!.SrcDir.Should().Be("src/review.example.org/rdoinfo");
        zuul.FindProject("openstack/glance").Should().NotBeNull("the item's project is always prepared");
        zuul.Items.Should().ContainSingle();
    }

    [Fact]
    public void Parse_YamlHoldingZuulWithoutBranch_TakesTheBranchFromTheRef()
    {
        var zuul = ZuulContext.Parse("zuul:\n  ref: refs/heads/stable/1\n  project:\n    name: lib\n", "vars.yaml");

        zuul.EffectiveBranch.Should().Be("stable/1");
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("zuul:\n  branch: main\n")]
    [InlineData("zuul: {project: {src_dir: x}}")]
    [InlineData("{unclosed")]
    public void Parse_NotAZuulDict_ThrowsInvalidInput(string text)
    {
        var act = () => ZuulContext.Parse(text, "vars.yaml");

        act.Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(PlanExitCodes.InvalidInput);
    }

    [Theory]
    [InlineData("https://opendev.org/openstack/glance", "openstack/glance", "opendev.org", true)]
    [InlineData("https://opendev.org/openstack/glance.git/", "openstack/glance", "opendev.org", true)]
    [InlineData("ssh://user@review.rdoproject.org:29418/openstack/glance-distgit.git", "openstack/glance-distgit", "review.rdoproject.org", true)]
    [InlineData("http://review.rdoproject.org/r/openstack/glance.git", "openstack/glance", "review.rdoproject.org", true)]
    [InlineData("git@github.com:rdo-packages/glance-distgit.git", "rdo-packages/glance-distgit", "github.com", true)]
    [InlineData("file:///work/git/example-greeter", "example-greeter", "git.example.org", true)]
    [InlineData("https://opendev.org/openstack/glance", "openstack/glance-distgit", "opendev.org", false)]
    [InlineData("https://opendev.org/openstack/python-glanceclient", "glanceclient", "opendev.org", false)]
    public void Matches_UrlAndProject_ComparesCanonicalNameOrPath(string url, string name, string host, bool expected)
    {
        var project = new ZuulProject(name, name.Split('/')[^1], host, null, null);

        ProjectUrl.Matches(url, project).Should().Be(expected);
    }
}
