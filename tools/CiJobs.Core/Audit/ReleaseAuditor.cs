using CiJobs.Core.Dlrn;

namespace CiJobs.Core.Audit;

/// <summary>
/// <c>cijobs audit</c>: compares what rdoinfo expects of a release (each package's source and distgit heads) with what
/// DLRN built and, when a store is given, with what the store recorded; each rule is in docs/manual/audit.md.
/// </summary>
public sealed class ReleaseAuditor(IHeadSource heads, IDlrnBuildSource dlrn, IAuditHistory? history, TimeProvider time, Action<string> progress)
{
    public const string Success = "SUCCESS";
    public const string Failed = "FAILED";

    /// <summary>Packages read from DLRN at once.</summary>
    public int Parallelism { get; init; } = 8;

    /// <summary>How many of a package's rows the DLRN source gives at most (null: all). A publication older than the oldest
    /// of a full answer is not judged: DLRN may hold it further down (docs/manual/audit.md).</summary>
    public int? DlrnRowsPerPackage { get; init; }

    public async Task<AuditReport> AuditAsync(string release, IReadOnlyList<ExpectedPackage> packages, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(packages);
        var now = time.GetUtcNow();
        progress($"reading the heads of {packages.Count} packages");
        var headList = await heads.HeadsAsync(packages, cancellationToken);
        var headsByName = headList.ToDictionary(h => h.Package, StringComparer.Ordinal);

        progress($"reading DLRN's builds of {packages.Count} packages");
        var rows = new IReadOnlyList<DlrnCommitRecord>[packages.Count];
        var done = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, packages.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Parallelism), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                rows[i] = await dlrn.BuildsAsync(packages[i].Name, ct);
                if (Interlocked.Increment(ref done) % 500 == 0)
                {
                    progress($"  {done}/{packages.Count}");
                }
            });

        var recorded = history is null ? [] : await history.BuildsAsync(packages.Select(p => p.Name).ToList(), cancellationToken);
        var recordedByPackage = recorded.GroupBy(r => r.Package, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        var findings = new List<AuditFinding>();
        for (var i = 0; i < packages.Count; i++)
        {
            var package = packages[i];
            var built = rows[i];
            var stored = recordedByPackage.GetValueOrDefault(package.Name) ?? [];
            findings.AddRange(CompareWithStore(package.Name, built, stored, DlrnRowsPerPackage));
            var published = stored.Any(s => s.PublishedAt is not null);
            if (built.Count == 0)
            {
                if (!published)
                {
                    findings.Add(new AuditFinding(AuditClass.NeverBuilt, package.Name, $"rdoinfo expects {package.Name} in {release}; DLRN holds no build of it")
                    {
                        Replay = "rerun_ci",
                    });
                }

                continue;
            }

            var newest = built[0];
            if (newest.Status == Failed)
            {
                findings.Add(new AuditFinding(AuditClass.FailedNeverFixed, package.Name, $"DLRN's newest build of {package.Name} failed at {Time(newest.DtBuild)} and none succeeded since")
                {
                    CommitHash = newest.CommitHash,
                    DistroHash = newest.DistroHash,
                    Since = DateTimeOffset.FromUnixTimeSeconds(newest.DtBuild),
                    Replay = "dlrn_recheck",
                });
                continue;
            }

            var head = headsByName[package.Name];
            if (built.Any(b => b.CommitHash == head.SourceCommit && b.DistroHash == head.DistgitCommit))
            {
                continue;
            }

            // The head is not built: stale once it has waited longer than the threshold, counted from the head's commit
            // time when known, else from DLRN's newest build (the head came after it, or DLRN would have built it).
            var since = head.SourceTime ?? DateTimeOffset.FromUnixTimeSeconds(built.Max(b => b.DtBuild));
            if (now - since > staleAfter)
            {
                findings.Add(new AuditFinding(
                    AuditClass.Stale,
                    package.Name,
                    $"{package.Name}: the heads (source {Short(head.SourceCommit)} of {package.SourceRef}, distgit {Short(head.DistgitCommit)} of {package.DistgitRef}) " +
                    $"are not built; DLRN's newest build is {Short(newest.CommitHash)}/{Short(newest.DistroHash)} ({newest.Status}, {Time(newest.DtBuild)}), waiting since {since:yyyy-MM-dd HH:mm} UTC")
                {
                    CommitHash = head.SourceCommit,
                    DistroHash = head.DistgitCommit,
                    Since = since,
                    Replay = "rerun_ci",
                });
            }
        }

        progress($"{findings.Count} finding(s)");
        return new AuditReport(release, now, packages.Count, history is not null, findings, []);
    }

    /// <summary>Published builds DLRN does not hold (dropped imports) and builds both hold with another status.</summary>
    private static IEnumerable<AuditFinding> CompareWithStore(string package, IReadOnlyList<DlrnCommitRecord> built, IReadOnlyList<RecordedBuild> stored, int? window)
    {
        // A full answer ends somewhere in the package's history: rows older than its oldest were not read.
        var readSince = window is { } rows && built.Count >= rows ? built.Min(b => b.DtBuild) : (long?)null;
        foreach (var build in stored)
        {
            var row = built.FirstOrDefault(b => b.CommitHash == build.CommitHash && b.DistroHash == build.DistroHash);
            if (row is null)
            {
                if (build.PublishedAt is { } at && build.Status == Success && (readSince is null || at.ToUnixTimeSeconds() >= readSince))
                {
                    yield return new AuditFinding(AuditClass.ImportDropped, package, $"{package} {Short(build.CommitHash)}/{Short(build.DistroHash)} was published to DLRN at {at:yyyy-MM-dd HH:mm} UTC; DLRN holds no row of it")
                    {
                        CommitHash = build.CommitHash,
                        DistroHash = build.DistroHash,
                        Since = at,
                        Replay = build.ResultUrl is null ? null : "republish",
                    };
                }
            }
            else if (!string.Equals(row.Status, build.Status, StringComparison.Ordinal))
            {
                yield return new AuditFinding(AuditClass.StoreDisagrees, package, $"{package} {Short(build.CommitHash)}/{Short(build.DistroHash)}: the store says {build.Status}, DLRN says {row.Status}")
                {
                    CommitHash = build.CommitHash,
                    DistroHash = build.DistroHash,
                };
            }
        }
    }

    /// <summary>Asks for the missing work again: one request per finding that has a replay; every outcome is reported.</summary>
    public static async Task<AuditReport> ReplayAsync(AuditReport report, IReadOnlyList<ExpectedPackage> packages, IReadOnlyList<RecordedBuild> recorded, IAuditReplayer replayer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(replayer);
        var byName = packages.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var outcomes = new List<ReplayOutcome>();
        var rechecked = new HashSet<string>(StringComparer.Ordinal);
        var rerun = new HashSet<string>(StringComparer.Ordinal);
        foreach (var finding in report.Findings)
        {
            switch (finding.Replay)
            {
                case "dlrn_recheck" when rechecked.Add(finding.Package):
                    outcomes.Add(await replayer.RecheckAsync(finding.Package, cancellationToken));
                    break;
                case "rerun_ci" when rerun.Add(finding.Package) && byName.TryGetValue(finding.Package, out var package):
                    outcomes.Add(await replayer.RerunAsync(package, cancellationToken));
                    break;
                case "republish":
                    var build = recorded.First(r => r.Package == finding.Package && r.CommitHash == finding.CommitHash && r.DistroHash == finding.DistroHash && r.ResultUrl is not null);
                    outcomes.Add(await replayer.RepublishAsync(build, cancellationToken));
                    break;
            }
        }

        return report with { Replays = outcomes };
    }

    private static string Short(string hash) => hash.Length > 8 ? hash[..8] : hash;

    private static string Time(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The report as text; the class names as the JSON spells them.</summary>
public static class AuditText
{
    public static string ClassName(AuditClass value) => value switch
    {
        AuditClass.NeverBuilt => "never_built",
        AuditClass.Stale => "stale",
        AuditClass.FailedNeverFixed => "failed_never_fixed",
        AuditClass.ImportDropped => "import_dropped",
        AuditClass.StoreDisagrees => "store_disagrees",
        _ => value.ToString(),
    };

    public static string Format(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new System.Text.StringBuilder();
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"audit of {report.Release} at {report.AuditedAt:yyyy-MM-dd HH:mm:ss} UTC: {report.Packages} packages, {report.Findings.Count} finding(s)")
            .Append(report.StoreCompared ? "" : " (no store given: import_dropped and store_disagrees not checked)").Append('\n');
        foreach (var group in report.Findings.GroupBy(f => f.Class).OrderBy(g => g.Key))
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{ClassName(group.Key)}: {group.Count()}\n");
            foreach (var finding in group)
            {
                text.Append("  ").Append(finding.Message).Append(finding.Replay is { } replay ? $" [replay: {replay}]" : "").Append('\n');
            }
        }

        foreach (var replay in report.Replays)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"replay {replay.Action} {replay.Package}: {(replay.Succeeded ? "done" : "FAILED")}: {replay.Message}\n");
        }

        return text.ToString();
    }
}
