using System.Text.Json;
using CiJobs.Core.Mirror;
using CiJobs.Core.Platform;
using CiJobs.Tests.Support;
using FluentAssertions;

namespace CiJobs.Tests.Mirror;

/// <summary><c>cijobs mirror sync</c> end to end on real repositories; docs/manual/mirror.md.</summary>
[Trait("Runs", "cijobs")]
public sealed class MirrorSyncTests(MirrorReposFixture repos) : IClassFixture<MirrorReposFixture>, IDisposable
{
    private readonly TempDir temp = new("mirror");

    public void Dispose() => temp.Dispose();

    private string Dest => temp.Combine("pub", "repo");

    internal static Task<CliResult> SyncAsync(params string[] arguments) => CliRunner.RunAsync(["mirror", "sync", .. arguments]);

    internal static string Published(string dest) => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(dest)!, new FileInfo(dest).LinkTarget!));

    internal static async Task ShouldBeWholeAsync(string snapshot)
    {
        var tree = new RepositoryTree(new CliWrapProcessRunner(), snapshot);
        var found = tree.Find();
        found.Should().NotBeEmpty();
        await tree.CheckAsync(found, MirrorExitCodes.SyncFailed, CancellationToken.None);
    }

    private string[] Snapshots() => [.. Directory.GetFileSystemEntries(temp.Combine("pub", "snapshots")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public async Task Two_syncs_publish_whole_snapshots_sharing_unchanged_files_and_report_the_package_changes()
    {
        var first = await SyncAsync(repos.Source(temp.Combine("a"), "rpm-a", "deb-a"), Dest);
        first.ExitCode.Should().Be(0, first.ToString());
        var firstSnapshot = Published(Dest);
        new FileInfo(Dest).LinkTarget.Should().StartWith("snapshots/repo-");
        await ShouldBeWholeAsync(Dest);

        // rpm-b keeps nothing of rpm-a's packages; add one unchanged file to see the hard link.
        var source = repos.Source(temp.Combine("b"), "rpm-b", "deb-b");
        File.Copy(Path.Combine(firstSnapshot, "deb", "pool", "main", "m", "mx-extra_2.0_all.deb"), Path.Combine(source, "deb", "pool", "main", "m", "mx-extra_2.0_all.deb"));
        File.SetLastWriteTimeUtc(Path.Combine(source, "deb", "pool", "main", "m", "mx-extra_2.0_all.deb"), File.GetLastWriteTimeUtc(Path.Combine(firstSnapshot, "deb", "pool", "main", "m", "mx-extra_2.0_all.deb")));
        var reportDir = temp.Combine("report");
        var second = await SyncAsync(source, Dest, "--report-dir", reportDir, "--format", "json");
        second.ExitCode.Should().Be(0, second.ToString());
        Published(Dest).Should().NotBe(firstSnapshot);
        await ShouldBeWholeAsync(Dest);
        Directory.Exists(firstSnapshot).Should().BeTrue("five snapshots are kept by default");
        await ShouldBeWholeAsync(firstSnapshot);
        Inode(Path.Combine(Dest, "deb", "pool", "main", "m", "mx-extra_2.0_all.deb")).Should().Be(Inode(Path.Combine(firstSnapshot, "deb", "pool", "main", "m", "mx-extra_2.0_all.deb")));

        using var json = JsonDocument.Parse(second.StandardOutput);
        File.ReadAllText(Path.Combine(reportDir, "sync-report.json")).Should().Be(second.StandardOutput);
        string Lines(string section) => string.Join("; ", json.RootElement.GetProperty(section).EnumerateArray().Select(p =>
            $"{p.GetProperty("repository").GetString()} {p.GetProperty("name").GetString()}.{p.GetProperty("arch").GetString()} {p.GetProperty("old_version").GetString() ?? "-"} {p.GetProperty("new_version").GetString() ?? "-"}"));
        Lines("added").Should().Be("rpm mx-gamma.noarch - 3.0-1");
        Lines("removed").Should().Be("deb/dists/stable mx-extra.all 2.0 -; rpm mx-beta.noarch 2.0-1 -", "mx-extra's file is there but Packages no longer lists it");
        Lines("changed").Should().Be("deb/dists/stable mx-motd.all 1.0 1.1; rpm mx-alpha.noarch 1.0-1 1.1-1");
        json.RootElement.GetProperty("previous_snapshot").GetString().Should().Be(Path.GetFileName(firstSnapshot));
        var text = File.ReadAllText(Path.Combine(reportDir, "sync-report.txt"));
        text.Should().Contain("added: 1\n  rpm: mx-gamma.noarch 3.0-1\n")
            .And.Contain("removed: 2\n  deb/dists/stable: mx-extra.all 2.0\n  rpm: mx-beta.noarch 2.0-1\n")
            .And.Contain("changed: 2\n  deb/dists/stable: mx-motd.all 1.0 -> 1.1\n  rpm: mx-alpha.noarch 1.0-1 -> 1.1-1\n");
    }

    [Fact]
    public async Task A_snapshot_carries_its_sorted_package_list_and_the_next_report_is_made_from_it_or_from_the_metadata_without_it()
    {
        var source = repos.Source(temp.Combine("a"), "rpm-a", "deb-a");
        File.WriteAllText(Path.Combine(source, PackageListFile.Name), "SOURCE's own file of this name is not copied\n");
        (await SyncAsync(source, Dest)).ExitCode.Should().Be(0);
        var list = Path.Combine(Dest, PackageListFile.Name);
        var lines = File.ReadAllLines(list);
        lines[0].Should().Be(PackageListFile.Header);
        lines.Skip(1).Select(l => string.Join(" ", l.Split('\t')[..4])).Should().Equal(
            "deb/dists/stable mx-extra all 2.0", "deb/dists/stable mx-motd all 1.0", "rpm mx-alpha noarch 1.0-1", "rpm mx-beta noarch 2.0-1");
        foreach (var fields in lines.Skip(1).Select(l => l.Split('\t')))
        {
            var root = fields[0] == "rpm" ? Path.Combine(Dest, "rpm") : Path.Combine(Dest, "deb");
            new FileInfo(Path.Combine(root, fields[4])).Length.Should().Be(long.Parse(fields[5], System.Globalization.CultureInfo.InvariantCulture), fields[4]);
        }

        // The next report reads the published list, not the metadata: a package taken out of the list is not "removed".
        File.WriteAllLines(list, lines.Where(l => !l.Contains("mx-beta", StringComparison.Ordinal)));
        var b = repos.Source(temp.Combine("b"), "rpm-b", "deb-b");
        var fromList = await SyncAsync(b, Dest, "--format", "json");
        fromList.ExitCode.Should().Be(0, fromList.ToString());
        Removed(fromList).Should().Be("deb/dists/stable mx-extra; ");

        // Without a list (a snapshot made before lists existed), or with one of another format, the metadata is read.
        foreach (var damage in new Action<string>[] { File.Delete, f => File.WriteAllText(f, "# another format\n") })
        {
            (await SyncAsync(b, Dest)).ExitCode.Should().Be(0);
            damage(Path.Combine(Dest, PackageListFile.Name));
            var result = await SyncAsync(repos.Source(temp.Combine("a"), "rpm-a", "deb-a"), Dest, "--format", "json");
            result.ExitCode.Should().Be(0, result.ToString());
            Removed(result).Should().Be("rpm mx-gamma; ");
            File.ReadAllLines(Path.Combine(Dest, PackageListFile.Name)).Should().Equal(lines, "SOURCE a again, the same list");
        }

        static string Removed(CliResult result) => string.Concat(JsonDocument.Parse(result.StandardOutput).RootElement.GetProperty("removed").EnumerateArray()
            .Select(p => $"{p.GetProperty("repository").GetString()} {p.GetProperty("name").GetString()}; "));
    }

    [Fact]
    public async Task A_file_whose_only_change_is_its_mode_is_copied_and_the_published_snapshot_keeps_its_mode()
    {
        var source = repos.Source(temp.Combine("a"), "rpm-a", "deb-a");
        (await SyncAsync(source, Dest)).ExitCode.Should().Be(0);
        var published = Published(Dest);
        var package = Path.Combine("deb", "pool", "main", "m", "mx-extra_2.0_all.deb");
        var before = File.GetUnixFileMode(Path.Combine(published, package));
        var other = Path.Combine("deb", "pool", "main", "m", "mx-motd_1.0_all.deb");
        File.SetUnixFileMode(Path.Combine(source, package), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var result = await SyncAsync(source, Dest);

        result.ExitCode.Should().Be(0, result.ToString());
        File.GetUnixFileMode(Path.Combine(published, package)).Should().Be(before, "the published snapshot's files never change");
        File.GetUnixFileMode(Path.Combine(Dest, package)).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Inode(Path.Combine(Dest, other)).Should().Be(Inode(Path.Combine(published, other)), "an unchanged file is a hard link");
        Inode(Path.Combine(Dest, package)).Should().NotBe(Inode(Path.Combine(published, package)));
    }

    private static long Inode(string path)
    {
        var result = new CliWrapProcessRunner().RunAsync(new ProcessSpec("stat", ["-c", "%i", path]), CancellationToken.None).GetAwaiter().GetResult();
        return long.Parse(result.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_source_that_is_not_a_repository_is_refused_before_anything_is_written()
    {
        var empty = temp.Combine("empty");
        temp.Write("empty/README", "not a repository");
        var result = await SyncAsync(empty, Dest);
        result.ExitCode.Should().Be(MirrorExitCodes.NotARepository, result.ToString());
        result.StandardError.Should().Contain("cijobs: error: SOURCE").And.Contain("is not a repository tree");
        Directory.Exists(temp.Combine("pub")).Should().BeFalse();
    }

    [Theory]
    [InlineData("rpm")]
    [InlineData("deb")]
    public async Task A_source_whose_checksums_are_wrong_is_refused_and_the_published_snapshot_is_untouched(string kind)
    {
        (await SyncAsync(repos.Source(temp.Combine("a"), "rpm-a", "deb-a"), Dest)).ExitCode.Should().Be(0);
        var published = Published(Dest);
        var source = repos.Source(temp.Combine("b"), "rpm-b", "deb-b");
        var victim = kind == "rpm"
            ? Directory.GetFiles(Path.Combine(source, "rpm", "repodata"), "*-primary.xml.gz").Single()
            : Path.Combine(source, "deb", "dists", "stable", "main", "binary-all", "Packages.gz");
        var bytes = File.ReadAllBytes(victim);
        bytes[^5] ^= 0xff;
        File.WriteAllBytes(victim, bytes);

        var result = await SyncAsync(source, Dest);

        result.ExitCode.Should().Be(MirrorExitCodes.NotARepository, result.ToString());
        result.StandardError.Should().Contain("does not match the sha256 checksum");
        Published(Dest).Should().Be(published);
        Snapshots().Should().Equal(Path.GetFileName(published));
    }

    [Theory]
    [InlineData("../../../../etc/passwd")]
    [InlineData("/etc/passwd")]
    public async Task A_symbolic_link_in_source_leading_outside_it_is_refused(string target)
    {
        (await SyncAsync(repos.Source(temp.Combine("a"), "rpm-a", "deb-a"), Dest)).ExitCode.Should().Be(0);
        var published = Published(Dest);
        var source = repos.Source(temp.Combine("b"), "rpm-b", null);
        File.CreateSymbolicLink(Path.Combine(source, "rpm", "Packages", "evil.rpm"), target);

        var result = await SyncAsync(source, Dest);

        // Found by the copy walk (docs/manual/mirror.md, "Symbolic links in SOURCE"): the half-made snapshot is deleted,
        // DEST still names the published snapshot, which is whole.
        result.ExitCode.Should().Be(MirrorExitCodes.UnsafeSource, result.ToString());
        result.StandardError.Should().Contain("symbolic link rpm/Packages/evil.rpm");
        Published(Dest).Should().Be(published);
        Snapshots().Should().Equal(Path.GetFileName(published));
        await ShouldBeWholeAsync(Dest);

        // The same at a first sync: DEST is not created and no half-made snapshot remains.
        var fresh = temp.Combine("fresh", "repo");
        var first = await SyncAsync(source, fresh);
        first.ExitCode.Should().Be(MirrorExitCodes.UnsafeSource, first.ToString());
        first.StandardError.Should().Contain("symbolic link rpm/Packages/evil.rpm");
        File.Exists(fresh).Should().BeFalse();
        Directory.Exists(fresh).Should().BeFalse();
        Directory.GetFileSystemEntries(temp.Combine("fresh", "snapshots")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_metadata_file_that_is_a_symbolic_link_leading_outside_source_is_refused_before_it_is_read()
    {
        // SOURCE's metadata is read before the copy, where links are checked: the check of SOURCE refuses a metadata file
        // whose real path is outside SOURCE instead of reading it (here it would fail its checksum, exit 125, after a read).
        (await SyncAsync(repos.Source(temp.Combine("a"), "rpm-a", "deb-a"), Dest)).ExitCode.Should().Be(0);
        var published = Published(Dest);
        var source = repos.Source(temp.Combine("b"), "rpm-b", "deb-b");
        var outside = temp.Write("outside/secret", "not SOURCE's");
        var release = Path.Combine(source, "deb", "dists", "stable", "Release");
        File.Delete(release);
        File.CreateSymbolicLink(release, Path.GetRelativePath(Path.GetDirectoryName(release)!, outside));

        var result = await SyncAsync(source, Dest);

        result.ExitCode.Should().Be(MirrorExitCodes.UnsafeSource, result.ToString());
        result.StandardError.Should().Contain("deb/dists/stable/Release is a symbolic link leading outside");
        Published(Dest).Should().Be(published);
        Snapshots().Should().Equal(Path.GetFileName(published));
    }

    [Fact]
    public async Task A_symbolic_link_that_stays_inside_source_is_copied_as_a_link()
    {
        var source = repos.Source(temp.Combine("a"), "rpm-a", "deb-a");
        File.CreateSymbolicLink(Path.Combine(source, "latest"), "rpm");
        var result = await SyncAsync(source, Dest);
        result.ExitCode.Should().Be(0, result.ToString());
        new DirectoryInfo(Path.Combine(Dest, "latest")).LinkTarget.Should().Be("rpm");
    }

    [Fact]
    public async Task A_real_folder_at_dest_is_refused_and_left_alone()
    {
        temp.Write("pub/repo/keep.txt", "mine");
        var result = await SyncAsync(repos.Source(temp.Combine("a"), "rpm-a", null), Dest);
        result.ExitCode.Should().Be(MirrorExitCodes.InvalidDestination, result.ToString());
        result.StandardError.Should().Contain("exists and is not a symbolic link");
        File.ReadAllText(temp.Combine("pub", "repo", "keep.txt")).Should().Be("mine");
        Directory.Exists(temp.Combine("pub", "snapshots")).Should().BeFalse();
    }

    [Fact]
    public async Task A_full_disk_fails_clearly_and_leaves_the_published_snapshot_untouched()
    {
        if (!IsRoot())
        {
            Assert.Fail("mounting a tmpfs needs root; this test runs as root in CI (.ci/setup)");
        }

        var pub = temp.Combine("pub");
        Directory.CreateDirectory(pub);
        var mount = await new CliWrapProcessRunner().RunAsync(new ProcessSpec("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", pub]), CancellationToken.None);
        mount.ExitCode.Should().Be(0, $"mount -t tmpfs must be permitted here: {mount.StandardError}");
        try
        {
            (await SyncAsync(repos.Source(temp.Combine("a"), "rpm-a", "deb-a"), Dest)).ExitCode.Should().Be(0);
            var published = Published(Dest);
            var source = repos.Source(temp.Combine("b"), "rpm-b", "deb-b");
            var big = new byte[3 << 20];
            Random.Shared.NextBytes(big);
            File.WriteAllBytes(Path.Combine(source, "rpm", "Packages", "big.iso"), big);

            var result = await SyncAsync(source, Dest);

            result.ExitCode.Should().Be(MirrorExitCodes.SyncFailed, result.ToString());
            result.StandardError.Trim().Split('\n').Last().Should().StartWith("cijobs: error: copy to").And.Contain("No space left on device");
            Published(Dest).Should().Be(published);
            Snapshots().Should().Equal(Path.GetFileName(published));
            await ShouldBeWholeAsync(Dest);
        }
        finally
        {
            await new CliWrapProcessRunner().RunAsync(new ProcessSpec("umount", [pub]), CancellationToken.None);
        }
    }

    internal static bool IsRoot() => Environment.UserName == "root";

    [Fact]
    public async Task A_sync_while_another_holds_the_lock_fails_at_once_or_waits_with_lock_timeout()
    {
        var source = repos.Source(temp.Combine("a"), "rpm-a", null);
        Directory.CreateDirectory(temp.Combine("pub"));
        var lockFile = temp.Combine("pub", ".repo.lock");
        using (new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var refused = await SyncAsync(source, Dest);
            refused.ExitCode.Should().Be(MirrorExitCodes.Locked, refused.ToString());
            refused.StandardError.Should().Contain("another sync of").And.Contain(".repo.lock");
            File.Exists(Dest).Should().BeFalse();
            Directory.Exists(Dest).Should().BeFalse();
        }

        var held = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var waiting = SyncAsync(source, Dest, "--lock-timeout", "60");
        await Task.Delay(TimeSpan.FromSeconds(3));
        waiting.IsCompleted.Should().BeFalse("the sync waits for the lock");
        Directory.Exists(temp.Combine("pub", "snapshots")).Should().BeFalse("nothing is written before the lock is taken");
        await held.DisposeAsync();
        var result = await waiting;
        result.ExitCode.Should().Be(0, result.ToString());
        await ShouldBeWholeAsync(Dest);
    }

    [Fact]
    public async Task Concurrent_syncs_of_one_dest_take_turns_and_rpm_and_deb_dests_sync_independently()
    {
        var a = repos.Source(temp.Combine("a"), "rpm-a", "deb-a");
        var b = repos.Source(temp.Combine("b"), "rpm-b", "deb-b");
        var one = await Task.WhenAll(SyncAsync(a, Dest, "--lock-timeout", "120"), SyncAsync(b, Dest, "--lock-timeout", "120"));
        one.Should().AllSatisfy(r => r.ExitCode.Should().Be(0, r.ToString()));
        Snapshots().Should().HaveCount(2);
        await ShouldBeWholeAsync(Dest);

        var rpm = repos.Source(temp.Combine("rpm"), "rpm-a", null);
        var deb = repos.Source(temp.Combine("deb"), null, "deb-a");
        var both = await Task.WhenAll(SyncAsync(rpm, temp.Combine("pub", "rpm")), SyncAsync(deb, temp.Combine("pub", "deb")));
        both.Should().AllSatisfy(r => r.ExitCode.Should().Be(0, r.ToString()));
        await ShouldBeWholeAsync(temp.Combine("pub", "rpm"));
        await ShouldBeWholeAsync(temp.Combine("pub", "deb"));
    }

    [Fact]
    public async Task Retention_keeps_n_snapshots_and_never_one_a_symbolic_link_points_at()
    {
        var a = repos.Source(temp.Combine("a"), "rpm-a", null);
        var b = repos.Source(temp.Combine("b"), "rpm-b", null);
        (await SyncAsync(a, Dest, "--keep", "2")).ExitCode.Should().Be(0);
        var pinned = Path.GetFileName(Published(Dest));
        File.CreateSymbolicLink(temp.Combine("pub", "pinned"), "snapshots/" + pinned);
        var names = new List<string> { pinned };
        foreach (var source in new[] { b, a, b })
        {
            var result = await SyncAsync(source, Dest, "--keep", "2");
            result.ExitCode.Should().Be(0, result.ToString());
            names.Add(Path.GetFileName(Published(Dest)));
        }

        Snapshots().Should().Equal(new[] { pinned, names[2], names[3] }.Order(StringComparer.Ordinal));
        var refused = await SyncAsync(a, Dest, "--keep", "0");
        refused.ExitCode.Should().Be(1, refused.ToString());
        refused.StandardError.Should().Contain("--keep must be between 1 and 1000");
    }

    [Fact]
    public async Task A_half_made_snapshot_left_by_a_killed_sync_is_deleted_by_the_next_one()
    {
        (await SyncAsync(repos.Source(temp.Combine("a"), "rpm-a", null), Dest)).ExitCode.Should().Be(0);
        var stale = temp.Combine("pub", "snapshots", ".repo.partial-" + Guid.NewGuid().ToString("N"));
        temp.Write(Path.Combine(stale, "half"), "x");
        var other = temp.Write("pub/snapshots/unrelated/file", "kept");
        (await SyncAsync(repos.Source(temp.Combine("b"), "rpm-b", null), Dest)).ExitCode.Should().Be(0);
        Directory.Exists(stale).Should().BeFalse();
        File.Exists(other).Should().BeTrue();
    }

    [Fact]
    public async Task Snapshots_of_one_second_get_rising_names_and_a_name_retention_deleted_is_not_given_again()
    {
        // A fixed clock: every sync falls in the same second. With --keep 2 the third deletes the bare name; a lowest free
        // suffix would give it again to the fourth, and a reader comparing link targets would take two snapshots for one.
        var sync = new MirrorSync(new CliWrapProcessRunner(), new InstantTimeProvider(new DateTimeOffset(2026, 12, 6, 11, 0, 0, TimeSpan.Zero)), _ => { });
        var names = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var source = repos.Source(temp.Combine(i % 2 == 0 ? "a" : "b"), i % 2 == 0 ? "rpm-a" : "rpm-b", null);
            var result = await sync.SyncAsync(new MirrorRequest(source, Dest) { Keep = 2 }, CancellationToken.None);
            Path.GetFileName(Published(Dest)).Should().Be(result.Snapshot);
            names.Add(result.Snapshot);
        }

        names.Should().Equal("repo-20261206T110000Z", "repo-20261206T110000Z-1", "repo-20261206T110000Z-2", "repo-20261206T110000Z-3", "repo-20261206T110000Z-4");
        Snapshots().Should().Equal("repo-20261206T110000Z-3", "repo-20261206T110000Z-4");
    }

    [Theory]
    [InlineData("host:/srv/repo;rm -rf x")]
    [InlineData("host:/srv/$(id)/repo")]
    [InlineData("host:/srv/../etc/repo")]
    [InlineData("host:/srv/-e/repo")]
    [InlineData("host:relative/repo")]
    public async Task A_remote_dest_that_is_not_safe_for_a_remote_command_is_refused(string dest)
    {
        var result = await SyncAsync(repos.Source(temp.Combine("a"), "rpm-a", null), dest, "--rsh", temp.Combine("no-such-ssh"));
        result.ExitCode.Should().BeOneOf(MirrorExitCodes.InvalidDestination);
        result.StandardError.Should().StartWith("cijobs: ").And.Contain("cijobs: error: DEST");
    }
}
