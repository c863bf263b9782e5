using System.Text.Json;
using System.Text.Json.Nodes;
using CiJobs.Fakes;
using CiJobs.Fakes.Dlrn;
using CiJobs.Tests.Support;
using CiJobs.Tests.Truth;

namespace CiJobs.Tests.JobLibrary;

/// <summary>
/// The mass rebuild job (cijobs-mass-rebuild-base's playbook) with the real ansible-playbook on two nodes (this machine,
/// two homes) over the example packages, publishing to the fake DLRN wave by wave; a failed partition retried on fresh
/// nodes rebuilds nothing that succeeded (docs/manual/mass-rebuild.md). The nodes share a real PostgreSQL truth store
/// (a SQLite file when PostgreSQL's server is not installed; CI installs it).
/// </summary>
[Trait("Runs", "cijobs")]
[Collection(nameof(JobLibraryCollection))]
public sealed class MassRebuildJobTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const string Password = "s3cret-mass-pw-4410";

    // example-greeter build-requires example-greetlib: one connected part larger than half the work, so two waves.
    private const string Graph = """
        {"nodes": [{"name": "example-greetlib"}, {"name": "example-greeter"}],
         "edges": [{"from": "example-greeter", "to": "example-greetlib"}]}
        """;

    [Fact]
    public async Task Two_nodes_build_and_publish_wave_by_wave_and_a_retry_rebuilds_only_what_failed()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        var nodesRoot = Path.Combine(job.JobDir, "nodes");
        Directory.CreateDirectory(nodesRoot);
        var graph = Path.Combine(job.JobDir, "graph.json");
        await File.WriteAllTextAsync(graph, Graph);

        // example-greeter's build fails the first time only: its %build leaves a marker and fails when the marker is missing.
        var marker = Path.Combine(job.JobDir, "greeter-failed-once");
        var distgit = new TestGit(Path.Combine(job.Work, "git", "example-greeter-distgit"));
        var spec = await File.ReadAllTextAsync(Path.Combine(distgit.Directory, "example-greeter.spec"));
        await distgit.CommitAsync("Fail the first build", new Dictionary<string, string>
        {
            ["example-greeter.spec"] = spec.Replace("%build\n", $"%build\ntest -e {marker} || {{ touch {marker}; exit 1; }}\n", StringComparison.Ordinal),
        });

        var database = PostgresServer.BinDirectory is null ? null : await postgres.CreateDatabaseAsync();
        await using var logs = new FakeFileServer(nodesRoot);
        await logs.StartAsync();
        await using var dlrn = new FakeDlrnServer(Path.Combine(job.JobDir, "dlrn-central"));
        dlrn.AddUser("ciuser", Password);
        await dlrn.StartAsync();
        var variables = new JsonObject
        {
            ["ensure_cijobs_command"] = Path.Combine(job.Home, ".local", "cijobs", "cijobs"),
            ["cijobs_mass_rebuild_group"] = "nodes",
            ["cijobs_mass_rebuild_graph"] = graph,
            ["cijobs_mass_rebuild_rdoinfo_dir"] = Path.Combine(job.Work, "rdoinfo"),
            ["cijobs_mass_rebuild_release"] = "tiny",
            ["cijobs_mass_rebuild_store"] = database is null ? Path.Combine(job.JobDir, "truth.db") : "",
            ["cijobs_mass_rebuild_store_url"] = database is null ? "" : $"postgresql://127.0.0.1:{database.Port}/{database.Database}?user=postgres",
            ["cijobs_publish_dlrn_api_url"] = dlrn.BaseUrl,
            ["cijobs_publish_dlrn_credentials"] = new JsonObject { ["username"] = "ciuser", ["password"] = Password },
        };

        // Each attempt runs on fresh nodes, as a Zuul retry does: nothing of the first attempt is on them.
        (string, JsonObject)[] Nodes(string attempt) => [.. new[] { "node-1", "node-2" }.Select(name =>
        {
            var home = Path.Combine(nodesRoot, attempt, name);
            Directory.CreateDirectory(home);
            return (name, new JsonObject
            {
                // ansible_user_dir is a gathered fact here (it beats host variables): the node's folders are set directly.
                ["cijobs_mass_rebuild_output_dir"] = Path.Combine(home, "cijobs", "data"),
                ["cijobs_publish_dlrn_work_dir"] = Path.Combine(home, "cijobs"),
                ["cijobs_mass_rebuild_publish_url"] = $"{logs.BaseUrl}/{attempt}/{name}/cijobs/data",
            });
        })];

        var first = await job.RunJobOnNodesAsync(variables, Nodes("attempt-1"), "cijobs-mass-rebuild/run.yaml");

        first.Should().ContainSingle();
        first[0].ExitCode.Should().NotBe(0, first[0].ToString());
        first[0].Output.Should().Contain("wave 2: example-greeter failed; retry the job");
        first[0].Output.Should().Contain("wave 1/2, partition");
        File.Exists(marker).Should().BeTrue();
        dlrn.Commits.Select(c => $"{c.ProjectName} {c.Status}").Should().Equal(["example-greetlib SUCCESS"], "wave 1 was published before wave 2 built");

        // The retry: another attempt's facts are not this one's.
        Directory.Delete(Path.Combine(job.JobDir, "facts"), recursive: true);
        var retry = await job.RunJobOnNodesAsync(variables, Nodes("attempt-2"), "cijobs-mass-rebuild/run.yaml");

        retry[0].ExitCode.Should().Be(0, retry[0].ToString());
        retry[0].Output.Should().Contain("skipped example-greetlib: already built (build ").And.NotContain(Password);
        dlrn.Commits.Select(c => $"{c.ProjectName} {c.Status}").Should().Equal("example-greetlib SUCCESS", "example-greeter SUCCESS");

        // Every build made, on every node of both attempts: example-greetlib once, example-greeter failed once then built.
        var builds = Directory.EnumerateFiles(nodesRoot, "provenance.json", SearchOption.AllDirectories)
            .Where(f => !new DirectoryInfo(Path.GetDirectoryName(f)!).Attributes.HasFlag(FileAttributes.ReparsePoint)) // not through repos/current
            .Select(f => JsonNode.Parse(File.ReadAllText(f))!)
            .Select(m => $"{m["package"]} {m["status"]}")
            .Order(StringComparer.Ordinal).ToList();
        builds.Should().Equal("example-greeter FAILED", "example-greeter SUCCESS", "example-greetlib SUCCESS");
        if (database is not null)
        {
            // Each success was recorded once in the shared store, by the node that built it.
            await using var connection = new Npgsql.NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var query = new Npgsql.NpgsqlCommand("SELECT package || ' ' || status FROM builds ORDER BY package", connection);
            var stored = new List<string>();
            await using (var reader = await query.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    stored.Add(reader.GetString(0));
                }
            }

            stored.Should().Equal("example-greeter SUCCESS", "example-greetlib SUCCESS");
        }
    }
}
