using System.Text.Json.Nodes;
using CiJobs.Fakes.Zuul;
using CiJobs.Tests.Builds;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.JobLibrary;

/// <summary>
/// The post flow run end to end with the real ansible-playbook (issue 14 §5): a gate build of a distgit change, then the
/// post job of the merged change, which reuses the gate's result through Zuul's builds API (FakeZuulBuilds), publishes it
/// signed into the release repository and syncs the RPM tree to a mirror; then the periodic re-sync.
/// </summary>
[Trait("Runs", "cijobs")]
[Collection(nameof(JobLibraryCollection))]
public sealed class PostReleaseJobTests
{
    private static readonly string[] BuildJob = ["cijobs-base/pre.yaml", "cijobs-build/run.yaml", "cijobs-build/post.yaml"];
    private static readonly string[] PostJob = ["cijobs-base/pre.yaml", "cijobs-post-release/run.yaml", "cijobs-post-release/post.yaml"];
    private static readonly string[] ResyncJob = ["cijobs-base/pre.yaml", "cijobs-mirror-resync/run.yaml"];
    private const string Passphrase = "post-job-passphrase-0123";

    [Fact]
    public async Task Post_reuses_the_gated_result_publishes_it_signed_and_syncs_the_mirror_without_leaking_the_key()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        using var outside = new TempDir("post-release");
        await job.PrepareAsync("example-greetlib", "main");
        var distgit = await job.PrepareAsync("example-greetlib-distgit", "rpm-main");
        await job.PrepareRdoinfoAsync();
        var change = new JsonObject { ["branch"] = "rpm-main", ["change"] = "7", ["patchset"] = "2" };

        // The gate build of change 7,2 (Zuul's speculative state is the checkout as prepared).
        var gate = await job.RunJobAsync(new JsonObject { ["zuul"] = job.Zuul("example-greetlib-distgit", "gate", change.DeepClone().AsObject(), "rdoinfo", "example-greetlib") }, BuildJob);
        gate.Should().OnlyContain(r => r.ExitCode == 0, string.Join("\n", gate));
        var artifacts = job.Returned()["zuul"]!["artifacts"]!.AsArray().Where(a => (string?)a!["metadata"]!["type"] == "cijobs_dlrn_result").Select(a => a!.DeepClone().AsObject()).ToArray();
        artifacts.Should().ContainSingle();
        var gateLogs = Path.Combine(outside.Path, "logs", "gate-1");
        Directory.CreateDirectory(Path.GetDirectoryName(gateLogs)!);
        Directory.Move(job.LogRoot, gateLogs);
        Directory.CreateDirectory(job.LogRoot);
        Directory.Delete(Path.Combine(job.JobDir, "facts"), recursive: true);
        File.Delete(job.ResultDataFile);
        await using var zuulWeb = new FakeZuulBuilds("example", Path.Combine(outside.Path, "logs"));
        await zuulWeb.StartAsync();
        zuulWeb.AddBuild("gate-1", "example-greetlib-distgit", 7, 2, "gate", "cijobs-build-distgit", "SUCCESS", zuulWeb.LogUrl("gate-1"), artifacts);

        // The merge: another commit with the same tree, as Gerrit makes it.
        var tree = await distgit.RunAsync("rev-parse", "HEAD^{tree}");
        var merged = await distgit.RunAsync("commit-tree", tree, "-p", "HEAD", "-m", "Merged change 7");
        await distgit.RunAsync("reset", "--hard", merged);
        var (key, publicKey) = await SigningKeyAsync(outside.Combine("gnupg"));
        var repo = outside.Combine("release");
        var mirror = outside.Combine("mirror", "rpm");
        Directory.CreateDirectory(Path.GetDirectoryName(mirror)!);
        var targets = new JsonArray(new JsonObject { ["source"] = Path.Combine(repo, "rpm"), ["dest"] = mirror });

        var post = await job.RunJobAsync(
            new JsonObject
            {
                ["zuul"] = job.Zuul("example-greetlib-distgit", "promote", change.DeepClone().AsObject(), "rdoinfo", "example-greetlib"),
                ["cijobs_reuse_zuul_api"] = zuulWeb.BaseUrl,
                ["cijobs_reuse_job"] = "cijobs-build-distgit",
                ["cijobs_build_output_dir"] = "{{ ansible_user_dir }}/cijobs/post/data", // as zuul.d/post-jobs.yaml sets it
                ["cijobs_release_publish_repo"] = repo,
                ["cijobs_release_publish_signing_key"] = key,
                ["cijobs_release_publish_signing_passphrase"] = Passphrase,
                ["cijobs_mirror_sync_targets"] = targets.DeepClone(),
            },
            PostJob);

        post.Should().OnlyContain(r => r.ExitCode == 0, string.Join("\n", post));
        var output = string.Join("\n", post.Select(r => r.Output));
        output.Should().Contain("example-greetlib for tiny: reused: gate build gate-1 built the same trees");
        Directory.Exists(Path.Combine(job.LogRoot, "dlrn", "tiny")).Should().BeFalse("nothing was rebuilt, so no build result was collected");
        var rpms = Directory.GetFiles(Path.Combine(repo, "rpm"), "*.rpm", SearchOption.AllDirectories);

        // The gate build's manifest came through the promotion and is published beside the packages, and on the mirror.
        var gateManifest = Directory.GetFiles(gateLogs, "provenance.json", SearchOption.AllDirectories).Should().ContainSingle().Subject;
        var kept = Directory.GetFiles(Path.Combine(repo, "rpm", "provenance")).Should().ContainSingle().Subject;
        File.ReadAllBytes(kept).Should().Equal(File.ReadAllBytes(gateManifest));
        File.ReadAllBytes(Path.Combine(mirror, "provenance", Path.GetFileName(kept))).Should().Equal(File.ReadAllBytes(gateManifest));
        rpms.Should().NotBeEmpty();
        File.Exists(Path.Combine(repo, "rpm", "repodata", "repomd.xml.asc")).Should().BeTrue("the metadata is signed");
        var rpmdb = outside.Combine("rpmdb");
        Directory.CreateDirectory(rpmdb);
        var publicKeyFile = outside.Write("public.asc", publicKey);
        await BuildPaths.RunAsync("rpmkeys", ["--dbpath", rpmdb, "--import", publicKeyFile]);
        foreach (var rpm in rpms)
        {
            (await BuildPaths.RunAsync("rpmkeys", ["--dbpath", rpmdb, "--checksig", rpm])).Should().Contain("signatures OK");
        }

        new FileInfo(mirror).LinkTarget.Should().NotBeNull("the mirror is a link to its current snapshot");
        Directory.GetFiles(mirror, "*.rpm", SearchOption.AllDirectories).Select(Path.GetFileName).Should().BeEquivalentTo(rpms.Select(Path.GetFileName));
        File.ReadAllText(Path.Combine(job.LogRoot, "mirror-sync", "0", "sync-report.txt")).Should().Contain("example-greetlib");
        var returned = job.Returned()["zuul"]!["artifacts"]!.AsArray();
        returned.Select(a => (string?)a!["metadata"]!["type"]).Should().Contain("cijobs_mirror_sync");
        File.Exists(Path.Combine(job.LogRoot, "release-publish.json")).Should().BeTrue();
        var keyLines = key.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 20 && !l.StartsWith("-----", StringComparison.Ordinal)).ToArray();
        foreach (var text in Directory.GetFiles(job.LogRoot, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".rpm", StringComparison.Ordinal)).Select(File.ReadAllText).Append(output))
        {
            text.Should().NotContain(Passphrase);
            keyLines.Should().NotContain(line => text.Contains(line, StringComparison.Ordinal));
        }

        Directory.GetDirectories(Path.GetTempPath(), "cijobs-sign-*").Should().BeEmpty("the key's private folder is deleted");

        // The periodic re-sync keeps the mirror whole and reports again.
        File.Delete(job.ResultDataFile);
        var resync = await job.RunJobAsync(new JsonObject { ["zuul"] = job.Zuul("example-greetlib-distgit", "periodic", new JsonObject { ["branch"] = "rpm-main" }), ["cijobs_mirror_sync_targets"] = targets.DeepClone() }, ResyncJob);
        resync.Should().OnlyContain(r => r.ExitCode == 0, string.Join("\n", resync));
        Directory.GetFiles(mirror, "*.rpm", SearchOption.AllDirectories).Should().HaveCount(rpms.Length);
        job.Returned()["zuul"]!["artifacts"]!.AsArray().Should().ContainSingle();
    }

    /// <summary>A throwaway passphrase-protected signing key: its armoured secret key and public key.</summary>
    private static async Task<(string Secret, string Public)> SigningKeyAsync(string home)
    {
        Directory.CreateDirectory(home);
        File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string[] gpg = ["--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", Passphrase];
        await BuildPaths.RunAsync("gpg", [.. gpg, "--quick-generate-key", "CiJobs post test <post@example.org>", "rsa2048", "sign", "never"]);
        var secret = await BuildPaths.RunAsync("gpg", [.. gpg, "--armor", "--export-secret-keys"]);
        var publicKey = await BuildPaths.RunAsync("gpg", [.. gpg, "--armor", "--export"]);
        await BuildPaths.RunAsync("gpgconf", ["--homedir", home, "--kill", "all"]);
        return (secret, publicKey);
    }
}
