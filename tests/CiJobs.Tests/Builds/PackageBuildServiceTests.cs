using System.Text.RegularExpressions;
using CiJobs.Core;
using CiJobs.Core.Builds;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Platform;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Builds;

/// <summary>End-to-end specs of the build pipeline with the real git, rpmbuild and createrepo_c, without rdoinfo.</summary>
public sealed class PackageBuildServiceTests : IDisposable
{
    private static readonly DateTimeOffset BuildTime = new(2026, 11, 23, 10, 45, 0, TimeSpan.Zero);
    private readonly TempDir temp = new("build-service");
    private readonly CliWrapProcessRunner runner = new();

    public void Dispose() => temp.Dispose();

    /// <summary>The result's commit.yaml, read with the publisher's checks (what DLRN's importer accepts).</summary>
    private static async Task<DlrnCommit> ReadCommitAsync(string resultDirectory)
    {
        var file = Path.Combine(resultDirectory, "commit.yaml");
        return DlrnCommit.Parse(await File.ReadAllTextAsync(file), file).Single();
    }

    private PackageBuildService Service(DateTimeOffset? at = null) =>
        new(runner, new RpmbuildPackageBuilder(runner), new FixedTimeProvider(at ?? BuildTime));

    private PackageBuildService.OutputSettings Output(bool keepVersion = false) =>
        new(temp.Combine("data"), ".el9", keepVersion, KeepChangelog: false, "delorean", BaseUrl: null);

    private async Task<(TestGit Source, string Head)> SourceAsync(string name, string? tag = "v2.1.0")
    {
        var source = await TestGit.InitAsync(temp.Combine("src", name));
        await source.CommitAsync("first", new Dictionary<string, string> { ["hello.txt"] = $"hello from {name}\n" }, new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero));
        if (tag is not null)
        {
            await source.RunAsync("tag", tag);
        }

        var head = await source.CommitAsync("second", new Dictionary<string, string> { ["hello.txt"] = "hello again\n" }, new DateTimeOffset(2026, 11, 5, 8, 0, 0, TimeSpan.Zero));
        return (source, head);
    }

    private static BuildTarget Target(string name, string source, string distgit, string sourceRef = "HEAD", string distgitRef = "rpm-main", string[]? packages = null) => new()
    {
        PackageName = name,
        Project = name,
        SourceLocation = source,
        SourceRef = sourceRef,
        DistgitLocation = distgit,
        DistgitRef = distgitRef,
        Packages = [.. (packages ?? []).Select(p => new PackageRepositories(p, $"https://example.org/{p}", $"https://example.org/{p}-distgit"))],
    };

    [Fact]
    public async Task A_successful_build_writes_the_DLRN_layout()
    {
        var (source, head) = await SourceAsync("foo");
        var distgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "foo"), "foo.spec", BuildPaths.Spec("foo"));
        var distroHash = await distgit.RunAsync("rev-parse", "HEAD");

        var result = await Service().BuildAsync(Target("foo", source.Directory, distgit.Directory), Output(), CancellationToken.None);

        result.Status.Should().Be("SUCCESS", result.Notes);
        result.ExitCode.Should().Be(0);
        var sharded = $"{head[..2]}/{head[2..4]}/{head}_{distroHash[..8]}";
        result.ResultDir.Should().Be("repos/" + sharded);
        var dir = temp.Combine("data", "repos", head[..2], head[2..4], $"{head}_{distroHash[..8]}");
        result.ResultPath.Should().Be(dir);
        // The source is one commit past its tag v2.1.0: DLRN bumps the last number.
        var nvr = $"foo-2.1.1-0.20261123104500.{head[..7]}.el9";
        result.SourceNvr.Should().Be(nvr);
        result.Nvras.Should().Equal(nvr + ".noarch");
        Regex.IsMatch(result.PackageRelease!, @"^0\.\d{14}\.[0-9a-f]{7}\.el9$").Should().BeTrue(result.PackageRelease);
        File.Exists(Path.Combine(dir, nvr + ".src.rpm")).Should().BeTrue();
        File.Exists(Path.Combine(dir, nvr + ".noarch.rpm")).Should().BeTrue();
        foreach (var file in new[] { "commit.yaml", "versions.csv", "delorean.repo", "rpmbuild.log", "build.log", "installed", "repodata/repomd.xml" })
        {
            File.Exists(Path.Combine(dir, file)).Should().BeTrue(file);
        }

        var commit = await ReadCommitAsync(dir);
        commit.Status.Should().Be("SUCCESS");
        commit.ProjectName.Should().Be("foo");
        commit.CommitHash.Should().Be(head);
        commit.DistroHash.Should().Be(distroHash);
        commit.CommitBranch.Should().Be("HEAD");
        commit.DtBuild.Should().Be(BuildTime.ToUnixTimeSeconds());
        commit.DtCommit.Should().Be(new DateTimeOffset(2026, 11, 5, 8, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds());
        commit.DtDistro.Should().Be(new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds());
        commit.Notes.Should().Be("OK");
        commit.Artifacts.Should().Equal($"repos/{sharded}/{nvr}.noarch.rpm", $"repos/{sharded}/{nvr}.src.rpm");

        var query = await BuildPaths.RunAsync("rpm", ["-qp", "--qf", "%{NAME} %{VERSION} %{RELEASE} %{ARCH}\\n", Path.Combine(dir, nvr + ".noarch.rpm")]);
        query.Trim().Should().Be($"foo 2.1.1 0.20261123104500.{head[..7]}.el9 noarch");
        var srpmFiles = await BuildPaths.RunAsync("rpm", ["-qpl", Path.Combine(dir, nvr + ".src.rpm")]);
        srpmFiles.Split('\n').Should().Contain($"2.1.1-0.20261123104500.{head[..7]}.tar.gz", "build_srpm.sh names the tarball <Version>-<Release>.tar.gz");
        (await File.ReadAllTextAsync(Path.Combine(dir, "installed"))).Should().Be($"foo {head} {distroHash}");
        var files = await BuildPaths.RunAsync("rpm", ["-qpl", Path.Combine(dir, nvr + ".noarch.rpm")]);
        files.Should().Contain("/usr/share/foo/hello.txt");

        var versions = (await File.ReadAllLinesAsync(Path.Combine(dir, "versions.csv"))).ToList();
        versions[0].Should().Be("Project,Source Repo,Source Sha,Dist Repo,Dist Sha,Status,Last Success Timestamp,Component,Extended Sha,Pkg NVR");
        versions.Skip(1).Should().Equal($"foo,{source.Directory},{head},{distgit.Directory},{distroHash},SUCCESS,{BuildTime.ToUnixTimeSeconds()},None,None,{nvr}");

        (await File.ReadAllTextAsync(Path.Combine(dir, "delorean.repo"))).Should().Be(
            $"[delorean]\nname=delorean-foo-{head}\nbaseurl={new Uri(temp.Combine("data", "repos")).AbsoluteUri}/{sharded}\nenabled=1\ngpgcheck=0\npriority=1\n");
        new FileInfo(temp.Combine("data", "repos", "current")).LinkTarget.Should().Be(sharded);
        new FileInfo(temp.Combine("data", "repos", "consistent")).LinkTarget.Should().Be(sharded, "the only package of the list has built");
        Directory.GetDirectories(temp.Combine("data", "repos", head[..2], head[2..4])).Should().ContainSingle("no staging folder is left behind");
    }

    [Fact]
    public async Task A_given_checkout_is_never_modified_and_another_ref_can_be_built()
    {
        var (source, head) = await SourceAsync("bar");
        var first = await source.RunAsync("rev-parse", "HEAD~1");
        var distgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "bar"), "bar.spec", BuildPaths.Spec("bar"));
        await File.WriteAllTextAsync(Path.Combine(source.Directory, "untracked.txt"), "local work\n");
        var statusBefore = await source.RunAsync("status", "--porcelain");

        var result = await Service().BuildAsync(Target("bar", source.Directory, distgit.Directory, sourceRef: "v2.1.0"), Output(), CancellationToken.None);

        result.Status.Should().Be("SUCCESS", result.Notes);
        result.CommitHash.Should().Be(first);
        result.CommitBranch.Should().Be("v2.1.0");
        result.Version.Should().Be("2.1.0", "the commit is the tagged one: no bump");
        (await source.RunAsync("rev-parse", "HEAD")).Should().Be(head);
        (await source.RunAsync("status", "--porcelain")).Should().Be(statusBefore);
        (await distgit.RunAsync("status", "--porcelain")).Should().BeEmpty();
    }

    [Fact]
    public async Task Without_a_tag_the_version_is_DLRNs_fallback_and_keep_version_takes_the_specs()
    {
        var (source, head) = await SourceAsync("notag", tag: null);
        var distgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "notag"), "notag.spec", BuildPaths.Spec("notag"));

        var fallback = await Service().BuildAsync(Target("notag", source.Directory, distgit.Directory), Output(), CancellationToken.None);
        var kept = await Service(BuildTime.AddMinutes(1)).BuildAsync(Target("notag", source.Directory, distgit.Directory), Output(keepVersion: true), CancellationToken.None);

        fallback.SourceNvr.Should().Be($"notag-0.0.1-0.20261123104500.{head[..7]}.el9");
        kept.SourceNvr.Should().Be($"notag-9.9.9-0.20261123104600.{head[..7]}.el9");
    }

    [Fact]
    public async Task A_failing_rpmbuild_writes_a_FAILED_commit_with_its_logs_and_keeps_current()
    {
        var (source, _) = await SourceAsync("good");
        var goodDistgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "good"), "good.spec", BuildPaths.Spec("good"));
        var good = await Service().BuildAsync(Target("good", source.Directory, goodDistgit.Directory), Output(), CancellationToken.None);
        var distgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "broken"), "broken.spec", BuildPaths.Spec("broken", buildScript: "echo compiler exploded; exit 3"));

        var result = await Service().BuildAsync(Target("broken", source.Directory, distgit.Directory), Output(), CancellationToken.None);

        result.Status.Should().Be("FAILED");
        result.ExitCode.Should().Be(BuildExitCodes.BuildFailed);
        result.RepoFile.Should().BeNull();
        var dir = result.ResultPath;
        var commit = await ReadCommitAsync(dir);
        commit.Status.Should().Be("FAILED");
        commit.Artifacts.Should().BeEmpty();
        commit.Notes.Should().Contain("rpmbuild --rebuild");
        (await File.ReadAllTextAsync(Path.Combine(dir, "commit.yaml"))).Should().Contain("artifacts: \"None\"");
        (await File.ReadAllTextAsync(Path.Combine(dir, "rpmbuild.log"))).Should().Contain("compiler exploded");
        (await File.ReadAllTextAsync(Path.Combine(dir, "build.log"))).Should().Contain("compiler exploded");
        (await File.ReadAllTextAsync(Path.Combine(dir, "notes.log"))).Should().Contain("rpmbuild --rebuild");
        Directory.GetFiles(dir, "*.rpm").Should().BeEmpty();
        Directory.Exists(Path.Combine(dir, "repodata")).Should().BeFalse();
        new FileInfo(temp.Combine("data", "repos", "current")).LinkTarget.Should().Be(good.ResultDir["repos/".Length..]);
    }

    [Fact]
    public async Task A_distgit_without_a_spec_writes_a_FAILED_commit()
    {
        var (source, _) = await SourceAsync("nospec");
        var distgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "nospec"), "README", "no spec here\n");

        var result = await Service().BuildAsync(Target("nospec", source.Directory, distgit.Directory), Output(), CancellationToken.None);

        result.ExitCode.Should().Be(BuildExitCodes.SpecMissing);
        result.Notes.Should().Contain("no spec file");
        File.ReadAllText(Path.Combine(result.ResultPath, "commit.yaml")).Should().Contain("status: \"FAILED\"");
        File.ReadAllText(Path.Combine(result.ResultPath, "rpmbuild.log")).Should().Contain("no spec file");
    }

    [Fact]
    public async Task Two_packages_built_one_after_the_other_make_one_repository()
    {
        var (libSource, libHead) = await SourceAsync("lib");
        var libDistgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "lib"), "lib.spec", BuildPaths.Spec("lib"));
        var (appSource, appHead) = await SourceAsync("app", tag: "1.0");
        var appDistgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "app"), "app.spec", BuildPaths.Spec("app", extraHeader: "BuildRequires:  lib"));

        string[] rdoinfoOrder = ["lib", "app"];
        var lib = await Service().BuildAsync(Target("lib", libSource.Directory, libDistgit.Directory, packages: rdoinfoOrder), Output(), CancellationToken.None);
        var app = await Service(BuildTime.AddMinutes(2)).BuildAsync(Target("app", appSource.Directory, appDistgit.Directory, packages: rdoinfoOrder), Output(), CancellationToken.None);

        app.Status.Should().Be("SUCCESS", app.Notes);
        var linked = new FileInfo(Path.Combine(app.ResultPath, lib.Nvras.Single() + ".rpm"));
        linked.LinkTarget.Should().BeNull("another package's RPMs are hard links (DLRN symlinks; docs/contracts/dlrn-build.md)");
        var inodes = await BuildPaths.RunAsync("stat", ["-c", "%i %h", linked.FullName, Path.Combine(lib.ResultPath, lib.Nvras.Single() + ".rpm")]);
        var lines = inodes.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(2).And.OnlyContain(l => l == lines[0] && l.EndsWith(" 2", StringComparison.Ordinal), "one file, two names");
        var commit = await ReadCommitAsync(app.ResultPath);
        commit.Artifacts.Should().OnlyContain(a => a.Contains(appHead, StringComparison.Ordinal), "artifacts list only this build's RPMs");
        var versions = await File.ReadAllLinesAsync(Path.Combine(app.ResultPath, "versions.csv"));
        versions.Should().Equal(
            DlrnResultWriter.VersionsHeader,
            $"lib,https://example.org/lib,{libHead},https://example.org/lib-distgit,{lib.DistroHash},SUCCESS,{lib.DtBuild},None,None,{lib.SourceNvr}",
            $"app,https://example.org/app,{appHead},https://example.org/app-distgit,{app.DistroHash},SUCCESS,{app.DtBuild},None,None,{app.SourceNvr}");
        var primary = await BuildPaths.RunAsync("bash", ["-c", $"zcat {app.ResultPath}/repodata/*-primary.xml.gz"]);
        primary.Should().Contain("<name>lib</name>").And.Contain("<name>app</name>");
        new FileInfo(temp.Combine("data", "repos", "current")).LinkTarget.Should().Be(app.ResultDir["repos/".Length..]);
    }

    [Fact]
    public async Task An_unknown_ref_or_location_is_an_error_before_anything_is_written()
    {
        var (source, _) = await SourceAsync("refs");
        var distgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "refs"), "refs.spec", BuildPaths.Spec("refs"));

        var badRef = () => Service().BuildAsync(Target("refs", source.Directory, distgit.Directory, sourceRef: "no-such-branch"), Output(), CancellationToken.None);
        var badDistgitRef = () => Service().BuildAsync(Target("refs", source.Directory, distgit.Directory, distgitRef: "--upload-pack=x"), Output(), CancellationToken.None);
        var badLocation = () => Service().BuildAsync(Target("refs", temp.Combine("missing"), distgit.Directory), Output(), CancellationToken.None);
        var badName = () => Service().BuildAsync(Target("../evil", source.Directory, distgit.Directory), Output(), CancellationToken.None);

        (await badRef.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(BuildExitCodes.RefNotFound);
        (await badDistgitRef.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(BuildExitCodes.RefNotFound);
        (await badLocation.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(BuildExitCodes.RepositoryUnavailable);
        (await badName.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(BuildExitCodes.InvalidPackageName);
        DlrnResultWriter.ReadHistory(temp.Combine("data", "repos")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_URL_is_cloned_and_a_remote_branch_name_resolves()
    {
        var (source, head) = await SourceAsync("url");
        await source.RunAsync("branch", "stable/2");
        var distgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "url"), "url.spec", BuildPaths.Spec("url"));

        var result = await Service().BuildAsync(
            Target("url", new Uri(source.Directory).AbsoluteUri, new Uri(distgit.Directory).AbsoluteUri, sourceRef: "stable/2"),
            Output(),
            CancellationToken.None);

        result.Status.Should().Be("SUCCESS", result.Notes);
        result.CommitHash.Should().Be(head);
    }

    [Fact]
    public async Task The_spec_is_taken_from_the_distgit_path()
    {
        var (source, _) = await SourceAsync("sub");
        var distgit = await BuildPaths.DistgitAsync(
            temp.Combine("distgit", "sub"),
            "openstack/sub/sub.spec",
            BuildPaths.Spec("sub", extraHeader: "Source1:        sub.conf"),
            new Dictionary<string, string> { ["openstack/sub/sub.conf"] = "x=1\n", ["openstack/other/other.spec"] = "not this one\n" });

        var result = await Service().BuildAsync(
            Target("sub", source.Directory, distgit.Directory) with { DistgitPath = "openstack/sub" },
            Output(),
            CancellationToken.None);

        result.Status.Should().Be("SUCCESS", result.Notes);
        var srpmFiles = await BuildPaths.RunAsync("rpm", ["-qpl", Path.Combine(result.ResultPath, result.SourceNvr + ".src.rpm")]);
        srpmFiles.Should().Contain("sub.conf").And.Contain("sub.spec");
    }

    [Fact]
    public async Task Builds_into_one_data_directory_at_the_same_time_take_turns()
    {
        var (oneSource, _) = await SourceAsync("one");
        var oneDistgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "one"), "one.spec", BuildPaths.Spec("one"));
        var (twoSource, _) = await SourceAsync("two");
        var twoDistgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "two"), "two.spec", BuildPaths.Spec("two"));

        string[] packages = ["one", "two"];
        var results = await Task.WhenAll(
            Service().BuildAsync(Target("one", oneSource.Directory, oneDistgit.Directory, packages: packages), Output(), CancellationToken.None),
            Service(BuildTime.AddSeconds(1)).BuildAsync(Target("two", twoSource.Directory, twoDistgit.Directory, packages: packages), Output(), CancellationToken.None));

        results.Should().OnlyContain(r => r.Status == "SUCCESS");
        var rows = results.Select(r => File.ReadAllLines(Path.Combine(r.ResultPath, "versions.csv")).Length - 1).Order().ToList();
        rows.Should().Equal([1, 2], "the build that publishes second sees the first");
        DlrnResultWriter.ReadHistory(temp.Combine("data", "repos")).Should().HaveCount(2);
        Directory.GetDirectories(temp.Combine("data", "repos"), ".*", SearchOption.AllDirectories).Should().BeEmpty("no staging folder is left");
    }

    [Fact]
    public async Task Versions_csv_follows_the_package_list_and_consistent_moves_only_when_every_package_built()
    {
        string[] packages = ["one", "two", "three"];
        var (oneSource, _) = await SourceAsync("one");
        var oneDistgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "one"), "one.spec", BuildPaths.Spec("one"));
        var (twoSource, _) = await SourceAsync("two");
        var twoDistgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "two"), "README", "no spec yet\n");
        var (threeSource, _) = await SourceAsync("three");
        var threeDistgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "three"), "three.spec", BuildPaths.Spec("three"));
        var consistent = new FileInfo(temp.Combine("data", "repos", "consistent"));

        var one = await Service().BuildAsync(Target("one", oneSource.Directory, oneDistgit.Directory, packages: packages), Output(), CancellationToken.None);
        File.ReadAllLines(Path.Combine(one.ResultPath, "versions.csv")).Skip(1).Should().ContainSingle("packages never built have no row")
            .Which.Should().StartWith("one,");
        consistent.LinkTarget.Should().BeNull("two and three were never built");

        var twoFailed = await Service(BuildTime.AddMinutes(1)).BuildAsync(Target("two", twoSource.Directory, twoDistgit.Directory, packages: packages), Output(), CancellationToken.None);
        var three = await Service(BuildTime.AddMinutes(2)).BuildAsync(Target("three", threeSource.Directory, threeDistgit.Directory, packages: packages), Output(), CancellationToken.None);

        twoFailed.Status.Should().Be("FAILED");
        var rows = File.ReadAllLines(Path.Combine(three.ResultPath, "versions.csv")).Skip(1).ToList();
        rows.Select(r => r.Split(',')[0]).Should().Equal(packages);
        rows[1].Should().Be($"two,https://example.org/two,{twoFailed.CommitHash},https://example.org/two-distgit,{twoFailed.DistroHash},FAILED,{twoFailed.DtBuild},None,None,", "a package that never succeeded shows its last build and no NVR");
        new FileInfo(temp.Combine("data", "repos", "current")).LinkTarget.Should().Be(three.ResultDir["repos/".Length..]);
        new FileInfo(consistent.FullName).LinkTarget.Should().BeNull("two's last build failed");

        await twoDistgit.CommitAsync("Package it", new Dictionary<string, string> { ["two.spec"] = BuildPaths.Spec("two") }, new DateTimeOffset(2026, 11, 3, 10, 0, 0, TimeSpan.Zero));
        var two = await Service(BuildTime.AddMinutes(3)).BuildAsync(Target("two", twoSource.Directory, twoDistgit.Directory, packages: packages), Output(), CancellationToken.None);

        two.Status.Should().Be("SUCCESS", two.Notes);
        new FileInfo(consistent.FullName).LinkTarget.Should().Be(two.ResultDir["repos/".Length..]);
        File.ReadAllLines(Path.Combine(two.ResultPath, "versions.csv")).Skip(1).Should().OnlyContain(r => r.Contains(",SUCCESS,", StringComparison.Ordinal)).And.HaveCount(3);
    }

    [Fact]
    public async Task The_release_takes_the_short_hash_git_prints_longer_when_seven_characters_are_ambiguous()
    {
        var (source, _) = await SourceAsync("ambiguous");
        var head = await AmbiguousHeadAsync(source);
        var shortHash = await source.RunAsync("log", "--abbrev=7", "-n1", "--format=%h", head);
        shortHash.Length.Should().BeGreaterThan(7, "the helper made seven characters ambiguous");
        var distgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "ambiguous"), "ambiguous.spec", BuildPaths.Spec("ambiguous"));

        var result = await Service().BuildAsync(Target("ambiguous", source.Directory, distgit.Directory), Output(), CancellationToken.None);

        result.Status.Should().Be("SUCCESS", result.Notes);
        result.PackageRelease.Should().Be($"0.20261123104500.{shortHash}.el9");
    }

    /// <summary>
    /// Moves the branch to a new commit (same tree, past the tag) whose first seven hex digits are those of a blob
    /// that is also stored, so that git needs more than seven characters to name the commit.
    /// </summary>
    private static async Task<string> AmbiguousHeadAsync(TestGit repo)
    {
        var tree = await repo.RunAsync("rev-parse", "HEAD^{tree}");
        var parent = await repo.RunAsync("rev-parse", "HEAD");
        var blobs = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < 1 << 18; i++)
        {
            var content = $"filler {i}\n";
            blobs.TryAdd(GitObjectHash("blob", content)[..7], content);
        }

        for (var nonce = 0; ; nonce++)
        {
            var commit = $"tree {tree}\nparent {parent}\nauthor A <a@example.org> 1794000000 +0000\ncommitter A <a@example.org> 1794000000 +0000\n\nambiguous {nonce}\n";
            var hash = GitObjectHash("commit", commit);
            if (!blobs.TryGetValue(hash[..7], out var blob))
            {
                continue;
            }

            var blobFile = Path.Combine(repo.Directory, ".git", "filler-blob");
            var commitFile = Path.Combine(repo.Directory, ".git", "ambiguous-commit");
            await File.WriteAllTextAsync(blobFile, blob);
            await File.WriteAllTextAsync(commitFile, commit);
            await repo.RunAsync("hash-object", "-w", blobFile);
            (await repo.RunAsync("hash-object", "-t", "commit", "-w", commitFile)).Should().Be(hash);
            await repo.RunAsync("update-ref", "HEAD", hash);
            return hash;
        }
    }

    private static string GitObjectHash(string type, string content)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(content);
        var header = System.Text.Encoding.ASCII.GetBytes($"{type} {body.Length}\0");
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData([.. header, .. body]));
    }

    [Fact]
    public async Task A_tag_holding_an_rpm_macro_is_refused_and_the_macro_never_runs()
    {
        var marker = temp.Combine("pwned");
        var (source, _) = await SourceAsync("hostile", tag: $"v1.0%(touch${{IFS}}{marker})");
        var distgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "hostile"), "hostile.spec", BuildPaths.Spec("hostile"));

        var result = await Service().BuildAsync(Target("hostile", source.Directory, distgit.Directory), Output(), CancellationToken.None);

        result.Status.Should().Be("FAILED");
        result.ExitCode.Should().Be(BuildExitCodes.UnsafeGitValue);
        result.Notes.Should().Contain("tag 'v1.0%(touch${IFS}").And.Contain("letters, digits");
        File.Exists(marker).Should().BeFalse("nothing from the tag reached rpm");
        Directory.GetFiles(result.ResultPath, "*.rpm").Should().BeEmpty();
    }

    [Fact]
    public async Task A_distgit_symlink_inside_the_distgit_is_kept_and_one_to_a_host_file_is_refused()
    {
        var (source, _) = await SourceAsync("linked");
        var distgit = await BuildPaths.DistgitAsync(
            temp.Combine("distgit", "linked"),
            "linked.spec",
            BuildPaths.Spec("linked", extraHeader: "Source1:        linked.conf"),
            new Dictionary<string, string> { ["common/real.conf"] = "x=1\n" });
        File.CreateSymbolicLink(Path.Combine(distgit.Directory, "linked.conf"), "common/real.conf");
        await distgit.CommitAsync("Link a source", new Dictionary<string, string>(), new DateTimeOffset(2026, 11, 2, 11, 0, 0, TimeSpan.Zero));

        var inside = await Service().BuildAsync(Target("linked", source.Directory, distgit.Directory), Output(), CancellationToken.None);

        inside.Status.Should().Be("SUCCESS", inside.Notes);

        File.Delete(Path.Combine(distgit.Directory, "linked.conf"));
        File.CreateSymbolicLink(Path.Combine(distgit.Directory, "linked.conf"), "/etc/passwd");
        await distgit.CommitAsync("Link a host file", new Dictionary<string, string>(), new DateTimeOffset(2026, 11, 2, 12, 0, 0, TimeSpan.Zero));

        var outside = await Service(BuildTime.AddMinutes(1)).BuildAsync(Target("linked", source.Directory, distgit.Directory), Output(), CancellationToken.None);

        outside.Status.Should().Be("FAILED");
        outside.ExitCode.Should().Be(BuildExitCodes.UnsafeGitValue);
        outside.Notes.Should().Contain("'linked.conf' is a symlink to '/etc/passwd'");
        Directory.GetFiles(outside.ResultPath, "*.rpm").Should().BeEmpty();
        File.Exists(Path.Combine(outside.ResultPath, "build.log")).Should().BeFalse("rpmbuild never ran");
    }

    [Fact]
    public async Task A_kernel_style_source_gets_the_linux_top_folder()
    {
        var source = await TestGit.InitAsync(temp.Combine("src", "kmod"));
        await source.CommitAsync("first", new Dictionary<string, string> { ["hello.txt"] = "hi\n", ["Kconfig"] = "", ["Kbuild"] = "" }, new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero));
        await source.RunAsync("tag", "6.1");
        var spec = BuildPaths.Spec("kmod").Replace("%autosetup -n %{name}-%{upstream_version}", "%autosetup -n linux-%{upstream_version}", StringComparison.Ordinal);
        var distgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", "kmod"), "kmod.spec", spec);

        var result = await Service().BuildAsync(Target("kmod", source.Directory, distgit.Directory), Output(), CancellationToken.None);

        result.Status.Should().Be("SUCCESS", result.Notes);
        result.Version.Should().Be("6.1");
        File.ReadAllText(result.Log).Should().Contain("(top folder linux-6.1/)");
    }
}
