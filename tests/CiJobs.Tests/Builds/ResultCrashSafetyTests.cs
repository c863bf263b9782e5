using System.Diagnostics;
using CiJobs.Core.Builds;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Platform;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Builds;

/// <summary>
/// Crash safety of the result repository (issue 13 §12-14, docs/contracts/dlrn-build.md "Crash safety of the result
/// folder"): a rebuild swaps folders in one step, other results keep their own links, dead builds' folders are cleaned,
/// and builds killed with SIGKILL at random points leave every result valid.
/// </summary>
[Trait("Runs", "cijobs")]
public sealed class ResultCrashSafetyTests(ExampleReposFixture example, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<ExampleReposFixture>, IDisposable
{
    private readonly TempDir temp = new("crash");

    public void Dispose() => temp.Dispose();

    private string Data => temp.Combine("data");

    private string Tmp => temp.Combine("tmp");

    private Task<CliResult> BuildAsync(string package) =>
        CliRunner.RunAsync(
            ["build", "--rdoinfo", example.Rdoinfo, "--package", package, "--release", "tiny", "--output", Data, "--format", "json"],
            environment: new Dictionary<string, string?> { ["TMPDIR"] = Tmp });

    /// <summary>Every problem of the data directory: links, repos/current, and the metadata of every successful result.</summary>
    private IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        var repos = Path.Combine(Data, "repos");
        foreach (var entry in Directory.EnumerateFileSystemEntries(repos, "*", SearchOption.AllDirectories))
        {
            var info = new FileInfo(entry);
            if (info.LinkTarget is not null && !File.Exists(entry) && !Directory.Exists(entry))
            {
                problems.Add($"{entry}: dangling link to {info.LinkTarget}");
            }
        }

        var current = Path.Combine(repos, "current");
        if (!File.Exists(Path.Combine(current, "commit.yaml")))
        {
            problems.Add("repos/current does not lead to a result");
        }

        foreach (var result in Directory.EnumerateDirectories(repos, "*_*", SearchOption.AllDirectories).Where(d => !Path.GetFileName(d).StartsWith('.')))
        {
            var commit = Path.Combine(result, "commit.yaml");
            if (!File.Exists(commit))
            {
                problems.Add($"{result}: no commit.yaml");
            }
            else if (File.ReadAllText(commit).Contains("status: \"SUCCESS\"", StringComparison.Ordinal))
            {
                problems.AddRange(RepositoryMetadataCheck.Problems(result));
            }
        }

        return problems;
    }

    private IEnumerable<string> Leftovers() =>
        Directory.EnumerateFileSystemEntries(Path.Combine(Data, "repos"), ".*", SearchOption.AllDirectories)
            .Concat(Directory.Exists(Tmp) ? Directory.EnumerateFileSystemEntries(Tmp, "cijobs-build-*") : []);

    [Fact]
    public async Task Rebuilding_a_package_keeps_the_other_packages_results_valid_and_readers_never_see_a_gap()
    {
        Directory.CreateDirectory(Tmp);
        (await BuildAsync("example-greetlib")).ExitCode.Should().Be(0);
        var app = await BuildAsync("example-greeter");
        app.ExitCode.Should().Be(0, app.ToString());
        var lib = Directory.GetDirectories(Path.Combine(Data, "repos"), "*_*", SearchOption.AllDirectories)
            .Single(d => File.ReadAllText(Path.Combine(d, "commit.yaml")).Contains("example-greetlib", StringComparison.Ordinal) && !Path.GetFileName(d).StartsWith('.'));

        var gaps = 0;
        var reads = 0;
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                reads++;
                if (!File.Exists(Path.Combine(lib, "commit.yaml")) || !File.Exists(Path.Combine(Data, "repos", "current", "commit.yaml")))
                {
                    gaps++;
                }
            }
        });
        for (var i = 0; i < 3; i++)
        {
            var rebuilt = await BuildAsync("example-greetlib");
            rebuilt.ExitCode.Should().Be(0, rebuilt.ToString());
        }

        await stop.CancelAsync();
        await reader;

        gaps.Should().Be(0, $"a reader checked {reads} times while the result was rebuilt three times");
        Problems().Should().BeEmpty();
        Leftovers().Should().BeEmpty();
        var greeterFolder = Directory.GetDirectories(Path.Combine(Data, "repos"), "*_*", SearchOption.AllDirectories)
            .Single(d => File.ReadAllText(Path.Combine(d, "commit.yaml")).Contains("example-greeter\"", StringComparison.Ordinal));
        Directory.GetFiles(greeterFolder, "example-greetlib-*.rpm").Should().HaveCount(2)
            .And.OnlyContain(f => new FileInfo(f).LinkTarget == null, "another package's RPMs are hard links, not symlinks");
    }

    [Fact]
    public async Task A_build_killed_during_its_writability_probe_leaves_nothing_the_next_build_keeps()
    {
        Directory.CreateDirectory(Tmp);
        (await BuildAsync("example-greetlib")).ExitCode.Should().Be(0);
        var repos = Path.Combine(Data, "repos");
        // What a kill -9 between the probe's creation and its deletion leaves: the plain file of earlier versions, and
        // today's owned probe folder with its lock file, whose owner is gone.
        File.WriteAllText(Path.Combine(repos, ".write-test-0123456789abcdef0123456789abcdef"), "");
        var probe = Path.Combine(repos, ".write-probe-0123456789abcdef0123456789abcdef");
        Directory.CreateDirectory(probe);
        File.WriteAllText(probe + OwnedDirectory.OwnerSuffix, "");
        File.WriteAllText(Path.Combine(repos, ".write-test-notes"), "kept: not a probe's name");

        var next = await BuildAsync("example-greeter");

        next.ExitCode.Should().Be(0, next.ToString());
        Leftovers().Select(Path.GetFileName).Should().BeEquivalentTo(".write-test-notes");
    }

    [Fact]
    public void Clean_up_deletes_the_folders_of_dead_owners_only()
    {
        var parent = temp.Combine("owned");
        Directory.CreateDirectory(parent);
        const string NoLock = "cijobs-build-00000000000000000000000000000001";
        const string Dead = "cijobs-build-00000000000000000000000000000002";
        const string Gone = "cijobs-build-00000000000000000000000000000003";
        using var live = OwnedDirectory.Create(parent, "cijobs-build-");
        Directory.CreateDirectory(Path.Combine(parent, NoLock));
        Directory.CreateDirectory(Path.Combine(parent, Dead));
        File.WriteAllText(Path.Combine(parent, Dead + ".owner"), "");
        File.WriteAllText(Path.Combine(parent, Gone + ".owner"), "");
        Directory.CreateDirectory(Path.Combine(parent, "cijobs-build-service-0123")); // a name of another shape: never touched
        Directory.CreateDirectory(Path.Combine(parent, "other"));

        var removed = OwnedDirectory.CleanStale(parent, "cijobs-build-");

        removed.Select(Path.GetFileName).Should().BeEquivalentTo(NoLock, Dead);
        Directory.EnumerateFileSystemEntries(parent).Select(Path.GetFileName).Should()
            .BeEquivalentTo(Path.GetFileName(live.Path), Path.GetFileName(live.Path) + ".owner", "cijobs-build-service-0123", "other");
    }

    [Fact]
    public async Task A_folder_replaced_by_Exchange_is_never_missing()
    {
        var final = temp.Combine("swap", "final");
        Directory.CreateDirectory(final);
        File.WriteAllText(Path.Combine(final, "v"), "0");
        var missing = 0;
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                missing += File.Exists(Path.Combine(final, "v")) ? 0 : 1;
            }
        });
        for (var i = 1; i <= 200; i++)
        {
            var next = temp.Combine("swap", $".final.tmp-{i}");
            Directory.CreateDirectory(next);
            File.WriteAllText(Path.Combine(next, "v"), $"{i}");
            AtomicFileSystem.Exchange(next, final).Should().BeTrue("this file system swaps in one step");
            File.ReadAllText(Path.Combine(next, "v")).Should().Be($"{i - 1}", "the old folder is left at the staging path");
            Directory.Delete(next, recursive: true);
        }

        await stop.CancelAsync();
        await reader;
        missing.Should().Be(0);
        File.ReadAllText(Path.Combine(final, "v")).Should().Be("200");
    }

    /// <summary>
    /// 100 builds and rebuilds of both example packages, each killed with SIGKILL (the whole process tree) after a random
    /// delay up to 1.5 times a build's duration (measured first, on this machine), or left to finish; then one build that finishes. Afterwards every link resolves,
    /// repos/current leads to a result, every successful result's repodata matches its files, and nothing is left behind.
    /// </summary>
    [Fact]
    public async Task Builds_killed_at_random_points_leave_every_result_valid()
    {
        Directory.CreateDirectory(Tmp);
        var random = new Random(1305);
        // A build's duration: the slower of one build of each package (greeter's is the longer; one alone let only
        // 3 of 100 builds finish on a loaded CI machine).
        var duration = 0;
        foreach (var package in new[] { "example-greetlib", "example-greeter" })
        {
            var timing = Stopwatch.StartNew();
            (await BuildAsync(package)).ExitCode.Should().Be(0);
            duration = Math.Max(duration, (int)timing.ElapsedMilliseconds);
        }

        var killed = 0;
        var finished = 0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 100; i++)
        {
            var package = random.Next(2) == 0 ? "example-greetlib" : "example-greeter";
            var start = new ProcessStartInfo(CliRunner.Program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                Environment = { ["TMPDIR"] = Tmp },
            };
            foreach (var argument in CliRunner.ProgramArguments.Concat(["build", "--rdoinfo", example.Rdoinfo, "--package", package, "--release", "tiny", "--output", Data]))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            var delay = random.Next(0, duration * 3 / 2); // anywhere in a build, and some finish
            await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(delay));
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                killed++;
            }
            else
            {
                finished++;
            }

            await process.WaitForExitAsync();
            await Task.WhenAll(output, error);
        }

        var last = await BuildAsync("example-greeter");
        var elapsed = watch.Elapsed;
        log.WriteLine($"one build {duration} ms; {killed} builds killed, {finished} finished, {elapsed.TotalSeconds:F1} s; {Directory.GetDirectories(Path.Combine(Data, "repos"), "*_*", SearchOption.AllDirectories).Length} result folders");

        last.ExitCode.Should().Be(0, last.ToString());
        killed.Should().BeGreaterThan(30, "most builds are killed somewhere");
        finished.Should().BeGreaterThan(3, "some builds finish, so that later ones replace their results");
        Problems().Should().BeEmpty($"{killed} builds were killed and {finished} finished, in {elapsed.TotalSeconds:F0} s");
        Leftovers().Should().BeEmpty("the last build cleans what killed builds left");
        var history = DlrnResultWriter.ReadHistory(Path.Combine(Data, "repos"));
        history.Should().OnlyContain(c => c.Status == DlrnCommit.Success || c.Status == DlrnCommit.Failed);
    }
}
