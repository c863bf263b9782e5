using CiJobs.Core;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Platform;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Dlrn;

public sealed class DlrnBuildCommitTests
{
    private const string Hash = "3a93c5a9e1d2b3c4d5e6f7a8b9c0d1e2f3a4b5c6";

    [Fact]
    public void Parse_DlrnShapedYaml_ReadsHashesTimestampsAndArtifacts()
    {
        var yaml = DlrnFixtures.CommitYaml("python-foo", Hash, "d1f2e3a4b5c6", 1_700_000_000, 1_700_000_100, "SUCCESS",
            [$"repos/3a/93/{Hash}_d1f2e3a4/python-foo-1.0-1.el9.noarch.rpm"]);

        var commit = DlrnBuildCommit.Parse(yaml, "test").Should().ContainSingle().Subject;

        commit.ProjectName.Should().Be("python-foo");
        commit.ShardedDirectory.Should().Be($"repos/3a/93/{Hash}_d1f2e3a4");
        commit.DtCommit.Should().Be(1_700_000_000);
        commit.DtDistro.Should().Be(1_700_000_100);
        commit.ExtendedHash.Should().BeNull();
        commit.Component.Should().BeNull();
        commit.ArtifactFileNames.Should().Equal("python-foo-1.0-1.el9.noarch.rpm");
    }

    [Fact]
    public void Parse_ArtifactOutsideTheCommitDirectory_Throws()
    {
        var yaml = DlrnFixtures.CommitYaml("p", Hash, "d1f2e3a4b5c6", 1, 1, "SUCCESS", ["repos/3a/93/other/p.rpm"]);

        var act = () => DlrnBuildCommit.Parse(yaml, "http://x/commit.yaml");

        act.Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(DlrnExitCodes.BuildResultInvalid);
    }

    [Theory]
    [InlineData("commits:\n- bogus: \"x\"\n", "unknown key 'bogus'")]
    [InlineData("other: 1\n", "'commits'")]
    [InlineData("commits: [\n", "line")]
    public void Parse_BadYaml_ThrowsNamingTheProblem(string yaml, string expected)
    {
        var act = () => DlrnBuildCommit.Parse(yaml, "http://x/commit.yaml");

        act.Should().Throw<CiJobsException>().WithMessage($"*{expected}*");
    }
}

public sealed class DlrnCredentialsTests
{
    [Fact]
    public async Task ResolveAsync_PasswordFromEnvironment_HiddenInToString()
    {
        var environment = new DictionaryEnvironment(new Dictionary<string, string> { ["DLRN_API_PASSWORD"] = "hunter2-env", ["DLRN_API_USER"] = "ci" });

        var credentials = await DlrnCredentials.ResolveAsync(null, null, environment, CancellationToken.None);

        credentials.User.Should().Be("ci");
        credentials.ToString().Should().NotContain("hunter2-env");
    }

    [Fact]
    public async Task ResolveAsync_PasswordFile_FirstLineWins()
    {
        using var temp = new TempDir("creds");
        var file = temp.Write("password", "from-file-pw\n");
        var environment = new DictionaryEnvironment(new Dictionary<string, string> { ["DLRN_API_PASSWORD"] = "from-env" });

        var credentials = await DlrnCredentials.ResolveAsync("ci", file, environment, CancellationToken.None);

        credentials.BasicHeaderValue().Should().Be(Convert.ToBase64String("ci:from-file-pw"u8.ToArray()));
    }

    [Fact]
    public async Task ResolveAsync_NoPassword_ThrowsCredentialsMissing()
    {
        var act = () => DlrnCredentials.ResolveAsync("ci", null, new DictionaryEnvironment(new Dictionary<string, string>()), CancellationToken.None);

        (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(DlrnExitCodes.CredentialsMissing);
    }
}
