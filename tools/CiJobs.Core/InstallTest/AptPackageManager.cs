using System.Text.RegularExpressions;
using CiJobs.Core.Platform;

namespace CiJobs.Core.InstallTest;

/// <summary>DEB: apt-get and dpkg-query, run inside the system (docs/manual/install-test.md, "DEB").</summary>
public sealed partial class AptPackageManager(string repoUrl, string? codename, string component) : IPackageManager
{
    public const string SourcesFile = "/etc/apt/sources.list.d/cijobs-install-test.list";
    public const string PolicyRcD = "/usr/sbin/policy-rc.d";

    private static readonly TimeSpan Long = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan Short = TimeSpan.FromMinutes(2);
    private static readonly Dictionary<string, string?> NoVariables = [];

    /// <summary>The sources.list line of the test repository: a <c>dists/</c> repository, or a flat one without a codename.</summary>
    public string SourceLine => codename is null
        ? $"deb [trusted=yes] {repoUrl} ./"
        : $"deb [trusted=yes] {repoUrl} {codename} {component}";

    public IReadOnlyList<string> AllowedLeftovers { get; } =
        ["/var/log", "/var/cache/apt", "/var/cache/debconf", "/var/cache/ldconfig", "/var/lib/apt", "/var/lib/dpkg", "/etc/ld.so.cache"];

    public IReadOnlyList<string> DeniedLeftovers { get; } = ["/var/lib/dpkg/info"];

    public async Task<ProcessResult?> PrepareAsync(ITestSystem system, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        var sources = system.HostPath(SourcesFile);
        Directory.CreateDirectory(Path.GetDirectoryName(sources)!);
        await File.WriteAllTextAsync(sources, SourceLine + "\n", cancellationToken);
        // Only the test repository is read: the root keeps the mirror's index from when it was made, a node its own.
        var update = await system.RunAsync(
            "apt-get",
            ["update", "-o", "Dir::Etc::sourcelist=" + SourcesFile, "-o", "Dir::Etc::sourceparts=-", "-o", "APT::Get::List-Cleanup=0"],
            NoVariables,
            Long,
            cancellationToken);
        return update.Succeeded ? null : update;
    }

    public Task<ProcessResult> InstallAsync(ITestSystem system, IReadOnlyList<string> packages, CancellationToken cancellationToken) =>
        system.RunAsync(
            "apt-get",
            ["install", "-y", "--no-install-recommends", "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold", "--", .. packages],
            NoVariables,
            Long,
            cancellationToken);

    public async Task<IReadOnlyList<string>> OwnedFilesAsync(ITestSystem system, string package, CancellationToken cancellationToken)
    {
        var result = await system.RunAsync("dpkg-query", ["-L", "--", package], NoVariables, Short, cancellationToken);
        return result.StandardOutput.Split('\n').Where(l => l.StartsWith('/') && l != "/.").ToList();
    }

    public Task<ProcessResult> RemoveAsync(ITestSystem system, IReadOnlyList<string> packages, CancellationToken cancellationToken) =>
        system.RunAsync("apt-get", ["purge", "-y", "--autoremove", "--", .. packages], NoVariables, Long, cancellationToken);

    public async Task<IReadOnlySet<string>> DatabaseAsync(ITestSystem system, CancellationToken cancellationToken)
    {
        var result = await system.RunAsync("dpkg-query", ["-W", "-f=${db:Status-Status} ${binary:Package}\n"], NoVariables, Short, cancellationToken);
        return result.StandardOutput.Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith("not-installed ", StringComparison.Ordinal))
            .Select(l => l.Split(' ', 2) is [var status, var name] ? $"{name} ({status})" : l)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Removes the sources file; the test repository's lists stay in /var/lib/apt/lists, where apt ignores lists no source names.</summary>
    public Task CleanUpAsync(ITestSystem system, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        File.Delete(system.HostPath(SourcesFile));
        return Task.CompletedTask;
    }

    [GeneratedRegex(@"((?:pre|post)-(?:installation|removal) script subprocess returned error exit status \d+)")]
    private static partial Regex ScriptFailure();

    public string Explain(ProcessResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var lines = OutputTail.Lines(result).ToList();
        var script = lines.Select(l => ScriptFailure().Match(l)).LastOrDefault(m => m.Success);
        if (script is not null)
        {
            return script.Groups[1].Value;
        }

        var error = lines.FirstOrDefault(l => l.StartsWith("E: ", StringComparison.Ordinal));
        return error is not null ? OutputTail.Cut(error[3..]) : $"apt-get exited {result.ExitCode}";
    }

    public string? HiddenFailure(ProcessResult result) => null;
}
