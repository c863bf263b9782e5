using CiJobs.Core.Mirror;
using CiJobs.Tests.Support;
using FluentAssertions;

namespace CiJobs.Tests.Mirror;

/// <summary>
/// A remote DEST (<c>host:/path</c>) through <c>--rsh</c>: here a small script that runs the command it is given on this
/// machine, as ssh would on the host (no sshd in the test environment), so that every remote command, rsync's included,
/// really runs through a shell as it would over ssh.
/// </summary>
[Trait("Runs", "cijobs")]
public sealed class MirrorRemoteTests(MirrorReposFixture repos) : IClassFixture<MirrorReposFixture>, IDisposable
{
    private readonly TempDir temp = new("mirror-remote");

    public void Dispose() => temp.Dispose();

    private string FakeSsh()
    {
        var path = temp.Write("fake-ssh", """
            #!/bin/sh
            # Like ssh HOST COMMAND...: drop options and the host, run the words as one shell command line.
            while [ $# -gt 0 ]; do
              case "$1" in
                -l|-p|-o) shift 2 ;;
                -*) shift ;;
                *) break ;;
              esac
            done
            echo "$1" >> "$(dirname "$0")/hosts"
            shift
            exec sh -c "$*"
            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public async Task A_remote_dest_gets_snapshots_a_switch_a_report_and_a_lock()
    {
        var ssh = FakeSsh();
        var dest = temp.Combine("pub", "repo");
        var remote = "mirror@localhost:" + dest;
        var first = await MirrorSyncTests.SyncAsync(repos.Source(temp.Combine("a"), "rpm-a", "deb-a"), remote, "--rsh", ssh);
        first.ExitCode.Should().Be(0, first.ToString());
        var firstSnapshot = MirrorSyncTests.Published(dest);
        await MirrorSyncTests.ShouldBeWholeAsync(dest);

        var second = await MirrorSyncTests.SyncAsync(repos.Source(temp.Combine("b"), "rpm-b", "deb-b"), remote, "--rsh", ssh, "--keep", "1");
        second.ExitCode.Should().Be(0, second.ToString());
        second.StandardOutput.Should().Contain("changed: 2\n  deb/dists/stable: mx-motd.all 1.0 -> 1.1\n  rpm: mx-alpha.noarch 1.0-1 -> 1.1-1\n")
            .And.Contain("deleted snapshots: " + Path.GetFileName(firstSnapshot));
        await MirrorSyncTests.ShouldBeWholeAsync(dest);
        Directory.Exists(firstSnapshot).Should().BeFalse();
        File.ReadAllLines(temp.Combine("hosts")).Should().OnlyContain(h => h == "mirror@localhost" || h == "localhost");

        using (new FileStream(temp.Combine("pub", ".repo.lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var locked = await MirrorSyncTests.SyncAsync(repos.Source(temp.Combine("a"), "rpm-a", "deb-a"), remote, "--rsh", ssh);
            locked.ExitCode.Should().Be(MirrorExitCodes.Locked, locked.ToString());
        }

        var corrupt = repos.Source(temp.Combine("c"), "rpm-a", null);
        File.AppendAllText(Path.Combine(corrupt, "rpm", "repodata", "repomd.xml"), "<");
        var refused = await MirrorSyncTests.SyncAsync(corrupt, remote, "--rsh", ssh);
        refused.ExitCode.Should().Be(MirrorExitCodes.NotARepository, refused.ToString());
        await MirrorSyncTests.ShouldBeWholeAsync(dest);
    }
}
