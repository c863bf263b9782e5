using System.Text;
using CiJobs.Fakes;
using CiJobs.Tests.Support;
using CliWrap;
using CliWrap.Buffered;

namespace CiJobs.Tests.JobLibrary;

/// <summary>
/// ci/gitlab/ensure-cijobs.sh run by itself, and through the template ci/gitlab/ensure-cijobs.yml with gitlab-ci-local
/// (docs/jobs/ensure-cijobs.md), against a release served on 127.0.0.1 as a mirror and as GitLab's generic package registry.
/// </summary>
[Trait("Runs", "cijobs")]
public sealed class EnsureCijobsGitLabTests : IAsyncLifetime
{
    private const string JobToken = "job-token-123";

    private readonly TempDir temp = new("ensure-gitlab");
    private FakeReleaseServer server = null!;
    private EnsureCijobsFixture.Release release = null!;
    private string dotnet = "";
    private string calls = "";

    private string Install => temp.Combine("install");

    private string Cache => temp.Combine("cache");

    private string Served => temp.Combine("served");

    private string Url => $"{server.BaseUrl}/mirror/{release.FileName}";

    public async Task InitializeAsync()
    {
        release = await EnsureCijobsFixture.CreateReleaseAsync(temp.Combine("served", "mirror"));
        var registry = temp.Combine("served", "generic", "42", "cijobs", EnsureCijobsFixture.Version);
        Directory.CreateDirectory(registry);
        File.Copy(release.Path, Path.Combine(registry, release.FileName));
        (dotnet, calls) = await EnsureCijobsFixture.FakeDotnetAsync(temp.Combine("dotnet"));
        server = new FakeReleaseServer(Served, JobToken);
        await server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        temp.Dispose();
    }

    private sealed record ScriptRun(int ExitCode, string StandardOutput, string StandardError)
    {
        public override string ToString() => $"exit {ExitCode}\n{StandardOutput}\n{StandardError}";
    }

    private async Task<ScriptRun> RunScriptAsync(Dictionary<string, string?> variables)
    {
        var environment = new Dictionary<string, string?>
        {
            ["CIJOBS_INSTALL_DIR"] = Install,
            ["CIJOBS_CACHE_DIR"] = Cache,
            ["CIJOBS_DOTNET"] = dotnet,
            ["CIJOBS_SRC_DIR"] = RepoPaths.Root,
            ["CI_JOB_TOKEN"] = null,
            ["CI_API_V4_URL"] = null,
            ["CIJOBS_URL"] = null,
            ["CIJOBS_SHA256"] = null,
            ["CIJOBS_VERSION"] = null,
            ["CIJOBS_PACKAGE_PROJECT"] = null,
            ["CIJOBS_SOURCE_FALLBACK"] = null,
        };
        foreach (var (key, value) in variables)
        {
            environment[key] = value;
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var result = await global::CliWrap.Cli.Wrap("bash")
            .WithArguments([Path.Combine(RepoPaths.Root, "ci", "gitlab", "ensure-cijobs.sh")])
            .WithEnvironmentVariables(environment)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(stdout))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr))
            .ExecuteAsync();
        return new ScriptRun(result.ExitCode, stdout.ToString(), stderr.ToString());
    }

    private string ReleaseDir => Path.Combine(Install, "releases", release.Sha256);

    [Fact]
    public async Task The_package_registry_release_is_downloaded_with_the_job_token_then_reused_without_a_request()
    {
        var variables = new Dictionary<string, string?>
        {
            ["CIJOBS_PACKAGE_PROJECT"] = "42",
            ["CIJOBS_VERSION"] = EnsureCijobsFixture.Version,
            ["CIJOBS_SHA256"] = release.Sha256,
            ["CI_API_V4_URL"] = server.ApiV4Url,
            ["CI_JOB_TOKEN"] = JobToken,
        };

        var first = await RunScriptAsync(variables);

        first.ExitCode.Should().Be(0, first.ToString());
        first.StandardOutput.Should().Be(Path.Combine(Install, "cijobs") + "\n");
        first.StandardError.Should().Contain($"cijobs {EnsureCijobsFixture.Version} (download)");
        server.Requests.Should().Equal(new ReleaseRequest($"/api/v4/projects/42/packages/generic/cijobs/{EnsureCijobsFixture.Version}/{release.FileName}", JobToken));
        new FileInfo(Path.Combine(Install, "cijobs")).LinkTarget.Should().Be(Path.Combine(ReleaseDir, "cijobs"));
        EnsureCijobsFixture.Entries(Cache).Should().Equal($"cijobs-{release.Sha256}.tar.gz");

        var second = await RunScriptAsync(variables);

        second.ExitCode.Should().Be(0, second.ToString());
        second.StandardError.Should().Contain("(installed)");
        server.Requests.Should().HaveCount(1);
        EnsureCijobsFixture.Calls(calls).Should().BeEmpty();
    }

    [Fact]
    public async Task The_job_token_goes_only_to_this_GitLab_s_API()
    {
        var run = await RunScriptAsync(new Dictionary<string, string?>
        {
            ["CIJOBS_URL"] = Url,
            ["CIJOBS_SHA256"] = release.Sha256,
            ["CI_API_V4_URL"] = "https://gitlab.example.org/api/v4",
            ["CI_JOB_TOKEN"] = JobToken,
        });

        run.ExitCode.Should().Be(0, run.ToString());
        server.Requests.Should().Equal(new ReleaseRequest($"/mirror/{release.FileName}", null));
        run.StandardError.Should().NotContain(JobToken);
    }

    [Fact]
    public async Task A_cached_tarball_is_unpacked_without_a_request()
    {
        Directory.CreateDirectory(Cache);
        File.Copy(release.Path, Path.Combine(Cache, $"cijobs-{release.Sha256}.tar.gz"));

        var run = await RunScriptAsync(new Dictionary<string, string?> { ["CIJOBS_URL"] = Url, ["CIJOBS_SHA256"] = release.Sha256 });

        run.ExitCode.Should().Be(0, run.ToString());
        run.StandardError.Should().Contain("(cache)");
        server.Requests.Should().BeEmpty();
        File.Exists(Path.Combine(ReleaseDir, "libgit2-0000000.so")).Should().BeTrue();
    }

    [Fact]
    public async Task A_checksum_mismatch_fails_in_one_line_and_leaves_nothing()
    {
        var wrong = EnsureCijobsFixture.Other(release.Sha256);

        var run = await RunScriptAsync(new Dictionary<string, string?> { ["CIJOBS_URL"] = Url, ["CIJOBS_SHA256"] = wrong });

        run.ExitCode.Should().NotBe(0);
        run.StandardOutput.Should().BeEmpty();
        run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Should().Be(
            $"ensure-cijobs: error: the tarball from {Url} is not the pinned cijobs: its SHA-256 is {release.Sha256}, CIJOBS_SHA256 is {wrong}; nothing was installed");
        EnsureCijobsFixture.Entries(Install).Should().BeEmpty();
        EnsureCijobsFixture.Entries(Cache).Should().BeEmpty("the partial download is removed");
        EnsureCijobsFixture.Calls(calls).Should().BeEmpty("a mismatch never falls back to a source build");
    }

    [Fact]
    public async Task An_unreachable_URL_falls_back_to_the_source_build_unless_that_is_off()
    {
        var url = EnsureCijobsFixture.UnreachableUrl(release.FileName);

        var refused = await RunScriptAsync(new Dictionary<string, string?> { ["CIJOBS_URL"] = url, ["CIJOBS_SHA256"] = release.Sha256, ["CIJOBS_SOURCE_FALLBACK"] = "false" });

        refused.ExitCode.Should().NotBe(0);
        refused.StandardError.Should().Contain($"ensure-cijobs: error: cannot download cijobs from {url} and CIJOBS_SOURCE_FALLBACK is false");
        EnsureCijobsFixture.Calls(calls).Should().BeEmpty();
        File.Exists(Path.Combine(Install, "cijobs")).Should().BeFalse();

        var built = await RunScriptAsync(new Dictionary<string, string?> { ["CIJOBS_URL"] = url, ["CIJOBS_SHA256"] = release.Sha256 });

        built.ExitCode.Should().Be(0, built.ToString());
        built.StandardError.Should().Contain($"cijobs {EnsureCijobsFixture.Version} (source)");
        EnsureCijobsFixture.Calls(calls)[0].Should().Be(
            $"publish {RepoPaths.Root}/tools/CiJobs.Cli --configuration Release --output {Install}/lib --nologo --use-current-runtime --self-contained false -p:PublishReadyToRun=true");
    }

    [Fact]
    public async Task A_release_uploaded_by_publish_release_installs_from_the_package_registry()
    {
        // .ci/release's folder for tag v1.2.3 (a stand-in cijobs that says 1.2.3), uploaded by .ci/publish-release.
        var dist = temp.Combine("dist");
        var tagged = await EnsureCijobsFixture.CreateReleaseAsync(dist, "1.2.3", "#!/bin/sh\necho 1.2.3\n");
        await File.WriteAllTextAsync(Path.Combine(dist, "cijobs.1.2.3.nupkg"), "package\n");
        await File.WriteAllTextAsync(Path.Combine(dist, "SHA256SUMS"),
            $"{tagged.Sha256}  {tagged.FileName}\n{await EnsureCijobsFixture.Sha256Async(Path.Combine(dist, "cijobs.1.2.3.nupkg"))}  cijobs.1.2.3.nupkg\n");
        var upload = await global::CliWrap.Cli.Wrap("bash")
            .WithArguments([Path.Combine(RepoPaths.Root, ".ci", "publish-release"), dist])
            .WithEnvironmentVariables(new Dictionary<string, string?>
            {
                ["CI_COMMIT_TAG"] = "v1.2.3",
                ["CI_API_V4_URL"] = server.ApiV4Url,
                ["CI_PROJECT_ID"] = "77",
                ["CI_JOB_TOKEN"] = JobToken,
            })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();

        upload.ExitCode.Should().Be(0, upload.StandardOutput + upload.StandardError);
        server.Requests.Should().BeEquivalentTo(
            new[] { tagged.FileName, "SHA256SUMS", "cijobs.1.2.3.nupkg" }.Select(f =>
                new ReleaseRequest($"/api/v4/projects/77/packages/generic/cijobs/1.2.3/{f}", JobToken) { Method = "PUT" }));
        upload.StandardOutput.Should().NotContain(JobToken);

        var run = await RunScriptAsync(new Dictionary<string, string?>
        {
            ["CIJOBS_PACKAGE_PROJECT"] = "77",
            ["CIJOBS_VERSION"] = "1.2.3",
            ["CIJOBS_SHA256"] = tagged.Sha256,
            ["CI_API_V4_URL"] = server.ApiV4Url,
            ["CI_JOB_TOKEN"] = JobToken,
        });

        run.ExitCode.Should().Be(0, run.ToString());
        run.StandardError.Should().Contain("cijobs 1.2.3 (download)");
        server.Requests.Last().Should().Be(new ReleaseRequest($"/api/v4/projects/77/packages/generic/cijobs/1.2.3/{tagged.FileName}", JobToken));
    }

    [Fact]
    public async Task Publish_release_refuses_a_tag_that_is_not_a_release()
    {
        var upload = await global::CliWrap.Cli.Wrap("bash")
            .WithArguments([Path.Combine(RepoPaths.Root, ".ci", "publish-release"), temp.Path])
            .WithEnvironmentVariables(new Dictionary<string, string?>
            {
                ["CI_COMMIT_TAG"] = "v1.2.3-rc.1",
                ["CI_API_V4_URL"] = server.ApiV4Url,
                ["CI_PROJECT_ID"] = "77",
                ["CI_JOB_TOKEN"] = JobToken,
            })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();

        upload.ExitCode.Should().NotBe(0);
        upload.StandardError.Should().Be("publish-release: error: tag v1.2.3-rc.1 is not vX.Y.Z\n");
        server.Requests.Should().BeEmpty();
    }

    private async Task<(BufferedCommandResult Result, string Project)> RunTemplateAsync(string name, string sha256)
    {
        // The CiJobs repository the template clones the script from, at CIJOBS_REF.
        var cijobs = await TestGit.InitAsync(temp.Combine(name, "cijobs-repo"));
        await cijobs.CommitAsync("CiJobs", new Dictionary<string, string>
        {
            ["ci/gitlab/ensure-cijobs.sh"] = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "ci", "gitlab", "ensure-cijobs.sh")),
        });

        var directory = temp.Combine(name, "project");
        var project = await TestGit.InitAsync(directory);
        Directory.CreateDirectory(Path.Combine(directory, "ci", "gitlab"));
        File.Copy(Path.Combine(RepoPaths.Root, "ci", "gitlab", "ensure-cijobs.yml"), Path.Combine(directory, "ci", "gitlab", "ensure-cijobs.yml"));
        await project.CommitAsync("CI", new Dictionary<string, string>
        {
            [".gitlab-ci.yml"] = "include:\n  - local: ci/gitlab/ensure-cijobs.yml\nuse-cijobs:\n  extends: .cijobs-ensure\n  script:\n    - $CIJOBS_CMD --version > cijobs-version.txt\n",
            [".gitignore"] = ".gitlab-ci-local/\n.cijobs-cache/\ncijobs-version.txt\n",
        });

        var result = await global::CliWrap.Cli.Wrap("gitlab-ci-local")
            .WithArguments([
                "--variable", $"CIJOBS_REPO_URL=file://{cijobs.Directory}",
                "--variable", $"CIJOBS_SRC_DIR={temp.Combine(name, "cijobs-src")}",
                "--variable", $"CIJOBS_INSTALL_DIR={Install}",
                "--variable", $"CIJOBS_URL={Url}",
                "--variable", $"CIJOBS_SHA256={sha256}",
                "--variable", $"CIJOBS_VERSION={EnsureCijobsFixture.Version}",
                "use-cijobs",
            ])
            .WithWorkingDirectory(directory)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();
        return (result, directory);
    }

    [Fact]
    public async Task The_template_installs_the_pinned_release_and_exports_CIJOBS_CMD_through_gitlab_ci_local()
    {
        var (result, project) = await RunTemplateAsync("good", release.Sha256);

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        (await File.ReadAllTextAsync(Path.Combine(project, "cijobs-version.txt"))).Should().Be(EnsureCijobsFixture.Version + "\n");
        server.Requests.Should().ContainSingle().Which.Path.Should().Be($"/mirror/{release.FileName}");
        File.Exists(Path.Combine(project, ".cijobs-cache", $"cijobs-{release.Sha256}.tar.gz")).Should().BeTrue("the tarball is kept where the job's GitLab cache keeps it");
    }

    [Fact]
    public async Task The_template_fails_the_job_on_a_checksum_mismatch()
    {
        var (result, project) = await RunTemplateAsync("bad", EnsureCijobsFixture.Other(release.Sha256));

        result.ExitCode.Should().NotBe(0);
        (result.StandardOutput + result.StandardError).Should().Contain("is not the pinned cijobs");
        File.Exists(Path.Combine(project, "cijobs-version.txt")).Should().BeFalse("the job's script does not run");
        File.Exists(Path.Combine(Install, "cijobs")).Should().BeFalse();
    }
}
