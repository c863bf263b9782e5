using CiJobs.Core.Platform;

namespace CiJobs.Core.InstallTest;

/// <summary>
/// Root target: a throwaway folder holding a system, entered with <c>chroot</c>. /proc is mounted (and /dev bound when the
/// root has no /dev/null) for the life of the system; <see cref="DisposeAsync"/> unmounts them (lazily if a process still
/// holds one), checks /proc/self/mounts holds nothing under the root, and only then deletes the folder
/// (docs/manual/install-test.md, "Root target").
/// </summary>
public sealed class ChrootTestSystem : ITestSystem
{
    private readonly IProcessRunner runner;
    private readonly List<string> mounts = [];

    private ChrootTestSystem(IProcessRunner runner, string root)
    {
        this.runner = runner;
        Root = root;
    }

    public string Root { get; }

    public bool IsHost => false;

    /// <summary>Makes a fresh folder, fills it with <paramref name="populate"/>, mounts /proc (and /dev when needed).
    /// On any failure, cancellation included, what was mounted is unmounted and the folder deleted.</summary>
    public static async Task<ChrootTestSystem> CreateAsync(IProcessRunner runner, Func<string, CancellationToken, Task> populate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(populate);
        var folder = Directory.CreateTempSubdirectory("cijobs-install-root-").FullName;
        var system = new ChrootTestSystem(runner, folder);
        try
        {
            await populate(folder, cancellationToken);
            await system.MountAsync(["-t", "proc", "proc"], "proc", cancellationToken);
            if (!File.Exists(Path.Join(folder, "dev", "null")))
            {
                await system.MountAsync(["--bind", "/dev"], "dev", cancellationToken);
            }

            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    public Task<ProcessResult> RunAsync(string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, CancellationToken cancellationToken) =>
        runner.RunAsync(
            new ProcessSpec("chroot", [Root, program, .. arguments]) { Environment = TestSystemCommands.Environment(environment), Timeout = timeout, StandardInput = string.Empty },
            cancellationToken);

    private async Task MountAsync(IReadOnlyList<string> options, string pointInRoot, CancellationToken cancellationToken)
    {
        var point = Path.Join(Root, pointInRoot);
        Directory.CreateDirectory(point);
        // Recorded before the call: a mount that happened just before a cancellation is still unmounted.
        mounts.Add(point);
        var result = await runner.RunAsync(new ProcessSpec("mount", [.. options, point]) { Timeout = TimeSpan.FromMinutes(1) }, cancellationToken);
        if (!result.Succeeded)
        {
            mounts.Remove(point);
            throw new CiJobsException($"cannot mount {pointInRoot} in the test root: {OutputTail.LastLine(result)}", InstallTestExitCodes.SystemUnavailable);
        }
    }

    /// <summary>Mount points at or under <paramref name="folder"/> in /proc/self/mounts.</summary>
    public static IReadOnlyList<string> MountsUnder(string folder)
    {
        var prefix = folder.TrimEnd('/') + "/";
        return File.ReadLines("/proc/self/mounts")
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 1)
            .Select(fields => fields[1].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(point => point == folder.TrimEnd('/') || point.StartsWith(prefix, StringComparison.Ordinal))
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = mounts.Count - 1; i >= 0; i--)
        {
            var point = mounts[i];
            if (!MountsUnder(point).Contains(point))
            {
                continue;
            }

            var result = await runner.RunAsync(new ProcessSpec("umount", [point]) { Timeout = TimeSpan.FromMinutes(1) }, CancellationToken.None);
            if (!result.Succeeded)
            {
                await runner.RunAsync(new ProcessSpec("umount", ["--lazy", point]) { Timeout = TimeSpan.FromMinutes(1) }, CancellationToken.None);
            }
        }

        mounts.Clear();
        var left = MountsUnder(Root);
        if (left.Count > 0)
        {
            // Never delete through a mount: a bound /dev would take the machine's device nodes with it.
            throw new CiJobsException($"test root {Root} still has mounts ({string.Join(", ", left)}); it was not deleted", InstallTestExitCodes.SystemUnavailable);
        }

        try
        {
            // Directory.Delete removes links, it never follows them out of the root.
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
