using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CiJobs.Core.Dlrn;

namespace CiJobs.Core.Truth;

/// <summary>
/// Reads a DLRN server's commits, CI votes, aggregate votes (GraphQL <c>commits</c>, <c>civote</c>, <c>civoteAgg</c>) and
/// promotions (<c>GET /api/promotions</c>) newest first, page by page, down to the cursor and a re-read window below it.
/// DLRN cannot filter by id, only page by offset in descending id order; the walk overlaps each page with the last row of
/// the one before, so rows inserted meanwhile are read twice (kept once) and rows deleted meanwhile make it step back
/// rather than skip a row. Nothing is written here: the store applies the whole read in one transaction. The rules and
/// why nothing is missed: docs/manual/truth.md, "DLRN ingest".
/// </summary>
public sealed class DlrnIngestReader(DlrnApiClient client, Action<string> progress)
{
    /// <summary>DLRN's largest page (graphql.py's <c>max_limit</c>, the promotions input's <c>MAX_LIMIT</c>).</summary>
    public const int PageSize = 100;

    /// <summary>How often a walk may step back after rows vanished under it before it gives up.</summary>
    public int MaxStepBacks { get; init; } = 50;

    private const string CommitFields = "id type projectName commitHash distroHash extendedHash commitBranch component status dtCommit dtDistro dtExtended dtBuild artifacts notes";
    private const string VoteFields = "id commitId ciName ciUrl ciVote ciInProgress timestamp notes user component";
    private const string AggregateFields = "id refHash ciName ciUrl ciVote ciInProgress timestamp notes user";

    /// <param name="cursors">The stored cursor of each kind (missing: 0, read everything).</param>
    /// <param name="reread">How many rows at or below each cursor are read again (for rows DLRN changed or deleted since).</param>
    public async Task<DlrnSnapshot> ReadAsync(string server, IReadOnlyDictionary<string, long> cursors, long reread, long readAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cursors);
        long Cursor(string kind) => cursors.GetValueOrDefault(kind);

        // The three GraphQL tables page alike: by their id, newest first.
        Task<DlrnRead<T>> ById<T>(string kind, string field, string fields, Func<JsonElement, T> parse, Func<T, long> id) => WalkAsync(
            kind,
            (offset, ct) => GraphQlPageAsync(field, fields, offset, parse, ct),
            id,
            row => id(row).ToString(CultureInfo.InvariantCulture),
            byId: true,
            Cursor(kind),
            reread,
            cancellationToken);

        var commits = await ById(DlrnKinds.Commits, "commits", CommitFields, ParseCommit, c => c.Id);
        var votes = await ById(DlrnKinds.Votes, "civote", VoteFields, ParseVote, v => v.Id);
        var aggregates = await ById(DlrnKinds.AggregateVotes, "civoteAgg", AggregateFields, ParseAggregateVote, v => v.Id);
        var promotions = await WalkAsync(
            DlrnKinds.Promotions,
            PromotionPageAsync,
            p => p.Timestamp,
            p => p.Key,
            byId: false,
            Cursor(DlrnKinds.Promotions),
            reread,
            cancellationToken);
        return new DlrnSnapshot(server, readAt, commits, votes, aggregates, promotions);
    }

    /// <summary>
    /// Pages newest first from offset 0. Each later page starts at the previous page's last row (the anchor): found, the
    /// walk goes on after it; absent while the page starts with a newer row, rows were inserted above (nothing below moved
    /// up, the rows are read again); absent otherwise, rows above vanished and rows may have moved up past the offset, so
    /// the walk steps back a page. It ends at the end of the table, or once <paramref name="reread"/> rows at or below the
    /// cursor were read.
    /// </summary>
    private async Task<DlrnRead<T>> WalkAsync<T>(
        string kind,
        Func<int, CancellationToken, Task<IReadOnlyList<T>>> fetch,
        Func<T, long> order,
        Func<T, string> key,
        bool byId,
        long cursor,
        long reread,
        CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, T>(StringComparer.Ordinal);
        var offset = 0;
        var pages = 0;
        var stepBacks = 0;
        long known = 0;
        long lowest = long.MaxValue, highest = long.MinValue;
        var reachedEnd = false;
        T? anchor = default;
        var hasAnchor = false;
        while (true)
        {
            var page = await fetch(offset, cancellationToken);
            pages++;
            for (var i = 1; i < page.Count; i++)
            {
                if (order(page[i]) > order(page[i - 1]) || (byId && order(page[i]) == order(page[i - 1])))
                {
                    throw Unexpected(kind, $"its rows are not in descending {(byId ? "id" : "time")} order at offset {offset}");
                }
            }

            var start = 0;
            if (hasAnchor && offset > 0)
            {
                var anchorKey = key(anchor!);
                var at = -1;
                for (var i = 0; i < page.Count; i++)
                {
                    if (key(page[i]) == anchorKey)
                    {
                        at = i;
                        break;
                    }
                }

                if (at >= 0)
                {
                    start = at + 1;
                }
                else if (page.Count == 0 || order(page[0]) <= order(anchor!))
                {
                    if (++stepBacks > MaxStepBacks)
                    {
                        throw Unexpected(kind, $"rows kept vanishing while it was read ({MaxStepBacks} step backs); try again later");
                    }

                    offset = Math.Max(0, offset - PageSize);
                    continue;
                }
            }

            for (var i = start; i < page.Count; i++)
            {
                var row = page[i];
                rows[key(row)] = row;
                var value = order(row);
                lowest = Math.Min(lowest, value);
                highest = Math.Max(highest, value);
                if (byId ? value <= cursor : value < cursor)
                {
                    known++;
                }
            }

            if (pages % 20 == 0)
            {
                progress($"DLRN {kind}: {rows.Count} row(s) read ({pages} pages)");
            }

            if (page.Count < PageSize)
            {
                reachedEnd = true;
                break;
            }

            // Down to the cursor, then the re-read window below it (a cursor of 0 reads everything).
            var last = order(page[^1]);
            if ((byId ? last <= cursor : last < cursor) && known >= reread)
            {
                break;
            }

            anchor = page[^1];
            hasAnchor = true;
            offset += page.Count - 1;
        }

        progress($"DLRN {kind}: {rows.Count} row(s) read in {pages} page(s){(reachedEnd ? ", to the first" : "")}");
        var list = rows.Values.OrderByDescending(order).ToList();
        return rows.Count == 0
            ? new DlrnRead<T>(list, 0, reachedEnd ? long.MaxValue : 0, cursor, pages)
            : new DlrnRead<T>(list, reachedEnd ? 0 : lowest, highest, Math.Max(cursor, highest), pages);
    }

    private async Task<IReadOnlyList<T>> GraphQlPageAsync<T>(string field, string fields, int offset, Func<JsonElement, T> parse, CancellationToken cancellationToken)
    {
        var text = await client.QueryGraphQlAsync(
            $"{{ {field}(offset: {offset.ToString(CultureInfo.InvariantCulture)}, limit: {PageSize.ToString(CultureInfo.InvariantCulture)}) {{ {fields} }} }}",
            field,
            cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"'{field}' is not a list");
            }

            var list = new List<T>();
            foreach (var row in document.RootElement.EnumerateArray())
            {
                list.Add(parse(row));
            }

            return list;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or OverflowException)
        {
            throw Unexpected(field, e.Message, e);
        }
    }

    private async Task<IReadOnlyList<DlrnPromotionRow>> PromotionPageAsync(int offset, CancellationToken cancellationToken)
    {
        var page = await client.GetPromotionsAsync(new DlrnPromotionQuery { Offset = offset, Limit = PageSize }, cancellationToken);
        var list = new List<DlrnPromotionRow>(page.Count);
        foreach (var p in page)
        {
            if (p is null || p.Timestamp is not { } timestamp || string.IsNullOrEmpty(p.PromoteName) || string.IsNullOrEmpty(p.CommitHash) || string.IsNullOrEmpty(p.DistroHash))
            {
                throw Unexpected(DlrnKinds.Promotions, $"a promotion at offset {offset} lacks its name, time or commit hashes");
            }

            list.Add(new DlrnPromotionRow(p.CommitHash, p.DistroHash, NoneToNull(p.ExtendedHash) ?? "", p.PromoteName, timestamp, NoneToNull(p.AggregateHash), NoneToNull(p.Component), p.User, p.RepoHash));
        }

        return list;
    }

    private static DlrnCommitRow ParseCommit(JsonElement row) => new(
        RelayId(row, "Commit"),
        Text(row, "type"),
        Required(row, "projectName"),
        Required(row, "commitHash"),
        Required(row, "distroHash"),
        NoneToNull(Text(row, "extendedHash")),
        NoneToNull(Text(row, "commitBranch")),
        NoneToNull(Text(row, "component")),
        Required(row, "status"),
        Number(row, "dtCommit"),
        Number(row, "dtDistro"),
        Number(row, "dtExtended"),
        Number(row, "dtBuild"),
        NoneToNull(Text(row, "artifacts")),
        Text(row, "notes"));

    private static DlrnVoteRow ParseVote(JsonElement row) => new(
        RelayId(row, "CIVote"),
        Number(row, "commitId") ?? throw new FormatException("a vote without its commitId"),
        Text(row, "ciName"),
        Text(row, "ciUrl"),
        Flag(row, "ciVote"),
        Flag(row, "ciInProgress"),
        Number(row, "timestamp"),
        Text(row, "notes"),
        Text(row, "user"),
        NoneToNull(Text(row, "component")));

    private static DlrnAggregateVoteRow ParseAggregateVote(JsonElement row) => new(
        RelayId(row, "CIVoteAgg"),
        Required(row, "refHash"),
        Text(row, "ciName"),
        Text(row, "ciUrl"),
        Flag(row, "ciVote"),
        Flag(row, "ciInProgress"),
        Number(row, "timestamp"),
        Text(row, "notes"),
        Text(row, "user"));

    /// <summary>
    /// DLRN's types implement relay's Node, so <c>id</c> is graphene's global id: base64 of <c>TYPE:ID</c>
    /// (docs/manual/truth.md, "DLRN ingest"). A plain number is taken as it is.
    /// </summary>
    private static long RelayId(JsonElement row, string type)
    {
        if (!row.TryGetProperty("id", out var value))
        {
            throw new FormatException("a row without its id");
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var plain) && plain > 0)
        {
            return plain;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException("an id that is neither a string nor a number");
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(text));
        }
        catch (FormatException)
        {
            throw new FormatException($"the id '{Printable(text)}' is not a relay global id");
        }

        return decoded.StartsWith(type + ":", StringComparison.Ordinal)
            && long.TryParse(decoded.AsSpan(type.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw new FormatException($"the id '{Printable(text)}' is not a {type} id");
    }

    private static string? Text(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null => null,
            _ => throw new FormatException($"'{name}' is not a string"),
        } : null;

    private static string Required(JsonElement row, string name) =>
        Text(row, name) is { Length: > 0 } text ? text : throw new FormatException($"a row without its '{name}'");

    private static long? Number(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out var whole) ? whole : (long)Math.Floor(value.GetDouble()),
            JsonValueKind.Null => null,
            _ => throw new FormatException($"'{name}' is not a number"),
        } : null;

    private static bool? Flag(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => null,
            _ => throw new FormatException($"'{name}' is not a boolean"),
        } : null;

    private static string? NoneToNull(string? value) => value is null or "None" or "" ? null : value;

    private static string Printable(string text) => text.Length > 40 ? text[..40] + "..." : new string(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private static DlrnApiException Unexpected(string kind, string why, Exception? inner = null) =>
        new("DLRN " + kind, HttpStatusCode.OK, null, $"DLRN's {kind} answered an unexpected page: {why}; nothing was stored", inner);
}
