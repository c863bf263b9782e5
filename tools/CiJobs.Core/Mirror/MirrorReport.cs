using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CiJobs.Core.Mirror;

/// <summary>The sync report as text and JSON (sync-report.txt and sync-report.json of <c>--report-dir</c>); docs/manual/mirror.md, "Report".</summary>
public static class MirrorReport
{
    public static string Json(MirrorSyncResult result) => JsonSerializer.Serialize(result, MirrorJsonContext.Default.MirrorSyncResult) + "\n";

    public static string Text(MirrorSyncResult result)
    {
        var text = new StringBuilder();
        text.Append($"mirror sync: {result.Destination} -> snapshots/{result.Snapshot}\n");
        text.Append($"previous: {(result.PreviousSnapshot is null ? "none (first sync)" : "snapshots/" + result.PreviousSnapshot)}\n");
        text.Append($"repositories: {string.Join(", ", result.Repositories)}\n");
        Section("added", result.Added, p => p.NewVersion!);
        Section("removed", result.Removed, p => p.OldVersion!);
        Section("changed", result.Changed, p => $"{p.OldVersion} -> {p.NewVersion}");
        text.Append($"deleted snapshots: {(result.DeletedSnapshots.Count == 0 ? "none" : string.Join(", ", result.DeletedSnapshots))}\n");
        return text.ToString();

        void Section(string title, IReadOnlyList<MirrorPackageChange> packages, Func<MirrorPackageChange, string> versions)
        {
            text.Append($"{title}: {packages.Count}\n");
            foreach (var package in packages)
            {
                text.Append($"  {package.Repository}: {package.Name}{(package.Arch.Length == 0 ? "" : "." + package.Arch)} {versions(package)}\n");
            }
        }
    }
}

/// <summary>Source-generated JSON of the sync report (no reflection, for the Native AOT build).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(MirrorSyncResult))]
internal sealed partial class MirrorJsonContext : JsonSerializerContext;
