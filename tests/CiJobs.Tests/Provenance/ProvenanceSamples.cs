using System.Security.Cryptography;
using System.Text;
using CiJobs.Core.Provenance;

namespace CiJobs.Tests.Provenance;

/// <summary>Manifests made in tests: valid (their input hash computed), each differing in what the test sets.</summary>
public static class ProvenanceSamples
{
    public static string Sha(string seed) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)));

    public static ProvenanceInputs Inputs(string package = "foo", string sourceCommit = "", IReadOnlyList<ProvenanceArtifact>? artifacts = null) => new()
    {
        Rdoinfo = new ProvenanceRdoinfo(new string('a', 40), "rdo-full.yml", null, Sha("entry " + package)),
        Source = new ProvenanceRepository($"https://example.org/{package}.git", "main", sourceCommit.Length > 0 ? sourceCommit : Sha("src " + package)[..40], Sha("tree " + package)[..40], null),
        Distgit = new ProvenanceRepository($"https://example.org/{package}-distgit.git", "rpm-main", Sha("dg " + package)[..40], Sha("dgtree " + package)[..40], null),
        Patches = null,
        Buildroot = [new ProvenanceBuildrootRepository("https://mirror.example.org/el9/BaseOS", null, null)],
        Artifacts = artifacts ?? [],
        Settings = new ProvenanceSettings(".el9", "bookworm", false, false, "delorean", null),
        CijobsVersion = "1.2.3",
        BuilderImage = ProvenanceInputs.UnknownBuilderImage,
    };

    /// <summary>A manifest of <paramref name="package"/> whose outputs are the given (name, content) files: version 1, or
    /// version 2 with a build started 10 s before dt_build when <paramref name="duration"/> is given.</summary>
    public static ProvenanceManifest Manifest(string package = "foo", IReadOnlyList<ProvenanceFile>? files = null, ProvenanceInputs? inputs = null, long dtBuild = 1_764_000_000, double? duration = null)
    {
        var buildInputs = inputs ?? Inputs(package);
        files ??= [File($"{package}-1.0-1.el9.noarch.rpm", "rpm of " + package), File($"{package}-1.0-1.el9.src.rpm", "srpm of " + package)];
        return new ProvenanceManifest
        {
            SchemaVersion = duration is null ? 1 : 2,
            Kind = ProvenanceManifest.PackageBuildKind,
            InputHash = InputHash.Compute(buildInputs),
            Package = package,
            Project = package,
            Release = null,
            Format = "rpm",
            Status = "SUCCESS",
            Notes = "OK",
            Builder = "rpmbuild",
            Dlrn = new ProvenanceDlrn(buildInputs.Source.Commit!, buildInputs.Distgit.Commit!, null, "main", "rpm-main", dtBuild - 100, dtBuild - 50, dtBuild, null),
            Inputs = buildInputs,
            Outputs = new ProvenanceOutputs(files, $"{package}-1.0-1.el9", [$"{package}-1.0-1.el9.noarch"]),
            Job = new ProvenanceJob("https://ci.example.org/job/1", "gate", "42"),
            Build = duration is { } seconds ? new ProvenanceBuild(dtBuild - 10, seconds) : null,
        };
    }

    public static ProvenanceFile File(string name, string content) =>
        new(name, Encoding.UTF8.GetByteCount(content), Sha(content));

    public static string Json(ProvenanceManifest manifest) => BuildProvenance.ToJson(manifest);

    public static ReadManifest Read(ProvenanceManifest manifest) => ProvenanceReader.Read(Encoding.UTF8.GetBytes(Json(manifest)), "test.json");
}
