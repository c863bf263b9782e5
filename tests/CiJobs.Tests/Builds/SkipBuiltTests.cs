using System.Text.Json;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Builds;

/// <summary>
/// <c>cijobs build --skip-built</c>: a build whose input hash already has a successful build, in the result folder it
/// would write or in the truth store, builds nothing (docs/manual/mass-rebuild.md, "Retries").
/// </summary>
[Trait("Runs", "cijobs")]
public sealed class SkipBuiltTests(ExampleReposFixture example) : IClassFixture<ExampleReposFixture>, IDisposable
{
    private static readonly Dictionary<string, string?> NoStoreVariable = new() { ["CIJOBS_TRUTH_STORE"] = null };

    private readonly TempDir temp = new("skip-built");

    public void Dispose() => temp.Dispose();

    private Task<CliResult> BuildAsync(string output, params string[] extra) =>
        CliRunner.RunAsync(["build", "--rdoinfo", example.Rdoinfo, "--package", "example-greetlib", "--release", "tiny", "--output", output, "--format", "json", .. extra], environment: NoStoreVariable);

    private static JsonElement Json(CliResult result)
    {
        result.ExitCode.Should().Be(0, result.ToString());
        return JsonDocument.Parse(result.StandardOutput).RootElement.Clone();
    }

    private static int ResultFolders(string output) =>
        Directory.Exists(Path.Combine(output, "repos")) ? Directory.EnumerateFiles(Path.Combine(output, "repos"), "commit.yaml", SearchOption.AllDirectories)
            .Count(f => !new DirectoryInfo(Path.GetDirectoryName(f)!).Attributes.HasFlag(FileAttributes.ReparsePoint)) : 0; // not through repos/current

    [Fact]
    public async Task A_build_already_done_here_or_in_the_store_is_skipped_and_returned()
    {
        var store = temp.Combine("truth.db");
        var node1 = temp.Combine("node1");
        var node2 = temp.Combine("node2");

        var first = Json(await BuildAsync(node1, "--skip-built", "--store", store));
        first.GetProperty("status").GetString().Should().Be("SUCCESS");
        first.GetProperty("reused").ValueKind.Should().Be(JsonValueKind.Null, "nothing was built before");
        var inputHash = first.GetProperty("input_hash").GetString()!;
        var resultPath = first.GetProperty("result_path").GetString()!;
        var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(resultPath, "provenance.json")));
        manifest.RootElement.GetProperty("input_hash").GetString().Should().Be(inputHash, "the hash computed before building is the manifest's");
        var log = await File.ReadAllTextAsync(Path.Combine(resultPath, "rpmbuild.log"));

        // Again on the same node without a store: the result folder holds the same inputs' success.
        var again = await BuildAsync(node1, "--skip-built");
        var rerun = Json(again);
        rerun.GetProperty("reused").GetString().Should().Be(resultPath);
        rerun.GetProperty("input_hash").GetString().Should().Be(inputHash);
        rerun.GetProperty("source_nvr").GetString().Should().Be(first.GetProperty("source_nvr").GetString());
        again.StandardError.Should().Contain($"skipped, input hash {inputHash} already built successfully");
        (await File.ReadAllTextAsync(Path.Combine(resultPath, "rpmbuild.log"))).Should().Be(log, "nothing was rebuilt into the folder");

        // Another node: only the store knows, once the build is ingested.
        var notYet = Json(await BuildAsync(node2, "--skip-built", "--store", store));
        notYet.GetProperty("reused").ValueKind.Should().Be(JsonValueKind.Null, "the first build is not in the store yet");
        var ingest = await CliRunner.RunAsync(["truth", "ingest", "--store", store, resultPath], environment: NoStoreVariable);
        ingest.ExitCode.Should().Be(0, ingest.ToString());
        var node3 = temp.Combine("node3");
        var fromStore = Json(await BuildAsync(node3, "--skip-built", "--store", store));
        fromStore.GetProperty("reused").GetString().Should().StartWith("build ").And.Contain("store");
        fromStore.GetProperty("nvras").EnumerateArray().Select(n => n.GetString()).Should().Equal(first.GetProperty("nvras").EnumerateArray().Select(n => n.GetString()));
        ResultFolders(node3).Should().Be(0, "nothing was built on the third node");

        // Without --skip-built it builds; --store alone is a usage error.
        Json(await BuildAsync(node3)).GetProperty("reused").ValueKind.Should().Be(JsonValueKind.Null);
        ResultFolders(node3).Should().Be(1);
        (await BuildAsync(node3, "--store", store)).ExitCode.Should().Be(CiJobs.Core.Truth.TruthExitCodes.StoreOption);
    }

    [Fact]
    public async Task Other_inputs_are_built_again()
    {
        var node = temp.Combine("node");
        var first = Json(await BuildAsync(node, "--skip-built"));

        // A different build setting is a different input hash: built, not reused.
        var other = Json(await BuildAsync(temp.Combine("node2"), "--skip-built", "--dist", ".el10"));

        other.GetProperty("reused").ValueKind.Should().Be(JsonValueKind.Null);
        other.GetProperty("input_hash").GetString().Should().NotBe(first.GetProperty("input_hash").GetString());
        other.GetProperty("package_release").GetString().Should().EndWith(".el10");
    }
}
