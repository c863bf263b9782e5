using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CiJobs.Core.Platform;
using CiJobs.Tests.Support;
using FluentAssertions;

namespace CiJobs.Tests.Mirror;

/// <summary>A fact that needs OpenSSH's server (/usr/sbin/sshd, Debian's openssh-server): skipped, with the reason, otherwise.</summary>
public sealed class SshdFactAttribute : FactAttribute
{
    public const string Sshd = "/usr/sbin/sshd";

    public SshdFactAttribute()
    {
        if (!File.Exists(Sshd))
        {
            Skip = $"needs OpenSSH's server ({Sshd}, the Debian package openssh-server, in .ci/setup's apt list)";
        }
    }
}

/// <summary>
/// A remote DEST over real ssh: a throwaway sshd on 127.0.0.1 (a free port, its own host key, one authorized user key,
/// started as <c>sshd -D -f CONFIG</c>), reached with <c>--rsh "ssh -p PORT -i KEY -o UserKnownHostsFile=... -o
/// StrictHostKeyChecking=yes"</c>; docs/manual/mirror.md, "Remote DEST".
/// </summary>
[Trait("Runs", "cijobs")]
public sealed class MirrorSshdTests(MirrorReposFixture repos) : IClassFixture<MirrorReposFixture>, IDisposable
{
    private readonly TempDir temp = new("mirror-sshd");

    public void Dispose() => temp.Dispose();

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var result = await new CliWrapProcessRunner().RunAsync(new ProcessSpec(program, arguments), CancellationToken.None);
        result.Succeeded.Should().BeTrue($"{program} {string.Join(' ', arguments)}: {result.StandardError}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [SshdFact]
    public async Task A_remote_dest_over_a_real_sshd_gets_snapshots_a_switch_and_a_report_and_an_unknown_host_key_is_refused()
    {
        var keys = temp.Combine("keys");
        Directory.CreateDirectory(keys);
        await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(keys, "host"));
        await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(keys, "user"));
        await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(keys, "other-host"));
        File.Copy(Path.Combine(keys, "user.pub"), Path.Combine(keys, "authorized_keys"));
        var port = FreePort();
        var config = temp.Write("sshd_config", $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {Path.Combine(keys, "host")}
            AuthorizedKeysFile {Path.Combine(keys, "authorized_keys")}
            PidFile {temp.Combine("sshd.pid")}
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            StrictModes no
            UsePAM no

            """);
        if (!Directory.Exists("/run/sshd") && Environment.IsPrivilegedProcess)
        {
            Directory.CreateDirectory("/run/sshd"); // sshd's privilege separation folder, which Debian's service makes.
        }

        var known = temp.Write("known_hosts", $"[127.0.0.1]:{port} {File.ReadAllText(Path.Combine(keys, "host.pub")).Trim()}\n");
        var wrong = temp.Write("wrong_known_hosts", $"[127.0.0.1]:{port} {File.ReadAllText(Path.Combine(keys, "other-host.pub")).Trim()}\n");

        using var sshd = Process.Start(new ProcessStartInfo(SshdFactAttribute.Sshd) { RedirectStandardError = true, ArgumentList = { "-D", "-e", "-f", config } })!;
        var log = sshd.StandardError.ReadToEndAsync();
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port);
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !sshd.HasExited)
                {
                    await Task.Delay(100);
                }
            }

            var rsh = $"ssh -p {port} -i {Path.Combine(keys, "user")} -o UserKnownHostsFile={known} -o StrictHostKeyChecking=yes -o BatchMode=yes";
            var dest = temp.Combine("pub", "repo");
            var remote = $"{Environment.UserName}@127.0.0.1:{dest}";
            var first = await MirrorSyncTests.SyncAsync(repos.Source(temp.Combine("a"), "rpm-a", "deb-a"), remote, "--rsh", rsh);
            first.ExitCode.Should().Be(0, first.ToString());
            var firstSnapshot = MirrorSyncTests.Published(dest);
            await MirrorSyncTests.ShouldBeWholeAsync(dest);

            var second = await MirrorSyncTests.SyncAsync(repos.Source(temp.Combine("b"), "rpm-b", "deb-b"), remote, "--rsh", rsh, "--keep", "1");
            second.ExitCode.Should().Be(0, second.ToString());
            second.StandardOutput.Should().Contain("changed: 2\n  deb/dists/stable: mx-motd.all 1.0 -> 1.1\n  rpm: mx-alpha.noarch 1.0-1 -> 1.1-1\n")
                .And.Contain("deleted snapshots: " + Path.GetFileName(firstSnapshot));
            await MirrorSyncTests.ShouldBeWholeAsync(dest);
            Directory.Exists(firstSnapshot).Should().BeFalse();

            // A host whose key is not the known one: ssh refuses, nothing changes.
            var published = MirrorSyncTests.Published(dest);
            var refused = await MirrorSyncTests.SyncAsync(repos.Source(temp.Combine("a"), "rpm-a", "deb-a"), remote, "--rsh", rsh.Replace(known, wrong, StringComparison.Ordinal));
            refused.ExitCode.Should().NotBe(0, refused.ToString());
            refused.StandardError.Should().Contain("cijobs: error:");
            MirrorSyncTests.Published(dest).Should().Be(published);
        }
        finally
        {
            if (!sshd.HasExited)
            {
                sshd.Kill();
            }

            await sshd.WaitForExitAsync();
            _ = await log;
        }
    }
}
