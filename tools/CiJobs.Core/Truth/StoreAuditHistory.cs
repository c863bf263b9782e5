using CiJobs.Core.Audit;

namespace CiJobs.Core.Truth;

/// <summary>
/// The audit's view of the store (docs/manual/audit.md, "--store"): for each pair of hashes of the release's packages, the
/// status the store's copy of this DLRN server gives it (else the status of the build when it was published), and the
/// newest publication to the server with its result URL.
/// </summary>
public sealed class StoreAuditHistory(IDlrnTruthStore store, string server) : IAuditHistory
{
    /// <summary>The builds the last call returned (the replay needs their result URLs).</summary>
    public IReadOnlyList<RecordedBuild> Last { get; private set; } = [];

    public async Task<IReadOnlyList<RecordedBuild>> BuildsAsync(IReadOnlyCollection<string> packages, CancellationToken cancellationToken)
    {
        var stored = await store.DlrnBuildsAsync(server, packages, cancellationToken);
        Last = [.. stored.Select(b => new RecordedBuild(b.Package, b.CommitHash, b.DistroHash, b.DlrnStatus ?? b.PublishedStatus ?? "")
        {
            PublishedAt = b.PublishedAt is { } at ? DateTimeOffset.FromUnixTimeSeconds(at) : null,
            ResultUrl = b.RepoUrl,
        })];
        return Last;
    }
}
