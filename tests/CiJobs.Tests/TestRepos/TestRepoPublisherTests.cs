using CiJobs.Cli.Serving;
using CiJobs.Core;
using CiJobs.Core.Platform;
using CiJobs.Core.TestRepos;
using CiJobs.Tests.Support;
using CliWrap;
using CliWrap.Buffered;

namespace CiJobs.Tests.TestRepos;

/// <summary><see cref="TestRepoPublisher"/> with the real rpm, createrepo_c, dpkg and apt-ftparchive; the repositories are
/// served over HTTP on 127.0.0.1 and read by the real apt-get and dnf, each with private state.</summary>
public sealed class TestRepoPublisherTests(TestRepoPackagesFixture packages) : IClassFixture<TestRepoPackagesFixture>, IDisposable
{
    private readonly TempDir temp = new("testrepo");

    public void Dispose() => temp.Dispose();

    private string Root => temp.Combine("root");

    private static Task<TestRepoResult> PublishAsync(TestRepoRequest request, IProcessRunner? runner = null) =>
        new TestRepoPublisher(runner ?? new CliWrapProcessRunner()).PublishAsync(request, CancellationToken.None);

    private TestRepoRequest Request(string name, params string[] results) => new(results, Root, name, "bookworm");

    [Fact]
    public async Task RPM_and_Debian_packages_of_several_results_become_repositories_dnf_and_apt_read_over_HTTP()
    {
        await using var server = ResultDirectoryServer.Start(Directory.CreateDirectory(Root).FullName, 0);
        var name = TestRepoNames.Derive(TestRepoPipeline.Check, "123", "4", null);

        var result = await PublishAsync(Request(name, packages.RpmAlpha, packages.RpmBeta, packages.Deb) with { BaseUrl = server.Url });

        result.Name.Should().Be("check-123-4");
        result.Path.Should().Be(Path.Combine(Root, "check-123-4"));
        Directory.GetFileSystemEntries(Root).Should().Equal(result.Path);
        result.Rpm!.Url.Should().Be(server.Url + "check-123-4/rpm/");
        result.Rpm.Packages.Select(p => $"{p.Name} {p.Version} {p.Arch} {p.File}").Should().Equal(
            "tr-alpha 1.0-1 noarch tr-alpha-1.0-1.noarch.rpm", "tr-alpha 1.0-1 src tr-alpha-1.0-1.src.rpm",
            "tr-beta 2.0-3 noarch tr-beta-2.0-3.noarch.rpm", "tr-beta 2.0-3 src tr-beta-2.0-3.src.rpm");
        File.ReadAllText(result.Rpm.RepoFile).Should().Be(
            $"[check-123-4]\nname=cijobs test repository check-123-4\nbaseurl={server.Url}check-123-4/rpm/\nenabled=1\ngpgcheck=0\npriority=1\n");
        result.Deb!.Codename.Should().Be("bookworm");
        result.Deb.Component.Should().Be("main");
        result.Deb.Packages.Select(p => $"{p.Name} {p.Version} {p.Arch} {p.File}").Should().Equal(
            "tr-motd 1.0 all pool/main/tr-motd_1.0_all.deb", "tr-motd 1.0 source pool/main/tr-motd_1.0.dsc");
        var url = server.Url + "check-123-4/deb";
        File.ReadAllText(result.Deb.ListFile).Should().Be($"deb [trusted=yes] {url} bookworm main\ndeb-src [trusted=yes] {url} bookworm main\n");
        var release = File.ReadAllText(Path.Combine(result.Path, "deb", "dists", "bookworm", "Release"));
        release.Should().Contain("Suite: bookworm\n").And.Contain("Codename: bookworm\n").And.Contain("Components: main\n")
            .And.Contain($"Architectures: {string.Join(' ', result.Deb.Architectures)}\n").And.Contain("SHA256:\n").And.Contain(" main/source/Sources.gz\n");
        result.Deb.Architectures.Should().Contain((await RunAsync("dpkg", "--print-architecture")).StandardOutput.Trim());

        // Served as on disk: index files as text, compressed ones with their own type and no Content-Encoding, folders not listed.
        using (var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = System.Net.DecompressionMethods.None }))
        {
            foreach (var (path, type) in new[]
            {
                ("deb/dists/bookworm/Release", "text/plain"), ("deb/check-123-4.list", "text/plain"), ("rpm/check-123-4.repo", "text/plain"),
                ("deb/dists/bookworm/main/source/Sources.gz", "application/gzip"), ("deb/pool/main/tr-motd_1.0_all.deb", "application/vnd.debian.binary-package"),
                ("rpm/tr-alpha-1.0-1.noarch.rpm", "application/x-rpm"), ("rpm/repodata/repomd.xml", "application/xml"),
            })
            {
                using var response = await http.GetAsync(server.Url + "check-123-4/" + path);
                response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, path);
                response.Content.Headers.ContentType!.MediaType.Should().Be(type, path);
                response.Content.Headers.ContentEncoding.Should().BeEmpty(path);
                (await response.Content.ReadAsByteArrayAsync()).Should().Equal(File.ReadAllBytes(Path.Combine(result.Path, path)), path);
            }

            (await http.GetAsync(server.Url + "check-123-4/rpm/")).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
        }

        // apt, with its own lists, cache and sources: the codename and component of the .list file, the package, its source.
        var apt = AptOptions(result.Deb.ListFile);
        var update = await RunAsync("apt-get", [.. apt, "update"]);
        update.ExitCode.Should().Be(0, update.StandardOutput + update.StandardError);
        update.StandardError.Should().NotContain("W: ").And.NotContain("E: ");
        (await RunAsync("apt-cache", [.. apt, "policy", "tr-motd"])).StandardOutput.Should().Contain("Candidate: 1.0").And.Contain($"{url} bookworm/main");
        (await RunAsync("apt-cache", [.. apt, "showsrc", "tr-motd"])).StandardOutput.Should().Contain("Package: tr-motd");
        var downloads = temp.Combine("downloads");
        Directory.CreateDirectory(downloads);
        var download = await RunAsync("apt-get", [.. apt, "download", "tr-motd"], downloads);
        download.ExitCode.Should().Be(0, download.StandardOutput + download.StandardError);
        File.ReadAllBytes(Path.Combine(downloads, "tr-motd_1.0_all.deb")).Should().Equal(File.ReadAllBytes(Path.Combine(packages.Deb, "tr-motd_1.0_all.deb")));

        // dnf, in an install root of its own, no configured repository: the repository by URL, then its packages.
        string[] dnf = ["-q", $"--installroot={temp.Combine("dnfroot")}", "--setopt=reposdir=/dev/null", "--releasever=9", "--nogpgcheck", $"--repofrompath={result.Name},{result.Rpm.Url}", $"--repo={result.Name}"];
        var makecache = await RunAsync("dnf", [.. dnf, "makecache"]);
        makecache.ExitCode.Should().Be(0, makecache.StandardOutput + makecache.StandardError);
        var query = await RunAsync("dnf", [.. dnf, "repoquery", "--qf", "%{name} %{version}-%{release} %{arch}"]);
        query.ExitCode.Should().Be(0, query.StandardError);
        query.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).Should().Equal(
            "tr-alpha 1.0-1 noarch", "tr-alpha 1.0-1 src", "tr-beta 2.0-3 noarch", "tr-beta 2.0-3 src");
    }

    [Fact]
    public async Task A_gate_name_holds_the_item_and_only_the_formats_present_are_made()
    {
        var name = TestRepoNames.Derive(TestRepoPipeline.Gate, "77", "2", "0123456789abcdef0123456789abcdef");

        var result = await PublishAsync(Request(name, packages.RpmAlpha));

        name.Should().Be("gate-77-2-0123456789ab");
        result.Deb.Should().BeNull();
        Directory.GetFileSystemEntries(result.Path).Select(Path.GetFileName).Should().Equal("rpm");
        result.Rpm!.Url.Should().Be(new Uri(Root + "/").AbsoluteUri + "gate-77-2-0123456789ab/rpm/");
    }

    [Fact]
    public async Task A_republish_replaces_the_tree_whole_and_a_failed_one_keeps_the_old_tree()
    {
        await PublishAsync(Request("change-1", packages.RpmAlpha, packages.Deb));
        var final = Path.Combine(Root, "change-1");
        using var watching = new CancellationTokenSource();
        var gaps = 0;
        var watcher = Task.Run(() =>
        {
            while (!watching.IsCancellationRequested)
            {
                if (!File.Exists(Path.Combine(final, "rpm", "repodata", "repomd.xml")))
                {
                    gaps++;
                }
            }
        });

        for (var i = 0; i < 3; i++)
        {
            await PublishAsync(Request("change-1", i % 2 == 0 ? packages.RpmBeta : packages.RpmAlpha));
        }

        await watching.CancelAsync();
        await watcher;
        gaps.Should().Be(0, "readers see the old tree or the new one, never none");
        Directory.GetFiles(Path.Combine(final, "rpm")).Select(Path.GetFileName).Should().BeEquivalentTo("tr-beta-2.0-3.noarch.rpm", "tr-beta-2.0-3.src.rpm", "change-1.repo");
        Directory.Exists(Path.Combine(final, "deb")).Should().BeFalse("the new tree has no Debian part, and nothing of the old one stays");

        var failing = async () => await PublishAsync(Request("change-1", packages.RpmAlpha, packages.Deb), new MissingToolRunner("apt-ftparchive"));

        (await failing.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(ExitCodes.ToolMissing);
        Directory.GetFiles(Path.Combine(final, "rpm")).Select(Path.GetFileName).Should().Contain("tr-beta-2.0-3.noarch.rpm");
        Directory.GetFileSystemEntries(Root).Should().Equal(final);
    }

    [Theory]
    [InlineData("createrepo_c")]
    [InlineData("apt-ftparchive")]
    [InlineData("rpm")]
    public async Task A_missing_tool_is_named_and_nothing_is_written(string tool)
    {
        var failing = async () => await PublishAsync(Request("change-2", packages.RpmAlpha, packages.Deb), new MissingToolRunner(tool));

        var error = (await failing.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(ExitCodes.ToolMissing);
        error.Message.Should().Contain("cijobs-missing-" + tool);
        Directory.GetFileSystemEntries(Root).Should().BeEmpty();
    }

    [Fact]
    public async Task Two_inputs_with_one_file_name_and_different_bytes_are_refused_and_equal_ones_are_taken_once()
    {
        var copy = packages.CopyOf(packages.RpmAlpha, temp.Combine("same"));
        (await PublishAsync(Request("same", packages.RpmAlpha, copy))).Rpm!.Packages.Should().HaveCount(2);

        var other = packages.CopyOf(packages.RpmBeta, temp.Combine("other"));
        File.Copy(Path.Combine(other, "tr-beta-2.0-3.noarch.rpm"), Path.Combine(other, "tr-alpha-1.0-1.noarch.rpm"));
        var failing = async () => await PublishAsync(Request("conflict", packages.RpmAlpha, other));

        var error = (await failing.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(TestRepoExitCodes.ConflictingFiles);
        error.Message.Should().Contain("tr-alpha-1.0-1.noarch.rpm with different content");
        Directory.GetFileSystemEntries(Root).Select(Path.GetFileName).Should().Equal("same");
    }

    [Fact]
    public async Task A_link_leading_outside_its_result_is_refused_and_one_inside_is_followed()
    {
        var inside = temp.Combine("inside");
        Directory.CreateDirectory(Path.Combine(inside, "sub"));
        File.Copy(Path.Combine(packages.RpmAlpha, "tr-alpha-1.0-1.noarch.rpm"), Path.Combine(inside, "sub", "real.bin"));
        File.CreateSymbolicLink(Path.Combine(inside, "tr-alpha-1.0-1.noarch.rpm"), "sub/real.bin");
        (await PublishAsync(Request("inside", inside))).Rpm!.Packages.Should().ContainSingle();

        var outside = temp.Combine("outside");
        Directory.CreateDirectory(outside);
        File.CreateSymbolicLink(Path.Combine(outside, "tr-beta-2.0-3.noarch.rpm"), Path.Combine(packages.RpmBeta, "tr-beta-2.0-3.noarch.rpm"));
        var failing = async () => await PublishAsync(Request("outside", outside));

        var error = (await failing.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(TestRepoExitCodes.UnsafeInput);
        error.Message.Should().Contain("symbolic link leading outside");
        Directory.GetFileSystemEntries(Root).Select(Path.GetFileName).Should().Equal("inside");
    }

    [Theory]
    [InlineData("commit.yaml", "commits:\n- artifacts: \"repos/ab/cd/x_y/../../../../../etc/passwd.rpm\"\n  commit_hash: \"abcd\"\n  distro_hash: \"1234\"\n  dt_build: \"1\"\n  dt_commit: \"1\"\n  dt_distro: \"1\"\n  project_name: \"x\"\n  status: \"SUCCESS\"\n")]
    [InlineData("commit.yaml", "commits:\n- artifacts: \"repos/ab/cd/x_y/..secret.rpm\"\n  commit_hash: \"abcd\"\n  distro_hash: \"1234\"\n  dt_build: \"1\"\n  dt_commit: \"1\"\n  dt_distro: \"1\"\n  project_name: \"x\"\n  status: \"SUCCESS\"\n")]
    [InlineData("commit.yaml", "commits:\n- artifacts: \"repos/ab/cd/x_y/a\\u0001b.rpm\"\n  commit_hash: \"abcd\"\n  distro_hash: \"1234\"\n  dt_build: \"1\"\n  dt_commit: \"1\"\n  dt_distro: \"1\"\n  project_name: \"x\"\n  status: \"SUCCESS\"\n")]
    [InlineData("tr-motd_1.0.dsc", "Format: 3.0 (native)\nSource: tr-motd\nVersion: 1.0\nFiles:\n d41d8cd98f00b204e9800998ecf8427e 0 ../../../etc/passwd\n")]
    public async Task A_file_name_with_a_path_or_control_characters_from_the_inputs_is_refused(string file, string content)
    {
        var input = packages.CopyOf(packages.Deb, temp.Combine("input"));
        File.WriteAllText(Path.Combine(input, file), content);

        var failing = async () => await PublishAsync(Request("hostile", input));

        var error = (await failing.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(TestRepoExitCodes.UnsafeInput);
        error.Message.Should().Contain("unsafe file name");
        Directory.Exists(Root).Should().BeFalse();
    }

    [Fact]
    public async Task With_a_commit_yaml_only_its_artifacts_are_taken_not_the_packages_linked_in_from_other_builds()
    {
        var result = packages.CopyOf(packages.Deb, temp.Combine("repos", "ab", "cd", "abcd_1234"));
        packages.CopyOf(packages.RpmBeta, result);
        var artifacts = string.Join(',', new[] { "tr-motd_1.0_all.deb", "tr-motd_1.0.dsc", "tr-motd_1.0.tar.xz", "tr-motd_1.0_amd64.changes" }.Select(f => "repos/ab/cd/abcd_1234/" + f));
        File.WriteAllText(Path.Combine(result, "tr-motd_1.0_amd64.changes"), "Format: 1.8\n");
        File.WriteAllText(Path.Combine(result, "commit.yaml"), $"commits:\n- artifacts: \"{artifacts}\"\n  commit_hash: \"abcd\"\n  distro_hash: \"1234\"\n  dt_build: \"1\"\n  dt_commit: \"1\"\n  dt_distro: \"1\"\n  project_name: \"tr-motd\"\n  status: \"SUCCESS\"\n");

        var published = await PublishAsync(Request("from-commit", result));

        published.Rpm.Should().BeNull("the RPMs in the folder are not this build's artifacts");
        published.Deb!.Packages.Select(p => p.File).Should().Equal("pool/main/tr-motd_1.0_all.deb", "pool/main/tr-motd_1.0.dsc");
        Directory.GetFiles(Path.Combine(published.Path, "deb", "pool", "main")).Select(Path.GetFileName).Should().BeEquivalentTo("tr-motd_1.0_all.deb", "tr-motd_1.0.dsc", "tr-motd_1.0.tar.xz");
    }

    [Fact]
    public async Task A_failed_build_a_folder_without_packages_and_a_missing_folder_are_refused()
    {
        var empty = temp.Combine("empty");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "build.log"), "log\n");
        var failed = temp.Combine("failed");
        Directory.CreateDirectory(failed);
        File.WriteAllText(Path.Combine(failed, "commit.yaml"), "commits:\n- commit_hash: \"abcd\"\n  distro_hash: \"1234\"\n  dt_build: \"1\"\n  dt_commit: \"1\"\n  dt_distro: \"1\"\n  project_name: \"x\"\n  status: \"FAILED\"\n");

        foreach (var (input, message) in new[] { (empty, "no package"), (failed, "is FAILED"), (temp.Combine("nowhere"), "is not a folder") })
        {
            var failing = async () => await PublishAsync(Request("bad", input));
            var error = (await failing.Should().ThrowAsync<CiJobsException>()).Which;
            error.ExitCode.Should().Be(TestRepoExitCodes.InvalidInput, message);
            error.Message.Should().Contain(message);
        }

        Directory.Exists(Root).Should().BeFalse();
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/../../b")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("a b")]
    [InlineData("a\nb")]
    [InlineData("")]
    public async Task An_unsafe_name_is_refused_before_anything_is_written(string name)
    {
        var failing = async () => await PublishAsync(Request(name, packages.RpmAlpha));

        (await failing.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(TestRepoExitCodes.InvalidOption);
        Directory.Exists(Root).Should().BeFalse();
        Directory.GetFileSystemEntries(temp.Path).Should().BeEmpty();
    }

    private string[] AptOptions(string listFile)
    {
        var state = temp.Combine("apt");
        foreach (var folder in new[] { "lists/partial", "cache/archives/partial", "etc/preferences.d", "etc/sources.list.d" })
        {
            Directory.CreateDirectory(Path.Combine(state, folder));
        }

        return
        [
            "-o", $"Dir::Etc::SourceList={listFile}", "-o", $"Dir::Etc::SourceParts={state}/etc/sources.list.d",
            "-o", $"Dir::State::Lists={state}/lists", "-o", $"Dir::Cache={state}/cache", "-o", $"Dir::Etc::PreferencesParts={state}/etc/preferences.d",
            "-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root",
        ];
    }

    private static Task<BufferedCommandResult> RunAsync(string program, params string[] arguments) => RunAsync(program, arguments, null);

    private static async Task<BufferedCommandResult> RunAsync(string program, string[] arguments, string? workingDirectory)
    {
        var command = global::CliWrap.Cli.Wrap(program).WithArguments(arguments).WithValidation(CommandResultValidation.None);
        return await (workingDirectory is null ? command : command.WithWorkingDirectory(workingDirectory)).ExecuteBufferedAsync();
    }

    /// <summary>The real runner, except that one tool is asked for under a name no machine has.</summary>
    private sealed class MissingToolRunner(string tool) : IProcessRunner
    {
        private readonly CliWrapProcessRunner real = new();

        public Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken) =>
            real.RunAsync(spec.FileName == tool ? spec with { FileName = "cijobs-missing-" + tool } : spec, cancellationToken);
    }
}
