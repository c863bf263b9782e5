using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CiJobs.Core.BuildOnce;
using CiJobs.Core.Dlrn;
using CiJobs.Fakes.GitLab;
using CiJobs.Fakes.Zuul;
using CiJobs.Tests.Builds;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.BuildOnce;

/// <summary>
/// Build once (issue 14 §2, docs/manual/build-once.md): the post job reuses the gate's result when the merged trees
/// equal the gated ones, through Zuul's builds API or GitLab's merged-results pipeline, checks every file, and says why
/// it asks for a rebuild otherwise. The gate result is a real <c>cijobs build</c> of the example package.
/// </summary>
[Trait("Runs", "cijobs")]
public sealed class BuildOnceTests(BuildOnceTests.GateBuildFixture gate) : IClassFixture<BuildOnceTests.GateBuildFixture>, IDisposable
{
    private const string Tenant = "rdo";
    private const string Project = "example/example-greetlib-distgit";
    private const string Job = "cijobs-build-rpm";

    private readonly TempDir temp = new("reuse");

    public void Dispose() => temp.Dispose();

    /// <summary>The example greetlib built once, as a gate build would, with its JSON output.</summary>
    public sealed class GateBuildFixture : IAsyncLifetime
    {
        private readonly ExampleReposFixture example = new();
        private readonly TempDir temp = new("gate-build");

        public JsonElement Build { get; private set; }

        public string ResultPath => Build.GetProperty("result_path").GetString()!;

        public string SourceTree => Build.GetProperty("source_tree").GetString()!;

        public string DistgitTree => Build.GetProperty("distgit_tree").GetString()!;

        public string SourceRepository => example.Git("example-greetlib");

        public string DistgitRepository => example.Git("example-greetlib-distgit");

        public async Task InitializeAsync()
        {
            await example.InitializeAsync();
            var result = await CliRunner.RunAsync(["build", "--rdoinfo", example.Rdoinfo, "--package", "example-greetlib", "--release", "tiny", "--output", temp.Combine("out"), "--format", "json"]);
            result.ExitCode.Should().Be(0, result.ToString());
            Build = JsonDocument.Parse(result.StandardOutput).RootElement.Clone();
        }

        public async Task DisposeAsync()
        {
            await example.DisposeAsync();
            temp.Dispose();
        }
    }

    [Fact]
    public async Task The_build_records_the_trees_it_built_and_each_files_size_and_sha256()
    {
        var commit = gate.Build.GetProperty("commit_hash").GetString()!;
        var distro = gate.Build.GetProperty("distro_hash").GetString()!;
        gate.SourceTree.Should().Be((await BuildPaths.RunAsync("git", ["-C", gate.SourceRepository, "rev-parse", commit + "^{tree}"])).Trim());
        gate.DistgitTree.Should().Be((await BuildPaths.RunAsync("git", ["-C", gate.DistgitRepository, "rev-parse", distro + "^{tree}"])).Trim());

        var files = gate.Build.GetProperty("files").EnumerateArray().ToList();
        var artifacts = DlrnCommit.TryParse(File.ReadAllText(Path.Combine(gate.ResultPath, "commit.yaml")))!.Single().ArtifactFileNames;
        files.Select(f => f.GetProperty("name").GetString()).Should().Equal(artifacts);
        files.Should().HaveCountGreaterThan(1, "a source RPM and at least one binary RPM");
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(Path.Combine(gate.ResultPath, file.GetProperty("name").GetString()!));
            file.GetProperty("size").GetInt64().Should().Be(bytes.Length);
            file.GetProperty("sha256").GetString().Should().Be(Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }
    }

    [Fact]
    public async Task Post_reuses_the_gate_result_when_the_merged_commit_differs_but_its_tree_is_the_same()
    {
        await using var zuul = await ZuulWithGateBuildAsync();
        // Zuul's gate built a speculative merge commit; the merged commit is another commit of the same tree.
        var merged = (await BuildPaths.RunAsync("git", ["-C", gate.SourceRepository, "commit-tree", gate.SourceTree, "-m", "merged by the code review system"])).Trim();
        var dest = temp.Combine("reused");

        var result = await ReuseZuulAsync(zuul, dest, ["--source", gate.SourceRepository, "--source-ref", merged, "--distgit-tree", gate.DistgitTree]);

        result.ExitCode.Should().Be(0, result.ToString());
        var json = JsonNode.Parse(result.StandardOutput)!;
        ((string?)json["outcome"]).Should().Be("reused", result.ToString());
        ((string?)json["build"]!["id"]).Should().Be("gate-2", "the newest successful gate build of the same trees");
        foreach (var file in gate.Build.GetProperty("files").EnumerateArray())
        {
            var name = file.GetProperty("name").GetString()!;
            File.ReadAllBytes(Path.Combine(dest, name)).Should().Equal(File.ReadAllBytes(Path.Combine(gate.ResultPath, name)));
        }

        File.ReadAllBytes(Path.Combine(dest, "provenance.json")).Should().Equal(File.ReadAllBytes(Path.Combine(gate.ResultPath, "provenance.json")), "the manifest follows the promoted result");
        ((string?)json["reason"]).Should().Contain("and its provenance.json passed");
        Directory.GetFiles(dest).Should().HaveCount(gate.Build.GetProperty("files").GetArrayLength() + 1);
        Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName).Should().BeEquivalentTo(["reused"], "no staging folder is left");
    }

    [Fact]
    public async Task Other_trees_mean_a_rebuild_and_the_output_says_why()
    {
        await using var zuul = await ZuulWithGateBuildAsync();
        var dest = temp.Combine("reused");
        var other = new string('a', 40);

        var result = await ReuseZuulAsync(zuul, dest, ["--source-tree", other, "--distgit-tree", gate.DistgitTree]);
        var text = await ReuseZuulAsync(zuul, dest, ["--source-tree", other, "--distgit-tree", gate.DistgitTree], format: "text");
        var required = await ReuseZuulAsync(zuul, dest, ["--source-tree", other, "--distgit-tree", gate.DistgitTree, "--require"]);

        result.ExitCode.Should().Be(0, result.ToString());
        var json = JsonNode.Parse(result.StandardOutput)!;
        ((string?)json["outcome"]).Should().Be("rebuild");
        ((string?)json["reason"]).Should().Contain("differ").And.Contain("aaaaaaaaaaaa").And.Contain(gate.SourceTree[..12]);
        text.StandardOutput.Should().StartWith("example-greetlib: rebuild: the merged trees");
        required.ExitCode.Should().Be(BuildOnceExitCodes.NothingToReuse, required.ToString());
        required.StandardError.Should().Contain("nothing to reuse for example-greetlib");
        Directory.Exists(dest).Should().BeFalse();
    }

    [Fact]
    public async Task A_file_changed_on_the_log_server_after_the_gate_is_not_reused()
    {
        await using var zuul = await ZuulWithGateBuildAsync();
        var rpm = Directory.GetFiles(Path.Combine(zuul.LogRoot, "gate-2", "result"), "*.noarch.rpm").First();
        var bytes = File.ReadAllBytes(rpm);
        bytes[^1] ^= 0xff;
        File.WriteAllBytes(rpm, bytes);
        var dest = temp.Combine("reused");

        var result = await ReuseZuulAsync(zuul, dest, ["--source-tree", gate.SourceTree, "--distgit-tree", gate.DistgitTree]);
        var required = await ReuseZuulAsync(zuul, dest, ["--source-tree", gate.SourceTree, "--distgit-tree", gate.DistgitTree, "--require"]);

        var json = JsonNode.Parse(result.StandardOutput)!;
        ((string?)json["outcome"]).Should().Be("rebuild", result.ToString());
        ((string?)json["reason"]).Should().Contain(Path.GetFileName(rpm)).And.Contain("sha256");
        required.ExitCode.Should().Be(BuildOnceExitCodes.NothingToReuse, required.ToString());
        Directory.Exists(dest).Should().BeFalse();
        Directory.GetFileSystemEntries(temp.Path).Should().BeEmpty("the staging folder of the failed download is gone");
    }

    [Fact]
    public async Task A_manifest_changed_on_the_log_server_after_the_gate_is_not_reused()
    {
        await using var zuul = await ZuulWithGateBuildAsync();
        var manifest = Path.Combine(zuul.LogRoot, "gate-2", "result", "provenance.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"SUCCESS\"", "\"SUCCES5\"", StringComparison.Ordinal));
        var dest = temp.Combine("reused");

        var result = await ReuseZuulAsync(zuul, dest, ["--source-tree", gate.SourceTree, "--distgit-tree", gate.DistgitTree]);

        var json = JsonNode.Parse(result.StandardOutput)!;
        ((string?)json["outcome"]).Should().Be("rebuild", result.ToString());
        ((string?)json["reason"]).Should().Contain("provenance.json").And.Contain("sha256");
        Directory.Exists(dest).Should().BeFalse();
    }

    [Fact]
    public async Task No_gate_build_or_an_unreadable_API_mean_a_rebuild_that_says_so()
    {
        await using var zuul = await ZuulWithGateBuildAsync();
        var trees = new[] { "--source-tree", gate.SourceTree, "--distgit-tree", gate.DistgitTree };

        var otherChange = await CliRunner.RunAsync(["reuse", "zuul", "--zuul-api", zuul.Server.BaseUrl, "--zuul-tenant", Tenant, "--project", Project, "--change", "99", "--patchset", "1", "--job", Job, "--package", "example-greetlib", "--dest", temp.Combine("a"), "--format", "json", .. trees]);
        var otherTenant = await CliRunner.RunAsync(["reuse", "zuul", "--zuul-api", zuul.Server.BaseUrl, "--zuul-tenant", "nope", "--project", Project, "--change", "42", "--patchset", "3", "--job", Job, "--package", "example-greetlib", "--dest", temp.Combine("b"), "--format", "json", .. trees]);

        ((string?)JsonNode.Parse(otherChange.StandardOutput)!["reason"]).Should().Contain("no artifact of example-greetlib").And.Contain("change 99,1");
        ((string?)JsonNode.Parse(otherTenant.StandardOutput)!["reason"]).Should().Contain("could not be read").And.Contain("HTTP 404");
    }

    [Theory]
    [InlineData("../outside.rpm")]
    [InlineData("sub/dir.rpm")]
    [InlineData("a\nb.rpm")]
    public async Task An_artifact_naming_a_file_outside_its_folder_is_refused_and_nothing_is_written(string name)
    {
        await using var zuul = await ZuulWithGateBuildAsync(name);
        var dest = temp.Combine("inner", "reused");

        var result = await ReuseZuulAsync(zuul, dest, ["--source-tree", gate.SourceTree, "--distgit-tree", gate.DistgitTree]);

        result.ExitCode.Should().Be(0, result.ToString());
        ((string?)JsonNode.Parse(result.StandardOutput)!["reason"]).Should().Contain("not a plain name");
        Directory.GetFileSystemEntries(temp.Path, "*", SearchOption.AllDirectories).Should().BeEquivalentTo([temp.Combine("inner")]);
    }

    [Fact]
    public async Task GitLab_post_pipeline_reuses_the_merged_results_pipelines_build_found_by_the_merged_commit()
    {
        await using var gitLab = new FakeGitLab();
        await gitLab.StartAsync();
        const string token = "glpat-reuse-secret-0123456789";
        gitLab.AddUser("ci", token);
        gitLab.AddProject("example/greetlib-distgit", gate.DistgitRepository, "rpm-main");
        var mr = gitLab.OpenMergeRequest("example/greetlib-distgit", "tiny-1-rdo", "rpm-main", "Update", "", "dev");
        var mergedSha = new string('c', 40);
        mr.MergeCommitSha = mergedSha;
        mr.State = "merged";
        var resultDir = gate.Build.GetProperty("result_dir").GetString()!;
        var artifacts = new Dictionary<string, byte[]> { ["cijobs-build.json"] = Encoding.UTF8.GetBytes(gate.Build.GetRawText()) };
        foreach (var file in Directory.GetFiles(gate.ResultPath))
        {
            artifacts[$"cijobs-out/{resultDir}/{Path.GetFileName(file)}"] = File.ReadAllBytes(file);
        }

        // A detached merge request pipeline (…/head) built the branch alone: never reused. The merged-results one is.
        var head = gitLab.AddPipeline("example/greetlib-distgit", mr.Iid, "success");
        gitLab.AddJob(head, "cijobs-build", "success", new Dictionary<string, byte[]> { ["cijobs-build.json"] = Encoding.UTF8.GetBytes("{}") });
        var mergedResults = gitLab.AddPipeline("example/greetlib-distgit", mr.Iid, "success");
        mergedResults.Ref = $"refs/merge-requests/{mr.Iid}/merge";
        var job = gitLab.AddJob(mergedResults, "cijobs-build", "success", artifacts);
        var dest = temp.Combine("reused");
        string[] args = ["reuse", "gitlab", "--gitlab-url", gitLab.BaseUrl, "--project", "example/greetlib-distgit", "--commit", mergedSha,
            "--package", "example-greetlib", "--source-tree", gate.SourceTree, "--distgit-tree", gate.DistgitTree, "--dest", dest, "--format", "json"];

        var result = await CliRunner.RunAsync(args, environment: new Dictionary<string, string?> { ["CIJOBS_GITLAB_TOKEN"] = token });
        var noToken = await CliRunner.RunAsync([.. args[..^4], "--dest", temp.Combine("other"), "--format", "json"], environment: new Dictionary<string, string?> { ["CIJOBS_GITLAB_TOKEN"] = null });

        result.ExitCode.Should().Be(0, result.ToString());
        var json = JsonNode.Parse(result.StandardOutput)!;
        ((string?)json["outcome"]).Should().Be("reused", result.ToString());
        ((string?)json["build"]!["id"]).Should().Be(job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.GetFiles(dest).Select(Path.GetFileName).Should().BeEquivalentTo(gate.Build.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("name").GetString()).Append("provenance.json"));
        (result.StandardOutput + result.StandardError).Should().NotContain(token);
        noToken.ExitCode.Should().Be(CiJobs.Core.Forges.ForgeExitCodes.TokenMissing, noToken.ToString());
        noToken.StandardError.Should().Contain("CIJOBS_GITLAB_TOKEN");
    }

    private Task<CliResult> ReuseZuulAsync(ZuulGate zuul, string dest, string[] trees, string format = "json") =>
        CliRunner.RunAsync(["reuse", "zuul", "--zuul-api", zuul.Server.BaseUrl, "--zuul-tenant", Tenant, "--project", Project, "--change", "42", "--patchset", "3",
            "--job", Job, "--package", "example-greetlib", "--dest", dest, "--format", format, .. trees]);

    /// <summary>
    /// A Zuul whose gate ran the build job three times for change 42,3: gate-1 succeeded on other trees (an earlier
    /// queue state), gate-2 succeeded on the gate fixture's trees with the result in its logs, gate-3 failed. Artifacts
    /// as the collect-result role returns them (URL relative to the log URL).
    /// </summary>
    private async Task<ZuulGate> ZuulWithGateBuildAsync(string? hostileName = null)
    {
        var logs = new TempDir("zuul-logs");
        var folder = Path.Combine(logs.Path, "gate-2", "result");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(gate.ResultPath))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        var server = new FakeZuulBuilds(Tenant, logs.Path);
        await server.StartAsync();
        JsonObject Artifact(string sourceTree)
        {
            var files = JsonNode.Parse(gate.Build.GetProperty("files").GetRawText())!.AsArray();
            if (hostileName is not null)
            {
                files[0]!["name"] = hostileName;
            }

            return new JsonObject
            {
                ["name"] = "DLRN result example-greetlib (tiny)",
                ["url"] = "result/",
                ["metadata"] = new JsonObject
                {
                    ["type"] = "cijobs_dlrn_result",
                    ["package"] = "example-greetlib",
                    ["source_tree"] = sourceTree,
                    ["distgit_tree"] = gate.DistgitTree,
                    ["files"] = files,
                    ["provenance"] = JsonNode.Parse(gate.Build.GetProperty("provenance").GetRawText()),
                },
            };
        }

        server.AddBuild("gate-1", Project, 42, 3, "gate", Job, "SUCCESS", server.LogUrl("gate-1"), Artifact(new string('b', 40)));
        server.AddBuild("gate-2", Project, 42, 3, "gate", Job, "SUCCESS", server.LogUrl("gate-2"), Artifact(gate.SourceTree));
        server.AddBuild("gate-3", Project, 42, 3, "gate", Job, "FAILURE", server.LogUrl("gate-3"), Artifact(gate.SourceTree));
        server.AddBuild("check-1", Project, 42, 3, "check", Job, "SUCCESS", server.LogUrl("gate-2"), Artifact(gate.SourceTree));
        return new ZuulGate(server, logs);
    }

    private sealed class ZuulGate(FakeZuulBuilds server, TempDir logs) : IAsyncDisposable
    {
        public FakeZuulBuilds Server => server;

        public string LogRoot => logs.Path;

        public async ValueTask DisposeAsync()
        {
            await server.DisposeAsync();
            logs.Dispose();
        }
    }
}
