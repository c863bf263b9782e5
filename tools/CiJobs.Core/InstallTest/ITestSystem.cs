using CiJobs.Core.Platform;

namespace CiJobs.Core.InstallTest;

/// <summary>
/// The system packages are installed in, seen from cijobs: where its <c>/</c> is on this machine, and how a command runs
/// inside it. The install-test steps (<see cref="InstallTestRunner"/>) are the same for every target; only this differs
/// (docs/manual/install-test.md, "Targets").
/// </summary>
public interface ITestSystem : IAsyncDisposable
{
    /// <summary>This machine's path of the system's <c>/</c>: a temporary folder for a root, <c>/</c> on a node.</summary>
    string Root { get; }

    /// <summary>Whether the system is this machine itself (node target): nothing is copied in, dnf runs without --installroot.</summary>
    bool IsHost { get; }

    /// <summary>Runs <paramref name="program"/> inside the system (chroot for a root), with a clean, fixed environment plus <paramref name="environment"/>.</summary>
    Task<ProcessResult> RunAsync(string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>Makes a fresh system for each test (a root) or hands out the same one (a node).</summary>
public interface ITestSystemFactory
{
    Task<ITestSystem> CreateAsync(CancellationToken cancellationToken);
}

/// <summary>Shared parts of running a command in a system.</summary>
public static class TestSystemCommands
{
    /// <summary>PATH inside the system, whatever this process has.</summary>
    public const string SystemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>The environment every command in the system gets: a standard PATH, C locale, no prompts.</summary>
    public static IReadOnlyDictionary<string, string?> Environment(IReadOnlyDictionary<string, string?> extra)
    {
        var all = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["PATH"] = SystemPath,
            ["LC_ALL"] = "C",
            ["LANG"] = null,
            ["LANGUAGE"] = null,
            ["DEBIAN_FRONTEND"] = "noninteractive",
            ["DEBCONF_NONINTERACTIVE_SEEN"] = "true",
        };
        foreach (var (key, value) in extra)
        {
            all[key] = value;
        }

        return all;
    }

    /// <summary>The path on this machine of <paramref name="pathInSystem"/> (an absolute path inside the system).</summary>
    public static string HostPath(this ITestSystem system, string pathInSystem) =>
        system.Root == "/" ? pathInSystem : Path.Join(system.Root, pathInSystem);
}

/// <summary>Node target: the machine itself, commands run as they are.</summary>
public sealed class NodeTestSystem(IProcessRunner runner) : ITestSystem, ITestSystemFactory
{
    public string Root => "/";

    public bool IsHost => true;

    public Task<ProcessResult> RunAsync(string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, CancellationToken cancellationToken) =>
        runner.RunAsync(new ProcessSpec(program, arguments) { Environment = TestSystemCommands.Environment(environment), Timeout = timeout, StandardInput = string.Empty }, cancellationToken);

    public Task<ITestSystem> CreateAsync(CancellationToken cancellationToken) => Task.FromResult<ITestSystem>(this);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
