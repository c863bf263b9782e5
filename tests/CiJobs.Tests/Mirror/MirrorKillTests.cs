using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Xml.Linq;
using CiJobs.Fakes;
using CiJobs.Tests.Support;
using FluentAssertions;

namespace CiJobs.Tests.Mirror;

/// <summary>
/// kill -9 of <c>cijobs mirror sync</c> at random points, 100 times, while an HTTP reader of DEST checks that it always
/// sees one whole snapshot: repomd.xml and Release with every file they list matching its size and checksum.
/// </summary>
[Trait("Runs", "cijobs")]
public sealed class MirrorKillTests(MirrorReposFixture repos) : IClassFixture<MirrorReposFixture>, IDisposable
{
    private readonly TempDir temp = new("mirror-kill");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Kill_9_at_any_point_leaves_readers_a_whole_snapshot_and_the_next_sync_cleans_up()
    {
        var sources = new[] { repos.Source(temp.Combine("a"), "rpm-a", "deb-a"), repos.Source(temp.Combine("b"), "rpm-b", "deb-b") };
        var dest = temp.Combine("pub", "repo");
        var first = await MirrorSyncTests.SyncAsync(sources[0], dest, "--keep", "3");
        first.ExitCode.Should().Be(0, first.ToString());

        // How long a whole sync takes when started as the killed ones are (the median of three): a sync started by a test
        // runner's helper, or the first one, can take several times longer, and then no kill would land inside a sync.
        var durations = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            using var timed = Start(sources[(i + 1) % 2], dest);
            await timed.WaitForExitAsync();
            durations.Add(clock.Elapsed);
            timed.ExitCode.Should().Be(0);
        }

        var duration = durations.Order().ElementAt(1);

        await using var server = new FakeFileServer(temp.Combine("pub"));
        await server.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() => ReadAsync(http, dest, stop.Token));

        var random = new Random(14);
        var killed = 0;
        for (var i = 0; i < 100; i++)
        {
            using var process = Start(sources[(i + 1) % 2], dest);
            var delay = duration * (0.1 + (random.NextDouble() * 0.9));
            if (!process.WaitForExit(delay))
            {
                process.Kill(); // SIGKILL
                killed++;
            }

            await process.WaitForExitAsync();
            reader.IsCompleted.Should().BeFalse(reader.IsFaulted ? reader.Exception!.ToString() : "the reader runs until the end");
        }

        await stop.CancelAsync();
        var (reads, failures) = await reader;
        failures.Should().BeEmpty();
        reads.Should().BeGreaterThan(100);
        killed.Should().BeGreaterThan(20);

        await Task.Delay(TimeSpan.FromSeconds(1)); // rsync children of killed syncs finish or fail.
        var last = await MirrorSyncTests.SyncAsync(sources[0], dest, "--keep", "3");
        last.ExitCode.Should().Be(0, last.ToString());
        await MirrorSyncTests.ShouldBeWholeAsync(dest);
        Directory.GetDirectories(temp.Combine("pub", "snapshots"), ".repo.partial-*").Should().BeEmpty();
        Directory.GetFileSystemEntries(temp.Combine("pub"), ".repo.link-*").Should().BeEmpty();
        Directory.GetDirectories(temp.Combine("pub", "snapshots")).Length.Should().BeLessThanOrEqualTo(3 + 1, "kept ones and at most one renamed before its switch");
    }

    /// <summary>A sync of <paramref name="source"/> to <paramref name="dest"/> as its own process, its output read and dropped.</summary>
    private static Process Start(string source, string dest)
    {
        var process = Process.Start(new ProcessStartInfo(CliRunner.Program)
        {
            ArgumentList = { },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }.With([.. CliRunner.ProgramArguments, "mirror", "sync", source, dest, "--keep", "3", "--lock-timeout", "30"]))!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    /// <summary>
    /// Reads DEST over HTTP until stopped; a read counts when DEST's link named the same snapshot before and after it (no
    /// switch between its requests; a name is never given twice) and repomd.xml and Release were the same. Comparing the
    /// metadata alone is not enough: the syncs alternate two SOURCEs, so two switches in one slow read look like none.
    /// </summary>
    private static async Task<(int Reads, List<string> Failures)> ReadAsync(HttpClient http, string dest, CancellationToken stop)
    {
        var reads = 0;
        var failures = new List<string>();
        while (!stop.IsCancellationRequested)
        {
            var linkBefore = new FileInfo(dest).LinkTarget;
            var before = await GetAsync(http, "repo/rpm/repodata/repomd.xml") + await GetAsync(http, "repo/deb/dists/stable/Release");
            var problems = new List<string>();
            await CheckRpmAsync(http, problems);
            await CheckDebAsync(http, problems);
            var after = await GetAsync(http, "repo/rpm/repodata/repomd.xml") + await GetAsync(http, "repo/deb/dists/stable/Release");
            if (before != after || new FileInfo(dest).LinkTarget != linkBefore)
            {
                continue; // A switch between the requests: each request saw a whole snapshot, old or new.
            }

            if (before.Contains("HTTP 404", StringComparison.Ordinal))
            {
                problems.Add("DEST's metadata was missing");
            }

            failures.AddRange(problems);
            reads++;
        }

        return (reads, failures);
    }

    private static async Task<string> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : $"HTTP {(int)response.StatusCode} {path}";
    }

    private static async Task CheckFileAsync(HttpClient http, string path, string sha256, long? size, List<string> problems)
    {
        using var response = await http.GetAsync(path);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            problems.Add($"{path}: HTTP {(int)response.StatusCode}");
            return;
        }

        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != sha256.ToLowerInvariant() || (size is { } s && s != bytes.Length))
        {
            problems.Add($"{path}: checksum or size mismatch");
        }
    }

    private static async Task CheckRpmAsync(HttpClient http, List<string> problems)
    {
        var repomd = await GetAsync(http, "repo/rpm/repodata/repomd.xml");
        if (repomd.StartsWith("HTTP ", StringComparison.Ordinal))
        {
            problems.Add(repomd);
            return;
        }

        XNamespace ns = "http://linux.duke.edu/metadata/repo";
        foreach (var data in XDocument.Parse(repomd).Root!.Elements(ns + "data"))
        {
            var href = data.Element(ns + "location")!.Attribute("href")!.Value;
            var size = data.Element(ns + "size") is { } s ? long.Parse(s.Value, System.Globalization.CultureInfo.InvariantCulture) : (long?)null;
            await CheckFileAsync(http, "repo/rpm/" + href, data.Element(ns + "checksum")!.Value, size, problems);
            if (data.Attribute("type")!.Value == "primary")
            {
                using var response = await http.GetAsync("repo/rpm/" + href);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    await using var gz = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
                    XNamespace common = "http://linux.duke.edu/metadata/common";
                    foreach (var package in XDocument.Load(gz).Root!.Elements(common + "package"))
                    {
                        var location = package.Element(common + "location")!.Attribute("href")!.Value;
                        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "repo/rpm/" + location));
                        if (head.StatusCode != HttpStatusCode.OK)
                        {
                            problems.Add($"repo/rpm/{location}: HTTP {(int)head.StatusCode}");
                        }
                    }
                }
            }
        }
    }

    private static async Task CheckDebAsync(HttpClient http, List<string> problems)
    {
        var release = await GetAsync(http, "repo/deb/dists/stable/Release");
        if (release.StartsWith("HTTP ", StringComparison.Ordinal))
        {
            problems.Add(release);
            return;
        }

        var inSha256 = false;
        foreach (var line in release.Split('\n'))
        {
            if (line.Length > 0 && line[0] != ' ')
            {
                inSha256 = line == "SHA256:";
            }
            else if (inSha256 && line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var hash, var size, var path])
            {
                await CheckFileAsync(http, "repo/deb/dists/stable/" + path, hash, long.Parse(size, System.Globalization.CultureInfo.InvariantCulture), problems);
            }
        }
    }
}

internal static class ProcessStartInfoExtensions
{
    public static ProcessStartInfo With(this ProcessStartInfo info, IEnumerable<string> arguments)
    {
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }
}
