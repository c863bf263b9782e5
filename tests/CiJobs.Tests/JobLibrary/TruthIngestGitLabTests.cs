using System.Text.Json.Nodes;
using CiJobs.Tests.Builds;
using CiJobs.Tests.Dlrn;
using CiJobs.Tests.Support;
using CliWrap.Buffered;

namespace CiJobs.Tests.JobLibrary;

/// <summary>
/// The truth ingest template ci/gitlab/truth-ingest.yml with gitlab-ci-local (shell executor) in a scheduled pipeline
/// against the fake DLRN: the first run stores DLRN's commit, the second adds nothing; other pipelines do not run it.
/// </summary>
[Trait("Runs", "cijobs")]
public sealed class TruthIngestGitLabTests : IDisposable
{
    private readonly TempDir temp = new("gcl-truth");

    public void Dispose() => temp.Dispose();

    private static Task<BufferedCommandResult> GitLabCiLocalAsync(string dir, params string[] arguments) => GitLabCiLocal.RunAsync(dir, arguments, "CI_PIPELINE_SOURCE");

    [Fact]
    public async Task A_scheduled_ingest_stores_DLRNs_commits_once()
    {
        var dir = temp.Combine("project");
        var git = await TestGit.InitAsync(dir, "main");
        await git.CommitAsync("CI", new Dictionary<string, string>
        {
            ["ci/gitlab/truth-ingest.yml"] = File.ReadAllText(Path.Combine(RepoPaths.Root, "ci", "gitlab", "truth-ingest.yml")),
            [".gitlab-ci.yml"] = "include:\n  - local: ci/gitlab/truth-ingest.yml\nstages: [test]\n",
            [".gitignore"] = ".gitlab-ci-local/\ntruth/\n",
        });
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.AddBuild("example-greetlib", new string('a', 40), new string('b', 40));
        string[] variables =
        [
            "--variable", "CI_PIPELINE_SOURCE=schedule",
            "--variable", "CIJOBS_TRUTH_INGEST=true",
            "--variable", $"CIJOBS_TRUTH_STORE={temp.Combine("truth.db")}",
            "--variable", $"CIJOBS_DLRN_API_URL={dlrn.BaseUrl}",
            "--variable", $"CIJOBS_CMD={CliRunner.CommandLine}",
        ];

        var first = await GitLabCiLocalAsync(dir, variables);
        var firstReport = Commits(Path.Combine(dir, "truth", "ingest-report.json"));
        var again = await GitLabCiLocalAsync(dir, variables);
        var pushed = await GitLabCiLocalAsync(dir, "--list", "--variable", "CI_PIPELINE_SOURCE=push");

        (first.StandardOutput + first.StandardError).Should().MatchRegex(@"PASS\s+cijobs-truth-ingest");
        (again.StandardOutput + again.StandardError).Should().MatchRegex(@"PASS\s+cijobs-truth-ingest");
        ((int?)firstReport["added"]).Should().Be(1);
        ((int?)Commits(Path.Combine(dir, "truth", "ingest-report.json"))["added"]).Should().Be(0, "the second run starts at the cursor");
        pushed.StandardOutput.Should().NotContain("cijobs-truth-ingest", "only a schedule with CIJOBS_TRUTH_INGEST runs it");
    }

    private static JsonNode Commits(string report) =>
        JsonNode.Parse(File.ReadAllText(report))!["kinds"]!.AsArray().Single(k => (string?)k!["kind"] == "commits")!;
}
