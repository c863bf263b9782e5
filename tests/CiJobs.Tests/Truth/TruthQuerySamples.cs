using CiJobs.Core.Provenance;
using CiJobs.Core.Truth;
using CiJobs.Tests.Provenance;

namespace CiJobs.Tests.Truth;

/// <summary>Layered builds for the query tests: an RPM, an image built from it, a container built from the image.</summary>
public static class TruthQuerySamples
{
    public static ProvenanceFile Rpm { get; } = ProvenanceSamples.File("foo-1.0-1.el9.noarch.rpm", "rpm of foo");

    public static ProvenanceFile Image { get; } = ProvenanceSamples.File("image.qcow2", "image bytes");

    public static ProvenanceFile Container { get; } = ProvenanceSamples.File("container.tar", "container bytes");

    public static ReadManifest Foo { get; } = ProvenanceSamples.Read(ProvenanceSamples.Manifest("foo", files: [Rpm], dtBuild: 1_000));

    public static ReadManifest ImageBuild { get; } = Layer("image", Rpm, Image, 2_000);

    public static ReadManifest ContainerBuild { get; } = Layer("container", Image, Container, 3_000);

    /// <summary>A build of <paramref name="package"/> reading <paramref name="input"/> and writing <paramref name="output"/>.</summary>
    public static ReadManifest Layer(string package, ProvenanceFile input, ProvenanceFile output, long dtBuild) =>
        ProvenanceSamples.Read(ProvenanceSamples.Manifest(
            package,
            files: [output],
            inputs: ProvenanceSamples.Inputs(package, artifacts: [new ProvenanceArtifact(input.Name, input.Size, input.Sha256, "rpm")]),
            dtBuild: dtBuild));

    /// <summary>A manifest of <paramref name="package"/> with a status, a release and branches of its own (version 2 with a duration when given).</summary>
    public static ReadManifest Build(string package, long dtBuild, string status = "SUCCESS", string? release = null, string commitBranch = "main", string distroBranch = "rpm-main", string content = "", double? duration = null)
    {
        var manifest = ProvenanceSamples.Manifest(package, files: [ProvenanceSamples.File($"{package}-{dtBuild}.rpm", package + dtBuild + content)], dtBuild: dtBuild, duration: duration);
        return ProvenanceSamples.Read(manifest with
        {
            Status = status,
            Release = release,
            Dlrn = manifest.Dlrn with { CommitBranch = commitBranch, DistroBranch = distroBranch },
            Outputs = manifest.Outputs with { Nvrs = [$"{package}-{dtBuild}-1.el9.noarch"] },
        });
    }

    public static CiVote Vote(string build, string ci, bool vote, long timestamp, bool inProgress = false) =>
        new(build, ci, $"https://ci.example.org/{ci}/{timestamp}", vote, inProgress, timestamp, null, "ci-user", null);
}
