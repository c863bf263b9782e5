using System.Globalization;
using CiJobs.Core.Platform;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Mirror;

/// <summary>
/// The peak memory of the Native AOT <c>cijobs mirror sync</c> barely grows with the repository: one package changed in
/// 1,000 and in 20,000 (bench/mirror/gen-repo.py, files of 1 KiB). Without the 4 MB first-generation budget of the GC
/// embedded in it (tools/CiJobs.Cli/CiJobs.Cli.csproj), a machine with a large processor cache peaks about 40 MB higher
/// at 20,000 (docs/manual/mirror.md, "Memory"). The JIT build reads that budget only from the environment, so this runs
/// in the native pass.
/// </summary>
[Trait("Runs", "cijobs")]
public sealed class MirrorMemoryTests : IDisposable
{
    /// <summary>Most the peak may grow from 1,000 to 20,000 packages: the package list itself, about 10 MB, and room.</summary>
    private const long MaxGrowthKiB = 24 * 1024;

    private readonly TempDir temp = new("mirror-memory");

    public void Dispose() => temp.Dispose();

    [NativeFact]
    public async Task The_peak_memory_of_a_sync_grows_little_from_1000_to_20000_packages()
    {
        var small = await PeakKiBAsync(1000);
        var large = await PeakKiBAsync(20000);

        (large - small).Should().BeLessThan(MaxGrowthKiB, $"the peak RSS was {small} KiB at 1,000 packages and {large} KiB at 20,000");
    }

    /// <summary>The peak RSS of the sync of one changed package, after a first sync of <paramref name="count"/> packages.</summary>
    private async Task<long> PeakKiBAsync(int count)
    {
        var source = temp.Combine($"src-{count}");
        var dest = temp.Combine($"pub-{count}", "repo");
        await RunAsync("python3", [Generator, source, count.ToString(CultureInfo.InvariantCulture), "1", "1"]);
        await RunAsync(CliRunner.Program, [.. CliRunner.ProgramArguments, "mirror", "sync", source, dest]);
        await RunAsync("python3", [Generator, source, count.ToString(CultureInfo.InvariantCulture), "1", "1", "1"]);

        // A fresh python3 whose only child is the sync: RUSAGE_CHILDREN's ru_maxrss (KiB) is the sync's peak.
        var output = await RunAsync("python3", ["-c", PeakScript, CliRunner.Program, .. CliRunner.ProgramArguments, "mirror", "sync", source, dest]);
        return long.Parse(output.Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
    }

    private static string Generator => Path.Combine(RepoPaths.Root, "bench", "mirror", "gen-repo.py");

    private const string PeakScript =
        "import resource, subprocess, sys\n" +
        "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n" +
        "sys.exit(f'the sync exited with {code}') if code else print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n";

    private static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var result = await new CliWrapProcessRunner().RunAsync(new ProcessSpec(program, arguments) { Timeout = TimeSpan.FromMinutes(5) }, CancellationToken.None);
        result.ExitCode.Should().Be(0, $"{program} {string.Join(' ', arguments)} failed: {result.StandardError}");
        return result.StandardOutput;
    }
}
