using System.Text;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Provenance;
using CiJobs.Core.Truth;

namespace CiJobs.Core.Builds;

/// <summary>A successful build of the same inputs: its manifest, where it was found, and its result folder when it is here.</summary>
public sealed record PriorBuild(ProvenanceManifest Manifest, string Where, string? ResultPath);

/// <summary>
/// Finds a successful build of an input hash, so a retried mass rebuild rebuilds nothing that succeeded
/// (docs/manual/mass-rebuild.md, "Retries"): first the result folder the build would write (a rerun on the same node),
/// then the truth store when one is given (a retry on another node; the mass-rebuild job ingests each success).
/// A manifest that cannot be read is no prior build: the package is built again.
/// </summary>
public sealed class PriorBuilds(ITruthStore? store)
{
    public async Task<PriorBuild?> FindAsync(string inputHash, string resultFolder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputHash);
        ArgumentNullException.ThrowIfNull(resultFolder);
        var local = Path.Combine(resultFolder, ProvenanceManifest.FileName);
        if (File.Exists(local))
        {
            try
            {
                var read = await ProvenanceReader.ReadFileAsync(local, cancellationToken);
                if (IsSuccessOf(read.Manifest, inputHash))
                {
                    return new PriorBuild(read.Manifest, resultFolder, resultFolder);
                }
            }
            catch (CiJobsException)
            {
                // Unreadable or of another schema: not a prior build.
            }
        }

        if (store is null)
        {
            return null;
        }

        foreach (var build in (await store.FindBuildsByInputHashAsync(inputHash, cancellationToken)).Reverse())
        {
            if (build.Status != DlrnCommit.Success)
            {
                continue;
            }

            try
            {
                var read = ProvenanceReader.Read(Encoding.UTF8.GetBytes(build.Manifest), $"build {build.Id} of the {store.Description}");
                if (IsSuccessOf(read.Manifest, inputHash))
                {
                    return new PriorBuild(read.Manifest, $"build {build.Id} in the {store.Description}", null);
                }
            }
            catch (CiJobsException)
            {
                // As above.
            }
        }

        return null;
    }

    private static bool IsSuccessOf(ProvenanceManifest manifest, string inputHash) =>
        manifest.Status == DlrnCommit.Success && manifest.InputHash == inputHash && manifest.Kind == ProvenanceManifest.PackageBuildKind;
}
