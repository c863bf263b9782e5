namespace CiJobs.Core.Truth;

/// <summary>
/// The writers of DLRN's CI votes and promotions (ci_votes, promotions), for the DLRN ingest to reuse; the queries read
/// what they write (docs/manual/truth.md, "QE status"). Idempotent on the natural key: a vote is (build, CI name, CI
/// URL, timestamp), a promotion (build, promotion name, timestamp); a row already stored is counted, not added again.
/// </summary>
public abstract partial class SqlTruthStore
{
    /// <summary>Stores the votes in one transaction: all or nothing; a vote of a build the store lacks stops the batch.</summary>
    public Task<RecordResult> RecordVotesAsync(IReadOnlyList<CiVote> votes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(votes);
        return RecordAsync(
            votes,
            v => v.BuildId,
            """
            INSERT INTO ci_votes (build_id, ci_name, ci_url, ci_vote, ci_in_progress, timestamp, notes, username, component)
            SELECT @b, @name, @url, @vote, @progress, @t, @notes, @user, @component
            WHERE NOT EXISTS (SELECT 1 FROM ci_votes WHERE build_id = @b AND ci_name = @name AND ci_url = @url AND timestamp = @t)
            """,
            v => [("b", v.BuildId), ("name", v.CiName), ("url", v.CiUrl), ("vote", v.Vote), ("progress", v.InProgress), ("t", v.Timestamp), ("notes", v.Notes), ("user", v.Username), ("component", v.Component)],
            "vote",
            cancellationToken);
    }

    /// <summary>Stores the promotions in one transaction: all or nothing; a promotion of a build the store lacks stops the batch.</summary>
    public Task<RecordResult> RecordPromotionsAsync(IReadOnlyList<PromotionRecord> promotions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(promotions);
        return RecordAsync(
            promotions,
            p => p.BuildId,
            """
            INSERT INTO promotions (build_id, promotion_name, timestamp, username, component, aggregate_hash)
            SELECT @b, @name, @t, @user, @component, @aggregate
            WHERE NOT EXISTS (SELECT 1 FROM promotions WHERE build_id = @b AND promotion_name = @name AND timestamp = @t)
            """,
            p => [("b", p.BuildId), ("name", p.PromotionName), ("t", p.Timestamp), ("user", p.Username), ("component", p.Component), ("aggregate", p.AggregateHash)],
            "promotion",
            cancellationToken);
    }

    private Task<RecordResult> RecordAsync<T>(
        IReadOnlyList<T> rows,
        Func<T, string> buildOf,
        string sql,
        Func<T, IReadOnlyList<(string Name, object? Value)>> parameters,
        string what,
        CancellationToken cancellationToken) =>
        GuardAsync("writing", async () =>
        {
            await using var transaction = await BeginWriteAsync(cancellationToken);
            int added = 0, stored = 0;
            foreach (var row in rows)
            {
                await using (var exists = Command(transaction, "SELECT COUNT(*) FROM builds WHERE id = @b", [("b", buildOf(row))]))
                {
                    if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
                    {
                        throw new CiJobsException($"a {what} of the build {buildOf(row)}, which the {Description} does not have; nothing of this batch is stored", TruthExitCodes.ManifestInvalid);
                    }
                }

                if (await ExecuteAsync(transaction, sql, parameters(row), cancellationToken) == 1)
                {
                    added++;
                }
                else
                {
                    stored++;
                }
            }

            await transaction.CommitAsync(cancellationToken);
            return new RecordResult(added, stored);
        });
}
