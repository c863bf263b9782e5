using System.Text.Json;
using CiJobs.Core.Builds;
using CiJobs.Core.Dlrn;
using CiJobs.Tests.Support;
using CliWrap.Buffered;

namespace CiJobs.Tests.Builds;

/// <summary>The <c>cijobs build</c> verb as a process, on the bundled example (examples/setup.sh).</summary>
[Trait("Runs", "cijobs")]
public sealed class BuildCommandTests(ExampleReposFixture example) : IClassFixture<ExampleReposFixture>, IDisposable
{
    private readonly TempDir temp = new("build-cli");

    public void Dispose() => temp.Dispose();

    private Task<CliResult> BuildAsync(params string[] extra) =>
        CliRunner.RunAsync(["build", "--rdoinfo", example.Rdoinfo, .. extra]);

    [Fact]
    public async Task Json_output_names_the_build_and_where_it_is()
    {
        var output = temp.Combine("out");

        var result = await BuildAsync("--package", "example-greetlib", "--release", "tiny", "--output", output, "--format", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var root = json.RootElement;
        var head = await new TestGit(example.Git("example-greetlib")).RunAsync("rev-parse", "main");
        var distro = await new TestGit(example.Git("example-greetlib-distgit")).RunAsync("rev-parse", "rpm-main");
        root.GetProperty("package").GetString().Should().Be("example-greetlib");
        root.GetProperty("project").GetString().Should().Be("example-greetlib");
        root.GetProperty("release").GetString().Should().Be("tiny");
        root.GetProperty("status").GetString().Should().Be("SUCCESS");
        root.GetProperty("commit_hash").GetString().Should().Be(head);
        root.GetProperty("distro_hash").GetString().Should().Be(distro);
        root.GetProperty("commit_branch").GetString().Should().Be("main");
        root.GetProperty("distro_branch").GetString().Should().Be("rpm-main");
        root.GetProperty("dt_commit").GetInt64().Should().Be(DateTimeOffset.Parse("2026-11-16T09:00:00+00:00", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds());
        root.GetProperty("version").GetString().Should().Be("1.2.1", "main is one commit past v1.2.0");
        root.GetProperty("package_release").GetString().Should().MatchRegex($@"^0\.\d{{14}}\.{head[..7]}\.el9$");
        root.GetProperty("source_nvr").GetString().Should().StartWith("example-greetlib-1.2.1-0.");
        root.GetProperty("result_dir").GetString().Should().Be(DlrnCommit.ShardedPath(head, distro));
        var path = root.GetProperty("result_path").GetString()!;
        path.Should().Be(Path.Combine(output, DlrnCommit.ShardedPath(head, distro)));
        File.Exists(Path.Combine(path, "commit.yaml")).Should().BeTrue();
        result.StandardError.Should().Contain("SUCCESS");
    }

    [Fact]
    public async Task The_release_picks_the_source_branch_from_rdoinfo()
    {
        var result = await BuildAsync("--package", "example-greetlib", "--release", "tiny-1", "--output", temp.Combine("out"), "--format", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        json.RootElement.GetProperty("commit_branch").GetString().Should().Be("v1.1.0");
        json.RootElement.GetProperty("distro_branch").GetString().Should().Be("tiny-1-rdo");
        json.RootElement.GetProperty("version").GetString().Should().Be("1.1.0");
    }

    [Fact]
    public async Task An_unknown_package_suggests_close_names()
    {
        var result = await BuildAsync("--package", "example-greetlb", "--output", temp.Combine("out"));

        result.ExitCode.Should().Be(BuildExitCodes.UnknownPackage, result.ToString());
        result.StandardError.Should().Contain("unknown package 'example-greetlb'").And.Contain("example-greetlib");
        result.StandardOutput.Should().BeEmpty();
    }

    [Fact]
    public async Task A_package_outside_the_release_is_refused()
    {
        var result = await BuildAsync("--package", "example-greeter", "--release", "tiny-1", "--output", temp.Combine("out"));

        result.ExitCode.Should().Be(BuildExitCodes.NotInRelease, result.ToString());
        result.StandardError.Should().Contain("not in release tiny-1");
    }

    [Fact]
    public async Task An_unknown_release_lists_the_known_ones()
    {
        var result = await BuildAsync("--package", "example-greeter", "--release", "huge", "--output", temp.Combine("out"));

        result.ExitCode.Should().Be(BuildExitCodes.UnknownRelease, result.ToString());
        result.StandardError.Should().Contain("unknown release 'huge'").And.Contain("tiny, tiny-1");
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("-rf")]
    [InlineData("a/b")]
    public async Task A_package_name_that_is_not_safe_in_a_path_is_refused(string name)
    {
        var result = await BuildAsync("--package", name, "--output", temp.Combine("out"));

        result.ExitCode.Should().Be(BuildExitCodes.InvalidPackageName, result.ToString());
        result.StandardError.Should().Contain("invalid package name");
        Directory.Exists(temp.Combine("out")).Should().BeFalse();
    }

    [Theory]
    [InlineData("--dist", ".el9 x")]
    [InlineData("--reponame", "../repo")]
    public async Task An_unusable_dist_or_reponame_is_refused(string option, string value)
    {
        var result = await BuildAsync("--package", "example-greeter", option, value, "--output", temp.Combine("out"));

        result.ExitCode.Should().Be(BuildExitCodes.InvalidOption, result.ToString());
        result.StandardError.Should().Contain($"invalid {option}");
    }

    [Fact]
    public async Task An_unknown_source_ref_is_named()
    {
        var result = await BuildAsync("--package", "example-greeter", "--source-ref", "no-such-branch", "--output", temp.Combine("out"));

        result.ExitCode.Should().Be(BuildExitCodes.RefNotFound, result.ToString());
        result.StandardError.Should().Contain("source ref 'no-such-branch' not found");
    }

    [Fact]
    public async Task A_source_that_is_neither_a_folder_nor_a_URL_is_refused()
    {
        var result = await BuildAsync("--package", "example-greeter", "--source", temp.Combine("nowhere"), "--output", temp.Combine("out"));

        result.ExitCode.Should().Be(BuildExitCodes.RepositoryUnavailable, result.ToString());
        result.StandardError.Should().Contain("neither an existing folder nor a git URL");
    }

    [Fact]
    public async Task A_distgit_without_a_spec_fails_and_writes_FAILED()
    {
        var distgit = await BuildPaths.DistgitAsync(temp.Combine("distgit"), "README.md", "nothing\n");
        var output = temp.Combine("out");

        var result = await BuildAsync("--package", "example-greeter", "--distgit", distgit.Directory, "--output", output);

        result.ExitCode.Should().Be(BuildExitCodes.SpecMissing, result.ToString());
        result.StandardError.Should().Contain("no spec file").And.Contain("rpmbuild.log");
        result.StandardOutput.Should().StartWith("FAILED example-greeter");
        DlrnResultWriter.ReadHistory(Path.Combine(output, "repos")).Should().ContainSingle().Which.Status.Should().Be("FAILED");
    }

    [Fact]
    public async Task An_rpmbuild_failure_writes_FAILED_and_names_the_log()
    {
        var distgit = await BuildPaths.DistgitAsync(temp.Combine("distgit"), "example-greeter.spec", BuildPaths.Spec("example-greeter", buildScript: "exit 7"));
        var output = temp.Combine("out");

        var result = await BuildAsync("--package", "example-greeter", "--distgit", distgit.Directory, "--output", output, "--format", "json");

        result.ExitCode.Should().Be(BuildExitCodes.BuildFailed, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var log = json.RootElement.GetProperty("log").GetString()!;
        json.RootElement.GetProperty("status").GetString().Should().Be("FAILED");
        result.StandardError.Should().Contain("FAILED").And.Contain(log);
        File.ReadAllText(log).Should().Contain("exit 7");
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(log)!, "commit.yaml")).Should().Contain("status: \"FAILED\"");
    }

    [Fact]
    public async Task An_output_that_cannot_be_written_is_refused()
    {
        var file = temp.Write("a-file", "not a folder");

        var result = await BuildAsync("--package", "example-greeter", "--output", file);

        result.ExitCode.Should().Be(BuildExitCodes.OutputNotWritable, result.ToString());
        result.StandardError.Should().Contain("is not writable");
    }

    [Fact]
    public async Task A_missing_rdoinfo_keeps_the_rdoinfo_exit_code()
    {
        var result = await CliRunner.RunAsync("build", "--rdoinfo", temp.Combine("no-rdoinfo"), "--package", "x", "--output", temp.Combine("out"));

        result.ExitCode.Should().Be(CiJobs.Core.Rdoinfo.RdoinfoExitCodes.MissingFile, result.ToString());
    }

    [Fact]
    public async Task The_example_run_script_builds_both_rpms_into_one_repository_and_the_deb_into_another()
    {
        var work = temp.Combine("work");
        var output = temp.Combine("out");

        var result = await global::CliWrap.Cli.Wrap("bash")
            .WithArguments([Path.Combine(BuildPaths.RepositoryRoot, "examples", "run.sh"), work, output])
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["CIJOBS"] = CliRunner.CommandLine })
            .WithValidation(global::CliWrap.CommandResultValidation.None)
            .ExecuteBufferedAsync();

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().Contain(Path.Combine(output, "repos", "current"));
        var current = Path.Combine(output, "repos", "current");
        var versions = await File.ReadAllLinesAsync(Path.Combine(current, "versions.csv"));
        versions.Should().HaveCount(3);
        versions.Skip(1).Should().OnlyContain(line => line.Contains(",SUCCESS,", StringComparison.Ordinal));
        versions.Skip(1).Select(line => line.Split(',')[0]).Should().Equal(["example-greetlib", "example-greeter"], "rows follow rdoinfo's order");
        Directory.GetFiles(current, "example-greetlib-1.2.1-*.noarch.rpm").Should().ContainSingle();
        Directory.GetFiles(current, "example-greeter-0.0.1-*.noarch.rpm").Should().ContainSingle();
        File.ReadAllText(Path.Combine(current, "delorean.repo")).Should().Contain("[delorean]");
        new FileInfo(Path.Combine(output, "repos", "consistent")).LinkTarget.Should().Be(new FileInfo(current).LinkTarget, "both packages of the release built");
        File.ReadAllText(Path.Combine(current, "installed")).Should().StartWith("example-greeter ");
        var debian = Path.Combine(output + "-deb", "repos", "current");
        result.StandardOutput.Should().Contain(debian);
        Directory.GetFiles(debian, "example-motd_1.0.1-*_all.deb").Should().ContainSingle();
        File.ReadAllText(Path.Combine(debian, "Packages")).Should().Contain("Package: example-motd");
        File.ReadAllText(Path.Combine(debian, "delorean.list")).Should().StartWith("deb [trusted=yes] ");
        var testRepo = Path.Combine(output + "-testrepo", "check-1-1");
        File.Exists(Path.Combine(testRepo, "rpm", "repodata", "repomd.xml")).Should().BeTrue("the change's RPM test repository holds both RPM packages");
        Directory.GetFiles(Path.Combine(testRepo, "rpm"), "example-gree*.noarch.rpm").Should().HaveCount(2);
        File.ReadAllText(Path.Combine(testRepo, "deb", "dists", "bookworm", "Release")).Should().Contain("Codename: bookworm");
    }
}
