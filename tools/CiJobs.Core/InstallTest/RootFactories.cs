using CiJobs.Core.Platform;

namespace CiJobs.Core.InstallTest;

/// <summary>A fresh Debian root per test: the cached mmdebstrap tarball extracted into a new folder (docs/manual/install-test.md, "DEB").</summary>
public sealed class DebianRootFactory(IProcessRunner runner, RootCache cache, string codename, string mirror) : ITestSystemFactory
{
    public async Task<ITestSystem> CreateAsync(CancellationToken cancellationToken)
    {
        var tarball = await cache.DebianRootAsync(codename, mirror, cancellationToken);
        return await ChrootTestSystem.CreateAsync(runner, async (root, token) =>
        {
            var result = await runner.RunAsync(new ProcessSpec("tar", ["-xpf", tarball, "-C", root, "--numeric-owner"]) { Timeout = TimeSpan.FromMinutes(10) }, token);
            if (!result.Succeeded)
            {
                throw new CiJobsException($"cannot extract the test root {tarball}: {OutputTail.LastLine(result)}", InstallTestExitCodes.SystemUnavailable);
            }

            // Services are not started in a chroot (invoke-rc.d asks policy-rc.d; 101 means "not allowed").
            var policy = Path.Join(root, AptPackageManager.PolicyRcD);
            await File.WriteAllTextAsync(policy, "#!/bin/sh\nexit 101\n", token);
            File.SetUnixFileMode(policy, (UnixFileMode)0b111_101_101);
        }, cancellationToken);
    }
}

/// <summary>
/// A fresh RPM root per test: busybox (static) with its applet links as the shell and tools, device nodes, an rpm database
/// that holds only <see cref="RootCache.BasePackage"/> (docs/manual/install-test.md, "RPM").
/// </summary>
public sealed class RpmRootFactory(IProcessRunner runner, RootCache cache, string busybox = RpmRootFactory.DefaultBusybox) : ITestSystemFactory
{
    public const string DefaultBusybox = "/bin/busybox";

    private static readonly (string Name, string Major, string Minor)[] Devices =
        [("null", "1", "3"), ("zero", "1", "5"), ("full", "1", "7"), ("random", "1", "8"), ("urandom", "1", "9")];

    public async Task<ITestSystem> CreateAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(busybox))
        {
            throw new CiJobsException($"{busybox} is missing: the RPM root needs a static busybox (apt-get install busybox-static)", ExitCodes.ToolMissing);
        }

        var baseRpm = await cache.BaseRpmAsync(cancellationToken);
        return await ChrootTestSystem.CreateAsync(runner, (root, token) => PopulateAsync(root, baseRpm, token), cancellationToken);
    }

    private async Task PopulateAsync(string root, string baseRpm, CancellationToken cancellationToken)
    {
        foreach (var folder in new[] { "usr/bin", "usr/sbin", "usr/lib", "usr/lib64", "etc", "var/tmp", "var/lib", "var/log", "tmp", "root", "proc", "dev", "run" })
        {
            Directory.CreateDirectory(Path.Join(root, folder));
        }

        File.SetUnixFileMode(Path.Join(root, "tmp"), (UnixFileMode)0b1_111_111_111);
        foreach (var link in new[] { "bin", "sbin", "lib", "lib64" })
        {
            File.CreateSymbolicLink(Path.Join(root, link), "usr/" + link);
        }

        var target = Path.Join(root, "usr/bin/busybox");
        File.Copy(busybox, target);
        File.SetUnixFileMode(target, (UnixFileMode)0b111_101_101);
        var applets = await Checked(runner.RunAsync(new ProcessSpec(busybox, ["--list"]) { Timeout = TimeSpan.FromMinutes(1) }, cancellationToken), "busybox --list");
        foreach (var applet in applets.StandardOutput.Split('\n').Select(a => a.Trim()))
        {
            if (applet.Length > 0 && applet.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '[') && !File.Exists(Path.Join(root, "usr/bin", applet)))
            {
                File.CreateSymbolicLink(Path.Join(root, "usr/bin", applet), "busybox");
            }
        }

        await File.WriteAllTextAsync(Path.Join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Join(root, "etc/group"), "root:x:0:\n", cancellationToken);
        foreach (var (name, major, minor) in Devices)
        {
            await Checked(runner.RunAsync(new ProcessSpec("mknod", ["-m", "666", Path.Join(root, "dev", name), "c", major, minor]) { Timeout = TimeSpan.FromMinutes(1) }, cancellationToken), "mknod");
        }

        await Checked(runner.RunAsync(new ProcessSpec("rpm", ["--root", root, "--initdb"]) { Timeout = TimeSpan.FromMinutes(1) }, cancellationToken), "rpm --initdb");
        await Checked(
            runner.RunAsync(new ProcessSpec("rpm", ["--root", root, "-i", "--justdb", "--nodeps", "--noscripts", baseRpm]) { Timeout = TimeSpan.FromMinutes(2) }, cancellationToken),
            "rpm -i " + RootCache.BasePackage);
    }

    private static async Task<ProcessResult> Checked(Task<ProcessResult> running, string what)
    {
        var result = await running;
        return result.Succeeded
            ? result
            : throw new CiJobsException($"cannot make the RPM test root: {what}: {OutputTail.LastLine(result)}", InstallTestExitCodes.SystemUnavailable);
    }
}
