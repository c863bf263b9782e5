using System.Text.Json;
using CiJobs.Core.Builds;
using CiJobs.Core.Dlrn;
using CiJobs.Tests.Support;
using CliWrap;
using CliWrap.Buffered;

namespace CiJobs.Tests.Builds.Debian;

/// <summary><c>cijobs build</c> of a distgit holding debian/, with the real dpkg-buildpackage, apt-ftparchive and apt-get.</summary>
[Trait("Runs", "cijobs")]
public sealed class DebianBuildCommandTests(ExampleReposFixture example) : IClassFixture<ExampleReposFixture>, IDisposable
{
    private readonly TempDir temp = new("deb-build");

    public void Dispose() => temp.Dispose();

    private Task<CliResult> BuildAsync(params string[] extra) =>
        CliRunner.RunAsync(["build", "--rdoinfo", example.Rdoinfo, "--package", "example-motd", "--codename", "bookworm", .. extra]);

    /// <summary>The example's debian/ with some files replaced (null deletes one), committed as a new distgit.</summary>
    private async Task<TestGit> DistgitAsync(IReadOnlyDictionary<string, string?> changes)
    {
        var directory = temp.Combine("distgit-" + Guid.NewGuid().ToString("N")[..8]);
        var git = await TestGit.InitAsync(directory);
        await BuildPaths.RunAsync("cp", ["-a", Path.Combine(BuildPaths.RepositoryRoot, "examples", "packages", "example-motd", "distgit", "debian"), directory]);
        var files = new Dictionary<string, string>();
        foreach (var (path, content) in changes)
        {
            if (content is null)
            {
                File.Delete(Path.Combine(directory, path));
            }
            else
            {
                files[path] = content;
            }
        }

        await git.CommitAsync("Debian packaging", files);
        return git;
    }

    [Fact]
    public async Task The_example_builds_into_a_result_apt_accepts()
    {
        var output = temp.Combine("out");

        var result = await BuildAsync("--release", "tiny-deb", "--output", output, "--format", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var root = json.RootElement;
        var head = await new TestGit(example.Git("example-motd")).RunAsync("rev-parse", "main");
        var distro = await new TestGit(example.Git("example-motd-distgit")).RunAsync("rev-parse", "debian/main");
        root.GetProperty("format").GetString().Should().Be("deb");
        root.GetProperty("builder").GetString().Should().Be("dpkg-buildpackage");
        root.GetProperty("version").GetString().Should().Be("1.0.1", "main is one commit past v1.0.0");
        var release = root.GetProperty("package_release").GetString()!;
        release.Should().MatchRegex($@"^0\.\d{{14}}\.{head[..7]}$");
        root.GetProperty("source_nvr").GetString().Should().Be($"example-motd_1.0.1-{release}");
        root.GetProperty("nvras").EnumerateArray().Select(e => e.GetString()).Should().Equal($"example-motd_1.0.1-{release}_all");
        var path = root.GetProperty("result_path").GetString()!;
        path.Should().Be(Path.Combine(output, DlrnCommit.ShardedPath(head, distro)));
        var names = Directory.GetFiles(path).Select(Path.GetFileName).ToList();
        names.Should().Contain([
            $"example-motd_1.0.1-{release}_all.deb", $"example-motd_1.0.1-{release}.dsc", $"example-motd_1.0.1-{release}.debian.tar.xz",
            "example-motd_1.0.1.orig.tar.gz", "commit.yaml", "versions.csv", "rpmbuild.log", "build.log", "delorean.list", "Packages", "Sources", "Release",
        ]);
        names.Should().ContainSingle(n => n!.EndsWith(".changes", StringComparison.Ordinal));
        names.Should().ContainSingle(n => n!.EndsWith(".buildinfo", StringComparison.Ordinal));
        var changes = await File.ReadAllTextAsync(Directory.GetFiles(path, "*.changes").Single());
        changes.Should().Contain("Distribution: bookworm").And.Contain($"Version: 1.0.1-{release}");
        var commit = DlrnResultWriter.ReadHistory(Path.Combine(output, "repos")).Should().ContainSingle().Subject;
        commit.Status.Should().Be("SUCCESS");
        commit.ArtifactFileNames.Should().Contain($"example-motd_1.0.1-{release}_all.deb");
        File.ReadAllText(Path.Combine(output, "repos", "current", "delorean.list")).Should().StartWith("deb [trusted=yes] file://");

        // apt-get update reads the flat repository through the .list file, and apt-cache sees the package's version.
        var state = temp.Combine("apt");
        foreach (var folder in new[] { "lists/partial", "cache/archives/partial", "etc/preferences.d", "etc/sources.list.d" })
        {
            Directory.CreateDirectory(Path.Combine(state, folder));
        }

        string[] options =
        [
            "-o", $"Dir::Etc::SourceList={Path.Combine(path, "delorean.list")}", "-o", $"Dir::Etc::SourceParts={state}/etc/sources.list.d",
            "-o", $"Dir::State::Lists={state}/lists", "-o", $"Dir::Cache={state}/cache", "-o", $"Dir::Etc::PreferencesParts={state}/etc/preferences.d",
            "-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root",
        ];
        var update = await global::CliWrap.Cli.Wrap("apt-get").WithArguments([.. options, "update"]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        update.ExitCode.Should().Be(0, update.StandardOutput + update.StandardError);
        update.StandardError.Should().NotContain("W: ").And.NotContain("E: ");
        var policy = await global::CliWrap.Cli.Wrap("apt-cache").WithArguments([.. options, "policy", "example-motd"]).ExecuteBufferedAsync();
        policy.StandardOutput.Should().Contain($"Candidate: 1.0.1-{release}");
    }

    [Fact]
    public async Task A_later_commit_gets_a_version_dpkg_sorts_later()
    {
        var source = temp.Combine("source");
        await BuildPaths.RunAsync("git", ["clone", "--quiet", example.Git("example-motd"), source]);
        var first = await BuildAsync("--source", source, "--source-ref", "main", "--distgit", example.Git("example-motd-distgit"), "--distgit-ref", "debian/main", "--output", temp.Combine("out"), "--format", "json");
        await new TestGit(source).CommitAsync("Change the greeting", new Dictionary<string, string> { ["NEWS"] = "later\n" });
        var second = await BuildAsync("--source", source, "--source-ref", "main", "--distgit", example.Git("example-motd-distgit"), "--distgit-ref", "debian/main", "--output", temp.Combine("out"), "--format", "json");

        first.ExitCode.Should().Be(0, first.ToString());
        second.ExitCode.Should().Be(0, second.ToString());
        var versions = new[] { first, second }.Select(r =>
        {
            using var json = JsonDocument.Parse(r.StandardOutput);
            return $"{json.RootElement.GetProperty("version").GetString()}-{json.RootElement.GetProperty("package_release").GetString()}";
        }).ToList();
        var compare = await global::CliWrap.Cli.Wrap("dpkg").WithArguments(["--compare-versions", versions[1], "gt", versions[0]]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        compare.ExitCode.Should().Be(0, $"{versions[1]} should sort after {versions[0]}");
    }

    [Fact]
    public async Task A_missing_build_dependency_is_named_and_nothing_is_built()
    {
        var control = File.ReadAllText(Path.Combine(BuildPaths.RepositoryRoot, "examples", "packages", "example-motd", "distgit", "debian", "control"))
            .Replace("Build-Depends: debhelper-compat (= 13)", "Build-Depends: debhelper-compat (= 13), cijobs-no-such-package (>= 2.0)", StringComparison.Ordinal);
        var distgit = await DistgitAsync(new Dictionary<string, string?> { ["debian/control"] = control });
        var output = temp.Combine("out");

        var result = await BuildAsync("--distgit", distgit.Directory, "--output", output, "--format", "json");

        result.ExitCode.Should().Be(BuildExitCodes.BuildDependenciesMissing, result.ToString());
        result.StandardError.Should().Contain("missing build dependencies: cijobs-no-such-package (>= 2.0)");
        var commit = DlrnResultWriter.ReadHistory(Path.Combine(output, "repos")).Should().ContainSingle().Subject;
        commit.Status.Should().Be("FAILED");
        Directory.GetFiles(Path.GetDirectoryName(Path.Combine(output, commit.ShardedDirectory, "x"))!, "*.deb").Should().BeEmpty();
    }

    [Fact]
    public async Task A_failing_debian_rules_writes_FAILED_and_names_the_log()
    {
        var distgit = await DistgitAsync(new Dictionary<string, string?> { ["debian/rules"] = "#!/usr/bin/make -f\n%:\n\t@echo rules-broke-on-purpose; exit 3\n" });

        var result = await BuildAsync("--distgit", distgit.Directory, "--output", temp.Combine("out"), "--format", "json");

        result.ExitCode.Should().Be(BuildExitCodes.BuildFailed, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        json.RootElement.GetProperty("status").GetString().Should().Be("FAILED");
        File.ReadAllText(json.RootElement.GetProperty("log").GetString()!).Should().Contain("rules-broke-on-purpose");
    }

    [Fact]
    public async Task A_distgit_with_both_a_spec_and_debian_is_refused()
    {
        var distgit = await DistgitAsync(new Dictionary<string, string?> { ["example-motd.spec"] = BuildPaths.Spec("example-motd") });

        var result = await BuildAsync("--distgit", distgit.Directory, "--output", temp.Combine("out"));

        result.ExitCode.Should().Be(BuildExitCodes.PackagingAmbiguous, result.ToString());
        result.StandardError.Should().Contain("both a spec file (example-motd.spec) and a debian/ folder");
    }

    [Fact]
    public async Task A_distgit_with_neither_is_refused()
    {
        var distgit = await BuildPaths.DistgitAsync(temp.Combine("empty"), "README.md", "nothing\n");

        var result = await BuildAsync("--distgit", distgit.Directory, "--output", temp.Combine("out"));

        result.ExitCode.Should().Be(BuildExitCodes.SpecMissing, result.ToString());
        result.StandardError.Should().Contain("no spec file and no debian/ folder");
    }

    [Theory]
    [InlineData("Source: ../../escaped\nMaintainer: x <x@example.org>\n\nPackage: example-motd\nArchitecture: all\n", "is not a Debian package name")]
    [InlineData("Maintainer: x <x@example.org>\n\nPackage: example-motd\nArchitecture: all\n", "no Source field")]
    [InlineData("Source example-motd\n", "is not a 'Field: value' line")]
    public async Task A_broken_control_is_refused_and_nothing_leaves_the_output(string control, string expected)
    {
        var distgit = await DistgitAsync(new Dictionary<string, string?> { ["debian/control"] = control });
        var output = temp.Combine("out");
        var before = Directory.GetFileSystemEntries(temp.Path).ToHashSet();

        var result = await BuildAsync("--distgit", distgit.Directory, "--output", output);

        result.ExitCode.Should().Be(BuildExitCodes.SpecInvalid, result.ToString());
        result.StandardError.Should().Contain("debian/control").And.Contain(expected);
        Directory.GetFileSystemEntries(temp.Path).Except(before).Should().Equal(output);
        Directory.GetFileSystemEntries(Path.GetDirectoryName(temp.Path)!, "*escaped*").Should().BeEmpty();
    }

    [Fact]
    public async Task A_link_in_debian_that_leads_out_is_refused()
    {
        var distgit = await DistgitAsync(new Dictionary<string, string?>());
        File.Delete(Path.Combine(distgit.Directory, "debian", "copyright"));
        File.CreateSymbolicLink(Path.Combine(distgit.Directory, "debian", "copyright"), "/etc/passwd");
        await distgit.CommitAsync("Link out", new Dictionary<string, string>());

        var result = await BuildAsync("--distgit", distgit.Directory, "--output", temp.Combine("out"));

        result.ExitCode.Should().Be(BuildExitCodes.UnsafeGitValue, result.ToString());
    }

    [Fact]
    public async Task A_codename_that_is_not_a_distribution_name_is_refused()
    {
        var result = await CliRunner.RunAsync(["build", "--rdoinfo", example.Rdoinfo, "--package", "example-motd", "--codename", "../bookworm", "--output", temp.Combine("out")]);

        result.ExitCode.Should().Be(BuildExitCodes.InvalidOption, result.ToString());
        result.StandardError.Should().Contain("invalid --codename");
        Directory.Exists(temp.Combine("out")).Should().BeFalse();
    }
}
