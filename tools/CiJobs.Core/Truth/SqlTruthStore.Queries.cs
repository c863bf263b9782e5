using System.Data.Common;
using System.Globalization;
using CiJobs.Core.Provenance;

namespace CiJobs.Core.Truth;

/// <summary>The read queries (<see cref="ITruthQueries"/>; docs/manual/truth.md, "Queries"): parameterized SQL only, every list bounded.</summary>
public abstract partial class SqlTruthStore : ITruthQueries
{
    /// <summary>The columns of a <see cref="BuildSummary"/>; its files and size summed from its outputs. A query picks its
    /// builds' ids first (ORDER BY ... LIMIT in a subquery), so the sums are computed for the rows returned only.</summary>
    private const string SummaryColumns =
        "b.id, b.package, b.release, b.status, b.dt_build, b.dt_commit, b.dt_distro, b.commit_hash, b.distro_hash, b.commit_branch, b.distro_branch, b.source_nvr, " +
        "COALESCE((SELECT t.outputs FROM build_totals t WHERE t.build_id = b.id), 0), " +
        "COALESCE((SELECT t.size FROM build_totals t WHERE t.build_id = b.id), 0), b.duration_seconds";

    /// <summary>Parameters of one IN list at most (SQLite's default limit is far above).</summary>
    private const int InChunk = 500;

    public Task<IReadOnlyList<BuildSummary>> LatestBuildsAsync(IReadOnlyList<string> packages, string? release, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(packages);
        return GuardAsync("reading", async () =>
        {
            var distinct = packages.Distinct(StringComparer.Ordinal).ToList();
            var byPackage = new Dictionary<string, BuildSummary>(StringComparer.Ordinal);
            var releaseFilter = release is null ? "" : " AND (x.release = @r OR x.release IS NULL)";
            foreach (var chunk in distinct.Chunk(InChunk))
            {
                // One statement per chunk of packages: a row of VALUES per package, and for each the id of its newest
                // build (dt_build, then id, descending: ties go to the greater id) through the builds_package_time index;
                // a package without a build gives NULL, which matches no build.
                var parameters = chunk.Select((p, i) => ($"k{i}", (object?)p)).ToList();
                if (release is not null)
                {
                    parameters.Add(("r", release));
                }

                var rows = string.Join(", ", chunk.Select((_, i) => $"(@k{i})"));
                await using var command = Command(
                    null,
                    $"SELECT {SummaryColumns} FROM builds b WHERE b.id IN (SELECT (SELECT x.id FROM builds x WHERE x.package = p.column1{releaseFilter} ORDER BY x.dt_build DESC, x.id DESC LIMIT 1) FROM (VALUES {rows}) AS p)",
                    parameters);
                foreach (var build in await ReadSummariesAsync(command, cancellationToken))
                {
                    byPackage[build.Package] = build;
                }
            }

            // In the order of the packages asked for, as before.
            var found = distinct.Where(byPackage.ContainsKey).Select(p => byPackage[p]).ToList();
            return (IReadOnlyList<BuildSummary>)await WithNvrsAsync(found, cancellationToken);
        });
    }

    public Task<BuildPage> BuildsBetweenAsync(long from, long to, int limit, CancellationToken cancellationToken)
    {
        CheckLimit(limit);
        return GuardAsync("reading", async () =>
        {
            await using var command = Command(
                null,
                $"SELECT {SummaryColumns} FROM builds b WHERE b.id IN (SELECT x.id FROM builds x WHERE x.dt_build >= @from AND x.dt_build < @to ORDER BY x.dt_build, x.id LIMIT @limit) ORDER BY b.dt_build, b.id",
                [("from", from), ("to", to), ("limit", limit + 1)]);
            var builds = await ReadSummariesAsync(command, cancellationToken);
            var truncated = builds.Count > limit;
            return new BuildPage(await WithNvrsAsync(builds.Take(limit).ToList(), cancellationToken), truncated);
        });
    }

    public Task<PackageHistory> HistoryAsync(string package, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(package);
        CheckLimit(limit);
        return GuardAsync("reading", async () =>
        {
            await using var command = Command(
                null,
                $"SELECT {SummaryColumns} FROM builds b WHERE b.id IN (SELECT x.id FROM builds x WHERE x.package = @p ORDER BY x.dt_build DESC, x.id DESC LIMIT @limit) ORDER BY b.dt_build DESC, b.id DESC",
                [("p", package), ("limit", limit + 1)]);
            var newest = await ReadSummariesAsync(command, cancellationToken);
            var truncated = newest.Count > limit;
            var builds = newest.Take(limit).Reverse().ToList();
            return new PackageHistory(package, await WithNvrsAsync(builds, cancellationToken), truncated);
        });
    }

    /// <summary>The largest number of builds a build-times query takes the median of.</summary>
    public const int MaxBuildTimesLast = 100;

    public Task<IReadOnlyList<PackageBuildTime>> BuildTimesAsync(BuildTimesScope scope, int last, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (last is < 1 or > MaxBuildTimesLast)
        {
            throw new ArgumentOutOfRangeException(nameof(last), last, $"between 1 and {MaxBuildTimesLast}");
        }

        return GuardAsync("reading", async () =>
        {
            // The newest `last` durations of each package, numbered per package by ROW_NUMBER (SQLite 3.25+, PostgreSQL).
            const string Numbered =
                "SELECT t.package, t.duration_seconds FROM (SELECT x.package, x.duration_seconds, ROW_NUMBER() OVER (PARTITION BY x.package ORDER BY x.dt_build DESC, x.id DESC) AS n " +
                "FROM builds x WHERE x.status = 'SUCCESS' AND x.duration_seconds IS NOT NULL AND {0}) t WHERE t.n <= @last ORDER BY t.package";
            var durations = new SortedDictionary<string, List<double>>(StringComparer.Ordinal);
            async Task ReadAsync(string filter, List<(string Name, object? Value)> parameters)
            {
                parameters.Add(("last", last));
                await using var command = Command(null, string.Format(CultureInfo.InvariantCulture, Numbered, filter), parameters);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var package = reader.GetString(0);
                    if (!durations.TryGetValue(package, out var list))
                    {
                        durations[package] = list = [];
                    }

                    list.Add(Convert.ToDouble(reader.GetValue(1), CultureInfo.InvariantCulture));
                }
            }

            if (scope.Release is { } release)
            {
                await ReadAsync("x.release = @r", [("r", release)]);
            }
            else
            {
                foreach (var chunk in scope.Packages.Distinct(StringComparer.Ordinal).Chunk(InChunk))
                {
                    var (list, parameters) = InList(chunk);
                    await ReadAsync($"x.package IN {list}", [.. parameters]);
                }
            }

            return (IReadOnlyList<PackageBuildTime>)[.. durations.Select(p => new PackageBuildTime(p.Key, Median(p.Value), p.Value.Count))];
        });
    }

    /// <summary>The middle value, or the mean of the two middle values of an even count.</summary>
    private static double Median(List<double> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    public Task<IReadOnlyList<PublishedBuild>> PublishedOfPackageAsync(string package, string format, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(format);
        CheckLimit(limit);
        return GuardAsync("reading", async () =>
        {
            await using var command = Command(
                null,
                "SELECT b.id, b.input_hash, b.source_nvr, b.dt_build FROM builds b WHERE b.package = @p AND b.format = @f AND b.status = @s ORDER BY b.dt_build DESC, b.id DESC LIMIT @limit",
                [("p", package), ("f", format), ("s", Dlrn.DlrnCommit.Success), ("limit", limit)]);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var builds = new List<PublishedBuild>();
            while (await reader.ReadAsync(cancellationToken))
            {
                builds.Add(new PublishedBuild(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3)));
            }

            return (IReadOnlyList<PublishedBuild>)builds;
        });
    }

    public Task<Lineage> InputsOfAsync(string sha256, int depth, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        CheckLimit(limit);
        CheckDepth(depth);
        return GuardAsync("reading", () => WalkAsync(
            sha256,
            "inputs",
            depth,
            limit,
            artifact => ($"SELECT {SummaryColumns} FROM builds b WHERE b.id IN (SELECT o.build_id FROM build_outputs o WHERE o.sha256 = @s) ORDER BY b.dt_build, b.id", artifact),
            async (build, ct) =>
            {
                var inputs = await InputsAsync(build.Id, ct);
                return (inputs, [], inputs.Where(i => i.ArtifactSha256 is not null).Select(i => i.ArtifactSha256!).ToList());
            },
            cancellationToken));
    }

    public Task<Lineage> BuiltFromAsync(TruthInput input, int depth, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckLimit(limit);
        CheckDepth(depth);
        const string ByArtifact = "SELECT {0} FROM builds b WHERE b.id IN (SELECT i.build_id FROM build_inputs i WHERE i.artifact_sha256 = @s) ORDER BY b.dt_build, b.id";
        const string ByCommit = "SELECT {0} FROM builds b WHERE b.id IN (SELECT i.build_id FROM build_inputs i WHERE i.commit_hash = @s) ORDER BY b.dt_build, b.id";
        return GuardAsync("reading", () => WalkAsync(
            input.Value,
            "built-from",
            depth,
            limit,
            key => (string.Format(CultureInfo.InvariantCulture, input.Kind == TruthInputKind.Commit && key == input.Value ? ByCommit : ByArtifact, SummaryColumns), key),
            async (build, ct) =>
            {
                var outputs = await OutputsAsync(build.Id, ct);
                return ([], outputs, outputs.Select(o => o.Sha256).ToList());
            },
            cancellationToken));
    }

    /// <summary>
    /// Breadth first from <paramref name="subject"/>: the builds <paramref name="builds"/> finds for a key, each once, then
    /// the keys <paramref name="expand"/> gives of it, each once (so a cycle ends), down to <paramref name="depth"/> layers
    /// and <paramref name="limit"/> builds. Truncated when either bound left builds out.
    /// </summary>
    private async Task<Lineage> WalkAsync(
        string subject,
        string direction,
        int depth,
        int limit,
        Func<string, (string Sql, string Key)> builds,
        Func<BuildSummary, CancellationToken, Task<(IReadOnlyList<StoredInput> Inputs, IReadOnlyList<ProvenanceFile> Outputs, List<string> Next)>> expand,
        CancellationToken cancellationToken)
    {
        var steps = new List<LineageStep>();
        var seenKeys = new HashSet<string>(StringComparer.Ordinal) { subject };
        var seenBuilds = new HashSet<string>(StringComparer.Ordinal);
        var frontier = new List<string> { subject };
        for (var level = 1; frontier.Count > 0; level++)
        {
            var next = new List<string>();
            foreach (var key in frontier)
            {
                var (sql, value) = builds(key);
                await using var command = Command(null, sql, [("s", value)]);
                foreach (var build in await ReadSummariesAsync(command, cancellationToken))
                {
                    if (!seenBuilds.Add(build.Id))
                    {
                        continue;
                    }

                    if (level > depth || steps.Count == limit)
                    {
                        // A build beyond a bound: the answer is cut short.
                        return await LineageAsync(subject, direction, steps, truncated: true, cancellationToken);
                    }

                    var (inputs, outputs, keys) = await expand(build, cancellationToken);
                    steps.Add(new LineageStep(level, key, build, inputs, outputs));
                    next.AddRange(keys.Where(seenKeys.Add));
                }
            }

            frontier = next;
        }

        return await LineageAsync(subject, direction, steps, truncated: false, cancellationToken);
    }

    private async Task<Lineage> LineageAsync(string subject, string direction, List<LineageStep> steps, bool truncated, CancellationToken cancellationToken)
    {
        var withNvrs = await WithNvrsAsync(steps.Select(s => s.Build).ToList(), cancellationToken);
        return new Lineage(subject, direction, [.. steps.Select((s, i) => s with { Build = withNvrs[i] })], truncated);
    }

    public Task<QeStatus> QeStatusAsync(QeSubject subject, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        CheckLimit(limit);
        return GuardAsync("reading", async () =>
        {
            List<string> builds;
            switch (subject.Kind)
            {
                case QeSubjectKind.Build:
                    builds = await StringListAsync("SELECT id FROM builds WHERE id = @s", [("s", subject.Value)], cancellationToken);
                    break;
                case QeSubjectKind.Repo:
                    // DLRN's repository folder name: commit_hash, '_', distro_hash[:8], and '_' extended_hash[:8] when there is one (docs/manual/truth.md).
                    var parts = subject.Value.Split('_');
                    List<(string Name, object? Value)> repo = [("c", parts[0]), ("d", parts[1]), ("limit", limit + 1)];
                    var extended = " AND (extended_hash IS NULL OR extended_hash = '')";
                    if (parts.Length == 3)
                    {
                        extended = " AND substr(extended_hash, 1, @el) = @e";
                        repo.AddRange([("e", parts[2]), ("el", parts[2].Length)]);
                    }

                    builds = await StringListAsync($"SELECT id FROM builds WHERE commit_hash = @c AND substr(distro_hash, 1, 8) = @d{extended} ORDER BY dt_build, id LIMIT @limit", repo, cancellationToken);
                    break;
                default:
                    builds = await StringListAsync("SELECT DISTINCT build_id FROM promotions WHERE aggregate_hash = @s ORDER BY build_id LIMIT @limit", [("s", subject.Value), ("limit", limit + 1)], cancellationToken);
                    break;
            }

            var buildsTruncated = builds.Count > limit;
            builds = [.. builds.Take(limit)];
            var votes = new List<CiVote>();
            var promotions = new List<PromotionRecord>();
            foreach (var chunk in builds.Chunk(InChunk))
            {
                var (list, parameters) = InList(chunk);
                await using (var command = Command(null, $"SELECT build_id, ci_name, ci_url, ci_vote, ci_in_progress, timestamp, notes, username, component FROM ci_votes WHERE build_id IN {list} ORDER BY timestamp, id LIMIT @limit", [.. parameters, ("limit", limit + 1)]))
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        votes.Add(new CiVote(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3), reader.GetBoolean(4), reader.GetInt64(5), Text(reader, 6), Text(reader, 7), Text(reader, 8)));
                    }
                }

                var (promotionFilter, promotionParameters) = subject.Kind == QeSubjectKind.Aggregate
                    ? ("aggregate_hash = @agg", new List<(string Name, object? Value)> { ("agg", subject.Value) })
                    : ($"build_id IN {list}", parameters);
                await using (var command = Command(null, $"SELECT build_id, promotion_name, timestamp, username, component, aggregate_hash FROM promotions WHERE {promotionFilter} ORDER BY timestamp, id LIMIT @limit", [.. promotionParameters, ("limit", limit + 1)]))
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        promotions.Add(new PromotionRecord(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), Text(reader, 3), Text(reader, 4), Text(reader, 5)));
                    }
                }

                if (subject.Kind == QeSubjectKind.Aggregate)
                {
                    break;
                }
            }

            var aggregateVotes = new List<AggregateVote>();
            if (subject.Kind == QeSubjectKind.Aggregate)
            {
                // The newest rows first, so that a limit keeps the votes that decide the state; a missing timestamp sorts as
                // the oldest on both databases. Rows a recheck removed from DLRN keep removed_at and are not votes any more.
                await using var command = Command(
                    null,
                    "SELECT server, ci_name, ci_url, ci_vote, ci_in_progress, timestamp, notes, username FROM dlrn_aggregate_votes " +
                    "WHERE ref_hash = @agg AND removed_at IS NULL ORDER BY COALESCE(timestamp, 0) DESC, server DESC, dlrn_id DESC LIMIT @limit",
                    [("agg", subject.Value), ("limit", limit + 1)]);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    aggregateVotes.Add(new AggregateVote(
                        reader.GetString(0),
                        Text(reader, 1),
                        Text(reader, 2),
                        !reader.IsDBNull(3) && reader.GetBoolean(3),
                        !reader.IsDBNull(4) && reader.GetBoolean(4),
                        reader.IsDBNull(5) ? null : reader.GetInt64(5),
                        Text(reader, 6),
                        Text(reader, 7)));
                }
            }

            var truncated = buildsTruncated || votes.Count > limit || promotions.Count > limit || aggregateVotes.Count > limit;
            votes = [.. votes.Take(limit)];
            promotions = [.. promotions.Take(limit)];
            aggregateVotes = [.. aggregateVotes.Take(limit).Reverse()];
            // An aggregate's own votes decide; one nobody voted on yet shows its builds' state.
            var state = aggregateVotes.Count > 0 ? AggregateState(aggregateVotes) : QeState(votes);
            return new QeStatus(subject.Kind.ToString().ToLowerInvariant(), subject.Value, state, builds, votes, promotions, truncated, aggregateVotes);
        });
    }

    /// <summary>The newest vote of each CI on each build decides: a failure fails, else one running is in progress, else passed; no vote is none.</summary>
    internal static string QeState(IReadOnlyList<CiVote> votes) =>
        State(votes.GroupBy(v => (v.BuildId, v.CiName)).Select(g => g.Last()).Select(v => (v.Vote, v.InProgress)).ToList());

    /// <summary>An aggregate's state: the newest vote of each CI (per DLRN server) on the aggregate decides, as <see cref="QeState"/> does for builds.</summary>
    internal static string AggregateState(IReadOnlyList<AggregateVote> votes) =>
        State(votes.GroupBy(v => (v.Server, v.CiName)).Select(g => g.Last()).Select(v => (v.Vote, v.InProgress)).ToList());

    private static string State(IReadOnlyList<(bool Vote, bool InProgress)> newest) =>
        newest.Count == 0 ? "none"
            : newest.Any(v => !v.InProgress && !v.Vote) ? "failed"
            : newest.Any(v => v.InProgress) ? "in-progress"
            : "passed";

    private static void CheckLimit(int limit) =>
        ArgumentOutOfRangeException.ThrowIfNotEqual(limit is >= 1 and <= TruthQueryInput.MaxLimit, true, nameof(limit));

    private static void CheckDepth(int depth) =>
        ArgumentOutOfRangeException.ThrowIfNotEqual(depth is >= 1 and <= TruthQueryInput.MaxDepth, true, nameof(depth));

    private static string? Text(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    private static (string List, List<(string Name, object? Value)> Parameters) InList(IReadOnlyList<string> values)
    {
        var parameters = values.Select((v, i) => ($"k{i}", (object?)v)).ToList();
        return ($"({string.Join(", ", parameters.Select(p => "@" + p.Item1))})", parameters);
    }

    private async Task<List<string>> StringListAsync(string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static async Task<List<BuildSummary>> ReadSummariesAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var builds = new List<BuildSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            builds.Add(new BuildSummary
            {
                Id = reader.GetString(0),
                Package = reader.GetString(1),
                Release = Text(reader, 2),
                Status = reader.GetString(3),
                DtBuild = reader.GetInt64(4),
                DtCommit = reader.GetInt64(5),
                DtDistro = reader.GetInt64(6),
                CommitHash = reader.GetString(7),
                DistroHash = reader.GetString(8),
                CommitBranch = reader.GetString(9),
                DistroBranch = reader.GetString(10),
                SourceNvr = Text(reader, 11),
                // COUNT is bigint and SUM numeric on PostgreSQL.
                Files = Convert.ToInt32(reader.GetValue(12), CultureInfo.InvariantCulture),
                Size = Convert.ToInt64(reader.GetValue(13), CultureInfo.InvariantCulture),
                DurationSeconds = reader.IsDBNull(14) ? null : Convert.ToDouble(reader.GetValue(14), CultureInfo.InvariantCulture),
            });
        }

        return builds;
    }

    /// <summary>The builds with their NVRs, read in one query per <see cref="InChunk"/> builds.</summary>
    private async Task<IReadOnlyList<BuildSummary>> WithNvrsAsync(List<BuildSummary> builds, CancellationToken cancellationToken)
    {
        var nvrs = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var chunk in builds.Select(b => b.Id).Distinct(StringComparer.Ordinal).Chunk(InChunk))
        {
            var (list, parameters) = InList(chunk);
            await using var command = Command(null, $"SELECT build_id, nvr FROM build_nvrs WHERE build_id IN {list} ORDER BY build_id, nvr", parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetString(0);
                if (!nvrs.TryGetValue(id, out var names))
                {
                    nvrs[id] = names = [];
                }

                names.Add(reader.GetString(1));
            }
        }

        return [.. builds.Select(b => nvrs.TryGetValue(b.Id, out var names) ? b with { Nvrs = names } : b)];
    }

    private async Task<IReadOnlyList<StoredInput>> InputsAsync(string buildId, CancellationToken cancellationToken)
    {
        var inputs = new List<StoredInput>();
        await using var command = Command(null, "SELECT kind, name, url, ref, commit_hash, tree, sha256, artifact_sha256 FROM build_inputs WHERE build_id = @b ORDER BY position", [("b", buildId)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            inputs.Add(new StoredInput(reader.GetString(0), Text(reader, 1), Text(reader, 2), Text(reader, 3), Text(reader, 4), Text(reader, 5), Text(reader, 6), Text(reader, 7)));
        }

        return inputs;
    }

    private async Task<IReadOnlyList<ProvenanceFile>> OutputsAsync(string buildId, CancellationToken cancellationToken)
    {
        var outputs = new List<ProvenanceFile>();
        await using var command = Command(null, "SELECT o.name, a.size, o.sha256 FROM build_outputs o JOIN artifacts a ON a.sha256 = o.sha256 WHERE o.build_id = @b ORDER BY o.name", [("b", buildId)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            outputs.Add(new ProvenanceFile(reader.GetString(0), reader.GetInt64(1), reader.GetString(2)));
        }

        return outputs;
    }
}
