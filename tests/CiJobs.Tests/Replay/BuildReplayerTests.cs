using CiJobs.Core;
using CiJobs.Core.Builds;
using CiJobs.Core.Git;
using CiJobs.Core.Platform;
using CiJobs.Core.Provenance;
using CiJobs.Core.Replay;
using CiJobs.Tests.Builds;
using CiJobs.Tests.Provenance;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Replay;

/// <summary>Replays of the bundled example packages, built for real (git, rpmbuild, dpkg-buildpackage).</summary>
public sealed class BuildReplayerTests(ExampleReposFixture example) : IClassFixture<ExampleReposFixture>, IDisposable
{
    private static readonly DateTimeOffset BuildTime = new(2026, 12, 1, 9, 30, 0, TimeSpan.Zero);
    private readonly TempDir temp = new("replay");
    private readonly CliWrapProcessRunner runner = new();

    public void Dispose() => temp.Dispose();

    private PackageBuildService Service(TimeProvider clock) => new(runner, new RpmbuildPackageBuilder(runner), clock);

    private BuildReplayer Replayer() => new(new GitCli(runner), Service);

    /// <summary>Builds the package as `cijobs build` does and reads its manifest.</summary>
    private async Task<ReadManifest> BuildAsync(string package, string release, string output, DateTimeOffset at, string? source = null)
    {
        var target = await BuildTargetResolver.ResolveAsync(
            new BuildRequest { RdoinfoDirectory = example.Rdoinfo, Package = package, Release = release, OutputDirectory = output, Source = source },
            CancellationToken.None);
        var settings = new PackageBuildService.OutputSettings(output, ".el9", false, false, "delorean", null, "bookworm")
        {
            Provenance = new BuildProvenanceContext("1.0.0", "registry.example.org/builder:1", [], new ProvenanceJob(null, "gate", null)),
        };
        var result = await Service(new InstantTimeProvider(at)).BuildAsync(target, settings, CancellationToken.None);
        result.Status.Should().Be("SUCCESS", result.Notes);
        return await ProvenanceReader.ReadFileAsync(Path.Combine(result.ResultPath, ProvenanceManifest.FileName), CancellationToken.None);
    }

    private ReplayRequest Request(ReadManifest recorded, string? rdoinfo = null, string? source = null) =>
        new(recorded, rdoinfo ?? example.Rdoinfo, source, null, temp.Combine("replay"), new BuildProvenanceContext("1.0.1", null, [], new ProvenanceJob(null, null, null)));

    [Fact]
    public async Task An_rpm_build_replayed_later_is_identical_bit_for_bit()
    {
        var recorded = await BuildAsync("example-greetlib", "tiny", temp.Combine("data"), BuildTime);

        var report = await Replayer().ReplayAsync(Request(recorded), CancellationToken.None);

        report.Comparison.Verdict.Should().Be(ReplayVerdict.Identical, string.Join("\n", report.Comparison.Files));
        report.Comparison.Files.Should().HaveCount(2).And.OnlyContain(f => f.State == "same");
        report.Comparison.Files.Select(f => f.Name).Should().Contain(n => n.EndsWith(".src.rpm", StringComparison.Ordinal));
        report.Comparison.Inputs.Select(i => i.Name).Should().BeEquivalentTo(["cijobs_version", "builder_image"]);
        report.Comparison.Inputs.Should().OnlyContain(i => !i.Decisive);
        report.ResultPath.Should().StartWith(temp.Combine("replay"));
    }

    [Fact]
    public async Task A_debian_build_replayed_is_identical_but_for_its_build_records()
    {
        var recorded = await BuildAsync("example-motd", "tiny-deb", temp.Combine("data"), BuildTime);

        var report = await Replayer().ReplayAsync(Request(recorded), CancellationToken.None);

        report.Comparison.Verdict.Should().Be(ReplayVerdict.Identical, string.Join("\n", report.Comparison.Files));
        report.Comparison.Files.Where(f => !f.Record).Should().OnlyContain(f => f.State == "same");
        report.Comparison.Files.Should().Contain(f => f.Name.EndsWith(".deb", StringComparison.Ordinal) && f.State == "same");
        report.Comparison.Inputs.Should().OnlyContain(i => !i.Decisive, "only the tool version and the builder image differ");
    }

    [Fact]
    public async Task A_replay_reads_the_recorded_commits_even_after_the_branches_moved_and_from_a_mirror()
    {
        var source = temp.Combine("src");
        await BuildPaths.RunAsync("git", ["clone", "--quiet", example.Git("example-greetlib"), source]);
        var recorded = await BuildAsync("example-greetlib", "tiny", temp.Combine("data"), BuildTime, source);
        var mirror = temp.Combine("mirror");
        await BuildPaths.RunAsync("git", ["clone", "--quiet", "--mirror", source, mirror]);
        await new TestGit(source).CommitAsync("later work", new Dictionary<string, string> { ["later.txt"] = "later\n" }, BuildTime.AddDays(1));

        var moved = await Replayer().ReplayAsync(Request(recorded), CancellationToken.None);
        Directory.Delete(temp.Combine("replay"), recursive: true);
        var mirrored = await Replayer().ReplayAsync(Request(recorded, source: mirror), CancellationToken.None);

        moved.Comparison.Verdict.Should().Be(ReplayVerdict.Identical, "the recorded commit is built, not what main points at now");
        moved.Comparison.Inputs.Should().NotContain(i => i.Decisive);
        mirrored.Comparison.Verdict.Should().Be(ReplayVerdict.Identical);
        mirrored.Comparison.Inputs.Should().ContainSingle(i => i.Name == "source.url").Which.Decisive.Should().BeFalse();
        mirrored.Comparison.Inputs.Should().NotContain(i => i.Name == "source.commit" || i.Name == "source.ref");
    }

    [Fact]
    public async Task A_changed_rdoinfo_entry_or_a_missing_commit_is_refused_before_building()
    {
        var recorded = await BuildAsync("example-greetlib", "tiny", temp.Combine("data"), BuildTime);
        var rdoinfoCopy = temp.Combine("rdoinfo-copy");
        CopyFolder(example.Rdoinfo, rdoinfoCopy);
        var stale = ProvenanceSamples.Read(recorded.Manifest with
        {
            Inputs = recorded.Manifest.Inputs with { Rdoinfo = recorded.Manifest.Inputs.Rdoinfo! with { Commit = null, EntrySha256 = ProvenanceSamples.Sha("another entry") } },
            InputHash = InputHash.Compute(recorded.Manifest.Inputs with { Rdoinfo = recorded.Manifest.Inputs.Rdoinfo! with { Commit = null, EntrySha256 = ProvenanceSamples.Sha("another entry") } }),
        });
        var unknownCommit = ProvenanceSamples.Read(recorded.Manifest with
        {
            Inputs = recorded.Manifest.Inputs with { Source = recorded.Manifest.Inputs.Source with { Commit = new string('e', 40) } },
            InputHash = InputHash.Compute(recorded.Manifest.Inputs with { Source = recorded.Manifest.Inputs.Source with { Commit = new string('e', 40) } }),
        });

        var entry = async () => await Replayer().ReplayAsync(Request(stale, rdoinfo: rdoinfoCopy), CancellationToken.None);
        var commit = async () => await Replayer().ReplayAsync(Request(unknownCommit), CancellationToken.None);

        (await entry.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(ReplayExitCodes.InputsUnavailable);
        (await commit.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(ReplayExitCodes.InputsUnavailable);
        var results = Directory.Exists(temp.Combine("replay")) ? Directory.EnumerateFiles(temp.Combine("replay"), "commit.yaml", SearchOption.AllDirectories) : [];
        results.Should().BeEmpty("nothing is built from inputs that are not the recorded ones");
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/.git/", StringComparison.Ordinal)))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
