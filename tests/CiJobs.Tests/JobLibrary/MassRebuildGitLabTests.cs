using System.Text.RegularExpressions;
using CiJobs.Fakes;
using CiJobs.Fakes.Dlrn;
using CiJobs.Tests.Builds;
using CiJobs.Tests.Support;
using CliWrap.Buffered;

namespace CiJobs.Tests.JobLibrary;

/// <summary>
/// Runs ci/gitlab/mass-rebuild.yml with gitlab-ci-local (shell executor, <c>parallel: 3</c>) over the example packages:
/// the graph split in three partitions, one stage per wave, each build published to the fake DLRN from the job's
/// folder as it goes; running the pipeline again rebuilds and publishes nothing (docs/manual/mass-rebuild.md).
/// </summary>
[Trait("Runs", "cijobs")]
public sealed partial class MassRebuildGitLabTests : IAsyncLifetime
{
    private readonly TempDir temp = new("gcl-mass");

    public Task InitializeAsync() => BuildPaths.RunAsync("bash", [Path.Combine(RepoPaths.Root, "examples", "setup.sh"), temp.Combine("work")]);

    public Task DisposeAsync()
    {
        temp.Dispose();
        return Task.CompletedTask;
    }

    private static Task<BufferedCommandResult> GitLabCiLocalAsync(string dir, params string[] arguments) => GitLabCiLocal.RunAsync(dir, arguments);

    [Fact]
    public async Task Three_parallel_partitions_build_and_publish_wave_by_wave_and_a_second_run_rebuilds_nothing()
    {
        var dir = temp.Combine("project");
        var git = await TestGit.InitAsync(dir, "main");
        Directory.CreateDirectory(Path.Combine(dir, "ci", "gitlab"));
        File.Copy(Path.Combine(RepoPaths.Root, "ci", "gitlab", "mass-rebuild.yml"), Path.Combine(dir, "ci", "gitlab", "mass-rebuild.yml"));
        await git.CommitAsync("CI", new Dictionary<string, string>
        {
            [".gitlab-ci.yml"] = "include:\n  - local: ci/gitlab/mass-rebuild.yml\nstages: [cijobs-wave-1, cijobs-wave-2, cijobs-wave-3]\n",
            [".gitignore"] = ".gitlab-ci-local/\ncijobs-*\n",
            ["graph.json"] = """
                {"nodes": [{"name": "example-greetlib"}, {"name": "example-greeter"}],
                 "edges": [{"from": "example-greeter", "to": "example-greetlib"}]}
                """,
        });
        // The jobs' output folders (cijobs-out-$CI_NODE_INDEX in the project folder, shell executor) served as a
        // runner's artifacts would be, and the central DLRN importing from there.
        await using var files = new FakeFileServer(dir);
        await files.StartAsync();
        await using var dlrn = new FakeDlrnServer(temp.Combine("dlrn-central"));
        dlrn.AddUser("ciuser", Password);
        await dlrn.StartAsync();
        await File.WriteAllTextAsync(temp.Combine("dlrn-password"), Password + "\n");
        string[] variables =
        [
            "--variable", $"CIJOBS_DLRN_API_URL={dlrn.BaseUrl}",
            "--variable", "CIJOBS_DLRN_USER=ciuser",
            "--variable", $"CIJOBS_DLRN_PASSWORD_FILE={temp.Combine("dlrn-password")}",
            "--variable", $"CIJOBS_PUBLISH_URL={files.BaseUrl}/cijobs-out-$CI_NODE_INDEX",
            "--variable", $"CIJOBS_CMD={CliRunner.CommandLine}",
            "--variable", $"CIJOBS_GRAPH={Path.Combine(dir, "graph.json")}",
            "--variable", $"CIJOBS_RDOINFO={temp.Combine("work", "rdoinfo")}",
            "--variable", "CIJOBS_RELEASE=tiny",
            "--variable", $"CIJOBS_TRUTH_STORE={temp.Combine("truth.db")}",
        ];

        var first = await GitLabCiLocalAsync(dir, variables);
        var firstOutput = first.StandardOutput + first.StandardError;
        var published = dlrn.Commits.Select(c => $"{c.ProjectName} {c.Status}").ToList();
        // The second run starts from nothing but the store, as a retry on fresh runners does.
        foreach (var output in Directory.EnumerateDirectories(dir, "cijobs-out-*", SearchOption.AllDirectories).ToList())
        {
            Directory.Delete(output, recursive: true);
        }

        var again = await GitLabCiLocalAsync(dir, variables);
        var againOutput = again.StandardOutput + again.StandardError;

        first.ExitCode.Should().Be(0, firstOutput);
        foreach (var wave in new[] { 1, 2, 3 })
        {
            foreach (var node in new[] { 1, 2, 3 })
            {
                firstOutput.Should().MatchRegex($@"PASS\s+cijobs-mass-wave-{wave}: \[{node}/3\]");
            }
        }

        // GitLab's 1-based CI_NODE_INDEX is cijobs' partition: wave 1 builds the library, wave 2 the program on it.
        firstOutput.Should().MatchRegex(@"wave 1, partition [123]/3: example-greetlib");
        firstOutput.Should().MatchRegex(@"wave 2, partition [123]/3: example-greeter");
        Built().Matches(firstOutput).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).Should().Equal("example-greeter", "example-greetlib");
        published.Should().Equal(["example-greetlib SUCCESS", "example-greeter SUCCESS"], "each partition publishes as it goes, wave 1 first");
        firstOutput.Should().NotContain(Password);
        again.ExitCode.Should().Be(0, againOutput);
        dlrn.Commits.Should().HaveCount(2, "nothing was built again, so nothing was published again");
        againOutput.Should().NotContain(Password);
        Built().Matches(againOutput).Should().BeEmpty("the store holds both builds");
        Skipped().Matches(againOutput).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).Should().Equal("example-greeter", "example-greetlib");
    }

    private const string Password = "gitlab-dlrn-s3cret";

    [GeneratedRegex(@"\bbuilt (example-[a-z]+)")]
    private static partial Regex Built();

    [GeneratedRegex(@"\bskipped (example-[a-z]+): already built")]
    private static partial Regex Skipped();
}
