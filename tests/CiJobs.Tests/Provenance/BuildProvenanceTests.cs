using System.Security.Cryptography;
using CiJobs.Core.Builds;
using CiJobs.Core.Platform;
using CiJobs.Core.Provenance;
using CiJobs.Core.Rdoinfo;
using CiJobs.Tests.Builds;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Provenance;

/// <summary>Every <c>cijobs build</c> writes provenance.json into its result folder (real git and rpmbuild).</summary>
public sealed class BuildProvenanceTests : IDisposable
{
    private static readonly DateTimeOffset BuildTime = new(2026, 11, 23, 10, 45, 0, TimeSpan.Zero);
    private readonly TempDir temp = new("build-provenance");
    private readonly CliWrapProcessRunner runner = new();

    public void Dispose() => temp.Dispose();

    private PackageBuildService Service() => new(runner, new RpmbuildPackageBuilder(runner), new FixedTimeProvider(BuildTime));

    private async Task<(TestGit Source, TestGit Distgit)> ReposAsync(string name, string buildScript = "")
    {
        var source = await TestGit.InitAsync(temp.Combine("src", name));
        await source.CommitAsync("first", new Dictionary<string, string> { ["hello.txt"] = "hello\n" }, new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero));
        await source.RunAsync("tag", "v1.0.0");
        var distgit = await BuildPaths.DistgitAsync(temp.Combine("distgit", name), name + ".spec", BuildPaths.Spec(name, buildScript));
        return (source, distgit);
    }

    private static BuildTarget Target(string name, TestGit source, TestGit distgit, string? rdoinfo = null) => new()
    {
        PackageName = name,
        Project = name,
        SourceLocation = source.Directory,
        SourceRef = "HEAD",
        DistgitLocation = distgit.Directory,
        DistgitRef = "rpm-main",
        Rdoinfo = rdoinfo is null ? null : new ProvenanceRdoinfo(null, "rdo-full.yml", null, ProvenanceSamples.Sha("entry")),
        RdoinfoDirectory = rdoinfo,
    };

    private PackageBuildService.OutputSettings Output(BuildProvenanceContext? context = null) =>
        new(temp.Combine("data"), ".el9", false, false, "delorean", null) { Provenance = context ?? BuildProvenanceContext.Unknown };

    [Fact]
    public async Task A_successful_build_writes_a_manifest_of_its_inputs_and_every_file_it_published()
    {
        var (source, distgit) = await ReposAsync("foo");
        var rdoinfo = await TestGit.InitAsync(temp.Combine("rdoinfo"));
        var rdoinfoCommit = await rdoinfo.CommitAsync("db", new Dictionary<string, string> { ["rdo-full.yml"] = "packages: []\n" }, BuildTime.AddDays(-1));
        var buildroot = temp.Write("buildroot/repodata/repomd.xml", "<repomd/>\n");
        var context = new BuildProvenanceContext(
            "1.2.3",
            "registry.example.org/builder:9",
            [await BuildProvenanceContext.BuildrootRepositoryAsync(temp.Combine("buildroot"), CancellationToken.None), await BuildProvenanceContext.BuildrootRepositoryAsync("https://mirror.example.org/el9/", CancellationToken.None)],
            new ProvenanceJob("https://ci.example.org/build/5", "gate", "77"));

        var result = await Service().BuildAsync(Target("foo", source, distgit, rdoinfo.Directory), Output(context), CancellationToken.None);

        result.Status.Should().Be("SUCCESS", result.Notes);
        var file = Path.Combine(result.ResultPath, ProvenanceManifest.FileName);
        var read = await ProvenanceReader.ReadFileAsync(file, CancellationToken.None);
        var manifest = read.Manifest;
        manifest.Status.Should().Be("SUCCESS");
        manifest.Package.Should().Be("foo");
        manifest.Dlrn.CommitHash.Should().Be(result.CommitHash);
        manifest.Dlrn.DistroHash.Should().Be(result.DistroHash);
        manifest.Dlrn.DtBuild.Should().Be(BuildTime.ToUnixTimeSeconds());
        manifest.Inputs.Source.Should().Be(new ProvenanceRepository(source.Directory, "HEAD", result.CommitHash, result.SourceTree, null));
        manifest.Inputs.Distgit.Should().Be(new ProvenanceRepository(distgit.Directory, "rpm-main", result.DistroHash, result.DistgitTree, null));
        manifest.Inputs.Rdoinfo!.Commit.Should().Be(rdoinfoCommit);
        manifest.Inputs.CijobsVersion.Should().Be("1.2.3");
        manifest.Inputs.BuilderImage.Should().Be("registry.example.org/builder:9");
        manifest.Inputs.Buildroot.Should().Equal(
            new ProvenanceBuildrootRepository(temp.Combine("buildroot"), "repodata/repomd.xml", Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(buildroot)))),
            new ProvenanceBuildrootRepository("https://mirror.example.org/el9/", null, null));
        manifest.Job.Should().Be(context.Job);
        manifest.Outputs.SourceNvr.Should().Be(result.SourceNvr);
        manifest.Outputs.Nvrs.Should().Equal(result.Nvras);
        manifest.InputHash.Should().Be(InputHash.Compute(manifest.Inputs));

        // Every artifact, hashed here from the published bytes.
        manifest.Outputs.Files.Select(f => f.Name).Should().BeEquivalentTo(result.Files.Select(f => f.Name)).And.HaveCount(2);
        foreach (var output in manifest.Outputs.Files)
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(result.ResultPath, output.Name));
            output.Size.Should().Be(bytes.LongLength);
            output.Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }

        Directory.GetDirectories(Path.GetDirectoryName(result.ResultPath)!).Should().ContainSingle("no staging folder is left behind");
    }

    /// <summary>A fixed time, and a timestamp that moves on by <paramref name="step"/> each time it is read.</summary>
    private sealed class SteppingClock(DateTimeOffset now, TimeSpan step) : TimeProvider
    {
        private long ticks;

        public override DateTimeOffset GetUtcNow() => now;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Add(ref ticks, step.Ticks);
    }

    [Fact]
    public async Task The_manifest_is_version_2_with_the_build_start_and_the_duration_measured_on_the_clock()
    {
        var (source, distgit) = await ReposAsync("timed");
        var service = new PackageBuildService(runner, new RpmbuildPackageBuilder(runner), new SteppingClock(BuildTime, TimeSpan.FromMilliseconds(61_250)));

        var result = await service.BuildAsync(Target("timed", source, distgit), Output(), CancellationToken.None);

        result.Status.Should().Be("SUCCESS", result.Notes);
        var read = await ProvenanceReader.ReadFileAsync(Path.Combine(result.ResultPath, ProvenanceManifest.FileName), CancellationToken.None);
        read.Manifest.SchemaVersion.Should().Be(ProvenanceManifest.CurrentSchemaVersion).And.Be(2);
        read.Manifest.Build.Should().Be(new ProvenanceBuild(BuildTime.ToUnixTimeSeconds(), 61.25), "the clock's timestamp was read at the start and when the manifest was written");
        read.Manifest.InputHash.Should().Be(InputHash.Compute(read.Manifest.Inputs));
    }

    [Fact]
    public async Task A_failed_build_writes_a_manifest_without_outputs_and_the_builder_image_defaults_to_unknown()
    {
        var (source, distgit) = await ReposAsync("broken", buildScript: "exit 3");

        var result = await Service().BuildAsync(Target("broken", source, distgit), Output(), CancellationToken.None);

        result.Status.Should().Be("FAILED");
        var manifest = (await ProvenanceReader.ReadFileAsync(Path.Combine(result.ResultPath, ProvenanceManifest.FileName), CancellationToken.None)).Manifest;
        manifest.Status.Should().Be("FAILED");
        manifest.Outputs.Files.Should().BeEmpty();
        manifest.Outputs.Nvrs.Should().BeEmpty();
        manifest.Inputs.BuilderImage.Should().Be("unknown");
        manifest.Inputs.Rdoinfo.Should().BeNull();
    }

    [Fact]
    public async Task Two_builds_of_the_same_inputs_have_one_input_hash_and_a_new_distgit_commit_another()
    {
        var (source, distgit) = await ReposAsync("bar");
        var first = await Service().BuildAsync(Target("bar", source, distgit), Output(), CancellationToken.None);
        // The same commits give the same result folder: the second build replaces the first one's.
        var firstManifest = (await ProvenanceReader.ReadFileAsync(Path.Combine(first.ResultPath, ProvenanceManifest.FileName), CancellationToken.None)).Manifest;
        var again = await new PackageBuildService(runner, new RpmbuildPackageBuilder(runner), new FixedTimeProvider(BuildTime.AddHours(1)))
            .BuildAsync(Target("bar", source, distgit), Output(), CancellationToken.None);
        var againRead = await ProvenanceReader.ReadFileAsync(Path.Combine(again.ResultPath, ProvenanceManifest.FileName), CancellationToken.None);
        await distgit.CommitAsync("bump", new Dictionary<string, string> { ["README"] = "x\n" }, BuildTime);
        var changed = await Service().BuildAsync(Target("bar", source, distgit), Output(), CancellationToken.None);
        var changedManifest = (await ProvenanceReader.ReadFileAsync(Path.Combine(changed.ResultPath, ProvenanceManifest.FileName), CancellationToken.None)).Manifest;

        againRead.Manifest.InputHash.Should().Be(firstManifest.InputHash);
        againRead.Manifest.Dlrn.DtBuild.Should().NotBe(firstManifest.Dlrn.DtBuild);
        changedManifest.InputHash.Should().NotBe(firstManifest.InputHash);
    }

    [Fact]
    public async Task The_resolver_hashes_the_expanded_rdoinfo_entry_of_the_package()
    {
        var database = await RdoinfoLoader.LoadAsync(RepoPaths.RealRdoinfo);
        var request = new BuildRequest { RdoinfoDirectory = RepoPaths.RealRdoinfo, Package = "oslo-config", OutputDirectory = "/unused" };

        var target = BuildTargetResolver.Resolve(database, request);
        var other = BuildTargetResolver.Resolve(database, request with { Package = "oslo-log" });

        var expanded = database.Expand(target.Project, null);
        target.Rdoinfo!.EntrySha256.Should().Be(InputHash.Sha256Hex(CanonicalJson.ToBytes(expanded.Fields)));
        target.Rdoinfo.EntryFile.Should().Be(RdoinfoLoader.DefaultEntryFile);
        other.Rdoinfo!.EntrySha256.Should().NotBe(target.Rdoinfo.EntrySha256);
    }
}
