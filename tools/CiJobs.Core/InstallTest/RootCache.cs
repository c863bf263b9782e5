using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CiJobs.Core.Platform;

namespace CiJobs.Core.InstallTest;

/// <summary>
/// What the root target makes once and keeps: the Debian root tarball (mmdebstrap) per codename, mirror and variant, and
/// the <c>cijobs-installroot-base</c> rpm. Each file appears by rename once complete; a lock file beside it makes concurrent
/// callers wait for the one that makes it (docs/manual/install-test.md, "Root cache").
/// </summary>
public sealed class RootCache(IProcessRunner runner, string directory, Action<string>? log = null)
{
    public const string Variant = "minbase";
    public const string BasePackage = "cijobs-installroot-base";

    /// <summary>What the base rpm provides: a shell (busybox sh) and the command sets busybox stands in for.</summary>
    public static IReadOnlyList<string> BaseProvides { get; } =
        ["/bin/sh", "/usr/bin/sh", "coreutils", "grep", "sed", "findutils", "gzip", "tar", "which"];

    private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(60);

    public string Directory { get; } = directory;

    /// <summary><c>$XDG_CACHE_HOME/cijobs/roots</c>, else <c>$HOME/.cache/cijobs/roots</c>.</summary>
    public static string DefaultDirectory(IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var cache = environment.GetVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathFullyQualified(xdg)
            ? xdg
            : Path.Join(environment.GetVariable("HOME") is { Length: > 0 } home ? home : "/root", ".cache");
        return Path.Join(cache, "cijobs", "roots");
    }

    /// <summary>The file name of the Debian root of <paramref name="codename"/> from <paramref name="mirror"/>.</summary>
    public static string DebianRootName(string codename, string mirror) =>
        $"debian-{codename}-{Variant}-{Key(codename + "\n" + mirror + "\n" + Variant)}.tar";

    public Task<string> DebianRootAsync(string codename, string mirror, CancellationToken cancellationToken) =>
        GetOrMakeAsync(DebianRootName(codename, mirror), async (temporary, token) =>
        {
            log?.Invoke($"making the {codename} root with mmdebstrap from {mirror} (once; cached in {Directory})");
            // The mirror's package lists stay in the root, so dependencies from the distribution resolve without reading it again.
            var result = await runner.RunAsync(
                new ProcessSpec("mmdebstrap", ["--variant=" + Variant, "--skip=cleanup/apt/lists", "--quiet", codename, temporary, mirror]) { Timeout = TimeSpan.FromMinutes(30) },
                token);
            if (!result.Succeeded)
            {
                throw new CiJobsException($"mmdebstrap could not make the {codename} root from {mirror}: {OutputTail.LastLine(result)}", InstallTestExitCodes.SystemUnavailable);
            }
        }, cancellationToken);

    public static string BaseSpec => string.Join(
        "\n",
        $"Name: {BasePackage}",
        "Version: 1",
        "Release: 1",
        "Summary: What a cijobs install-test root provides (busybox)",
        "License: Apache-2.0",
        "BuildArch: noarch",
        "Provides: " + string.Join(", ", BaseProvides),
        "%description",
        "Stands for the busybox shell and tools cijobs install-test copies into an RPM test root.",
        "%files",
        string.Empty);

    public Task<string> BaseRpmAsync(CancellationToken cancellationToken) =>
        GetOrMakeAsync($"{BasePackage}-{Key(BaseSpec)}.rpm", async (temporary, token) =>
        {
            var top = System.IO.Directory.CreateTempSubdirectory("cijobs-base-rpm-").FullName;
            try
            {
                var spec = Path.Join(top, BasePackage + ".spec");
                await File.WriteAllTextAsync(spec, BaseSpec, token);
                var result = await runner.RunAsync(new ProcessSpec("rpmbuild", ["--define", "_topdir " + top, "-bb", spec]) { Timeout = TimeSpan.FromMinutes(5) }, token);
                var built = System.IO.Directory.Exists(Path.Join(top, "RPMS"))
                    ? System.IO.Directory.EnumerateFiles(Path.Join(top, "RPMS"), "*.rpm", SearchOption.AllDirectories).FirstOrDefault()
                    : null;
                if (!result.Succeeded || built is null)
                {
                    throw new CiJobsException($"rpmbuild could not make {BasePackage}: {OutputTail.LastLine(result)}", InstallTestExitCodes.SystemUnavailable);
                }

                File.Copy(built, temporary);
            }
            finally
            {
                System.IO.Directory.Delete(top, recursive: true);
            }
        }, cancellationToken);

    private async Task<string> GetOrMakeAsync(string name, Func<string, CancellationToken, Task> make, CancellationToken cancellationToken)
    {
        var final = Path.Join(Directory, name);
        if (File.Exists(final))
        {
            return final;
        }

        try
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot create the root cache {Directory}: {e.Message}", ExitCodes.Io, e);
        }

        using var held = await LockAsync(final + ".lock", cancellationToken);
        if (File.Exists(final))
        {
            return final; // Made by the caller that held the lock before us.
        }

        // The extension stays last: mmdebstrap chooses its output format by it.
        var temporary = Path.Join(Directory, $".{Path.GetFileNameWithoutExtension(name)}.{Guid.NewGuid():N}{Path.GetExtension(name)}");
        try
        {
            await make(temporary, cancellationToken);
            File.Move(temporary, final);
            return final;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        while (true)
        {
            try
            {
                // FileShare.None takes flock(LOCK_EX) on Linux; the kernel drops it when the holder dies.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited < LockWait)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                waited += TimeSpan.FromSeconds(1);
            }
            catch (IOException e)
            {
                throw new CiJobsException($"the root cache lock {path} is held for more than {LockWait.TotalMinutes.ToString(CultureInfo.InvariantCulture)} minutes", InstallTestExitCodes.SystemUnavailable, e);
            }
        }
    }

    private static string Key(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
}
