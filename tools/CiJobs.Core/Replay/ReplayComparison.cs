using CiJobs.Core.Provenance;

namespace CiJobs.Core.Replay;

/// <summary>How a replay's outputs compare with the recorded build's (docs/manual/replay.md, "Verdicts").</summary>
public enum ReplayVerdict
{
    /// <summary>Every recorded file was built again with the same sha256, and no other file: the build is reproducible.</summary>
    Identical,

    /// <summary>The same status, NVRs and file names, but some files differ in their bits (a build time, a host name).</summary>
    Equivalent,

    /// <summary>Another status, other NVRs or another list of files.</summary>
    Different,
}

/// <summary>One input member that differs between the recorded build and its replay.</summary>
/// <param name="Name">The member, as in the manifest (<c>source.commit</c>, <c>cijobs_version</c>).</param>
/// <param name="Decisive">True when it changes what is built (a commit, a tree, the rdoinfo entry, a setting, the build
/// root); false for where things were read from (a location, a ref's name), the tool version and the builder image.</param>
public sealed record InputDifference(string Name, string? Recorded, string? Replayed, bool Decisive);

/// <summary>One output file and how it compares.</summary>
/// <param name="State"><c>same</c>, <c>differs</c> (other bits), <c>missing</c> (recorded only) or <c>extra</c> (replay only).</param>
/// <param name="Record">A record of the build rather than a package (a Debian <c>.buildinfo</c>, which holds the build's date
/// and environment, and the <c>.changes</c> listing its checksum): its bits may differ in an identical replay.</param>
public sealed record FileComparison(string Name, string State, string? RecordedSha256, string? ReplayedSha256, bool Record);

/// <summary>The comparison of a recorded manifest with its replay's.</summary>
public sealed record ReplayComparison(
    ReplayVerdict Verdict,
    bool SameInputHash,
    IReadOnlyList<InputDifference> Inputs,
    string RecordedStatus,
    string ReplayedStatus,
    IReadOnlyList<string> MissingNvrs,
    IReadOnlyList<string> ExtraNvrs,
    IReadOnlyList<FileComparison> Files)
{
    /// <summary>Compares <paramref name="replayed"/> with <paramref name="recorded"/>.</summary>
    public static ReplayComparison Compare(ProvenanceManifest recorded, ProvenanceManifest replayed)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(replayed);
        var inputs = CompareInputs(recorded.Inputs, replayed.Inputs);
        var missingNvrs = recorded.Outputs.Nvrs.Except(replayed.Outputs.Nvrs, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var extraNvrs = replayed.Outputs.Nvrs.Except(recorded.Outputs.Nvrs, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (!string.Equals(recorded.Outputs.SourceNvr, replayed.Outputs.SourceNvr, StringComparison.Ordinal))
        {
            if (recorded.Outputs.SourceNvr is { } r)
            {
                missingNvrs.Add(r);
            }

            if (replayed.Outputs.SourceNvr is { } p)
            {
                extraNvrs.Add(p);
            }
        }

        var was = recorded.Outputs.Files.GroupBy(f => f.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var now = replayed.Outputs.Files.GroupBy(f => f.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var files = was.Keys.Union(now.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(name =>
        {
            was.TryGetValue(name, out var before);
            now.TryGetValue(name, out var after);
            var state = before is null ? "extra"
                : after is null ? "missing"
                : before.Sha256 == after.Sha256 && before.Size == after.Size ? "same"
                : "differs";
            return new FileComparison(name, state, before?.Sha256, after?.Sha256, IsRecord(name));
        }).ToList();

        var sameShape = recorded.Status == replayed.Status && missingNvrs.Count == 0 && extraNvrs.Count == 0 && files.All(f => f.State is "same" or "differs");
        var verdict = !sameShape ? ReplayVerdict.Different
            : files.All(f => f.State == "same" || f.Record) ? ReplayVerdict.Identical
            : ReplayVerdict.Equivalent;
        return new ReplayComparison(verdict, recorded.InputHash == replayed.InputHash, inputs, recorded.Status, replayed.Status, missingNvrs, extraNvrs, files);
    }

    private static List<InputDifference> CompareInputs(ProvenanceInputs recorded, ProvenanceInputs replayed)
    {
        var differences = new List<InputDifference>();
        void Check(string name, string? before, string? after, bool decisive)
        {
            if (!string.Equals(before, after, StringComparison.Ordinal))
            {
                differences.Add(new InputDifference(name, before, after, decisive));
            }
        }

        Check("rdoinfo.entry_sha256", recorded.Rdoinfo?.EntrySha256, replayed.Rdoinfo?.EntrySha256, true);
        Check("rdoinfo.tag", recorded.Rdoinfo?.Tag, replayed.Rdoinfo?.Tag, true);
        Check("rdoinfo.commit", recorded.Rdoinfo?.Commit, replayed.Rdoinfo?.Commit, false);
        foreach (var (role, before, after) in new[] { ("source", recorded.Source, replayed.Source), ("distgit", recorded.Distgit, replayed.Distgit) })
        {
            Check($"{role}.commit", before.Commit, after.Commit, true);
            Check($"{role}.tree", before.Tree, after.Tree, true);
            Check($"{role}.path", before.Path, after.Path, true);
            Check($"{role}.ref", before.Ref, after.Ref, false);
            Check($"{role}.url", before.Url, after.Url, false);
        }

        Check("patches.url", recorded.Patches?.Url, replayed.Patches?.Url, true);
        Check("buildroot", Buildroot(recorded.Buildroot), Buildroot(replayed.Buildroot), true);
        Check("artifacts", string.Join(",", recorded.Artifacts.Select(a => a.Sha256)), string.Join(",", replayed.Artifacts.Select(a => a.Sha256)), true);
        Check("settings", recorded.Settings.ToString(), replayed.Settings.ToString(), true);
        Check("cijobs_version", recorded.CijobsVersion, replayed.CijobsVersion, false);
        Check("builder_image", recorded.BuilderImage, replayed.BuilderImage, false);
        return differences;
    }

    /// <summary>A Debian build record: <c>.buildinfo</c> (Build-Date, environment; deb-buildinfo(5)) or <c>.changes</c>.</summary>
    public static bool IsRecord(string name) =>
        name.EndsWith(".buildinfo", StringComparison.Ordinal) || name.EndsWith(".changes", StringComparison.Ordinal);

    private static string Buildroot(IReadOnlyList<ProvenanceBuildrootRepository> repositories) =>
        string.Join(" ", repositories.Select(r => $"{r.Url}#{r.MetadataSha256 ?? "-"}"));
}
