using CiJobs.Core.Builds;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Tests.Builds;

public class DlrnCommitTests
{
    private static readonly DlrnCommit Commit = new()
    {
        ProjectName = "python-foo",
        CommitHash = "1234567890123456789012345678901234567890",
        DistroHash = "abcdef0123456789abcdef0123456789abcdef01",
        CommitBranch = "master",
        DtCommit = 1671133807,
        DtDistro = 1671133000,
        DtBuild = 1795430551,
        Status = DlrnCommit.Success,
        Notes = "OK",
        Artifacts = ["repos/12/34/1234567890123456789012345678901234567890_abcdef01/python-foo-1.0-1.el9.noarch.rpm", "repos/12/34/1234567890123456789012345678901234567890_abcdef01/python-foo-1.0-1.el9.src.rpm"],
        RepoDir = "/data/python-foo",
    };

    [Fact]
    public void ToYaml_WritesEveryDlrnColumnSortedAndAsStrings()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(Commit.ToYaml()));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var row = (YamlMappingNode)((YamlSequenceNode)root.Children[new YamlScalarNode("commits")]).Children.Single();

        var keys = row.Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!).ToList();
        keys.Should().Equal(
            "artifacts", "commit_branch", "commit_hash", "component", "distgit_dir", "distro_hash", "dt_build", "dt_commit",
            "dt_distro", "dt_extended", "extended_hash", "flags", "id", "notes", "project_name", "repo_dir", "status", "type", "versions_csv");
        foreach (var value in row.Children.Values.Cast<YamlScalarNode>())
        {
            // Quoted scalars are strings for every YAML loader, including DLRN's (an all-digit hash must not become an int).
            value.Style.Should().Be(YamlDotNet.Core.ScalarStyle.DoubleQuoted);
        }

        Scalar(row, "commit_hash").Should().Be("1234567890123456789012345678901234567890");
        Scalar(row, "dt_build").Should().Be("1795430551");
        Scalar(row, "component").Should().Be("None");
        Scalar(row, "extended_hash").Should().Be("None");
        Scalar(row, "flags").Should().Be("0");
        Scalar(row, "type").Should().Be("rpm");
        Scalar(row, "artifacts").Should().Be(string.Join(',', Commit.Artifacts));
    }

    [Fact]
    public void TryParseYaml_ReadsBackWhatToYamlWrote()
    {
        var parsed = DlrnCommit.TryParseYaml(Commit.ToYaml());

        parsed.Should().ContainSingle().Which.Should().BeEquivalentTo(Commit);
    }

    [Fact]
    public void TryParseYaml_ReadsDlrnsOwnSample()
    {
        const string sample = """
            commits:
            - commit_hash: 3a9326f251b9a4162eb0dfa9f1c924ef47c2c55a
              distro_hash: 024e24f0cf4366c2290c22f24e42de714d1addd1
              dt_build: '1444139517'
              dt_commit: '1444139038.0'
              dt_distro: '1431949433'
              notes: OK
              project_name: python-pysaml2
              rpms: repos/3a/93/x/python-pysaml2-3.0-1a.el7.centos.src.rpm
              status: SUCCESS
            """;

        var commit = DlrnCommit.TryParseYaml(sample)!.Single();

        commit.DtCommit.Should().Be(1444139038);
        commit.SourceNvr.Should().Be("python-pysaml2-3.0-1a.el7.centos");
        commit.ShardedDirectory.Should().Be("3a/93/3a9326f251b9a4162eb0dfa9f1c924ef47c2c55a_024e24f0");
    }

    [Fact]
    public void TryParseYaml_ReturnsNullForSomethingElse() => DlrnCommit.TryParseYaml("just: text").Should().BeNull();

    private static string Scalar(YamlMappingNode row, string key) => ((YamlScalarNode)row.Children[new YamlScalarNode(key)]).Value!;
}
