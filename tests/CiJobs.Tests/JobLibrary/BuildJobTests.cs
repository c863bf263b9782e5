using System.Text.Json.Nodes;
using CiJobs.Fakes;
using CiJobs.Fakes.Dlrn;

namespace CiJobs.Tests.JobLibrary;

/// <summary>
/// The build and publish jobs run end to end with the real ansible-playbook on localhost, one test per
/// trigger, against the example repositories: what is built, what is returned, what is skipped and why.
/// </summary>
[Trait("Runs", "cijobs")]
[Collection(nameof(JobLibraryCollection))]
public class BuildJobTests
{
    private static readonly string[] BuildJob = ["cijobs-base/pre.yaml", "cijobs-build/run.yaml", "cijobs-build/post.yaml"];

    private static void ShouldHaveSucceeded(IReadOnlyList<PlaybookRun> runs)
    {
        runs.Should().HaveCount(3);
        foreach (var run in runs)
        {
            run.ExitCode.Should().Be(0, run.ToString());
        }
    }

    // The DLRN results only; a change's build also returns its test repository (TestRepositories).
    private static JsonArray Artifacts(JsonObject returned) =>
        [.. AllArtifacts(returned).Where(a => (string?)a!["metadata"]?["type"] == "cijobs_dlrn_result").Select(a => a!.DeepClone())];

    private static JsonArray TestRepositories(JsonObject returned) =>
        [.. AllArtifacts(returned).Where(a => (string?)a!["metadata"]?["type"] == "cijobs_test_repo").Select(a => a!.DeepClone())];

    private static JsonArray AllArtifacts(JsonObject returned) => returned["zuul"]?["artifacts"]?.AsArray() ?? [];

    [Fact]
    public async Task Upstream_ref_updated_builds_the_release_that_follows_the_branch_at_the_new_revision()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        var source = await job.PrepareAsync("example-greetlib", "main");
        await job.PrepareAsync("example-greetlib-distgit", "rpm-main");
        await job.PrepareRdoinfoAsync();
        var newrev = await source.RunAsync("rev-parse", "HEAD");
        var oldrev = await source.RunAsync("rev-parse", "HEAD^");
        var zuul = job.Zuul("example-greetlib", "post", new JsonObject
        {
            ["branch"] = "main",
            ["ref"] = "refs/heads/main",
            ["oldrev"] = oldrev,
            ["newrev"] = newrev,
        }, "rdoinfo", "example-greetlib-distgit");

        var runs = await job.RunJobAsync(new JsonObject { ["zuul"] = zuul, ["cijobs_plan_trigger"] = "upstream" }, BuildJob);

        ShouldHaveSucceeded(runs);
        var returned = job.Returned();
        var artifact = Artifacts(returned).Should().ContainSingle().Subject!;
        artifact["metadata"]!["type"]!.GetValue<string>().Should().Be("cijobs_dlrn_result");
        artifact["metadata"]!["package"]!.GetValue<string>().Should().Be("example-greetlib");
        artifact["metadata"]!["release"]!.GetValue<string>().Should().Be("tiny", "tiny-1 is pinned to the v1.1.0 tag");
        artifact["metadata"]!["commit_hash"]!.GetValue<string>().Should().Be(newrev);
        artifact["metadata"]!["distro_hash"]!.GetValue<string>().Should().Be(await job.Git("example-greetlib-distgit").RunAsync("rev-parse", "rpm-main"));
        artifact["metadata"]!["nvrs"]!.AsArray().Should().NotBeEmpty();
        var url = artifact["url"]!.GetValue<string>();
        url.Should().StartWith("dlrn/tiny/repos/");
        File.Exists(Path.Combine(job.LogRoot, url, "commit.yaml")).Should().BeTrue("the result is collected into the log root");
        File.Exists(Path.Combine(job.LogRoot, "dlrn", "plan.json")).Should().BeTrue();
        returned["cijobs_skipped"]!.AsArray().Should().BeEmpty();
        runs[1].Output.Should().Contain("build example-greetlib for tiny: source branch main updated to");
    }

    [Fact]
    public async Task Distgit_check_builds_the_proposed_spec_from_the_checkout_zuul_merged()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        await job.PrepareAsync("example-greeter", "main");
        var distgit = await job.PrepareAsync("example-greeter-distgit", "rpm-main");
        await job.PrepareRdoinfoAsync();
        var spec = Path.Combine(distgit.Directory, "example-greeter.spec");
        var proposed = await distgit.CommitAsync("Proposed: describe the package better", new Dictionary<string, string>
        {
            ["example-greeter.spec"] = (await File.ReadAllTextAsync(spec)).Replace("%description", "%description\nProposed in change 101.", StringComparison.Ordinal),
        });
        var zuul = job.Zuul("example-greeter-distgit", "check", new JsonObject
        {
            ["branch"] = "rpm-main",
            ["ref"] = "refs/changes/01/101/1",
            ["change"] = "101",
            ["patchset"] = "1",
        }, "rdoinfo", "example-greeter");

        var runs = await job.RunJobAsync(new JsonObject { ["zuul"] = zuul, ["cijobs_plan_trigger"] = "distgit", ["cijobs_lint_enabled"] = true }, BuildJob);

        ShouldHaveSucceeded(runs);
        var artifact = Artifacts(job.Returned()).Should().ContainSingle().Subject!;
        artifact["metadata"]!["package"]!.GetValue<string>().Should().Be("example-greeter");
        artifact["metadata"]!["release"]!.GetValue<string>().Should().Be("tiny");
        artifact["metadata"]!["distro_hash"]!.GetValue<string>().Should().Be(proposed, "the spec under review is built");

        // Lint ran on the build with the distgit's rpmlintrc (which accepts the example's one error) and is kept with the logs.
        var lint = JsonNode.Parse(File.ReadAllText(Path.Combine(job.LogRoot, "dlrn", "lint", "example-greeter-tiny.json")))!;
        lint["verdict"]!.GetValue<string>().Should().Be("passed");
        lint["runs"]![0]!["rpmlintrc"]!.GetValue<string>().Should().EndWith("example-greeter.rpmlintrc");
        artifact["metadata"]!["commit_hash"]!.GetValue<string>().Should().Be(await job.Git("example-greeter").RunAsync("rev-parse", "main"));
        runs[1].Output.Should().Contain("distgit change 101,1 on rpm-main");

        // The change's test repository: in the log root, returned with a URL relative to the log URL.
        var repository = TestRepositories(job.Returned()).Should().ContainSingle().Subject!;
        repository["url"]!.GetValue<string>().Should().Be("testrepo/check-101-1/rpm/");
        repository["metadata"]!["format"]!.GetValue<string>().Should().Be("rpm");
        repository["metadata"]!["repo_name"]!.GetValue<string>().Should().Be("check-101-1");
        repository["metadata"]!["packages"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Equal("example-greeter");
        File.Exists(Path.Combine(job.LogRoot, "testrepo", "check-101-1", "rpm", "repodata", "repomd.xml")).Should().BeTrue();
        Directory.EnumerateFiles(Path.Combine(job.LogRoot, "testrepo", "check-101-1", "rpm"), "example-greeter-*.noarch.rpm").Should().ContainSingle();
    }

    [Fact]
    public async Task Distgit_post_builds_the_merged_spec_and_the_publish_job_imports_it_into_dlrn()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        var distgit = await job.PrepareAsync("example-greetlib-distgit", "tiny-1-rdo");
        await job.PrepareRdoinfoAsync();
        var newrev = await distgit.RunAsync("rev-parse", "HEAD");
        var zuul = job.Zuul("example-greetlib-distgit", "post", new JsonObject
        {
            ["branch"] = "tiny-1-rdo",
            ["ref"] = "refs/heads/tiny-1-rdo",
            ["oldrev"] = "0000000000000000000000000000000000000000",
            ["newrev"] = newrev,
        }, "rdoinfo");

        var runs = await job.RunJobAsync(new JsonObject { ["zuul"] = zuul, ["cijobs_plan_trigger"] = "distgit" }, BuildJob);

        ShouldHaveSucceeded(runs);
        var artifact = Artifacts(job.Returned()).Should().ContainSingle().Subject!;
        artifact["metadata"]!["release"]!.GetValue<string>().Should().Be("tiny-1");
        artifact["metadata"]!["distro_hash"]!.GetValue<string>().Should().Be(newrev);
        var tag = await new Support.TestGit(Path.Combine(job.Work, "git", "example-greetlib")).RunAsync("rev-parse", "v1.1.0^{commit}");
        artifact["metadata"]!["commit_hash"]!.GetValue<string>().Should().Be(tag, "tiny-1 builds the source pinned to v1.1.0, cloned from rdoinfo's URL since Zuul did not prepare it");

        await PublishAndCheckAsync(job, artifact);
    }

    [Fact]
    public async Task Rdoinfo_check_builds_changed_packages_and_skips_those_under_review_or_unchanged_for_the_release()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        var (rdoinfo, _) = await job.PrepareRdoinfoAsync();
        await job.PrepareAsync("example-greeter", "main");
        var rdo = await File.ReadAllTextAsync(job.RdoinfoFile("rdo.yml"));
        var tiny1 = await File.ReadAllTextAsync(job.RdoinfoFile("tags/tiny-1.yml"));
        await rdoinfo.CommitAsync("Greeter: new maintainer; add example-newpkg under review; greetlib 1.2.0 in tiny-1", new Dictionary<string, string>
        {
            ["rdo.yml"] = rdo.Replace("  - greeter-maintainer@example.org", "  - greeter-maintainer@example.org\n  - second-maintainer@example.org", StringComparison.Ordinal)
                + "- project: example-newpkg\n  conf: example-core\n  tags:\n    under-review:\n    tiny:\n",
            ["tags/tiny-1.yml"] = tiny1.Replace("source-branch: v1.1.0", "source-branch: v1.2.0", StringComparison.Ordinal),
        });
        var zuul = job.Zuul("rdoinfo", "check", new JsonObject
        {
            ["branch"] = "master",
            ["ref"] = "refs/changes/02/202/3",
            ["change"] = "202",
            ["patchset"] = "3",
        }, "example-greeter");

        var runs = await job.RunJobAsync(
            new JsonObject { ["zuul"] = zuul, ["cijobs_plan_trigger"] = "rdoinfo", ["cijobs_plan_releases"] = new JsonArray("tiny") },
            BuildJob);

        ShouldHaveSucceeded(runs);
        var returned = job.Returned();
        var artifact = Artifacts(returned).Should().ContainSingle().Subject!;
        artifact["metadata"]!["package"]!.GetValue<string>().Should().Be("example-greeter");
        artifact["metadata"]!["release"]!.GetValue<string>().Should().Be("tiny");
        var skipped = returned["cijobs_skipped"]!.AsArray().Select(s => $"{s!["package"]}|{s["release"]}|{s["reason"]}").ToList();
        skipped.Should().BeEquivalentTo(
            "example-newpkg||added, but under review (tag under-review)",
            "example-greetlib|tiny|tag overrides changed: tiny-1; release tiny-1 source-branch: v1.1.0 -> v1.2.0; nothing changed for tiny");
        runs[1].Output.Should().Contain("skip example-newpkg: added, but under review (tag under-review)");
    }

    [Fact]
    public async Task Rdoinfo_post_builds_the_new_pin_between_oldrev_and_newrev_and_publishes_it()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        var (rdoinfo, oldrev) = await job.PrepareRdoinfoAsync();
        var tiny1 = await File.ReadAllTextAsync(job.RdoinfoFile("tags/tiny-1.yml"));
        var newrev = await rdoinfo.CommitAsync("greetlib 1.2.0 in tiny-1", new Dictionary<string, string>
        {
            ["tags/tiny-1.yml"] = tiny1.Replace("source-branch: v1.1.0", "source-branch: v1.2.0", StringComparison.Ordinal),
        });
        var zuul = job.Zuul("rdoinfo", "post", new JsonObject
        {
            ["branch"] = "master",
            ["ref"] = "refs/heads/master",
            ["oldrev"] = oldrev,
            ["newrev"] = newrev,
        });

        var runs = await job.RunJobAsync(new JsonObject { ["zuul"] = zuul, ["cijobs_plan_trigger"] = "rdoinfo" }, BuildJob);

        ShouldHaveSucceeded(runs);
        var returned = job.Returned();
        var artifact = Artifacts(returned).Should().ContainSingle().Subject!;
        artifact["metadata"]!["package"]!.GetValue<string>().Should().Be("example-greetlib");
        artifact["metadata"]!["release"]!.GetValue<string>().Should().Be("tiny-1");
        var tag = await new Support.TestGit(Path.Combine(job.Work, "git", "example-greetlib")).RunAsync("rev-parse", "v1.2.0^{commit}");
        artifact["metadata"]!["commit_hash"]!.GetValue<string>().Should().Be(tag);
        returned["cijobs_skipped"]!.AsArray().Select(s => s!["reason"]!.GetValue<string>())
            .Should().ContainSingle().Which.Should().Be("tag overrides changed: tiny-1; release tiny-1 source-branch: v1.1.0 -> v1.2.0; nothing changed for tiny");

        await PublishAndCheckAsync(job, artifact);
    }

    /// <summary>Serves the log root like a log server, runs the publish playbook with the artifact, checks the fake DLRN holds the commit.</summary>
    private static async Task PublishAndCheckAsync(AnsibleJobHarness job, JsonNode artifact)
    {
        const string password = "s3cret-dlrn-pw-7731";
        await using var logs = new FakeFileServer(job.LogRoot);
        await logs.StartAsync();
        await using var dlrn = new FakeDlrnServer(Path.Combine(job.JobDir, "dlrn-central"));
        dlrn.AddUser("ciuser", password);
        await dlrn.StartAsync();
        var published = artifact.DeepClone();
        published["url"] = $"{logs.BaseUrl}/{artifact["url"]!.GetValue<string>()}";
        var zuul = job.Zuul("example-greetlib-distgit", "post", new JsonObject
        {
            ["branch"] = "tiny-1-rdo",
            ["artifacts"] = new JsonArray(
                new JsonObject { ["name"] = "logs of something else", ["url"] = $"{logs.BaseUrl}/other/" },
                published),
        });

        var runs = await job.RunJobAsync(
            new JsonObject
            {
                ["zuul"] = zuul,
                ["cijobs_publish_dlrn_api_url"] = dlrn.BaseUrl,
                ["cijobs_publish_dlrn_credentials"] = new JsonObject { ["username"] = "ciuser", ["password"] = password },
                ["cijobs_publish_dlrn_store"] = Path.Combine(job.JobDir, "truth.db"),
            },
            "cijobs-base/pre.yaml", "cijobs-publish-dlrn/run.yaml");

        runs.Should().HaveCount(2);
        runs[1].ExitCode.Should().Be(0, runs[1].ToString());
        var commitHash = artifact["metadata"]!["commit_hash"]!.GetValue<string>();
        var distroHash = artifact["metadata"]!["distro_hash"]!.GetValue<string>();
        dlrn.Commits.Should().ContainSingle(c => c.CommitHash == commitHash && c.DistroHash == distroHash && c.Status == "SUCCESS");
        runs.Should().AllSatisfy(r => r.Output.Should().NotContain(password));
        File.Exists(Path.Combine(job.Home, "cijobs", "dlrn-password")).Should().BeFalse("the password file is removed after the import");

        // Published, then recorded: the publication, and the build's manifest fetched from the log server (sha256 checked).
        var manifest = artifact["metadata"]!["provenance"]!;
        using var store = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(job.JobDir, "truth.db")};Mode=ReadOnly;Pooling=False");
        store.Open();
        string Scalar(string sql)
        {
            using var command = store.CreateCommand();
            command.CommandText = sql;
            return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
        }

        Scalar("SELECT project_name || ' ' || commit_hash || ' ' || distro_hash FROM publications").Should().Be($"example-greetlib {commitHash} {distroHash}");
        Scalar("SELECT package || ' ' || status || ' ' || commit_hash FROM builds").Should().Be($"example-greetlib SUCCESS {commitHash}", runs[1].Output);
        ((string?)manifest["sha256"]).Should().MatchRegex("^[0-9a-f]{64}$");
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(job.LogRoot, "truth", "ingest-report.json")))!;
        ((int?)report["manifests"]!["added"]).Should().Be(1);
    }
}

[CollectionDefinition(nameof(JobLibraryCollection), DisableParallelization = true)]
public sealed class JobLibraryCollection;
