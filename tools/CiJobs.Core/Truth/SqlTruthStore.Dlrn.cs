using System.Data.Common;
using System.Globalization;

namespace CiJobs.Core.Truth;

/// <summary>The store's side of the DLRN ingest, the publications and the audit's history (docs/manual/truth.md, "DLRN ingest").</summary>
public interface IDlrnTruthStore
{
    /// <summary>The stored cursor of each kind for <paramref name="server"/> (kinds never read are missing).</summary>
    Task<IReadOnlyDictionary<string, long>> DlrnCursorsAsync(string server, CancellationToken cancellationToken);

    /// <summary>
    /// Applies a read in one transaction: rows added, changed rows updated, rows gone from DLRN within the read's covered
    /// range marked removed, the cursors advanced (never moved back), DLRN's votes and promotions copied to the cijobs
    /// builds with the same hashes. A row stored by a read that started later than this one is left as it is.
    /// </summary>
    Task<TruthIngestReport> ApplyDlrnAsync(DlrnSnapshot snapshot, CancellationToken cancellationToken);

    /// <summary>Records that a build was sent to a DLRN server and accepted.</summary>
    Task RecordPublicationAsync(PublicationRecord publication, CancellationToken cancellationToken);

    /// <summary>The builds the store knows of the packages on the server (its copy of DLRN's rows, its publications) for the audit.</summary>
    Task<IReadOnlyList<StoredDlrnBuild>> DlrnBuildsAsync(string server, IReadOnlyCollection<string> packages, CancellationToken cancellationToken);
}

/// <summary>
/// A pair of hashes of a package as the store knows it: the status of the newest row of its copy of DLRN (null when it
/// has none), and the newest publication of it (null when never published).
/// </summary>
public sealed record StoredDlrnBuild(string Package, string CommitHash, string DistroHash, string? DlrnStatus, string? PublishedStatus, long? PublishedAt, string? RepoUrl);

public abstract partial class SqlTruthStore : IDlrnTruthStore
{
    public Task<IReadOnlyDictionary<string, long>> DlrnCursorsAsync(string server, CancellationToken cancellationToken) =>
        GuardAsync("reading", async () =>
        {
            var cursors = new Dictionary<string, long>(StringComparer.Ordinal);
            await using var command = Command(null, "SELECT kind, position FROM dlrn_cursors WHERE server = @s", [("s", server)]);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                cursors[reader.GetString(0)] = reader.GetInt64(1);
            }

            return (IReadOnlyDictionary<string, long>)cursors;
        });

    public Task<TruthIngestReport> ApplyDlrnAsync(DlrnSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return GuardAsync("writing", async () =>
        {
            await using var transaction = await BeginWriteAsync(cancellationToken);
            var s = snapshot.Server;
            var kinds = new List<DlrnKindCounts>
            {
                await ApplyByIdAsync(
                    transaction, snapshot, DlrnKinds.Commits, snapshot.Commits, c => c.Id,
                    "dlrn_commits",
                    "type, project_name, commit_hash, distro_hash, extended_hash, commit_branch, component, status, dt_commit, dt_distro, dt_extended, dt_build, artifacts, notes",
                    r => new DlrnCommitRow(
                        r.GetInt64(0), DText(r, 1), r.GetString(2), r.GetString(3), r.GetString(4), DText(r, 5), DText(r, 6), DText(r, 7), r.GetString(8),
                        DLong(r, 9), DLong(r, 10), DLong(r, 11), DLong(r, 12), DText(r, 13), DText(r, 14)),
                    c => [c.Type, c.ProjectName, c.CommitHash, c.DistroHash, c.ExtendedHash, c.CommitBranch, c.Component, c.Status, c.DtCommit, c.DtDistro, c.DtExtended, c.DtBuild, c.Artifacts, c.Notes],
                    cancellationToken),
                await ApplyByIdAsync(
                    transaction, snapshot, DlrnKinds.Votes, snapshot.Votes, v => v.Id,
                    "dlrn_votes",
                    "commit_id, ci_name, ci_url, ci_vote, ci_in_progress, timestamp, notes, username, component",
                    r => new DlrnVoteRow(r.GetInt64(0), r.GetInt64(1), DText(r, 2), DText(r, 3), DFlag(r, 4), DFlag(r, 5), DLong(r, 6), DText(r, 7), DText(r, 8), DText(r, 9)),
                    v => [v.CommitId, v.CiName, v.CiUrl, v.Vote, v.InProgress, v.Timestamp, v.Notes, v.User, v.Component],
                    cancellationToken),
                await ApplyByIdAsync(
                    transaction, snapshot, DlrnKinds.AggregateVotes, snapshot.AggregateVotes, v => v.Id,
                    "dlrn_aggregate_votes",
                    "ref_hash, ci_name, ci_url, ci_vote, ci_in_progress, timestamp, notes, username",
                    r => new DlrnAggregateVoteRow(r.GetInt64(0), r.GetString(1), DText(r, 2), DText(r, 3), DFlag(r, 4), DFlag(r, 5), DLong(r, 6), DText(r, 7), DText(r, 8)),
                    v => [v.RefHash, v.CiName, v.CiUrl, v.Vote, v.InProgress, v.Timestamp, v.Notes, v.User],
                    cancellationToken),
                await ApplyPromotionsAsync(transaction, snapshot, cancellationToken),
            };

            // DLRN's votes and promotions of the commits cijobs built too, in the tables the QE queries read.
            var linkedVotes = await ExecuteAsync(
                transaction,
                """
                INSERT INTO ci_votes (build_id, ci_name, ci_url, ci_vote, ci_in_progress, timestamp, notes, username, component)
                SELECT b.id, v.ci_name, COALESCE(v.ci_url, ''), v.ci_vote, v.ci_in_progress, v.timestamp, v.notes, v.username, v.component
                FROM dlrn_votes v
                JOIN dlrn_commits c ON c.server = v.server AND c.dlrn_id = v.commit_id
                JOIN builds b ON b.commit_hash = c.commit_hash AND b.distro_hash = c.distro_hash AND COALESCE(b.extended_hash, '') = COALESCE(c.extended_hash, '')
                WHERE v.server = @s AND v.removed_at IS NULL AND v.ci_name IS NOT NULL AND v.ci_vote IS NOT NULL AND v.ci_in_progress IS NOT NULL AND v.timestamp IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM ci_votes x WHERE x.build_id = b.id AND x.ci_name = v.ci_name AND x.ci_url = COALESCE(v.ci_url, '') AND x.timestamp = v.timestamp)
                """,
                [("s", s)],
                cancellationToken);
            var linkedPromotions = await ExecuteAsync(
                transaction,
                """
                INSERT INTO promotions (build_id, promotion_name, timestamp, username, component, aggregate_hash)
                SELECT b.id, p.promotion_name, p.timestamp, p.username, p.component, p.aggregate_hash
                FROM dlrn_promotions p
                JOIN builds b ON b.commit_hash = p.commit_hash AND b.distro_hash = p.distro_hash AND COALESCE(b.extended_hash, '') = p.extended_hash
                WHERE p.server = @s
                    AND NOT EXISTS (SELECT 1 FROM promotions x WHERE x.build_id = b.id AND x.promotion_name = p.promotion_name AND x.timestamp = p.timestamp)
                """,
                [("s", s)],
                cancellationToken);

            await transaction.CommitAsync(cancellationToken);
            return new TruthIngestReport { Store = Description, Dlrn = s, Kinds = kinds, LinkedVotes = linkedVotes, LinkedPromotions = linkedPromotions };
        });
    }

    /// <summary>One id-keyed kind: compare the read with the stored rows of its range, write the differences, move the cursor.</summary>
    private async Task<DlrnKindCounts> ApplyByIdAsync<T>(
        DbTransaction transaction,
        DlrnSnapshot snapshot,
        string kind,
        DlrnRead<T> read,
        Func<T, long> idOf,
        string table,
        string columns,
        Func<DbDataReader, T> fromStore,
        Func<T, object?[]> values,
        CancellationToken cancellationToken)
        where T : class
    {
        var s = snapshot.Server;
        var names = columns.Split(',', StringSplitOptions.TrimEntries);
        var low = read.Rows.Count == 0 ? read.CoveredFrom : Math.Min(read.CoveredFrom, read.Rows.Min(idOf));
        var high = read.Rows.Count == 0 ? read.CoveredTo : Math.Max(read.CoveredTo, read.Rows.Max(idOf));
        var stored = new Dictionary<long, (T Row, long ReadAt, bool Removed)>();
        await using (var command = Command(
            transaction,
            $"SELECT dlrn_id, {columns}, read_at, removed_at FROM {table} WHERE server = @s AND dlrn_id >= @low AND dlrn_id <= @high",
            [("s", s), ("low", low), ("high", high)]))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                stored[reader.GetInt64(0)] = (fromStore(reader), reader.GetInt64(names.Length + 1), !reader.IsDBNull(names.Length + 2));
            }
        }

        int added = 0, updated = 0, unchanged = 0, removed = 0;
        var parameters = names.Select((n, i) => $"@p{i}").ToList();
        var insert = $"INSERT INTO {table} (server, dlrn_id, {columns}, read_at) VALUES (@s, @id, {string.Join(", ", parameters)}, @at)";
        var update = $"UPDATE {table} SET {string.Join(", ", names.Select((n, i) => $"{n} = @p{i}"))}, read_at = @at, removed_at = NULL WHERE server = @s AND dlrn_id = @id";
        foreach (var row in read.Rows)
        {
            var id = idOf(row);
            var rowValues = values(row);
            var arguments = new List<(string, object?)> { ("s", s), ("id", id), ("at", snapshot.ReadAt) };
            arguments.AddRange(rowValues.Select((v, i) => ($"p{i}", v)));
            if (!stored.TryGetValue(id, out var old))
            {
                await ExecuteAsync(transaction, insert, arguments, cancellationToken);
                added++;
            }
            else if ((old.Row.Equals(row) && !old.Removed) || old.ReadAt > snapshot.ReadAt)
            {
                // Equal, or stored by a read that started after this one (a concurrent ingest): left as it is.
                unchanged++;
            }
            else
            {
                await ExecuteAsync(transaction, update, arguments, cancellationToken);
                updated++;
            }
        }

        var seen = read.Rows.Select(idOf).ToHashSet();
        foreach (var (id, old) in stored)
        {
            if (!seen.Contains(id) && !old.Removed && old.ReadAt <= snapshot.ReadAt && id >= read.CoveredFrom && id <= read.CoveredTo)
            {
                await ExecuteAsync(transaction, $"UPDATE {table} SET removed_at = @at WHERE server = @s AND dlrn_id = @id", [("s", s), ("id", id), ("at", snapshot.ReadAt)], cancellationToken);
                removed++;
            }
        }

        var cursor = await AdvanceCursorAsync(transaction, snapshot, kind, read.Cursor, cancellationToken);
        return new DlrnKindCounts(kind, read.Rows.Count, added, updated, unchanged, removed, cursor);
    }

    /// <summary>Promotions have no id: a row is its key; it is added once and never changes.</summary>
    private async Task<DlrnKindCounts> ApplyPromotionsAsync(DbTransaction transaction, DlrnSnapshot snapshot, CancellationToken cancellationToken)
    {
        int added = 0, unchanged = 0;
        foreach (var p in snapshot.Promotions.Rows)
        {
            var inserted = await ExecuteAsync(
                transaction,
                """
                INSERT INTO dlrn_promotions (server, commit_hash, distro_hash, extended_hash, promotion_name, timestamp, aggregate_hash, component, username, repo_hash, read_at)
                VALUES (@s, @c, @d, @e, @n, @t, @a, @comp, @u, @r, @at)
                ON CONFLICT (server, commit_hash, distro_hash, extended_hash, promotion_name, timestamp) DO NOTHING
                """,
                [
                    ("s", snapshot.Server), ("c", p.CommitHash), ("d", p.DistroHash), ("e", p.ExtendedHash), ("n", p.PromotionName), ("t", p.Timestamp),
                    ("a", p.AggregateHash), ("comp", p.Component), ("u", p.User), ("r", p.RepoHash), ("at", snapshot.ReadAt),
                ],
                cancellationToken);
            if (inserted == 1)
            {
                added++;
            }
            else
            {
                unchanged++;
            }
        }

        var cursor = await AdvanceCursorAsync(transaction, snapshot, DlrnKinds.Promotions, snapshot.Promotions.Cursor, cancellationToken);
        return new DlrnKindCounts(DlrnKinds.Promotions, snapshot.Promotions.Rows.Count, added, 0, unchanged, 0, cursor);
    }

    /// <summary>Moves the cursor forward only (a concurrent ingest may have moved it further); returns where it is.</summary>
    private async Task<long> AdvanceCursorAsync(DbTransaction transaction, DlrnSnapshot snapshot, string kind, long position, CancellationToken cancellationToken)
    {
        await ExecuteAsync(
            transaction,
            """
            INSERT INTO dlrn_cursors (server, kind, position, read_at) VALUES (@s, @k, @p, @at)
            ON CONFLICT (server, kind) DO UPDATE SET position = excluded.position, read_at = excluded.read_at WHERE excluded.position > dlrn_cursors.position
            """,
            [("s", snapshot.Server), ("k", kind), ("p", position), ("at", snapshot.ReadAt)],
            cancellationToken);
        await using var command = Command(transaction, "SELECT position FROM dlrn_cursors WHERE server = @s AND kind = @k", [("s", snapshot.Server), ("k", kind)]);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public Task RecordPublicationAsync(PublicationRecord publication, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publication);
        return GuardAsync("writing", async () =>
        {
            await using var transaction = await BeginWriteAsync(cancellationToken);
            await ExecuteAsync(
                transaction,
                """
                INSERT INTO publications (server, project_name, commit_hash, distro_hash, extended_hash, status, repo_url, outcome, published_at)
                VALUES (@s, @p, @c, @d, @e, @st, @u, @o, @at)
                """,
                [
                    ("s", publication.Server), ("p", publication.ProjectName), ("c", publication.CommitHash), ("d", publication.DistroHash),
                    ("e", publication.ExtendedHash), ("st", publication.Status), ("u", publication.RepoUrl), ("o", publication.Outcome), ("at", publication.PublishedAt),
                ],
                cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return 0;
        });
    }

    public Task<IReadOnlyList<StoredDlrnBuild>> DlrnBuildsAsync(string server, IReadOnlyCollection<string> packages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(packages);
        return GuardAsync("reading", async () =>
        {
            var wanted = packages.ToHashSet(StringComparer.Ordinal);
            var byPair = new Dictionary<(string Package, string Commit, string Distro), StoredDlrnBuild>();

            // The newest row of each pair in the store's copy of DLRN (a pair can have RETRY rows before its last build).
            await using (var command = Command(
                null,
                """
                SELECT project_name, commit_hash, distro_hash, status FROM dlrn_commits c
                WHERE server = @s AND removed_at IS NULL
                    AND dlrn_id = (SELECT MAX(n.dlrn_id) FROM dlrn_commits n WHERE n.server = c.server AND n.removed_at IS NULL
                        AND n.project_name = c.project_name AND n.commit_hash = c.commit_hash AND n.distro_hash = c.distro_hash)
                """,
                [("s", server)]))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    if (wanted.Contains(reader.GetString(0)))
                    {
                        var key = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
                        byPair[key] = new StoredDlrnBuild(key.Item1, key.Item2, key.Item3, reader.GetString(3), null, null, null);
                    }
                }
            }

            // The newest publication of each pair.
            await using (var command = Command(
                null,
                "SELECT project_name, commit_hash, distro_hash, status, published_at, repo_url FROM publications WHERE server = @s ORDER BY published_at, id",
                [("s", server)]))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    if (!wanted.Contains(reader.GetString(0)))
                    {
                        continue;
                    }

                    var key = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
                    var known = byPair.GetValueOrDefault(key) ?? new StoredDlrnBuild(key.Item1, key.Item2, key.Item3, null, null, null, null);
                    byPair[key] = known with { PublishedStatus = reader.GetString(3), PublishedAt = reader.GetInt64(4), RepoUrl = reader.GetString(5) };
                }
            }

            return (IReadOnlyList<StoredDlrnBuild>)[.. byPair.Values.OrderBy(b => b.Package, StringComparer.Ordinal).ThenBy(b => b.CommitHash, StringComparer.Ordinal).ThenBy(b => b.DistroHash, StringComparer.Ordinal)];
        });
    }



    // Own names: SqlTruthStore.Queries.cs has helpers of its own that may change.
    private static string? DText(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    private static long? DLong(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetInt64(column);

    private static bool? DFlag(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetBoolean(column);
}
