using System.Diagnostics;
using System.Globalization;
using CiJobs.Fakes;
using CiJobs.Fakes.Dlrn;

// Publish benchmark (run on demand through bench/publish/run.sh; never part of the tests).
// Usage: CiJobs.Bench.Publish CIJOBS OUTPUT_DIR RESULT_DIR [RUNS]   (CIJOBS: cijobs.dll or a published cijobs executable)
//   OUTPUT_DIR is a `cijobs build --output` folder, RESULT_DIR the build's repos/<h>/<h>/<hash>_<d8> inside it.
// Each run: a fresh fake DLRN server (so the commit is new), then the whole `cijobs publish dlrn` process.
// Client overhead = process wall time - the server's time inside the import handler (downloads; the
// fake runs no createrepo). A second publish of the same build (already present: no import) is timed too.
// CiJobs.Bench.Publish --serve OUTPUT_DIR: start the fake DLRN server and a file server, print their URLs, wait (manual runs).
if (args is ["--serve", var served])
{
    await using var manualFiles = new FakeFileServer(served);
    await manualFiles.StartAsync();
    await using var manualDlrn = new FakeDlrnServer(Path.Combine(Path.GetTempPath(), $"cijobs-bench-dlrn-{Guid.NewGuid():N}"));
    manualDlrn.AddUser("bench", "bench-password");
    await manualDlrn.StartAsync();
    Console.WriteLine($"files {manualFiles.BaseUrl}/ dlrn {manualDlrn.BaseUrl} (user bench, password bench-password)");
    await Task.Delay(Timeout.Infinite);
}

if (args.Length is < 3 or > 4)
{
    Console.Error.WriteLine("usage: CiJobs.Bench.Publish CIJOBS_DLL OUTPUT_DIR RESULT_DIR [RUNS]");
    return 1;
}

var cijobs = Path.GetFullPath(args[0]);
var output = Path.GetFullPath(args[1]);
var resultDir = args[2].Trim('/');
var runs = args.Length == 4 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 15;
const string user = "bench";
const string password = "bench-password";

await using var files = new FakeFileServer(output);
await files.StartAsync();
var repoUrl = $"{files.BaseUrl}/{resultDir}/";

var totals = new List<double>();
var server = new List<double>();
var overhead = new List<double>();
var present = new List<double>();
var cpu = new List<double>();
var cpuPresent = new List<double>();
var lastCpu = 0.0;
for (var run = -2; run < runs; run++)
{
    var data = Path.Combine(Path.GetTempPath(), $"cijobs-bench-publish-{Guid.NewGuid():N}");
    try
    {
        await using var dlrn = new FakeDlrnServer(data);
        dlrn.AddUser(user, password);
        await dlrn.StartAsync();
        var clock = Stopwatch.StartNew();
        var exit = await PublishAsync(dlrn.BaseUrl);
        var total = clock.Elapsed.TotalMilliseconds;
        var totalCpu = lastCpu;
        clock.Restart();
        var exitAgain = await PublishAsync(dlrn.BaseUrl);
        var again = clock.Elapsed.TotalMilliseconds;
        if (exit != 0 || exitAgain != 0 || dlrn.Imports.Count != 1)
        {
            Console.Error.WriteLine($"publish failed: exit {exit}, then {exitAgain}, {dlrn.Imports.Count} imports");
            return 1;
        }

        if (run < 0)
        {
            continue; // warm-up: disk cache, JIT of the fake server
        }

        var inServer = dlrn.Imports[0].ServerDuration.TotalMilliseconds;
        totals.Add(total);
        server.Add(inServer);
        overhead.Add(total - inServer);
        present.Add(again);
        cpu.Add(totalCpu);
        cpuPresent.Add(lastCpu);
    }
    finally
    {
        Directory.Delete(data, recursive: true);
    }
}

Console.WriteLine($"runs: {runs}");
Console.WriteLine($"publish (imported), whole process: median {Median(totals):F0} ms (min {totals.Min():F0}, max {totals.Max():F0})");
Console.WriteLine($"  server time inside the import (downloads): median {Median(server):F0} ms");
Console.WriteLine($"  client overhead (process start + requests + verification): median {Median(overhead):F0} ms (min {overhead.Min():F0}, max {overhead.Max():F0})");
Console.WriteLine($"  client CPU time (user + system) of the publish process: median {Median(cpu):F0} ms (min {cpu.Min():F0}, max {cpu.Max():F0})");
Console.WriteLine($"publish again (already present, no import): median {Median(present):F0} ms wall, {Median(cpuPresent):F0} ms CPU");
return 0;

async Task<int> PublishAsync(string apiUrl)
{
    // /usr/bin/time records the process's CPU time: on a shared, loaded machine wall time mostly measures the queue.
    var cpuFile = Path.GetTempFileName();
    var info = new ProcessStartInfo("/usr/bin/time") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    // CIJOBS is cijobs.dll (run with dotnet) or a published cijobs executable.
    string[] program = cijobs.EndsWith(".dll", StringComparison.Ordinal) ? ["dotnet", cijobs] : [cijobs];
    foreach (var argument in (string[])["-f", "%U %S", "-o", cpuFile, .. program, "publish", "dlrn", "--api-url", apiUrl, "--repo-url", repoUrl, "--format", "json"])
    {
        info.ArgumentList.Add(argument);
    }

    info.Environment["DLRN_API_USER"] = user;
    info.Environment["DLRN_API_PASSWORD"] = password;
    using var process = Process.Start(info)!;
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        Console.Error.WriteLine(await stdout + await stderr);
    }

    var times = (await File.ReadAllTextAsync(cpuFile)).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    File.Delete(cpuFile);
    lastCpu = (double.Parse(times[0], CultureInfo.InvariantCulture) + double.Parse(times[1], CultureInfo.InvariantCulture)) * 1000;
    return process.ExitCode;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
