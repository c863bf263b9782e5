using System.Security.Cryptography;
using CiJobs.Cli.Serving;
using CiJobs.Core;
using CiJobs.Core.Platform;
using CiJobs.Core.Release;
using CiJobs.Core.Signing;
using CiJobs.Tests.Support;
using CliWrap;
using CliWrap.Buffered;

namespace CiJobs.Tests.Release;

/// <summary><see cref="ReleasePublisher"/> with the real rpm, createrepo_c, dpkg-deb and apt-ftparchive: the version rules,
/// all-or-nothing refusals, the lock, signing, and dnf and apt-get reading the repository over HTTP on 127.0.0.1.</summary>
public sealed class ReleasePublisherTests(ReleasePackagesFixture packages) : IClassFixture<ReleasePackagesFixture>, IDisposable
{
    private readonly TempDir temp = new("release");

    public void Dispose() => temp.Dispose();

    private string Root => temp.Combine("root");

    private Task<ReleaseResult> PublishAsync(IRepositorySigner? signer, IProcessRunner? runner, params string[] results) =>
        new ReleasePublisher(runner ?? new CliWrapProcessRunner()).PublishAsync(new ReleaseRequest(results, Root, "bookworm"), signer, CancellationToken.None);

    private Task<ReleaseResult> PublishAsync(params string[] results) => PublishAsync(null, null, results);

    /// <summary>Every file under ROOT with its SHA-256, to compare a tree byte for byte.</summary>
    private Dictionary<string, string> Snapshot() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(Root, f),
            f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))));

    private async Task<CiJobsException> RefusedAsync(int exitCode, params string[] results)
    {
        var before = Snapshot();
        var failing = async () => await PublishAsync(results);
        var error = (await failing.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(exitCode, error.Message);
        Snapshot().Should().BeEquivalentTo(before, "a refused publish changes nothing");
        Directory.GetFileSystemEntries(Root).Select(Path.GetFileName).Should().NotContain(n => n!.StartsWith(ReleasePublisher.StagingPrefix, StringComparison.Ordinal));
        return error;
    }

    [Fact]
    public async Task A_newer_version_is_added_beside_the_older_and_dnf_and_apt_over_HTTP_see_the_newest()
    {
        var first = await PublishAsync(packages.RpmA10, packages.DebD10, packages.DebS10);
        first.Added.Select(p => $"{p.Format} {p.Name} {p.Version} {p.Arch} {p.Path}").Should().Equal(
            "rpm rel-a 1.0-1 noarch rpm/Packages/rel-a-1.0-1.noarch.rpm", "rpm rel-a 1.0-1 src rpm/Source/Packages/rel-a-1.0-1.src.rpm",
            "deb rel-d 1.0-1 all deb/pool/main/r/rel-d/rel-d_1.0-1_all.deb", "deb rel-s 1.0 all deb/pool/main/r/rel-s/rel-s_1.0_all.deb",
            "deb rel-s 1.0 source deb/pool/main/r/rel-s/rel-s_1.0.dsc");
        first.Added[0].Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(packages.RpmA10, "rel-a-1.0-1.noarch.rpm")))));
        File.Exists(Path.Combine(Root, ReleasePublisher.Marker)).Should().BeTrue();
        File.Exists(Path.Combine(Root, "deb/pool/main/r/rel-s/rel-s_1.0.tar.xz")).Should().BeTrue();

        var second = await PublishAsync(packages.RpmA11, packages.DebD20);

        second.Added.Select(p => $"{p.Name} {p.Version} {p.Arch}").Should().Equal("rel-a 1.1-1 noarch", "rel-a 1.1-1 src", "rel-d 2.0-1 all");
        second.Skipped.Should().BeEmpty();
        second.RpmRepository.Should().Be(Path.Combine(Root, "rpm"));
        second.DebRepository.Should().Be(Path.Combine(Root, "deb"));
        Directory.GetFiles(Path.Combine(Root, "rpm", "Packages")).Select(Path.GetFileName).Should().BeEquivalentTo("rel-a-1.0-1.noarch.rpm", "rel-a-1.1-1.noarch.rpm");
        Directory.GetFiles(Path.Combine(Root, "rpm", "Source", "Packages")).Select(Path.GetFileName).Should().BeEquivalentTo("rel-a-1.0-1.src.rpm", "rel-a-1.1-1.src.rpm");
        var hostArch = (await RunAsync("dpkg", ["--print-architecture"])).StandardOutput.Trim();
        var packagesIndex = File.ReadAllText(Path.Combine(Root, $"deb/dists/bookworm/main/binary-{hostArch}/Packages"));
        packagesIndex.Should().Contain("Version: 1.0-1\n").And.Contain("Version: 2.0-1\n").And.Contain("Package: rel-s\n");
        File.ReadAllText(Path.Combine(Root, "deb/dists/bookworm/main/source/Sources")).Should().Contain("Package: rel-s\n");
        Directory.GetFileSystemEntries(Root).Select(Path.GetFileName).Should().BeEquivalentTo("rpm", "deb", ReleasePublisher.Marker, ReleasePublisher.LockFile);

        await using var server = ResultDirectoryServer.Start(Root, 0);

        // dnf, with its own install root and no configured repository: both versions listed, the newest is the candidate.
        string[] dnf = ["-q", $"--installroot={temp.Combine("dnfroot")}", "--setopt=reposdir=/dev/null", "--releasever=9", "--nogpgcheck", $"--repofrompath=rel,{server.Url}rpm/", "--repo=rel"];
        var all = await RunAsync("dnf", [.. dnf, "repoquery", "--showduplicates", "--qf", "%{name} %{evr} %{arch}", "rel-a"]);
        all.ExitCode.Should().Be(0, all.StandardError);
        all.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).Should().Equal("rel-a 1.0-1 noarch", "rel-a 1.1-1 noarch");
        var latest = await RunAsync("dnf", [.. dnf, "repoquery", "--latest-limit=1", "--qf", "%{name} %{evr}", "rel-a"]);
        latest.StandardOutput.Trim().Should().Be("rel-a 1.1-1");
        var sources = await RunAsync("dnf", ["-q", $"--installroot={temp.Combine("dnfroot2")}", "--setopt=reposdir=/dev/null", "--releasever=9", "--nogpgcheck", $"--repofrompath=relsrc,{server.Url}rpm/Source/", "--repo=relsrc", "repoquery", "--qf", "%{name} %{evr} %{arch}"]);
        sources.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).Should().Equal("rel-a 1.0-1 src", "rel-a 1.1-1 src");

        // apt-get, with private state: the newest is the candidate, the older still in the repository.
        var list = temp.Write("sources.list", $"deb [trusted=yes] {server.Url}deb bookworm main\ndeb-src [trusted=yes] {server.Url}deb bookworm main\n");
        var apt = AptOptions(list);
        var update = await RunAsync("apt-get", [.. apt, "update"]);
        update.ExitCode.Should().Be(0, update.StandardOutput + update.StandardError);
        update.StandardError.Should().NotContain("W: ").And.NotContain("E: ");
        var policy = (await RunAsync("apt-cache", [.. apt, "policy", "rel-d"])).StandardOutput;
        policy.Should().Contain("Candidate: 2.0-1").And.Contain(" 1.0-1 ");
        (await RunAsync("apt-cache", [.. apt, "showsrc", "rel-s"])).StandardOutput.Should().Contain("Package: rel-s");
    }

    [Fact]
    public async Task An_older_version_is_refused_whole_and_the_tree_stays_byte_for_byte()
    {
        await PublishAsync(packages.RpmA11, packages.DebD20);

        var error = await RefusedAsync(ReleaseExitCodes.OlderVersion, packages.RpmB20, packages.RpmA10);

        error.Message.Should().Contain("rel-a").And.Contain("1.0-1").And.Contain("1.1-1").And.Contain("older");
        File.Exists(Path.Combine(Root, "rpm/Packages/rel-b-2.0-1.noarch.rpm")).Should().BeFalse("all or nothing: the newer rel-b is not published either");
        (await RefusedAsync(ReleaseExitCodes.OlderVersion, packages.DebD10)).Message.Should().Contain("rel-d").And.Contain("1.0-1").And.Contain("2.0-1");
    }

    [Fact]
    public async Task The_same_bits_are_skipped_and_the_same_version_with_other_bits_is_refused()
    {
        await PublishAsync(packages.RpmA10, packages.DebD10, packages.DebS10);
        var before = Snapshot();

        var again = await PublishAsync(packages.RpmA10, packages.DebD10, packages.DebS10);

        again.Added.Should().BeEmpty();
        again.Skipped.Select(p => $"{p.Name} {p.Version} {p.Arch}").Should().Equal("rel-a 1.0-1 noarch", "rel-a 1.0-1 src", "rel-d 1.0-1 all", "rel-s 1.0 all", "rel-s 1.0 source");
        ReleaseOutput.Text(again).Should().Contain("skipped, already published with the same bits: rel-a 1.0-1 noarch");
        Snapshot().Should().BeEquivalentTo(before);

        (await RefusedAsync(ReleaseExitCodes.ChangedBits, packages.RpmB20, packages.RpmA10Other)).Message.Should().Contain("rel-a").And.Contain("1.0-1").And.Contain("different bits");
        (await RefusedAsync(ReleaseExitCodes.ChangedBits, packages.DebD10Other)).Message.Should().Contain("rel-d").And.Contain("different bits");
    }

    [Fact]
    public async Task An_epoch_beats_the_version_for_RPM_and_Debian_and_a_tilde_sorts_before_the_release()
    {
        await PublishAsync(packages.RpmA11, packages.DebD10);

        (await PublishAsync(packages.RpmA05Epoch1)).Added.Select(p => p.Version).Should().Equal("1:0.5-1", "1:0.5-1");
        (await RefusedAsync(ReleaseExitCodes.OlderVersion, packages.RpmA10)).Message.Should().Contain("1:0.5-1");
        (await PublishAsync(packages.DebD20Rc1)).Added.Select(p => p.Version).Should().Equal("2.0~rc1-1");
        (await PublishAsync(packages.DebD20)).Added.Select(p => p.Version).Should().Equal("2.0-1");
        (await PublishAsync(packages.DebD09Epoch1)).Added.Select(p => p.Version).Should().Equal("1:0.9-1");
        (await RefusedAsync(ReleaseExitCodes.OlderVersion, packages.DebD30)).Message.Should().Contain("3.0-1").And.Contain("1:0.9-1");
        Directory.GetFiles(Path.Combine(Root, "deb/pool/main/r/rel-d")).Select(Path.GetFileName).Should().BeEquivalentTo(
            "rel-d_1.0-1_all.deb", "rel-d_2.0~rc1-1_all.deb", "rel-d_2.0-1_all.deb", "rel-d_0.9-1_all.deb");
    }

    [Theory]
    [InlineData("createrepo_c")]
    [InlineData("apt-ftparchive")]
    public async Task A_tool_failing_midway_leaves_the_published_tree_and_no_staging_folder(string tool)
    {
        await PublishAsync(packages.RpmA10, packages.DebD10);
        var before = Snapshot();

        var failing = async () => await PublishAsync(null, new MissingToolRunner(tool), packages.RpmA11, packages.DebD20);

        (await failing.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(ExitCodes.ToolMissing);
        Snapshot().Should().BeEquivalentTo(before);
        Directory.GetFileSystemEntries(Root).Select(Path.GetFileName).Should().BeEquivalentTo("rpm", "deb", ReleasePublisher.Marker, ReleasePublisher.LockFile);
    }

    [Fact]
    public async Task A_corrupt_RPM_is_refused_and_nothing_changes()
    {
        await PublishAsync(packages.RpmA10);
        var corrupt = temp.Combine("corrupt");
        Directory.CreateDirectory(corrupt);
        File.WriteAllText(Path.Combine(corrupt, "rel-z-1.0-1.noarch.rpm"), "not an rpm\n");

        (await RefusedAsync(ReleaseExitCodes.CannotPublish, packages.RpmA11, corrupt)).Message.Should().Contain("rpm");
    }

    [Fact]
    public async Task Two_concurrent_publishes_take_turns_and_both_packages_are_there_after()
    {
        var publishes = new[] { packages.RpmA10, packages.RpmB20 }.Select(r => Task.Run(() => PublishAsync(r))).ToList();
        await Task.WhenAll(publishes);

        Directory.GetFiles(Path.Combine(Root, "rpm", "Packages")).Select(Path.GetFileName).Should().BeEquivalentTo("rel-a-1.0-1.noarch.rpm", "rel-b-2.0-1.noarch.rpm");
        var primary = await RunAsync("dnf", ["-q", $"--installroot={temp.Combine("dnfroot")}", "--setopt=reposdir=/dev/null", "--releasever=9", "--nogpgcheck", $"--repofrompath=rel,file://{Root}/rpm/", "--repo=rel", "repoquery", "--qf", "%{name}"]);
        primary.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).Should().Equal("rel-a", "rel-b");
    }

    [Fact]
    public async Task A_publish_waits_for_the_lock_and_gives_up_after_the_timeout()
    {
        Directory.CreateDirectory(Root);
        var held = new FileStream(Path.Combine(Root, ReleasePublisher.LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var request = new ReleaseRequest([packages.RpmA10], Root, "bookworm") { LockTimeout = TimeSpan.FromSeconds(1) };

        var busy = async () => await new ReleasePublisher(new CliWrapProcessRunner()).PublishAsync(request, null, CancellationToken.None);
        var error = (await busy.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(ReleaseExitCodes.CannotPublish);
        error.Message.Should().Contain("busy");
        Directory.Exists(Path.Combine(Root, "rpm")).Should().BeFalse();

        var waiting = new ReleasePublisher(new CliWrapProcessRunner()).PublishAsync(request with { LockTimeout = TimeSpan.FromSeconds(60) }, null, CancellationToken.None);
        await Task.Delay(1500);
        waiting.IsCompleted.Should().BeFalse("the publish waits while the lock is held");
        await held.DisposeAsync();
        (await waiting).Added.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_new_root_holding_only_what_another_publish_is_writing_is_not_taken_for_a_foreign_folder()
    {
        // What a concurrent first publish has written before its marker is renamed into place (CI saw the second
        // publish refuse the ROOT at that moment).
        Directory.CreateDirectory(Root);
        File.WriteAllText(Path.Combine(Root, ReleasePublisher.LockFile), "");
        File.WriteAllText(Path.Combine(Root, ReleasePublisher.Marker + ".tmp-0123456789abcdef0123456789abcdef"), "");

        var result = await PublishAsync(packages.RpmA10);

        result.Added.Should().NotBeEmpty();
        File.Exists(Path.Combine(Root, ReleasePublisher.Marker)).Should().BeTrue();
    }

    [Fact]
    public async Task A_folder_of_other_files_an_empty_result_and_a_link_leading_out_are_refused()
    {
        Directory.CreateDirectory(Root);
        File.WriteAllText(Path.Combine(Root, "precious.txt"), "keep me\n");
        var foreign = async () => await PublishAsync(packages.RpmA10);
        (await foreign.Should().ThrowAsync<CiJobsException>()).Which.Message.Should().Contain("not a release repository made by cijobs");
        Directory.GetFileSystemEntries(Root).Select(Path.GetFileName).Should().Equal("precious.txt");
        File.Delete(Path.Combine(Root, "precious.txt"));

        var empty = temp.Combine("empty");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "build.log"), "log\n");
        var outside = temp.Combine("outside");
        Directory.CreateDirectory(outside);
        File.CreateSymbolicLink(Path.Combine(outside, "rel-b-2.0-1.noarch.rpm"), Path.Combine(packages.RpmB20, "rel-b-2.0-1.noarch.rpm"));
        foreach (var (input, message) in new[] { (empty, "no package"), (outside, "symbolic link leading outside") })
        {
            var failing = async () => await PublishAsync(input);
            var error = (await failing.Should().ThrowAsync<CiJobsException>()).Which;
            error.ExitCode.Should().Be(ReleaseExitCodes.CannotPublish, message);
            error.Message.Should().Contain(message);
        }

        Directory.GetFileSystemEntries(Root).Should().BeEmpty();
    }

    [Fact]
    public async Task A_signer_signs_new_RPMs_once_and_all_metadata_on_every_publish()
    {
        using var gpg = await GpgTestSigner.CreateAsync();

        await PublishAsync(gpg.Signer, null, packages.RpmA10, packages.DebD10);
        var firstRpm = File.ReadAllBytes(Path.Combine(Root, "rpm/Packages/rel-a-1.0-1.noarch.rpm"));
        var second = await PublishAsync(gpg.Signer, null, packages.RpmA11, packages.DebD20, packages.RpmA10);

        second.Signed.Should().BeTrue();
        second.Skipped.Select(p => $"{p.Name} {p.Version} {p.Arch}").Should().Equal("rel-a 1.0-1 noarch", "rel-a 1.0-1 src");
        gpg.SignedRpms.Should().Equal("rel-a-1.0-1.noarch.rpm", "rel-a-1.0-1.src.rpm", "rel-a-1.1-1.noarch.rpm", "rel-a-1.1-1.src.rpm");
        File.ReadAllBytes(Path.Combine(Root, "rpm/Packages/rel-a-1.0-1.noarch.rpm")).Should().Equal(firstRpm, "a published RPM is not signed again");
        File.ReadAllBytes(Path.Combine(packages.RpmA11, "rel-a-1.1-1.noarch.rpm")).Should().NotEqual(
            File.ReadAllBytes(Path.Combine(Root, "rpm/Packages/rel-a-1.1-1.noarch.rpm")), "the build result is not signed through a hard link");
        File.ReadAllText(Path.Combine(Root, "rpm", ReleasePublisher.RpmKeyFile)).Should().Be(gpg.PublicKeyArmored);
        File.ReadAllText(Path.Combine(Root, "deb", ReleasePublisher.DebKeyFile)).Should().Be(gpg.PublicKeyArmored);

        // The RPMs verify against the published key in a private rpm database; the metadata signatures match the current files.
        var db = temp.Combine("rpmdb");
        Directory.CreateDirectory(db);
        await Builds.BuildPaths.RunAsync("rpmkeys", ["--dbpath", db, "--import", Path.Combine(Root, "rpm", ReleasePublisher.RpmKeyFile)]);
        foreach (var rpm in Directory.GetFiles(Path.Combine(Root, "rpm/Packages")).Concat(Directory.GetFiles(Path.Combine(Root, "rpm/Source/Packages"))))
        {
            (await Builds.BuildPaths.RunAsync("rpmkeys", ["--dbpath", db, "--checksig", rpm])).Should().Contain("signatures OK", rpm);
        }

        foreach (var repodata in new[] { "rpm/repodata", "rpm/Source/repodata" })
        {
            await gpg.GpgAsync("--verify", Path.Combine(Root, repodata, "repomd.xml.asc"), Path.Combine(Root, repodata, "repomd.xml"));
        }

        await gpg.GpgAsync("--verify", Path.Combine(Root, "deb/dists/bookworm/Release.gpg"), Path.Combine(Root, "deb/dists/bookworm/Release"));
        var inRelease = File.ReadAllText(Path.Combine(Root, "deb/dists/bookworm/InRelease"));
        inRelease.Should().Contain(File.ReadAllText(Path.Combine(Root, "deb/dists/bookworm/Release")).Split('\n')[0]);
        await gpg.GpgAsync("--verify", Path.Combine(Root, "deb/dists/bookworm/InRelease"));

        // Without the key, a signed repository is not published into (its signatures would go stale).
        (await RefusedAsync(ReleaseExitCodes.CannotPublish, packages.RpmB20)).Message.Should().Contain("signed");
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

    private static async Task<BufferedCommandResult> RunAsync(string program, string[] arguments) =>
        await global::CliWrap.Cli.Wrap(program).WithArguments(arguments).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();

    /// <summary>The real runner, except that one tool is asked for under a name no machine has.</summary>
    private sealed class MissingToolRunner(string tool) : IProcessRunner
    {
        private readonly CliWrapProcessRunner real = new();

        public Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken) =>
            real.RunAsync(spec.FileName == tool ? spec with { FileName = "cijobs-missing-" + tool } : spec, cancellationToken);
    }
}
