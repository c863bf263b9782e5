using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CiJobs.Core.Rdoinfo;
using CiJobs.Fakes.Dlrn;

// Audit benchmark (run on demand through bench/audit/run.sh; never part of the tests).
// Usage: CiJobs.Bench.Audit CIJOBS RDOINFO_DIR [RELEASE] [RUNS]   (CIJOBS: cijobs.dll or a cijobs executable)
// A fake DLRN holding the whole release (one SUCCESS row per package at its heads), with drift injected into 6% of
// the packages (2% never built, 2% failed last, 2% heads unbuilt for three days); heads from a file. Each run is the
// whole `cijobs audit` process; the findings must be exactly the injected ones.
if (args.Length is < 2 or > 4)
{
    Console.Error.WriteLine("usage: CiJobs.Bench.Audit CIJOBS RDOINFO_DIR [RELEASE] [RUNS]");
    return 1;
}

var cijobs = Path.GetFullPath(args[0]);
var rdoinfo = Path.GetFullPath(args[1]);
var database = await RdoinfoLoader.LoadAsync(rdoinfo);
var release = args.Length >= 3 ? args[2] : database.Releases.OrderByDescending(r => database.ExpandAll(r.Name).Count).First().Name;
var runs = args.Length == 4 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;
var packages = database.ExpandAll(release).Where(p => p.Upstream is { Length: > 0 } && p.MasterDistgit is { Length: > 0 }).Select(p => p.Name).ToList();

var random = new Random(16);
string Hash() => Convert.ToHexStringLower(random.GetItems<byte>([.. Enumerable.Range(0, 256).Select(i => (byte)i)], 20));
var now = DateTimeOffset.UtcNow;
var work = Path.Combine(Path.GetTempPath(), $"cijobs-bench-audit-{Guid.NewGuid():N}");
Directory.CreateDirectory(work);
try
{
    await using var dlrn = new FakeDlrnServer(Path.Combine(work, "dlrn"));
    await dlrn.StartAsync();
    var heads = new Dictionary<string, object>();
    var expected = new List<string>();
    for (var i = 0; i < packages.Count; i++)
    {
        var (source, distgit) = (Hash(), Hash());
        heads[packages[i]] = new Dictionary<string, string> { ["source"] = source, ["distgit"] = distgit };
        var kind = i % 50;
        if (kind == 0)
        {
            expected.Add("never_built " + packages[i]);
            continue;
        }

        var (commit, status, built) = kind switch
        {
            1 => (source, "FAILED", now.AddHours(-5)),
            2 => (Hash(), "SUCCESS", now.AddDays(-3)),
            _ => (source, "SUCCESS", now.AddHours(-2)),
        };
        if (kind == 1)
        {
            expected.Add("failed_never_fixed " + packages[i]);
        }
        else if (kind == 2)
        {
            expected.Add("stale " + packages[i]);
        }

        for (var older = 3; older > 0; older--)
        {
            Add(packages[i], Hash(), distgit, "SUCCESS", built.AddDays(-older * 10));
        }

        Add(packages[i], commit, distgit, status, built);
    }

    var headsFile = Path.Combine(work, "heads.json");
    await File.WriteAllTextAsync(headsFile, JsonSerializer.Serialize(new Dictionary<string, object> { ["packages"] = heads }));
    Console.WriteLine($"release {release}: {packages.Count} packages, {dlrn.Commits.Count} DLRN rows, {expected.Count} injected findings");

    var times = new List<double>();
    for (var run = -1; run < runs; run++)
    {
        var clock = Stopwatch.StartNew();
        var info = new ProcessStartInfo(cijobs.EndsWith(".dll", StringComparison.Ordinal) ? "dotnet" : cijobs) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (cijobs.EndsWith(".dll", StringComparison.Ordinal))
        {
            info.ArgumentList.Add(cijobs);
        }

        foreach (var a in new[] { "audit", "--release", release, "--rdoinfo", rdoinfo, "--api-url", dlrn.BaseUrl, "--heads", headsFile, "--format", "json" })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 2)
        {
            Console.Error.WriteLine($"cijobs audit exited {process.ExitCode}: {await stderr}");
            return 1;
        }

        using var report = JsonDocument.Parse(await stdout);
        var found = report.RootElement.GetProperty("findings").EnumerateArray().Select(f => $"{f.GetProperty("class").GetString()} {f.GetProperty("package").GetString()}").Order(StringComparer.Ordinal).ToList();
        if (!found.SequenceEqual(expected.Order(StringComparer.Ordinal)))
        {
            Console.Error.WriteLine($"the audit found {found.Count} findings, {expected.Count} were injected");
            return 1;
        }

        if (run >= 0)
        {
            times.Add(seconds);
        }
    }

    times.Sort();
    Console.WriteLine($"cijobs audit, {runs} runs after a warm-up: median {times[times.Count / 2]:F2} s, min {times[0]:F2} s, max {times[^1]:F2} s (target: under 10 s)");
    return 0;

    void Add(string package, string commit, string distro, string status, DateTimeOffset built) => dlrn.AddBuild(package, commit, distro, status, built.ToUnixTimeSeconds());
}
finally
{
    Directory.Delete(work, recursive: true);
}
