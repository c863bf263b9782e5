using System.Globalization;
using CiJobs.Core;
using CiJobs.Core.Builds;
using CiJobs.Core.Platform;
using CiJobs.Core.Provenance;
using CiJobs.Core.Truth;
using CiJobs.Tests.Support;
using CiJobs.Tests.Truth;

namespace CiJobs.Tests.Builds;

/// <summary>
/// <c>--bump-release-on-collision</c> (docs/manual/mass-rebuild.md, "Release bumps"): real rpmbuild, the published build
/// ingested into a real store (SQLite and PostgreSQL), rpm's own comparison of the NVRs.
/// </summary>
[Trait("Runs", "cijobs")]
[Collection(PostgresCollection.Name)]
public sealed class ReleaseBumpTests(PostgresServer server) : IDisposable
{
    private static readonly DateTimeOffset Published = new(2026, 11, 23, 10, 45, 0, TimeSpan.Zero);
    private readonly TempDir temp = new("release-bump");
    private readonly CliWrapProcessRunner runner = new();

    public void Dispose() => temp.Dispose();

    public static TheoryData<string> Providers() => TruthStoreTests.Providers();

    private async Task<ITruthStore> OpenAsync(string provider) => provider switch
    {
        "sqlite" => await SqliteTruthStore.OpenAsync(temp.Combine("truth.db"), TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None),
        _ => await PostgresTruthStore.OpenAsync(await server.CreateDatabaseAsync(), TimeProvider.System, CancellationToken.None),
    };

    private PackageBuildService.OutputSettings Output(string data, ITruthStore? store) =>
        new(temp.Combine(data), ".el9", KeepVersion: false, KeepChangelog: false, "delorean", BaseUrl: null)
        {
            BumpRelease = store is null ? null : new ReleaseCollisions((ITruthQueries)store),
        };

    private static BuildTarget Target(string source, string distgit, string distgitRef = "rpm-main") => new()
    {
        PackageName = "foo",
        Project = "foo",
        SourceLocation = source,
        SourceRef = "HEAD",
        DistgitLocation = distgit,
        DistgitRef = distgitRef,
    };

    /// <summary>A source one commit past v2.1.0 (Version 2.1.1) and a distgit with two commits: rpm-main^ and rpm-main.</summary>
    private async Task<(string Source, TestGit Distgit)> ReposAsync()
    {
        var source = await TestGit.InitAsync(temp.Combine("src"));
        await source.CommitAsync("first", new Dictionary<string, string> { ["hello.txt"] = "hello\n" }, new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero));
        await source.RunAsync("tag", "v2.1.0");
        await source.CommitAsync("second", new Dictionary<string, string> { ["hello.txt"] = "hello again\n" }, new DateTimeOffset(2026, 11, 5, 8, 0, 0, TimeSpan.Zero));
        var distgit = await BuildPaths.DistgitAsync(temp.Combine("distgit"), "foo.spec", BuildPaths.Spec("foo"));
        await distgit.CommitAsync("packaging fix", new Dictionary<string, string> { ["README"] = "other distgit inputs\n" }, new DateTimeOffset(2026, 11, 6, 8, 0, 0, TimeSpan.Zero));
        return (source.Directory, distgit);
    }

    private async Task<BuildResult> BuildAsync(DateTimeOffset at, string source, string distgit, string distgitRef, string data, ITruthStore? store)
    {
        var result = await new PackageBuildService(runner, new RpmbuildPackageBuilder(runner), new FixedTimeProvider(at))
            .BuildAsync(Target(source, distgit, distgitRef), Output(data, store), CancellationToken.None);
        result.Status.Should().Be("SUCCESS", result.Notes);
        return result;
    }

    /// <summary>The repositories, and the build at <see cref="Published"/> of distgit <paramref name="distgitRef"/> ingested into the store.</summary>
    private async Task<(string Source, string Distgit, BuildResult Published)> PublishAsync(ITruthStore store, string distgitRef)
    {
        var (source, distgit) = await ReposAsync();
        var published = await BuildAsync(Published, source, distgit.Directory, distgitRef, "published", store);
        published.ReleaseBumpedFrom.Should().BeNull("nothing was published before");
        await IngestAsync(store, published);
        return (source, distgit.Directory, published);
    }

    private static async Task IngestAsync(ITruthStore store, BuildResult result) =>
        await store.IngestAsync([await ProvenanceReader.ReadFileAsync(Path.Combine(result.ResultPath, ProvenanceManifest.FileName), CancellationToken.None)], CancellationToken.None);

    private static async Task<int> RpmVerCmpAsync(string left, string right)
    {
        var output = await BuildPaths.RunAsync("rpm", ["--eval", $"%{{lua: print(rpm.vercmp([==[{left}]==], [==[{right}]==]))}}"]);
        return int.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }

    private static string Release(DateTimeOffset at, BuildResult result) => $"0.{at.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}.{result.CommitHash[..7]}";

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_node_whose_clock_is_behind_builds_above_the_published_NVR(string provider)
    {
        await using var store = await OpenAsync(provider);
        var (source, distgit, published) = await PublishAsync(store, "rpm-main^");

        // Another distgit commit (other inputs) on a node an hour behind.
        var rebuild = await BuildAsync(Published.AddHours(-1), source, distgit, "rpm-main", "rebuild", store);

        rebuild.InputHash.Should().NotBe(published.InputHash);
        rebuild.ReleaseBumpedFrom.Should().Be(Release(Published.AddHours(-1), rebuild));
        rebuild.PackageRelease.Should().Be(Release(Published.AddSeconds(1), rebuild) + ".el9");
        rebuild.DtBuild.Should().Be(Published.AddSeconds(1).ToUnixTimeSeconds(), "dt_build follows the bumped build time");
        (await RpmVerCmpAsync(rebuild.SourceNvr!, published.SourceNvr!)).Should().Be(1, $"{rebuild.SourceNvr} must sort above {published.SourceNvr}");
        var log = await File.ReadAllTextAsync(rebuild.Log);
        log.Should().Contain($"release bumped: {Release(Published.AddHours(-1), rebuild)} -> {Release(Published.AddSeconds(1), rebuild)} (NVR {published.SourceNvr} published from other inputs at 2026-11-23 10:45:00Z)");

        // Without the bump the same rebuild sorts below: the case the bump exists for.
        var unbumped = await BuildAsync(Published.AddHours(-1), source, distgit, "rpm-main", "unbumped", store: null);
        (await RpmVerCmpAsync(unbumped.SourceNvr!, published.SourceNvr!)).Should().Be(-1);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Builds_of_other_inputs_in_the_same_second_get_distinct_NVRs(string provider)
    {
        await using var store = await OpenAsync(provider);
        var (source, distgit, published) = await PublishAsync(store, "rpm-main^");

        var rebuild = await BuildAsync(Published, source, distgit, "rpm-main", "rebuild", store);

        rebuild.ReleaseBumpedFrom.Should().Be(Release(Published, rebuild));
        rebuild.PackageRelease.Should().Be(Release(Published.AddSeconds(1), rebuild) + ".el9");
        rebuild.SourceNvr.Should().NotBe(published.SourceNvr);
        (await RpmVerCmpAsync(rebuild.SourceNvr!, published.SourceNvr!)).Should().Be(1);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_same_inputs_are_no_collision(string provider)
    {
        await using var store = await OpenAsync(provider);
        var (source, distgit, published) = await PublishAsync(store, "rpm-main");

        var again = await BuildAsync(Published.AddHours(-1), source, distgit, "rpm-main", "again", store);

        again.InputHash.Should().Be(published.InputHash);
        again.ReleaseBumpedFrom.Should().BeNull();
        again.PackageRelease.Should().Be(Release(Published.AddHours(-1), again) + ".el9");
    }

    [Fact]
    public async Task A_published_build_that_sorts_below_is_no_collision()
    {
        await using var store = await OpenAsync("sqlite");
        var (source, distgit, _) = await PublishAsync(store, "rpm-main^");

        var later = await BuildAsync(Published.AddMinutes(5), source, distgit, "rpm-main", "later", store);

        later.ReleaseBumpedFrom.Should().BeNull();
        later.PackageRelease.Should().Be(Release(Published.AddMinutes(5), later) + ".el9");
    }

    [Theory]
    [InlineData("foo-2.1.1-0.20261123104500.abcdef1.el9", "rpm", "2.1.1", 1_795_430_700L)]
    [InlineData("python-foo-bar-1.0-0.20261123104500.abcdef1", "rpm", "1.0", 1_795_430_700L)]
    [InlineData("foo-1.0-3.el9", "rpm", "1.0", null)]
    [InlineData("foo_2.1.1-0.20261123104500.abcdef1", "deb", "2.1.1", 1_795_430_700L)]
    [InlineData("foo_2.1.1+0.20261123104500.abcdef1", "deb", "2.1.1", 1_795_430_700L)]
    public void Source_NVRs_give_their_Version_and_Release_date(string nvr, string format, string version, long? time) =>
        ReleaseCollisions.Parse(nvr, format).Should().Be((version, time));

    [Fact]
    public async Task The_option_needs_a_store()
    {
        var result = await CliRunner.RunAsync(
            ["build", "--rdoinfo", temp.Path, "--package", "foo", "--output", temp.Combine("out"), "--bump-release-on-collision"],
            environment: new Dictionary<string, string?> { ["CIJOBS_TRUTH_STORE"] = null });

        result.ExitCode.Should().Be(BuildExitCodes.InvalidOption, result.ToString());
        result.StandardError.Should().Contain("--bump-release-on-collision needs a truth store").And.Contain("--store");
        Directory.Exists(temp.Combine("out")).Should().BeFalse("nothing is written");
    }
}
