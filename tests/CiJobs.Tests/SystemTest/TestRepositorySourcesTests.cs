using CiJobs.Core;
using CiJobs.Core.Platform;
using CiJobs.Core.SystemTest;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.SystemTest;

public sealed class TestRepositorySourcesTests
{
    // Shaped like zuul.artifacts in a gate item: two items ahead (artifacts of items ahead first, as Zuul orders
    // them), this change's own build, and artifacts of other types that must be ignored.
    private const string GateArtifacts = """
        [
          {"name": "Test repository gate-101-1-aaaa (rpm)", "url": "https://logs.example.org/a/testrepo/gate-101-1-aaaa/rpm/",
           "project": "rpms/alpha", "change": "101", "patchset": "1", "job": "cijobs-build-distgit",
           "metadata": {"type": "cijobs_test_repo", "format": "rpm", "repo_name": "gate-101-1-aaaa"}},
          {"name": "DLRN result alpha", "url": "https://logs.example.org/a/dlrn/", "change": "101", "patchset": "1",
           "metadata": {"type": "cijobs_dlrn_result"}},
          {"name": "Test repository gate-102-3-bbbb (deb)", "url": "https://logs.example.org/b/testrepo/gate-102-3-bbbb/deb",
           "project": "deb/beta", "change": 102, "patchset": "3",
           "metadata": {"type": "cijobs_test_repo", "format": "deb", "repo_name": "gate-102-3-bbbb", "codename": "bookworm", "component": "main"}},
          {"name": "Test repository gate-103-2-cccc (rpm)", "url": "https://logs.example.org/c/testrepo/gate-103-2-cccc/rpm/",
           "project": "rpms/gamma", "change": "103", "patchset": "2",
           "metadata": {"type": "cijobs_test_repo", "format": "rpm", "repo_name": "gate-103-2-cccc"}},
          {"name": "Test repository gate-103-2-cccc (rpm)", "url": "https://logs.example.org/c/testrepo/gate-103-2-cccc/rpm/",
           "project": "rpms/gamma", "change": "103", "patchset": "2",
           "metadata": {"type": "cijobs_test_repo", "format": "rpm", "repo_name": "gate-103-2-cccc"}},
          {"name": "a docs preview", "url": "https://logs.example.org/docs/"}
        ]
        """;

    [Fact]
    public void Zuul_artifacts_give_every_test_repository_in_queue_order_once()
    {
        var found = TestRepositorySources.FromZuulArtifacts(GateArtifacts);

        found.Select(r => (r.Name, r.Format, r.Url)).Should().Equal(
            ("gate-101-1-aaaa", TestRepositoryFormat.Rpm, "https://logs.example.org/a/testrepo/gate-101-1-aaaa/rpm/"),
            ("gate-102-3-bbbb", TestRepositoryFormat.Deb, "https://logs.example.org/b/testrepo/gate-102-3-bbbb/deb/"),
            ("gate-103-2-cccc", TestRepositoryFormat.Rpm, "https://logs.example.org/c/testrepo/gate-103-2-cccc/rpm/"));
        found[1].Codename.Should().Be("bookworm");
        found[1].Component.Should().Be("main");
        found[1].Origin.Should().Be("Zuul artifact 3 of deb/beta change 102,3");
    }

    [Fact]
    public void No_artifacts_at_all_is_an_empty_list()
    {
        TestRepositorySources.FromZuulArtifacts("null").Should().BeEmpty();
        TestRepositorySources.FromZuulArtifacts("[]").Should().BeEmpty();
    }

    [Theory]
    [InlineData("{\"a\": 1}", "not a JSON list")]
    [InlineData("[{", "not JSON")]
    [InlineData("""[{"url": "http://x/", "metadata": {"type": "cijobs_test_repo", "format": "srpm", "repo_name": "a"}}]""", "metadata.format is 'srpm'")]
    [InlineData("""[{"url": "http://x/", "metadata": {"type": "cijobs_test_repo", "format": "rpm"}}]""", "repo_name is missing")]
    [InlineData("""[{"metadata": {"type": "cijobs_test_repo", "format": "rpm", "repo_name": "a"}}]""", "has no url")]
    [InlineData("""[{"url": "http://x/", "metadata": {"type": "cijobs_test_repo", "format": "rpm", "repo_name": "../../etc"}}]""", "is not a safe name")]
    [InlineData("""[{"url": "http://x/ y", "metadata": {"type": "cijobs_test_repo", "format": "rpm", "repo_name": "a"}}]""", "holds spaces")]
    [InlineData("""[{"url": "http://x/\nmain", "metadata": {"type": "cijobs_test_repo", "format": "deb", "repo_name": "a", "codename": "x"}}]""", "holds spaces")]
    [InlineData("""[{"url": "ftp://x/", "metadata": {"type": "cijobs_test_repo", "format": "rpm", "repo_name": "a"}}]""", "not an absolute http")]
    [InlineData("""[{"url": "http://x/", "metadata": {"type": "cijobs_test_repo", "format": "deb", "repo_name": "a"}}]""", "needs a codename")]
    [InlineData("""[{"url": "http://x/", "metadata": {"type": "cijobs_test_repo", "format": "deb", "repo_name": "a", "codename": "bookworm main"}}]""", "needs a codename")]
    public void Malformed_or_hostile_artifacts_are_refused_with_a_clear_message(string json, string message)
    {
        var act = () => TestRepositorySources.FromZuulArtifacts(json);

        act.Should().Throw<CiJobsException>().Where(e => e.ExitCode == SystemTestExitCodes.InvalidRepositories && e.Message.Contains(message));
    }

    [Fact]
    public void A_url_with_credentials_is_refused_with_the_credentials_code_and_not_repeated()
    {
        var act = () => TestRepositorySources.FromZuulArtifacts("""[{"url": "https://bot:s3cret@x/", "metadata": {"type": "cijobs_test_repo", "format": "rpm", "repo_name": "a"}}]""");

        act.Should().Throw<CiJobsException>().Where(e => e.ExitCode == ExitCodes.CredentialsInUrl && !e.Message.Contains("s3cret"));
    }

    [Fact]
    public void More_repositories_than_the_bound_are_refused()
    {
        var many = string.Join(",", Enumerable.Range(0, TestRepository.MaxRepositories + 1)
            .Select(i => "{\"url\": \"http://x/" + i + "/\", \"metadata\": {\"type\": \"cijobs_test_repo\", \"format\": \"rpm\", \"repo_name\": \"r" + i + "\"}}"));

        var act = () => TestRepositorySources.FromZuulArtifacts("[" + many + "]");

        act.Should().Throw<CiJobsException>().WithMessage("*more than 500*");
    }

    [Fact]
    public void A_dotenv_report_gives_the_rpm_and_deb_repository_of_one_change()
    {
        var found = TestRepositorySources.FromDotenv(
            "# written by cijobs testrepo publish\nCIJOBS_TESTREPO_NAME=check-7-2\r\nCIJOBS_TESTREPO_RPM_URL=\"http://127.0.0.1:8080/check-7-2/rpm/\"\n" +
            "CIJOBS_TESTREPO_DEB_URL=http://127.0.0.1:8080/check-7-2/deb/\nCIJOBS_TESTREPO_DEB_CODENAME=bookworm\n\n",
            "testrepo.env");

        found.Select(r => (r.Name, r.Format, r.Url, r.Codename, r.Component)).Should().Equal(
            ("check-7-2", TestRepositoryFormat.Rpm, "http://127.0.0.1:8080/check-7-2/rpm/", null, null),
            ("check-7-2", TestRepositoryFormat.Deb, "http://127.0.0.1:8080/check-7-2/deb/", "bookworm", "main"));
    }

    [Fact]
    public void A_dotenv_line_without_equals_or_a_url_without_a_name_is_refused()
    {
        var noEquals = () => TestRepositorySources.FromDotenv("CIJOBS_TESTREPO_NAME\n", "t.env");
        var noName = () => TestRepositorySources.FromDotenv("CIJOBS_TESTREPO_RPM_URL=http://x/\n", "t.env");

        noEquals.Should().Throw<CiJobsException>().WithMessage("t.env:1: not a KEY=VALUE line");
        noName.Should().Throw<CiJobsException>().WithMessage("*not CIJOBS_TESTREPO_NAME*");
    }

    [Fact]
    public void Variables_without_a_repository_give_none()
    {
        TestRepositorySources.FromVariables(new DictionaryEnvironment(new Dictionary<string, string>()), "env").Should().BeEmpty();
    }

    [Fact]
    public async Task The_files_list_each_repository_in_order_with_unique_section_names()
    {
        using var temp = new TempDir("systest-files");
        var repositories = TestRepositorySources.FromZuulArtifacts(GateArtifacts)
            .Append(TestRepository.Create("gate-101-1-aaaa", TestRepositoryFormat.Rpm, "http://other/", null, null, "test"))
            .ToList();

        var files = await TestRepositoryFiles.WriteAsync(temp.Path, repositories, default);

        File.ReadAllText(files.RepoFile!).Should().Be(
            "[cijobs-gate-101-1-aaaa]\nname=CiJobs test repository gate-101-1-aaaa\nbaseurl=https://logs.example.org/a/testrepo/gate-101-1-aaaa/rpm/\nenabled=1\ngpgcheck=0\npriority=1\nmodule_hotfixes=1\n\n" +
            "[cijobs-gate-103-2-cccc]\nname=CiJobs test repository gate-103-2-cccc\nbaseurl=https://logs.example.org/c/testrepo/gate-103-2-cccc/rpm/\nenabled=1\ngpgcheck=0\npriority=1\nmodule_hotfixes=1\n\n" +
            "[cijobs-gate-101-1-aaaa-2]\nname=CiJobs test repository gate-101-1-aaaa\nbaseurl=http://other/\nenabled=1\ngpgcheck=0\npriority=1\nmodule_hotfixes=1\n\n");
        File.ReadAllText(files.AptListFile!).Should().Be("# gate-102-3-bbbb\ndeb [trusted=yes] https://logs.example.org/b/testrepo/gate-102-3-bbbb/deb/ bookworm main\n");
        files.Variables["CIJOBS_TEST_REPO_COUNT"].Should().Be("4");
        files.Variables["CIJOBS_TEST_RPM_URLS"].Split(' ').Should().HaveCount(3);
        Directory.EnumerateFiles(temp.Path).Select(Path.GetFileName).Should().BeEquivalentTo(["cijobs-test.repo", "cijobs-test.list"], "temporary files are renamed into place");
    }
}
