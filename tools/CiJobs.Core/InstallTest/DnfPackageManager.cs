using System.Text.RegularExpressions;
using CiJobs.Core.Platform;

namespace CiJobs.Core.InstallTest;

/// <summary>
/// RPM: dnf and rpm, run on this machine against the system's root (<c>--installroot</c>, <c>--root</c>); on a node,
/// against <c>/</c> with a .repo file (docs/manual/install-test.md, "RPM").
/// </summary>
public sealed partial class DnfPackageManager(IProcessRunner runner, string repoUrl, string releaseVer) : IPackageManager
{
    public const string RepoId = "cijobs-install-test";
    public const string RepoFile = "/etc/yum.repos.d/cijobs-install-test.repo";

    private static readonly TimeSpan Long = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan Short = TimeSpan.FromMinutes(2);

    public IReadOnlyList<string> AllowedLeftovers { get; } =
        ["/var/log", "/var/cache/dnf", "/var/lib/dnf", "/etc/dnf", "/var/lib/rpm", "/usr/lib/sysimage/rpm", "/usr/lib/sysimage/dnf", "/root/.rpmdb", "/etc/ld.so.cache"];

    public IReadOnlyList<string> DeniedLeftovers { get; } = [];

    /// <summary>The dnf options that choose the system and the repository: in a root only the test repository is known.</summary>
    public IReadOnlyList<string> DnfOptions(ITestSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.IsHost
            ? ["-y", "--nogpgcheck", "--setopt=install_weak_deps=False"]
            :
            [
                "-y", "--nogpgcheck", "--setopt=install_weak_deps=False", "--installroot=" + system.Root, "--setopt=reposdir=/dev/null",
                "--repofrompath=" + RepoId + "," + repoUrl, "--repo=" + RepoId, "--releasever=" + releaseVer,
            ];
    }

    private IReadOnlyList<string> RpmOptions(ITestSystem system) => system.IsHost ? [] : ["--root", system.Root];

    private Task<ProcessResult> RunAsync(string program, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken) =>
        runner.RunAsync(
            new ProcessSpec(program, arguments) { Environment = TestSystemCommands.Environment(new Dictionary<string, string?>()), Timeout = timeout, StandardInput = string.Empty },
            cancellationToken);

    public async Task<ProcessResult?> PrepareAsync(ITestSystem system, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (system.IsHost)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(RepoFile)!);
            await File.WriteAllTextAsync(RepoFile, $"[{RepoId}]\nname=cijobs install-test repository\nbaseurl={repoUrl}\nenabled=1\ngpgcheck=0\n", cancellationToken);
        }

        var result = await RunAsync("dnf", [.. DnfOptions(system), "makecache", "--refresh"], Long, cancellationToken);
        return result.Succeeded ? null : result;
    }

    public Task<ProcessResult> InstallAsync(ITestSystem system, IReadOnlyList<string> packages, CancellationToken cancellationToken) =>
        RunAsync("dnf", [.. DnfOptions(system), "install", "--", .. packages], Long, cancellationToken);

    public async Task<IReadOnlyList<string>> OwnedFilesAsync(ITestSystem system, string package, CancellationToken cancellationToken)
    {
        var result = await RunAsync("rpm", [.. RpmOptions(system), "-ql", "--", package], Short, cancellationToken);
        return result.StandardOutput.Split('\n').Where(l => l.StartsWith('/')).ToList();
    }

    public Task<ProcessResult> RemoveAsync(ITestSystem system, IReadOnlyList<string> packages, CancellationToken cancellationToken) =>
        RunAsync("dnf", [.. DnfOptions(system), "--setopt=clean_requirements_on_remove=True", "remove", "--", .. packages], Long, cancellationToken);

    public async Task<IReadOnlySet<string>> DatabaseAsync(ITestSystem system, CancellationToken cancellationToken)
    {
        var result = await RunAsync("rpm", [.. RpmOptions(system), "-qa", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n"], Short, cancellationToken);
        return result.StandardOutput.Split('\n').Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal);
    }

    public Task CleanUpAsync(ITestSystem system, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (system.IsHost)
        {
            File.Delete(RepoFile);
        }

        return Task.CompletedTask;
    }

    [GeneratedRegex(@"(?:warning|error): (%\w+)\([^)]*\) scriptlet failed, exit status (\d+)")]
    private static partial Regex ScriptletFailure();

    [GeneratedRegex(@"^(?:Error: |No match for argument: )(.+)$")]
    private static partial Regex DnfError();

    public string Explain(ProcessResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var hidden = HiddenFailure(result);
        if (hidden is not null)
        {
            return hidden;
        }

        var lines = OutputTail.Lines(result).ToList();
        var problem = lines.FirstOrDefault(l => l.TrimStart().StartsWith("- nothing provides", StringComparison.Ordinal));
        if (problem is not null)
        {
            return OutputTail.Cut(problem.TrimStart()[2..]);
        }

        var error = lines.Select(l => DnfError().Match(l)).FirstOrDefault(m => m.Success);
        return error is not null ? OutputTail.Cut(error.Value) : $"dnf exited {result.ExitCode}";
    }

    /// <summary>rpm reports a failed %post or %postun but still counts the transaction done, and dnf exits 0.</summary>
    public string? HiddenFailure(ProcessResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var match = OutputTail.Lines(result).Select(l => ScriptletFailure().Match(l)).FirstOrDefault(m => m.Success);
        return match is null ? null : $"{match.Groups[1].Value} scriptlet failed, exit status {match.Groups[2].Value}";
    }
}
