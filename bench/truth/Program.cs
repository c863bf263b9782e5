using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CiJobs.Core.Provenance;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.Truth;

// Truth store benchmark (run on demand through bench/truth/run.sh; never part of the tests).
// Usage: CiJobs.Bench.Truth CIJOBS RDOINFO_DIR [BUILDS] [RUNS]   (CIJOBS: cijobs.dll or a cijobs executable)
// 1,000 packages (the largest rdoinfo release's, then made-up ones) built BUILDS / 1,000 times each, an hour apart,
// 10 files per build; each build but a round's first reads the first file of the build before it (a chain of layers).
// Ingested through the store's API in batches of 1,000 manifests (each one read and checked as `truth ingest` does).
if (args.Length is < 2 or > 4)
{
    Console.Error.WriteLine("usage: CiJobs.Bench.Truth CIJOBS RDOINFO_DIR [BUILDS] [RUNS]");
    return 1;
}

var cijobs = Path.GetFullPath(args[0]);
var rdoinfo = Path.GetFullPath(args[1]);
var total = args.Length >= 3 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100_000;
var runs = args.Length == 4 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 21;
const int PackageCount = 1_000, FilesPerBuild = 10, Batch = 1_000;
const long Start = 1_700_000_000;

var database = await RdoinfoLoader.LoadAsync(rdoinfo);
var release = database.Releases.OrderByDescending(r => database.ExpandAll(r.Name).Count).First().Name;
var names = database.ExpandAll(release).Select(p => p.Name).Distinct().Take(PackageCount).ToList();
for (var i = names.Count; i < PackageCount; i++)
{
    names.Add($"bench-pkg-{i}");
}

static string Sha(string seed) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)));

ProvenanceFile FileOf(int build, int file) => new($"{names[build % PackageCount]}-{build}-{file}.noarch.rpm", 10_000 + (build * 7 + file * 131) % 90_000, Sha($"file {build} {file}"));

ReadManifest Manifest(int build)
{
    var package = names[build % PackageCount];
    var round = build / PackageCount;
    IReadOnlyList<ProvenanceArtifact> artifacts = build % PackageCount == 0 ? [] : [new ProvenanceArtifact(FileOf(build - 1, 0).Name, FileOf(build - 1, 0).Size, FileOf(build - 1, 0).Sha256, "rpm")];
    var inputs = new ProvenanceInputs
    {
        Rdoinfo = new ProvenanceRdoinfo(new string('a', 40), "rdo-full.yml", null, Sha("entry " + package)),
        Source = new ProvenanceRepository($"https://example.org/{package}.git", "master", Sha($"src {build}")[..40], Sha($"tree {build}")[..40], null),
        Distgit = new ProvenanceRepository($"https://example.org/{package}-distgit.git", "rpm-master", Sha($"dg {build}")[..40], Sha($"dgtree {build}")[..40], null),
        Patches = null,
        Buildroot = [new ProvenanceBuildrootRepository("https://mirror.example.org/el9/BaseOS", null, null)],
        Artifacts = artifacts,
        Settings = new ProvenanceSettings(".el9", "bookworm", false, false, "delorean", null),
        CijobsVersion = "1.2.3",
        BuilderImage = ProvenanceInputs.UnknownBuilderImage,
    };
    var dtBuild = Start + (long)round * 3_600 + build % PackageCount;
    var manifest = new ProvenanceManifest
    {
        SchemaVersion = 1,
        Kind = ProvenanceManifest.PackageBuildKind,
        InputHash = InputHash.Compute(inputs),
        Package = package,
        Project = package,
        Release = null,
        Format = "rpm",
        Status = build % 17 == 0 ? "FAILED" : "SUCCESS",
        Notes = "OK",
        Builder = "rpmbuild",
        Dlrn = new ProvenanceDlrn(inputs.Source.Commit!, inputs.Distgit.Commit!, null, "master", "rpm-master", dtBuild - 600, dtBuild - 300, dtBuild, null),
        Inputs = inputs,
        Outputs = new ProvenanceOutputs([.. Enumerable.Range(0, FilesPerBuild).Select(f => FileOf(build, f))], $"{package}-{round}-1.el9", [$"{package}-{round}-1.el9.noarch"]),
        Job = new ProvenanceJob($"https://ci.example.org/job/{build}", "periodic", null),
    };
    return ProvenanceReader.Read(Encoding.UTF8.GetBytes(BuildProvenance.ToJson(manifest)), $"bench {build}");
}

var work = Path.Combine(Path.GetTempPath(), $"cijobs-bench-truth-{Guid.NewGuid():N}");
Directory.CreateDirectory(work);
try
{
    // Ingest of 10,000 builds into a new store (the target), then the whole store.
    var clock = Stopwatch.StartNew();
    var manifests = new ReadManifest[total];
    Parallel.For(0, total, i => manifests[i] = Manifest(i));
    Console.WriteLine($"made and read {total:N0} manifests in {clock.Elapsed.TotalSeconds:F1} s");

    // The wall time and this process's CPU time (on a shared machine the wall time also counts the waits for a core).
    async Task<(TimeSpan Wall, TimeSpan Cpu)> IngestAsync(string path, int count)
    {
        await using var store = await SqliteTruthStore.OpenAsync(path, TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i += Batch)
        {
            await store.IngestAsync(new ArraySegment<ReadManifest>(manifests, i, Math.Min(Batch, count - i)), CancellationToken.None);
        }

        self.Refresh();
        return (watch.Elapsed, self.TotalProcessorTime - cpu);
    }

    static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    // CIJOBS_BENCH_TRUTH_STORE=FILE keeps the whole store there, and a later run with the same FILE and BUILDS measures
    // only the queries on it (to compare two builds' queries on one store without ingesting again).
    var kept = Environment.GetEnvironmentVariable("CIJOBS_BENCH_TRUTH_STORE");
    var storePath = string.IsNullOrEmpty(kept) ? Path.Combine(work, "truth.db") : Path.GetFullPath(kept);
    if (File.Exists(storePath))
    {
        Console.WriteLine($"queries only, on the kept store {storePath}");
    }
    else
    {
        var small = await IngestAsync(Path.Combine(work, "small.db"), Math.Min(10_000, total));
        Console.WriteLine($"ingest of {Math.Min(10_000, total):N0} builds into a new store: {small.Wall.TotalSeconds:F2} s ({small.Cpu.TotalSeconds:F2} s CPU; load average {LoadAverage()}; target under 10 s)");
        var whole = await IngestAsync(storePath, total);
        Console.WriteLine($"ingest of {total:N0} builds ({total * FilesPerBuild:N0} files): {whole.Wall.TotalSeconds:F1} s ({whole.Cpu.TotalSeconds:F1} s CPU; load average {LoadAverage()}); store {new FileInfo(storePath).Length / 1048576.0:F0} MiB");
    }

    // Votes and promotions on the last round's builds (as the DLRN ingest will write them).
    await using (var store = await SqliteTruthStore.OpenAsync(storePath, TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None))
    {
        var last = manifests[(total - PackageCount)..];
        await store.RecordVotesAsync([.. last.SelectMany((m, i) => new[] { new CiVote(m.BuildId, "tempest", $"https://ci.example.org/{i}", i % 9 != 0, false, m.Manifest.Dlrn.DtBuild + 60, null, "ci", null) })], CancellationToken.None);
        await store.RecordPromotionsAsync([.. last.Take(300).Select(m => new PromotionRecord(m.BuildId, "current-passed-ci", m.Manifest.Dlrn.DtBuild + 120, "ci", null, new string('c', 32)))], CancellationToken.None);
    }

    var deep = manifests[total - 1];
    var middle = manifests[total / 2];
    var repoHash = $"{middle.Manifest.Dlrn.CommitHash}_{middle.Manifest.Dlrn.DistroHash[..8]}";
    var from = middle.Manifest.Dlrn.DtBuild;
    var queries = new (string Name, string Path)[]
    {
        ("release status (" + release + ", " + database.ExpandAll(release).Count + " packages)", $"/api/release?name={release}&limit=1000"),
        ("produced in one hour (limit 100)", $"/api/produced?from={from}&to={from + 3600}&limit=100"),
        ("inputs of an artifact (depth 8, limit 100)", $"/api/inputs?artifact={deep.Manifest.Outputs.Files[3].Sha256}&depth=8&limit=100"),
        ("built from a commit (depth 8, limit 100)", $"/api/built-from?input={middle.Manifest.Inputs.Source.Commit}&depth=8&limit=100"),
        ("QE of a build", $"/api/qe?build={manifests[total - 5].BuildId}"),
        ("QE of a repository hash", $"/api/qe?repo={repoHash}"),
        ("QE of an aggregate (300 builds)", $"/api/qe?aggregate={new string('c', 32)}&limit=1000"),
        ("history of a package (limit 100)", $"/api/history?package={names[0]}&limit=100"),
    };

    static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    var inProcess = new Dictionary<string, double>();
    var breakdown = "";
    await using (var store = await SqliteTruthStore.OpenAsync(storePath, TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None))
    {
        var api = new TruthApi(store, database);
        foreach (var (name, path) in queries)
        {
            var split = path.IndexOf('?', StringComparison.Ordinal);
            var times = new List<double>();
            for (var run = 0; run < runs + 2; run++)
            {
                var watch = Stopwatch.StartNew();
                var answer = await api.HandleAsync(path[..split], path[split..], CancellationToken.None);
                watch.Stop();
                if (answer.Status != 200)
                {
                    throw new InvalidOperationException($"{path}: {answer.Status} {Encoding.UTF8.GetString(answer.Body)}");
                }

                if (run >= 2)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            inProcess[name] = Median(times);
        }

        // Where the release status's time goes: rdoinfo's expansion of the release, and the store's query of the newest builds.
        var expansion = new List<double>();
        var latest = new List<double>();
        for (var run = 0; run < runs + 2; run++)
        {
            var watch = Stopwatch.StartNew();
            var expanded = database.ExpandAll(release).Select(p => p.Name).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
            var expanding = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            await store.LatestBuildsAsync(expanded, release, CancellationToken.None);
            if (run >= 2)
            {
                expansion.Add(expanding);
                latest.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        breakdown = string.Create(CultureInfo.InvariantCulture, $"release status, in-process: the store's newest builds {Median(latest):F2} ms; rdoinfo's expansion of the release {Median(expansion):F2} ms (once per release in a server)");
    }

    // Through the HTTP API: `cijobs truth serve` as a process.
    var info = new ProcessStartInfo(cijobs.EndsWith(".dll", StringComparison.Ordinal) ? "dotnet" : cijobs) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var argument in (string[])[.. cijobs.EndsWith(".dll", StringComparison.Ordinal) ? [cijobs] : Array.Empty<string>(), "truth", "serve", "--store", storePath, "--rdoinfo", rdoinfo, "--port", "0"])
    {
        info.ArgumentList.Add(argument);
    }

    using var server = Process.Start(info)!;
    server.ErrorDataReceived += (_, _) => { };
    server.BeginErrorReadLine();
    var overHttp = new Dictionary<string, double>();
    try
    {
        var url = (await server.StandardOutput.ReadLineAsync())!.TrimEnd('/');
        using var http = new HttpClient();
        foreach (var (name, path) in queries)
        {
            var times = new List<double>();
            for (var run = 0; run < runs + 2; run++)
            {
                var watch = Stopwatch.StartNew();
                using var response = await http.GetAsync(url + path);
                var body = await response.Content.ReadAsByteArrayAsync();
                watch.Stop();
                response.EnsureSuccessStatusCode();
                if (run >= 2)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            overHttp[name] = Median(times);
        }
    }
    finally
    {
        server.Kill();
        await server.WaitForExitAsync();
    }

    Console.WriteLine();
    Console.WriteLine($"| query ({runs} runs, median) | in-process (target < 20 ms) | HTTP (target < 100 ms) |");
    Console.WriteLine("|---|---:|---:|");
    foreach (var (name, _) in queries)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {inProcess[name]:F2} ms | {overHttp[name]:F2} ms |"));
    }

    Console.WriteLine();
    Console.WriteLine(breakdown);
}
finally
{
    Directory.Delete(work, recursive: true);
}

return 0;
