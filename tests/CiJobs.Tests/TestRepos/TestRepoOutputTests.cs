using CiJobs.Core;
using CiJobs.Core.TestRepos;

namespace CiJobs.Tests.TestRepos;

public sealed class TestRepoOutputTests
{
    private static readonly TestRepoRpm Rpm = new("http://h/r/rpm/", "/srv/r/rpm/r.repo", []);
    private static readonly TestRepoDeb Deb = new("http://h/r/deb", "/srv/r/deb/r.list", "bookworm", "main", ["amd64"], []);

    [Fact]
    public void Dotenv_holds_only_the_keys_that_apply()
    {
        TestRepoOutput.Dotenv(new TestRepoResult("r", "/srv/r", Rpm, null)).Should().Be("CIJOBS_TESTREPO_NAME=r\nCIJOBS_TESTREPO_RPM_URL=http://h/r/rpm/\n");
        TestRepoOutput.Dotenv(new TestRepoResult("r", "/srv/r", null, Deb)).Should().Be(
            "CIJOBS_TESTREPO_NAME=r\nCIJOBS_TESTREPO_DEB_URL=http://h/r/deb\nCIJOBS_TESTREPO_DEB_CODENAME=bookworm\nCIJOBS_TESTREPO_DEB_COMPONENT=main\n");
    }

    [Fact]
    public void A_value_with_a_line_break_is_refused_in_dotenv()
    {
        var dotenv = () => TestRepoOutput.Dotenv(new TestRepoResult("r", "/srv/r", Rpm with { Url = "http://h/\nCIJOBS_EVIL=1" }, null));

        dotenv.Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(TestRepoExitCodes.InvalidOption);
    }

    [Theory]
    [InlineData("http://h/x y")]
    [InlineData("ftp://h/x")]
    [InlineData("http://h/x?a=b")]
    [InlineData("relative/path")]
    [InlineData("http://h/x\n")]
    public void A_bad_base_url_is_refused(string url)
    {
        var baseUrl = () => TestRepoPublisher.BaseUrl(url, "/srv");

        baseUrl.Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(TestRepoExitCodes.InvalidOption);
    }

    [Fact]
    public void The_default_base_url_is_the_root_as_a_file_URL() =>
        TestRepoPublisher.BaseUrl(null, "/srv/test repos").Should().Be("file:///srv/test%20repos");

    [Fact]
    public void The_repo_section_is_the_name_with_plus_as_underscore_which_dnf_requires() =>
        TestRepoPublisher.RepoFile("fix+1", "http://h/fix+1/rpm/").Should().StartWith("[fix_1]\nname=cijobs test repository fix+1\nbaseurl=http://h/fix+1/rpm/\n");
}
