using System.Security.Cryptography;
using System.Text;
using CiJobs.Core;
using CiJobs.Core.Platform;
using CiJobs.Core.Provenance;
using CiJobs.Core.Release;
using CiJobs.Tests.Provenance;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Release;

/// <summary>The provenance manifests a release publish keeps (docs/manual/release.md, "Provenance"): checked against their
/// folder's files, published beside the packages in the same switch, carried by later publishes.</summary>
public sealed class ReleaseProvenanceTests(ReleasePackagesFixture packages) : IClassFixture<ReleasePackagesFixture>, IDisposable
{
    private readonly TempDir temp = new("release-provenance");

    public void Dispose() => temp.Dispose();

    private string Root => temp.Combine("root");

    private Task<ReleaseResult> PublishAsync(bool requireProvenance, params string[] results) =>
        new ReleasePublisher(new CliWrapProcessRunner()).PublishAsync(
            new ReleaseRequest(results, Root, "bookworm") { RequireProvenance = requireProvenance }, null, CancellationToken.None);

    /// <summary>A copy of a fixture result folder with a manifest describing its files (or, with <paramref name="tamper"/>, one file wrongly).</summary>
    /// <summary>A copy of <paramref name="fixture"/> with a manifest of its files: version 2 as cijobs writes it, or
    /// version 1 (still read) when <paramref name="duration"/> is null.</summary>
    private string WithManifest(string fixture, string name, string format = "rpm", bool tamper = false, bool omitOne = false, double? duration = 30.25)
    {
        var folder = temp.Combine(name);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(fixture))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal)
            .Select(f => new ProvenanceFile(Path.GetFileName(f), new FileInfo(f).Length, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))))
            .ToList();
        if (tamper)
        {
            files[0] = files[0] with { Sha256 = ProvenanceSamples.Sha("not these bits") };
        }

        if (omitOne)
        {
            files.RemoveAt(0);
        }

        var manifest = ProvenanceSamples.Manifest(name, files, duration: duration) with { Format = format };
        File.WriteAllText(Path.Combine(folder, ProvenanceManifest.FileName), ProvenanceSamples.Json(manifest));
        return folder;
    }

    private static string BuildIdOf(string folder) =>
        ProvenanceReader.Read(File.ReadAllBytes(Path.Combine(folder, ProvenanceManifest.FileName)), "m").BuildId;

    private Dictionary<string, string> Snapshot() =>
        Directory.Exists(Root)
            ? Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(Root, f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))))
            : [];

    [Fact]
    public async Task Each_builds_manifest_is_published_beside_its_packages_as_it_was_and_later_publishes_keep_it()
    {
        var a10 = WithManifest(packages.RpmA10, "a10");
        var first = await PublishAsync(false, a10);

        var published = Path.Combine(Root, "rpm", ReleaseProvenance.Folder, BuildIdOf(a10) + ".json");
        File.ReadAllBytes(published).Should().Equal(File.ReadAllBytes(Path.Combine(a10, ProvenanceManifest.FileName)), "the manifest is published byte for byte");
        first.Added.Should().OnlyContain(p => p.Provenance == $"rpm/provenance/{BuildIdOf(a10)}.json");
        ReleaseOutput.Text(first).Should().Contain($"(provenance rpm/provenance/{BuildIdOf(a10)}.json)");

        // A later publish of another build keeps the first manifest; one without a manifest adds none and keeps both.
        var a11 = WithManifest(packages.RpmA11, "a11");
        var second = await PublishAsync(false, a11);
        var third = await PublishAsync(false, packages.RpmB20);

        Directory.GetFiles(Path.Combine(Root, "rpm", ReleaseProvenance.Folder)).Select(Path.GetFileName)
            .Should().BeEquivalentTo([BuildIdOf(a10) + ".json", BuildIdOf(a11) + ".json"]);
        second.Added.Should().OnlyContain(p => p.Provenance == $"rpm/provenance/{BuildIdOf(a11)}.json");
        third.Added.Should().OnlyContain(p => p.Provenance == null);

        // The same bits again: skipped, nothing rewritten.
        var before = Snapshot();
        var again = await PublishAsync(false, a11);
        again.Added.Should().BeEmpty();
        again.Skipped.Should().OnlyContain(p => p.Provenance == null);
        Snapshot().Should().BeEquivalentTo(before);
    }

    [Fact]
    public async Task A_Debian_build_with_a_source_package_keeps_its_manifest_in_the_deb_tree()
    {
        var s10 = WithManifest(packages.DebS10, "s10", format: "deb", duration: null);

        var result = await PublishAsync(true, s10);

        result.Added.Should().HaveCount(2).And.OnlyContain(p => p.Provenance == $"deb/provenance/{BuildIdOf(s10)}.json");
        File.Exists(Path.Combine(Root, "deb", "provenance", BuildIdOf(s10) + ".json")).Should().BeTrue();
        Directory.Exists(Path.Combine(Root, "rpm")).Should().BeFalse();
    }

    [Fact]
    public async Task A_manifest_that_does_not_describe_its_folder_is_refused_and_nothing_is_published()
    {
        await PublishAsync(false, WithManifest(packages.RpmA10, "a10"));
        var before = Snapshot();
        var corrupt = WithManifest(packages.RpmB20, "corrupt");
        File.WriteAllText(Path.Combine(corrupt, ProvenanceManifest.FileName), "{\"schema_version\": 1, \"kind\": ");
        var unknown = WithManifest(packages.RpmB20, "unknown");
        File.WriteAllText(Path.Combine(unknown, ProvenanceManifest.FileName), File.ReadAllText(Path.Combine(unknown, ProvenanceManifest.FileName)).Replace("\"schema_version\": 2", "\"schema_version\": 9", StringComparison.Ordinal));
        var linked = WithManifest(packages.RpmB20, "linked");
        var real = Path.Combine(linked, ProvenanceManifest.FileName);
        File.Move(real, temp.Combine("outside.json"));
        File.CreateSymbolicLink(real, temp.Combine("outside.json"));
        var failed = WithManifest(packages.RpmB20, "failed");
        File.WriteAllText(Path.Combine(failed, ProvenanceManifest.FileName), ProvenanceSamples.Json(
            ProvenanceReader.Read(File.ReadAllBytes(Path.Combine(WithManifest(packages.RpmB20, "failed-source"), ProvenanceManifest.FileName)), "m").Manifest with { Status = "FAILED" }));

        foreach (var (folder, message) in new[]
        {
            (WithManifest(packages.RpmB20, "tampered", tamper: true), "is not the file"),
            (WithManifest(packages.RpmB20, "partial", omitOne: true), "does not list"),
            (corrupt, "not JSON"),
            (unknown, "schema"),
            (linked, "symbolic link"),
            (failed, "not SUCCESS"),
            (packages.RpmB20, "has no provenance.json"),
        })
        {
            var publish = async () => await PublishAsync(true, folder);
            var error = (await publish.Should().ThrowAsync<CiJobsException>()).Which;
            error.ExitCode.Should().Be(ReleaseExitCodes.CannotPublish, message);
            error.Message.Should().Contain(message);
            Snapshot().Should().BeEquivalentTo(before, $"a refused publish ({message}) changes nothing");
        }
    }

    [Fact]
    public async Task The_published_manifest_is_one_the_truth_store_reads()
    {
        var a10 = WithManifest(packages.RpmA10, "a10");
        await PublishAsync(false, a10);

        var read = await ProvenanceReader.ReadFileAsync(Path.Combine(Root, "rpm", "provenance", BuildIdOf(a10) + ".json"), CancellationToken.None);

        read.BuildId.Should().Be(BuildIdOf(a10));
        Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(Root, "rpm", "provenance", BuildIdOf(a10) + ".json"))).Should().Contain("\"package\": \"a10\"");
    }
}
