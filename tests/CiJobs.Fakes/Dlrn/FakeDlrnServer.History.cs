using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace CiJobs.Fakes.Dlrn;

/// <summary>
/// GraphQL <c>civote</c> and <c>civoteAgg</c> as DLRN's graphql.py answers them (newest id first, <c>offset</c>, <c>limit</c>
/// capped at 100, the filters the ingest and the tests use), the history edits a DLRN makes behind a reader's back
/// (a status changed in place, a row deleted by a recheck), and scripted answers for the n-th request of a path
/// (docs/contracts/dlrn-history.md).
/// </summary>
public sealed partial class FakeDlrnServer
{
    private readonly List<(string Path, int Countdown, int Status, string Body)> scripted = [];

    /// <summary>Answers the <paramref name="nth"/> request (1 = the next) of <paramref name="path"/> with this status and body instead.</summary>
    public void ScriptAnswer(string path, int nth, int status, string body)
    {
        lock (gate)
        {
            scripted.Add((path, nth, status, body));
        }
    }

    private readonly List<(string Path, int Countdown, Action Action)> beforeAnswers = [];

    /// <summary>Runs <paramref name="action"/> (a change of the history) just before the <paramref name="nth"/> request of <paramref name="path"/> is answered.</summary>
    public void BeforeAnswer(string path, int nth, Action action)
    {
        lock (gate)
        {
            beforeAnswers.Add((path, nth, action));
        }
    }

    private (int Status, string Body)? TakeScriptedAnswer(string path)
    {
        var due = new List<Action>();
        lock (gate)
        {
            for (var i = 0; i < beforeAnswers.Count; i++)
            {
                if (beforeAnswers[i].Path == path)
                {
                    var entry = beforeAnswers[i];
                    entry.Countdown--;
                    beforeAnswers[i] = entry;
                    if (entry.Countdown == 0)
                    {
                        due.Add(entry.Action);
                    }
                }
            }

            beforeAnswers.RemoveAll(e => e.Countdown <= 0);
        }

        foreach (var action in due)
        {
            action();
        }

        lock (gate)
        {
            (int, string)? answer = null;
            for (var i = 0; i < scripted.Count; i++)
            {
                if (scripted[i].Path != path)
                {
                    continue;
                }

                var entry = scripted[i];
                entry.Countdown--;
                scripted[i] = entry;
                if (entry.Countdown == 0)
                {
                    answer = (entry.Status, entry.Body);
                }
            }

            scripted.RemoveAll(e => e.Countdown <= 0);
            return answer;
        }
    }

    /// <summary>Changes a commit row in place, as DLRN does (a bootstrap run marks rows RETRY, a failed repo sync FAILED).</summary>
    public FakeDlrnCommit SetCommitStatus(int id, string status)
    {
        lock (gate)
        {
            var index = commits.FindIndex(c => c.Id == id);
            var row = commits[index] with { Status = status };
            commits[index] = row;
            return row;
        }
    }

    /// <summary>Deletes a commit row, as a recheck does (or an import that never landed).</summary>
    public void RemoveCommit(int id)
    {
        lock (gate)
        {
            commits.RemoveAll(c => c.Id == id);
        }
    }

    /// <summary>Adds a CI vote on a commit row (its id: its place in the table, from 1).</summary>
    public int AddVote(FakeDlrnVote vote)
    {
        lock (gate)
        {
            votes.Add(vote);
            return votes.Count;
        }
    }

    public int AddAggregateVote(FakeDlrnAggregateVote vote)
    {
        lock (gate)
        {
            aggregateVotes.Add(vote);
            return aggregateVotes.Count;
        }
    }

    public void AddPromotion(FakeDlrnPromotion promotion)
    {
        lock (gate)
        {
            promotions.Add(promotion);
        }
    }

    private static readonly HashSet<string> VoteArguments = ["commitId", "ciName", "ciVote", "ciInProgress", "timestamp", "user", "component", "offset", "limit"];
    private static readonly HashSet<string> AggregateArguments = ["refHash", "ciName", "ciVote", "ciInProgress", "timestamp", "user", "offset", "limit"];
    private static readonly HashSet<string> VoteFields = ["id", "commitId", "ciName", "ciUrl", "ciVote", "ciInProgress", "timestamp", "notes", "user", "component"];
    private static readonly HashSet<string> AggregateFields = ["id", "refHash", "ciName", "ciUrl", "ciVote", "ciInProgress", "timestamp", "notes", "user"];

    private async Task VotesGraphQlAsync(HttpContext context, Match match)
    {
        var field = match.Groups["field"].Value;
        var aggregate = field == "civoteAgg";
        var type = aggregate ? "CIVoteAgg" : "CIVote";
        if (await ParseGraphQlFieldAsync(context, match, field, type, (aggregate ? AggregateArguments : VoteArguments).Contains, (aggregate ? AggregateFields : VoteFields).Contains) is not { } parsed)
        {
            return;
        }

        var (arguments, fields) = parsed;
        int Number(string name, int fallback) => arguments.TryGetValue(name, out var v) && v is not null ? v.GetValue<int>() : fallback;
        string? Text(string name) => arguments.TryGetValue(name, out var v) && v is not null ? v.GetValue<string>() : null;

        // One shape for both tables: (id, commit id or ref hash, vote).
        var all = Commits.ToDictionary(c => c.Id);
        var rows = aggregate
            ? AggregateVotes.Select((v, i) => (Id: i + 1, Row: Row(v)))
            : Votes.Select((v, i) => (Id: i + 1, Row: Row(v, all.GetValueOrDefault(v.CommitId))));
        if (!aggregate && Number("commitId", 0) is var commitId and not 0)
        {
            rows = rows.Where(r => (int)r.Row["commitId"]! == commitId);
        }

        if (aggregate && Text("refHash") is { Length: > 0 } refHash)
        {
            rows = rows.Where(r => (string?)r.Row["refHash"] == refHash);
        }

        if (Text("ciName") is { Length: > 0 } ciName)
        {
            rows = rows.Where(r => (string?)r.Row["ciName"] == ciName);
        }

        var limit = Math.Min(Number("limit", 100), 100);
        var list = new JsonArray();
        foreach (var (id, row) in rows.OrderByDescending(r => r.Id).Skip(Number("offset", 0)).Take(limit))
        {
            var item = new JsonObject();
            foreach (var name in fields)
            {
                item[name] = name == "id" ? Convert.ToBase64String(Encoding.UTF8.GetBytes($"{type}:{id}")) : row[name]?.DeepClone();
            }

            list.Add(item);
        }

        await WriteJsonAsync(context, 200, new JsonObject { ["data"] = new JsonObject { [field] = list } });
    }

    private static JsonObject Row(FakeDlrnVote vote, FakeDlrnCommit? commit) => new()
    {
        ["commitId"] = vote.CommitId,
        ["ciName"] = vote.JobId,
        ["ciUrl"] = vote.Url,
        ["ciVote"] = vote.Success,
        ["ciInProgress"] = vote.InProgress,
        ["timestamp"] = vote.Timestamp,
        ["notes"] = vote.Notes,
        ["user"] = vote.User,
        ["component"] = commit?.Component,
    };

    private static JsonObject Row(FakeDlrnAggregateVote vote) => new()
    {
        ["refHash"] = vote.AggregateHash,
        ["ciName"] = vote.JobId,
        ["ciUrl"] = vote.Url,
        ["ciVote"] = vote.Success,
        ["ciInProgress"] = false,
        ["timestamp"] = vote.Timestamp,
        ["notes"] = vote.Notes,
        ["user"] = vote.User,
    };

    [GeneratedRegex(@"^\s*(query\s*\w*\s*)?\{\s*(?<field>civote|civoteAgg)\s*(\((?<args>[^)]*)\))?\s*\{(?<fields>[^{}]*)\}\s*\}\s*$")]
    private static partial Regex VoteQueryPattern();
}
