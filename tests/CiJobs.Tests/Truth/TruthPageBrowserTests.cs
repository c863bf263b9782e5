using System.Text.RegularExpressions;
using CiJobs.Cli.Serving;
using CiJobs.Core.Builds;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.Truth;
using CiJobs.Tests.Support;
using CliWrap.Buffered;
using static CiJobs.Tests.Truth.TruthQuerySamples;

namespace CiJobs.Tests.Truth;

/// <summary>
/// The page of <c>truth serve</c> in a real headless browser (Debian's chromium): its script calls the API and renders
/// the release's rows and the history chart. Skipped only when chromium is missing and CI is not set; in CI it runs.
/// </summary>
public sealed class TruthPageBrowserTests : IDisposable
{
    private readonly TempDir temp = new("truth-page");

    public void Dispose() => temp.Dispose();

    [ChromiumFact]
    public async Task The_page_renders_the_release_rows_and_the_history_chart()
    {
        var chromium = ChromiumFactAttribute.Chromium
            ?? throw new InvalidOperationException("CI is set but chromium is not installed: add chromium to .ci/setup's apt list");
        var database = await RdoinfoLoader.LoadAsync(RepoPaths.RealRdoinfo);
        var release = database.Releases.First(r => database.ExpandAll(r.Name).Count >= 5);
        var packages = database.ExpandAll(release.Name).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        var first = packages[0];
        var (source, distgit) = (BuildTargetResolver.SourceRef(first, release).Ref, BuildTargetResolver.DistgitRef(first, release).Ref);
        await using var store = await SqliteTruthStore.OpenAsync(temp.Combine("truth.db"), TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
        await store.IngestAsync(
        [
            Build(first.Name, 1_700_000_000, "SUCCESS", null, source, distgit),
            Build(first.Name, 1_700_086_400, "FAILED", null, source, distgit, content: "bigger"),
            Build(first.Name, 1_700_172_800, "SUCCESS", null, source, distgit, content: "the biggest of all", duration: 95.5),
            Build(packages[1].Name, 1_700_000_000, "FAILED", null, source, distgit),
        ],
            CancellationToken.None);
        await using var server = TruthServer.Start(new TruthApi(store, database), 0);

        var dom = await DumpDomAsync(chromium, $"{server.Url}?release={Uri.EscapeDataString(release.Name)}");

        dom.Should().Contain("data-ready=\"true\"", dom.Length > 4000 ? dom[..4000] : dom);
        Regex.Matches(dom, "<tr class=\"package-row ").Count.Should().Be(packages.Count);
        dom.Should().Contain($"data-package=\"{first.Name}\" data-state=\"built\"");
        dom.Should().Contain($"data-package=\"{packages[1].Name}\" data-state=\"failed\"");
        dom.Should().Contain($"data-package=\"{packages[2].Name}\" data-state=\"missing\"");
        dom.Should().Contain($"{release.Name}: {packages.Count} packages; 1 built, 1 failed");
        // The history of the first package with a build: three builds, a point of each series per build; the newest
        // recorded its duration (manifest version 2), the two older ones show the wait instead.
        dom.Should().Contain("id=\"history-svg\"");
        Regex.Matches(dom, "class=\"size-point").Count.Should().Be(3);
        Regex.Matches(dom, "class=\"wait-point").Count.Should().Be(2);
        Regex.Matches(dom, "class=\"duration-point\"").Count.Should().Be(1);
        dom.Should().Contain("duration 95.5</title>");
        Regex.Matches(dom, "failed-point").Count.Should().Be(2, "the failed build's two points are marked");
        dom.Should().Contain("class=\"size-line\"").And.Contain("class=\"time-line\"");
        dom.Should().Contain("id=\"history-legend\"").And.Contain("right axis: duration (wait where unknown)");

        var other = await DumpDomAsync(chromium, $"{server.Url}?package=nothing-built");
        other.Should().Contain("id=\"history-empty\"").And.Contain("no builds of nothing-built");
    }

    private async Task<string> DumpDomAsync(string chromium, string url)
    {
        var profile = temp.Combine($"profile-{Guid.NewGuid():N}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var result = await global::CliWrap.Cli.Wrap(chromium)
            .WithArguments(
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", $"--user-data-dir={profile}", "--virtual-time-budget=15000", "--dump-dom", url,
            ])
            .WithWorkingDirectory(temp.Path)
            .WithValidation(global::CliWrap.CommandResultValidation.None)
            .ExecuteBufferedAsync(timeout.Token);
        result.ExitCode.Should().Be(0, result.StandardError);
        return result.StandardOutput;
    }
}

/// <summary>A fact that needs chromium: skipped when it is missing, unless the CI variable is set (then the test fails).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public static string? Chromium { get; } = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    public ChromiumFactAttribute()
    {
        if (Chromium is null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Skip = "needs chromium (apt-get install chromium); in CI (CI set) this test runs and fails without it";
        }
    }
}
