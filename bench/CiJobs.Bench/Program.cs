using System.Diagnostics;
using CiJobs.Bench;
using CiJobs.Core.Rdoinfo;

// Benchmark helpers run on demand (see bench/README.md); never part of the tests.
// Usage: CiJobs.Bench rdoinfo-parse DIR   parses every YAML file the entry file reaches, nothing more.
//        CiJobs.Bench rdoinfo-parse-full DIR  the same with YamlDotNet only (the reader used for errors and rare YAML).
//        CiJobs.Bench rdoinfo-phases DIR  times parse / load / a second load / expand-all inside one process, and GC.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: CiJobs.Bench rdoinfo-parse|rdoinfo-parse-full|rdoinfo-phases RDOINFO_DIR");
    return 1;
}

var dir = args[1];
switch (args[0])
{
    case "rdoinfo-parse":
        Console.WriteLine($"parsed {RdoinfoBench.ParseOnly(dir)} files");
        return 0;
    case "rdoinfo-parse-full":
        Console.WriteLine($"parsed {RdoinfoBench.ParseOnly(dir, fullParser: true)} files with YamlDotNet");
        return 0;
    case "rdoinfo-phases":
        var clock = Stopwatch.StartNew();
        RdoinfoBench.ParseOnly(dir);
        var parse = clock.Elapsed;
        clock.Restart();
        var database = await RdoinfoLoader.LoadAsync(dir);
        var load = clock.Elapsed;
        clock.Restart();
        await RdoinfoLoader.LoadAsync(dir);
        var warmLoad = clock.Elapsed;
        clock.Restart();
        var packages = database.ExpandAll();
        var expand = clock.Elapsed;
        Console.WriteLine($"parse {parse.TotalMilliseconds:F0} ms, load {load.TotalMilliseconds:F0} ms, load again (warm) {warmLoad.TotalMilliseconds:F0} ms, expand {packages.Count} packages {expand.TotalMilliseconds:F0} ms");
        Console.WriteLine($"over the process: GC pauses {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms, collections gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, allocated {GC.GetTotalAllocatedBytes() / 1048576} MB");
        return 0;
    default:
        Console.Error.WriteLine($"unknown benchmark '{args[0]}'");
        return 1;
}
