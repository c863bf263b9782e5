using System.Text.Json;
using CiJobs.Core.Provenance;
using CiJobs.Core.Replay;
using CiJobs.Tests.Builds;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Replay;

/// <summary><c>cijobs replay</c> as a process, after <c>cijobs build</c> and <c>cijobs truth ingest</c>.</summary>
[Trait("Runs", "cijobs")]
public sealed class ReplayCommandTests(ExampleReposFixture example) : IClassFixture<ExampleReposFixture>, IDisposable
{
    private static readonly Dictionary<string, string?> NoStoreVariable = new() { ["CIJOBS_TRUTH_STORE"] = null };
    private readonly TempDir temp = new("replay-cli");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task A_build_recorded_in_the_store_is_replayed_by_its_id_and_found_identical()
    {
        var built = await CliRunner.RunAsync(["build", "--rdoinfo", example.Rdoinfo, "--package", "example-greetlib", "--release", "tiny", "--output", temp.Combine("data")]);
        built.ExitCode.Should().Be(0, built.ToString());
        var manifestFile = Path.Combine(Directory.ResolveLinkTarget(temp.Combine("data", "repos", "current"), true)!.FullName, ProvenanceManifest.FileName);
        var buildId = (await ProvenanceReader.ReadFileAsync(manifestFile, CancellationToken.None)).BuildId;
        var ingested = await CliRunner.RunAsync(["truth", "ingest", manifestFile, "--store", temp.Combine("truth.db")], environment: NoStoreVariable);
        ingested.ExitCode.Should().Be(0, ingested.ToString());
        await Task.Delay(1100); // a replay in a later second still carries the recorded build time

        var replayed = await CliRunner.RunAsync(
            ["replay", buildId, "--store", temp.Combine("truth.db"), "--rdoinfo", example.Rdoinfo, "--output", temp.Combine("replay"), "--require-identical", "--format", "json"],
            environment: NoStoreVariable);

        replayed.ExitCode.Should().Be(0, replayed.ToString());
        using var json = JsonDocument.Parse(replayed.StandardOutput);
        json.RootElement.GetProperty("recorded_build_id").GetString().Should().Be(buildId);
        json.RootElement.GetProperty("comparison").GetProperty("verdict").GetString().Should().Be("identical");
        json.RootElement.GetProperty("comparison").GetProperty("same_input_hash").GetBoolean().Should().BeTrue();
        json.RootElement.GetProperty("comparison").GetProperty("files").GetArrayLength().Should().Be(2);
    }

    [Fact]
    public async Task A_replay_whose_outputs_differ_exits_147_and_says_which_files()
    {
        var built = await CliRunner.RunAsync(["build", "--rdoinfo", example.Rdoinfo, "--package", "example-greetlib", "--release", "tiny", "--output", temp.Combine("data")]);
        built.ExitCode.Should().Be(0, built.ToString());
        var folder = Directory.ResolveLinkTarget(temp.Combine("data", "repos", "current"), true)!.FullName;
        var read = await ProvenanceReader.ReadFileAsync(Path.Combine(folder, ProvenanceManifest.FileName), CancellationToken.None);
        // The record claims one more package than the build makes: a replay cannot match it.
        var claimed = read.Manifest with
        {
            Outputs = read.Manifest.Outputs with { Files = [.. read.Manifest.Outputs.Files, new ProvenanceFile("example-greetlib-extra-1.0-1.el9.noarch.rpm", 3, new string('0', 64))] },
        };
        var edited = temp.Write("edited/provenance.json", BuildProvenance.ToJson(claimed));

        var replayed = await CliRunner.RunAsync(["replay", edited, "--rdoinfo", example.Rdoinfo, "--output", temp.Combine("replay")], environment: NoStoreVariable);

        replayed.ExitCode.Should().Be(ReplayExitCodes.OutputsDiffer, replayed.ToString());
        replayed.StandardOutput.Should().StartWith("DIFFERENT example-greetlib").And.Contain("file missing example-greetlib-extra-1.0-1.el9.noarch.rpm");
    }

    [Theory]
    [InlineData("not-a-build")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task A_build_that_is_neither_a_manifest_nor_a_stored_id_is_refused(string build)
    {
        var result = await CliRunner.RunAsync(
            ["replay", build, "--store", temp.Combine("missing.db"), "--rdoinfo", example.Rdoinfo, "--output", temp.Combine("replay")],
            environment: NoStoreVariable);

        result.ExitCode.Should().Be(ReplayExitCodes.InvalidInput, result.ToString());
        result.StandardError.Should().StartWith("cijobs: error: ");
        File.Exists(temp.Combine("missing.db")).Should().BeFalse("a replay never creates a store");
        Directory.Exists(temp.Combine("replay")).Should().BeFalse();
    }
}
