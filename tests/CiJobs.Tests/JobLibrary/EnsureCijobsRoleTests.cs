using System.Text.Json.Nodes;
using CiJobs.Fakes;

namespace CiJobs.Tests.JobLibrary;

/// <summary>
/// The ensure-cijobs role with the real ansible-playbook (docs/jobs/ensure-cijobs.md): a pinned prebuilt release
/// served on 127.0.0.1, the node-local cache, the checksum, Zuul artifacts and the source-build fallback.
/// </summary>
[Trait("Runs", "cijobs")]
[Collection(nameof(JobLibraryCollection))]
public sealed class EnsureCijobsRoleTests : IAsyncLifetime
{
    private AnsibleJobHarness job = null!;
    private FakeReleaseServer server = null!;
    private EnsureCijobsFixture.Release release = null!;
    private string dotnet = "";
    private string calls = "";

    private string Install => Path.Combine(job.Home, "cijobs-install");

    private string Cache => Path.Combine(job.Home, "cijobs-cache");

    private string Served => Path.Combine(job.JobDir, "served");

    public async Task InitializeAsync()
    {
        job = await AnsibleJobHarness.CreateAsync();
        release = await EnsureCijobsFixture.CreateReleaseAsync(Served);
        (dotnet, calls) = await EnsureCijobsFixture.FakeDotnetAsync(Path.Combine(job.JobDir, "dotnet"));
        server = new FakeReleaseServer(Served);
        await server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        job.Dispose();
    }

    private string Url => $"{server.BaseUrl}/{release.FileName}";

    private JsonObject Variables(string? url, string? sha256) => new()
    {
        ["ensure_cijobs_url"] = url ?? "",
        ["ensure_cijobs_sha256"] = sha256 ?? "",
        ["ensure_cijobs_install_dir"] = Install,
        ["ensure_cijobs_cache_dir"] = Cache,
        ["ensure_cijobs_src_dir"] = "/checkout/of/cijobs",
        ["ensure_cijobs_dotnet"] = dotnet,
    };

    private async Task<(PlaybookRun Run, JsonObject Facts)> RunAsync(JsonObject variables)
    {
        var run = (await job.RunJobAsync(variables, "cijobs-base/pre.yaml")).Single();
        var factsFile = Path.Combine(job.JobDir, "facts", "localhost");
        var facts = File.Exists(factsFile) ? JsonNode.Parse(await File.ReadAllTextAsync(factsFile))!.AsObject() : [];
        return (run, facts);
    }

    private string ReleaseDir => Path.Combine(Install, "releases", release.Sha256);

    private void ShouldBeInstalledFromTheRelease()
    {
        var command = new FileInfo(Path.Combine(Install, "cijobs"));
        command.LinkTarget.Should().Be(Path.Combine(ReleaseDir, "cijobs"));
        File.Exists(Path.Combine(ReleaseDir, "libgit2-0000000.so")).Should().BeTrue("the whole tarball is unpacked");
        EnsureCijobsFixture.Entries(Path.Combine(Install, "releases")).Should().NotContain(e => e.StartsWith(".staging", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pinned_release_is_downloaded_checked_and_linked_then_reused_without_a_request()
    {
        var variables = Variables(Url, release.Sha256.ToUpperInvariant());
        variables["ensure_cijobs_version"] = EnsureCijobsFixture.Version;

        var (first, facts) = await RunAsync(variables);

        first.ExitCode.Should().Be(0, first.ToString());
        facts["ensure_cijobs_installed_from"]!.GetValue<string>().Should().Be("download");
        facts["ensure_cijobs_installed_version"]!.GetValue<string>().Should().Be(EnsureCijobsFixture.Version);
        facts["ensure_cijobs_command"]!.GetValue<string>().Should().Be(Path.Combine(Install, "cijobs"));
        ShouldBeInstalledFromTheRelease();
        EnsureCijobsFixture.Entries(Cache).Should().Equal($"cijobs-{release.Sha256}.tar.gz");
        server.Requests.Select(r => r.Path).Should().Equal("/" + release.FileName);

        var (second, again) = await RunAsync(variables);

        second.ExitCode.Should().Be(0, second.ToString());
        again["ensure_cijobs_installed_from"]!.GetValue<string>().Should().Be("installed");
        server.Requests.Should().HaveCount(1, "the unpacked release is used as it is");
        EnsureCijobsFixture.Calls(calls).Should().BeEmpty("nothing is built from source");
    }

    [Fact]
    public async Task A_tarball_in_the_node_local_cache_is_unpacked_without_a_request()
    {
        Directory.CreateDirectory(Cache);
        File.Copy(release.Path, Path.Combine(Cache, $"cijobs-{release.Sha256}.tar.gz"));

        var (run, facts) = await RunAsync(Variables(Url, release.Sha256));

        run.ExitCode.Should().Be(0, run.ToString());
        facts["ensure_cijobs_installed_from"]!.GetValue<string>().Should().Be("cache");
        server.Requests.Should().BeEmpty();
        ShouldBeInstalledFromTheRelease();
    }

    [Fact]
    public async Task A_corrupt_cached_tarball_is_downloaded_again()
    {
        Directory.CreateDirectory(Cache);
        await File.WriteAllTextAsync(Path.Combine(Cache, $"cijobs-{release.Sha256}.tar.gz"), "truncated");

        var (run, facts) = await RunAsync(Variables(Url, release.Sha256));

        run.ExitCode.Should().Be(0, run.ToString());
        facts["ensure_cijobs_installed_from"]!.GetValue<string>().Should().Be("download");
        server.Requests.Should().HaveCount(1);
        (await EnsureCijobsFixture.Sha256Async(Path.Combine(Cache, $"cijobs-{release.Sha256}.tar.gz"))).Should().Be(release.Sha256);
    }

    [Fact]
    public async Task A_checksum_mismatch_fails_clearly_changes_nothing_and_does_not_fall_back()
    {
        Directory.CreateDirectory(Install);
        var previous = Path.Combine(Install, "cijobs");
        await File.WriteAllTextAsync(previous, "#!/bin/sh\necho previous\n");
        var wrong = EnsureCijobsFixture.Other(release.Sha256);

        var (run, _) = await RunAsync(Variables(Url, wrong));

        run.ExitCode.Should().NotBe(0);
        run.Output.Should().Contain($"ensure-cijobs: the tarball from {Url} is not the pinned cijobs").And.Contain("nothing was installed");
        server.Requests.Should().HaveCount(1);
        (await File.ReadAllTextAsync(previous)).Should().Be("#!/bin/sh\necho previous\n", "the installed command is left as it was");
        EnsureCijobsFixture.Entries(Install).Should().Equal(["cijobs", "releases"], "no release and no staging folder");
        EnsureCijobsFixture.Entries(Cache).Should().BeEmpty("the wrong file is not kept");
        EnsureCijobsFixture.Calls(calls).Should().BeEmpty("a mismatch is not a reason to build something else");
    }

    [Fact]
    public async Task An_unreachable_URL_falls_back_to_the_source_build()
    {
        var (run, facts) = await RunAsync(Variables(EnsureCijobsFixture.UnreachableUrl(release.FileName), release.Sha256));

        run.ExitCode.Should().Be(0, run.ToString());
        facts["ensure_cijobs_installed_from"]!.GetValue<string>().Should().Be("source");
        var recorded = EnsureCijobsFixture.Calls(calls);
        recorded[0].Should().Be($"publish /checkout/of/cijobs/tools/CiJobs.Cli --configuration Release --output {Install}/lib --nologo --use-current-runtime --self-contained false -p:PublishReadyToRun=true");
        recorded[^1].Should().Be($"{Install}/lib/cijobs.dll --version", "the wrapper runs the published dll");
        facts["ensure_cijobs_installed_version"]!.GetValue<string>().Should().Be(EnsureCijobsFixture.Version);
        EnsureCijobsFixture.Entries(Cache).Should().BeEmpty();
    }

    [Fact]
    public async Task Without_the_fallback_an_unreachable_URL_fails_and_builds_nothing()
    {
        var variables = Variables(EnsureCijobsFixture.UnreachableUrl(release.FileName), release.Sha256);
        variables["ensure_cijobs_source_fallback"] = false;

        var (run, _) = await RunAsync(variables);

        run.ExitCode.Should().NotBe(0);
        run.Output.Should().Contain("ensure-cijobs: cannot download cijobs from").And.Contain("ensure_cijobs_source_fallback is false");
        EnsureCijobsFixture.Calls(calls).Should().BeEmpty();
        File.Exists(Path.Combine(Install, "cijobs")).Should().BeFalse();
    }

    [Fact]
    public async Task A_Zuul_artifact_wins_over_the_pinned_URL_and_brings_its_own_SHA_256()
    {
        var variables = Variables(EnsureCijobsFixture.UnreachableUrl("pinned.tar.gz"), EnsureCijobsFixture.Other(release.Sha256));
        variables["ensure_cijobs_artifact_name"] = "cijobs native";
        variables["ensure_cijobs_artifacts"] = new JsonArray(
            new JsonObject { ["name"] = "cijobs native", ["url"] = $"{server.BaseUrl}/old.tar.gz", ["metadata"] = new JsonObject { ["sha256"] = "00" } },
            new JsonObject { ["name"] = "DLRN result foo (tiny)", ["url"] = $"{server.BaseUrl}/dlrn/" },
            new JsonObject { ["name"] = "cijobs native", ["url"] = Url, ["project"] = "cijobs", ["change"] = "12", ["metadata"] = new JsonObject { ["sha256"] = release.Sha256 } });

        var (run, facts) = await RunAsync(variables);

        run.ExitCode.Should().Be(0, run.ToString());
        facts["ensure_cijobs_installed_from"]!.GetValue<string>().Should().Be("download");
        server.Requests.Select(r => r.Path).Should().Equal("/" + release.FileName);
        ShouldBeInstalledFromTheRelease();
    }

    [Fact]
    public async Task A_prebuilt_without_a_SHA_256_is_refused_before_any_request()
    {
        var (run, _) = await RunAsync(Variables(Url, "not-a-checksum"));

        run.ExitCode.Should().NotBe(0);
        run.Output.Should().Contain("needs the tarball's SHA-256").And.Contain("nothing was installed");
        server.Requests.Should().BeEmpty();
        EnsureCijobsFixture.Calls(calls).Should().BeEmpty();
    }

    [Fact]
    public async Task A_tarball_of_another_version_than_the_pinned_one_is_not_put_in_place()
    {
        var variables = Variables(Url, release.Sha256);
        variables["ensure_cijobs_version"] = "9.9.9";

        var (run, _) = await RunAsync(variables);

        run.ExitCode.Should().NotBe(0);
        run.Output.Should().Contain($"holds cijobs {EnsureCijobsFixture.Version}, not ensure_cijobs_version 9.9.9");
        File.Exists(Path.Combine(Install, "cijobs")).Should().BeFalse();
        EnsureCijobsFixture.Entries(Path.Combine(Install, "releases")).Should().BeEmpty("the staging folder is removed");
    }
}
