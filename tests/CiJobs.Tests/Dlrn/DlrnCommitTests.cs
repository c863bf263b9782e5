using CiJobs.Core;
using CiJobs.Core.Dlrn;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Tests.Dlrn;

public sealed class DlrnCommitTests
{
    private const string Hash = "3a93c5a9e1d2b3c4d5e6f7a8b9c0d1e2f3a4b5c6";

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

    /// <summary>A commit.yaml as DLRN's <c>saveYAML_commit</c> (PyYAML) writes it: plain or single-quoted strings,
    /// <c>None</c> for nulls, a float dt_commit, the row's id (docs/contracts/dlrn-build.md).</summary>
    private const string DlrnWritten = """
        commits:
        - artifacts: repos/3a/93/3a9326f251b9a4162eb0dfa9f1c924ef47c2c55a_024e24f0/python-pysaml2-3.0-1a.el9.noarch.rpm,repos/3a/93/3a9326f251b9a4162eb0dfa9f1c924ef47c2c55a_024e24f0/python-pysaml2-3.0-1a.el9.src.rpm
          commit_branch: master
          commit_hash: 3a9326f251b9a4162eb0dfa9f1c924ef47c2c55a
          component: None
          distgit_dir: /home/dlrn/data/python-pysaml2_distro
          distro_hash: 024e24f0cf4366c2290c22f24e42de714d1addd1
          dt_build: '1444139517'
          dt_commit: '1444139038.5'
          dt_distro: '1431949433'
          dt_extended: None
          extended_hash: None
          flags: '0'
          id: '7'
          notes: OK
          project_name: python-pysaml2
          repo_dir: /home/dlrn/data/python-pysaml2
          status: SUCCESS
          type: rpm
          versions_csv: None
        """;

    [Fact]
    public void ToYaml_WritesEveryDlrnColumnSortedAndAsStrings()
    {
        var row = Row(Commit.ToYaml());

        Keys(row).Should().Equal(
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
    public void ToYaml_WritesExactlyWhatTheBuildAlwaysWrote()
    {
        // Pinned byte for byte: the build's writer must not change when the model does.
        Commit.ToYaml().Should().Be("""
            commits:
            - artifacts: "repos/12/34/1234567890123456789012345678901234567890_abcdef01/python-foo-1.0-1.el9.noarch.rpm,repos/12/34/1234567890123456789012345678901234567890_abcdef01/python-foo-1.0-1.el9.src.rpm"
              commit_branch: "master"
              commit_hash: "1234567890123456789012345678901234567890"
              component: "None"
              distgit_dir: "None"
              distro_hash: "abcdef0123456789abcdef0123456789abcdef01"
              dt_build: "1795430551"
              dt_commit: "1671133807"
              dt_distro: "1671133000"
              dt_extended: "None"
              extended_hash: "None"
              flags: "0"
              id: "None"
              notes: "OK"
              project_name: "python-foo"
              repo_dir: "/data/python-foo"
              status: "SUCCESS"
              type: "rpm"
              versions_csv: "None"

            """);
        var failed = Commit with { Status = DlrnCommit.Failed, Notes = "spec 'x' <bad> & \"quoted\"\nline2 + é", Artifacts = [], RepoDir = null, DistgitDir = "/d/x_distro" };
        failed.ToYaml().Should().Be("""
            commits:
            - artifacts: "None"
              commit_branch: "master"
              commit_hash: "1234567890123456789012345678901234567890"
              component: "None"
              distgit_dir: "/d/x_distro"
              distro_hash: "abcdef0123456789abcdef0123456789abcdef01"
              dt_build: "1795430551"
              dt_commit: "1671133807"
              dt_distro: "1671133000"
              dt_extended: "None"
              extended_hash: "None"
              flags: "0"
              id: "None"
              notes: "spec \u0027x\u0027 \u003Cbad\u003E \u0026 \u0022quoted\u0022\nline2 \u002B \u00E9"
              project_name: "python-foo"
              repo_dir: "None"
              status: "FAILED"
              type: "rpm"
              versions_csv: "None"

            """);
        Scalar(Row((failed with { Notes = "" }).ToYaml()), "notes").Should().Be("None");
    }

    [Fact]
    public void KnownKeys_AreTheColumnsTheWriterWrites()
    {
        var keys = Commit.ToColumns().Select(c => c.Key).ToList();

        keys.Should().HaveCount(19).And.BeInAscendingOrder(StringComparer.Ordinal).And.OnlyHaveUniqueItems();
        DlrnCommit.KnownKeys.Should().BeEquivalentTo(keys);
    }

    [Fact]
    public void Parse_ReadsBackWhatToYamlWrote_EveryField()
    {
        var extended = "0123456789abcdef0123456789abcdef01234567_fedcba9876543210fedcba9876543210fedcba98";
        var directory = DlrnCommit.ShardedPath(Hash, "d1f2e3a4b5c6", extended, "baremetal");
        var commit = new DlrnCommit
        {
            ProjectName = "python-foo",
            CommitHash = Hash,
            DistroHash = "d1f2e3a4b5c6",
            ExtendedHash = extended,
            CommitBranch = "stable/2025.1",
            Component = "baremetal",
            Status = DlrnCommit.Failed,
            DtCommit = 1_700_000_000.25,
            DtDistro = 1_700_000_100,
            DtBuild = 1_700_000_500,
            Notes = "line one\nline 'two': \"quoted\", with <tags> & é",
            Artifacts = [$"{directory}/python-foo-1.0-1.el9.src.rpm", $"{directory}/python-foo-1.0-1.el9.noarch.rpm"],
            RepoDir = "/data/python-foo",
            DistgitDir = "/data/python-foo_distro",
        };

        var parsed = DlrnCommit.Parse(commit.ToYaml(), "test").Should().ContainSingle().Subject;

        directory.Should().Be($"repos/component/baremetal/3a/93/{Hash}_d1f2e3a4_01234567_fedcba98");
        parsed.Should().BeEquivalentTo(commit, options => options.WithStrictOrdering());
        parsed.ToYaml().Should().Be(commit.ToYaml());
        DlrnCommit.TryParse(commit.ToYaml()).Should().ContainSingle().Which.Should().BeEquivalentTo(commit, options => options.WithStrictOrdering());
    }

    [Fact]
    public void Parse_ACommitYamlWrittenByDlrn_ReadsItAndWritesTheSameColumns()
    {
        var commit = DlrnCommit.Parse(DlrnWritten, "test").Should().ContainSingle().Subject;

        commit.ProjectName.Should().Be("python-pysaml2");
        commit.DtCommit.Should().Be(1444139038.5);
        commit.DtDistro.Should().Be(1431949433);
        commit.DtBuild.Should().Be(1444139517);
        commit.Component.Should().BeNull();
        commit.ExtendedHash.Should().BeNull();
        commit.CommitBranch.Should().Be("master");
        commit.Notes.Should().Be("OK");
        commit.RepoDir.Should().Be("/home/dlrn/data/python-pysaml2");
        commit.DistgitDir.Should().Be("/home/dlrn/data/python-pysaml2_distro");
        commit.SourceNvr.Should().Be("python-pysaml2-3.0-1a.el9");
        commit.ShardedDirectory.Should().Be("repos/3a/93/3a9326f251b9a4162eb0dfa9f1c924ef47c2c55a_024e24f0");

        var written = commit.ToYaml();
        var original = Row(DlrnWritten);
        var rewritten = Row(written);
        Keys(rewritten).Should().Equal(Keys(original));
        foreach (var key in Keys(original))
        {
            // The id is the central's row number: DLRN's importer ignores it, and the build never has one.
            Scalar(rewritten, key).Should().Be(key == "id" ? DlrnCommit.NoneValue : Scalar(original, key), key);
        }

        DlrnCommit.Parse(written, "rewritten").Should().ContainSingle().Which.Should().BeEquivalentTo(commit, options => options.WithStrictOrdering());

        // A whole float is written back as an integer string: the same number for the importer's float().
        var whole = DlrnCommit.Parse(DlrnWritten.Replace("'1444139038.5'", "'1444139038.0'", StringComparison.Ordinal), "test").Single();
        Scalar(Row(whole.ToYaml()), "dt_commit").Should().Be("1444139038");
    }

    [Fact]
    public void Parse_DlrnShapedYaml_ReadsHashesTimestampsAndArtifacts()
    {
        var yaml = DlrnFixtures.CommitYaml("python-foo", Hash, "d1f2e3a4b5c6", 1_700_000_000, 1_700_000_100, "SUCCESS",
            [$"repos/3a/93/{Hash}_d1f2e3a4/python-foo-1.0-1.el9.noarch.rpm"]);

        var commit = DlrnCommit.Parse(yaml, "test").Should().ContainSingle().Subject;

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

        var act = () => DlrnCommit.Parse(yaml, "http://x/commit.yaml");

        act.Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(DlrnExitCodes.BuildResultInvalid);
    }

    [Theory]
    [InlineData("commits:\n- bogus: \"x\"\n", "unknown key 'bogus'")]
    [InlineData("other: 1\n", "'commits'")]
    [InlineData("commits: [\n", "line")]
    [InlineData("commits:\n- ? [a]\n  : b\n", "a key is not a string")]
    public void Parse_BadYaml_ThrowsNamingTheProblem(string yaml, string expected)
    {
        var act = () => DlrnCommit.Parse(yaml, "http://x/commit.yaml");

        act.Should().Throw<CiJobsException>().WithMessage($"*{expected}*");
    }

    [Fact]
    public void TryParse_ReadsBackWhatToYamlWrote()
    {
        var parsed = DlrnCommit.TryParse(Commit.ToYaml());

        parsed.Should().ContainSingle().Which.Should().BeEquivalentTo(Commit);
    }

    [Fact]
    public void TryParse_ReadsDlrnsOwnSample()
    {
        // Older than the importer's checks: the column's former name (rpms), few keys, an artifact elsewhere.
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

        var commit = DlrnCommit.TryParse(sample)!.Single();

        commit.DtCommit.Should().Be(1444139038);
        commit.SourceNvr.Should().Be("python-pysaml2-3.0-1a.el7.centos");
        commit.ShardedDirectory.Should().Be("repos/3a/93/3a9326f251b9a4162eb0dfa9f1c924ef47c2c55a_024e24f0");
        var strict = () => DlrnCommit.Parse(sample, "sample");
        strict.Should().Throw<CiJobsException>().WithMessage("*unknown key 'rpms'*");
    }

    [Theory]
    [InlineData("just: text")]
    [InlineData("")]
    [InlineData("commits: []\n")]
    [InlineData("commits: [\n")]
    [InlineData("commits:\n- commit_hash: abc\n  distro_hash: def\n")]
    [InlineData("commits:\n- ? [a]\n  : b\n")]
    [InlineData("commits:\n- commit_hash: {a: b}\n")]
    [InlineData("commits:\n- commit_hash: abcdef\n  commit_hash: abcdef\n  distro_hash: abcdef\n")]
    [InlineData("commits:\n- *nowhere\n")]
    public void TryParse_ReturnsNullForSomethingElse(string text) => DlrnCommit.TryParse(text).Should().BeNull();

    private static YamlMappingNode Row(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        return (YamlMappingNode)((YamlSequenceNode)root.Children[new YamlScalarNode("commits")]).Children.Single();
    }

    private static List<string> Keys(YamlMappingNode row) => [.. row.Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!)];

    private static string Scalar(YamlMappingNode row, string key) => ((YamlScalarNode)row.Children[new YamlScalarNode(key)]).Value!;
}
