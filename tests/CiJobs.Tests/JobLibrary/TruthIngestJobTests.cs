using System.Text.Json.Nodes;
using CiJobs.Fakes.Dlrn;
using CiJobs.Tests.Dlrn;
using CiJobs.Tests.Support;
using Microsoft.Data.Sqlite;

namespace CiJobs.Tests.JobLibrary;

/// <summary>
/// The periodic truth ingest job (cijobs-truth-ingest-base's playbook) with the real ansible-playbook against the fake
/// DLRN: DLRN's commits go into the store from the cursor on; a second run adds nothing, a third sees what DLRN built
/// since; a job without a store fails before anything is read.
/// </summary>
[Trait("Runs", "cijobs")]
[Collection(nameof(JobLibraryCollection))]
public sealed class TruthIngestJobTests
{
    private static readonly string[] IngestJob = ["cijobs-base/pre.yaml", "cijobs-truth-ingest/run.yaml"];

    [Fact]
    public async Task The_periodic_ingest_reads_DLRN_from_its_cursor_and_a_second_run_adds_nothing()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        using var outside = new TempDir("truth-ingest-job");
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(outside);
        dlrn.AddBuild("example-greetlib", new string('a', 40), new string('b', 40));
        var store = Path.Combine(job.JobDir, "truth.db");
        var variables = new JsonObject
        {
            ["zuul"] = job.Zuul("rdoinfo", "periodic", new JsonObject { ["branch"] = "master" }),
            ["cijobs_truth_ingest_dlrn_api_url"] = dlrn.BaseUrl,
            ["cijobs_truth_ingest_store"] = store,
        };

        var first = await job.RunJobAsync(variables.DeepClone().AsObject(), IngestJob);
        var firstReport = Report(job);
        var second = await job.RunJobAsync(variables.DeepClone().AsObject(), IngestJob);
        var secondReport = Report(job);
        dlrn.AddBuild("example-greeter", new string('c', 40), new string('d', 40));
        var third = await job.RunJobAsync(variables.DeepClone().AsObject(), IngestJob);

        foreach (var runs in new[] { first, second, third })
        {
            runs.Should().OnlyContain(r => r.ExitCode == 0, string.Join("\n", runs));
        }

        Added(firstReport, "commits").Should().Be(1);
        Added(secondReport, "commits").Should().Be(0, "the second run starts at the cursor and finds nothing new");
        Added(Report(job), "commits").Should().Be(1, "the third sees only the new build");
        using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT group_concat(project_name, ' ') FROM (SELECT project_name FROM dlrn_commits ORDER BY project_name)";
        command.ExecuteScalar().Should().Be("example-greeter example-greetlib");
    }

    [Fact]
    public async Task Without_a_store_the_job_fails_before_reading_anything()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        using var outside = new TempDir("truth-ingest-job");
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(outside);

        var runs = await job.RunJobAsync(
            new JsonObject
            {
                ["zuul"] = job.Zuul("rdoinfo", "periodic", new JsonObject { ["branch"] = "master" }),
                ["cijobs_truth_ingest_dlrn_api_url"] = dlrn.BaseUrl,
            },
            IngestJob);

        runs[^1].ExitCode.Should().NotBe(0);
        runs[^1].Output.Should().Contain("cijobs-truth-ingest needs one of cijobs_truth_ingest_store");
    }

    private static JsonNode Report(AnsibleJobHarness job) => JsonNode.Parse(File.ReadAllText(Path.Combine(job.LogRoot, "truth", "ingest-report.json")))!;

    private static int Added(JsonNode report, string kind) =>
        (int)report["kinds"]!.AsArray().Single(k => (string?)k!["kind"] == kind)!["added"]!;
}
