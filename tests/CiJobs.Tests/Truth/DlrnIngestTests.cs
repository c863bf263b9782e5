using System.Globalization;
using CiJobs.Core;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Truth;
using CiJobs.Fakes.Dlrn;
using CiJobs.Tests.Dlrn;
using CiJobs.Tests.Support;
using Npgsql;

namespace CiJobs.Tests.Truth;

/// <summary>
/// The DLRN ingest (docs/manual/truth.md, "DLRN ingest") on both stores against the fake DLRN: a first read of
/// everything over several pages, a second that adds nothing, changes and deletions in the re-read window, rows inserted
/// and deleted while the walk runs, two ingests at once, and a DLRN that answers garbage or an error mid-way.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DlrnIngestTests(PostgresServer server) : IAsyncLifetime
{
    private readonly TempDir temp = new("dlrn-ingest");
    private NpgsqlConnectionStringBuilder? database;
    private FakeDlrnServer dlrn = null!;

    public static TheoryData<string> Providers()
    {
        var data = new TheoryData<string> { "sqlite" };
        if (PostgresServer.BinDirectory is not null)
        {
            data.Add("postgresql");
        }

        return data;
    }

    public async Task InitializeAsync() => dlrn = await DlrnFixtures.StartDlrnAsync(temp);

    public async Task DisposeAsync()
    {
        await dlrn.DisposeAsync();
        temp.Dispose();
    }

    private async Task<SqlTruthStore> OpenAsync(string provider)
    {
        if (provider == "sqlite")
        {
            return await SqliteTruthStore.OpenAsync(temp.Combine("truth.db"), TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
        }

        database ??= await server.CreateDatabaseAsync();
        return await PostgresTruthStore.OpenAsync(database, TimeProvider.System, CancellationToken.None);
    }

    private string Server => DlrnIngest.ServerKey(new Uri(dlrn.BaseUrl));

    private async Task<TruthIngestReport> IngestAsync(string provider, long reread = DlrnIngest.DefaultReread)
    {
        await using var store = await OpenAsync(provider);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var client = new DlrnApiClient(http, new DlrnClientOptions(new Uri(dlrn.BaseUrl), null) { MaxRetries = 0 });
        return await DlrnIngest.RunAsync(store, new DlrnIngestReader(client, _ => { }), Server, reread, TimeProvider.System, CancellationToken.None);
    }

    private async Task<long> CountAsync(string provider, string sql)
    {
        await using var store = await OpenAsync(provider);
        System.Data.Common.DbConnection connection = provider == "sqlite"
            ? new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={temp.Combine("truth.db")};Pooling=False")
            : new NpgsqlConnection(database!.ConnectionString);
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A table's rows and the cursors, as one text to compare before and after.</summary>
    private async Task<string> DumpAsync(string provider)
    {
        var parts = new List<string>();
        foreach (var sql in new[]
        {
            "SELECT COUNT(*) FROM dlrn_commits", "SELECT COUNT(*) FROM dlrn_commits WHERE removed_at IS NOT NULL", "SELECT COALESCE(SUM(read_at), 0) FROM dlrn_commits",
            "SELECT COUNT(*) FROM dlrn_votes", "SELECT COUNT(*) FROM dlrn_aggregate_votes", "SELECT COUNT(*) FROM dlrn_promotions",
            "SELECT COUNT(*) FROM dlrn_cursors", "SELECT COALESCE(SUM(position), 0) FROM dlrn_cursors", "SELECT COALESCE(SUM(read_at), 0) FROM dlrn_cursors",
        })
        {
            parts.Add(sql + " = " + await CountAsync(provider, sql));
        }

        return string.Join("\n", parts);
    }

    private static string Hash(int i, char salt = 'a') => (salt + i.ToString("x", CultureInfo.InvariantCulture)).PadLeft(40, '0');

    /// <summary>Commits over several pages, votes on some, aggregate votes and promotions.</summary>
    private List<FakeDlrnCommit> Seed(int commits)
    {
        var rows = new List<FakeDlrnCommit>();
        for (var i = 0; i < commits; i++)
        {
            rows.Add(dlrn.AddBuild($"pkg-{i % 7}", Hash(i), Hash(i, 'd'), i % 5 == 0 ? "FAILED" : "SUCCESS", 1_700_000_000 + i));
        }

        for (var i = 0; i < 130; i++)
        {
            dlrn.AddVote(new FakeDlrnVote { CommitId = rows[i % rows.Count].Id, JobId = $"job-{i % 3}", Url = $"https://ci.example.org/{i}", Timestamp = 1_700_000_000 + i, Success = i % 4 != 0, User = "ci" });
        }

        for (var i = 0; i < 3; i++)
        {
            dlrn.AddAggregateVote(new FakeDlrnAggregateVote { AggregateHash = Hash(i, 'f')[..32], JobId = "agg-job", Url = $"https://ci.example.org/agg/{i}", Timestamp = 1_700_000_500 + i, Success = true, User = "ci" });
        }

        for (var i = 0; i < 4; i++)
        {
            dlrn.AddPromotion(new FakeDlrnPromotion { CommitId = rows[i].Id, PromoteName = i % 2 == 0 ? "current-tripleo" : "consistent", Timestamp = 1_700_001_000 + i, User = "promoter" });
        }

        return rows;
    }

    private static DlrnKindCounts Kind(TruthIngestReport report, string kind) => report.Kinds.Single(k => k.Kind == kind);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_first_ingest_reads_every_row_over_the_pages_and_a_second_adds_nothing(string provider)
    {
        var rows = Seed(250);

        var first = await IngestAsync(provider);

        Kind(first, DlrnKinds.Commits).Should().Be(new DlrnKindCounts(DlrnKinds.Commits, 250, 250, 0, 0, 0, rows[^1].Id));
        Kind(first, DlrnKinds.Votes).Should().Be(new DlrnKindCounts(DlrnKinds.Votes, 130, 130, 0, 0, 0, 130));
        Kind(first, DlrnKinds.AggregateVotes).Should().Be(new DlrnKindCounts(DlrnKinds.AggregateVotes, 3, 3, 0, 0, 0, 3));
        Kind(first, DlrnKinds.Promotions).Should().Be(new DlrnKindCounts(DlrnKinds.Promotions, 4, 4, 0, 0, 0, 1_700_001_003));
        (await CountAsync(provider, "SELECT COUNT(*) FROM dlrn_commits WHERE status = 'FAILED'")).Should().Be(50);
        (await CountAsync(provider, $"SELECT COUNT(*) FROM dlrn_commits WHERE commit_hash = '{Hash(17)}' AND project_name = 'pkg-3' AND dt_build = 1700000017")).Should().Be(1);
        var before = await DumpAsync(provider);

        var second = await IngestAsync(provider);

        second.Kinds.Sum(k => k.Added + k.Updated + k.Removed).Should().Be(0);
        Kind(second, DlrnKinds.Commits).Unchanged.Should().Be(250, "the re-read window covers every row of this small server");
        Kind(second, DlrnKinds.Commits).Cursor.Should().Be(rows[^1].Id);
        (await DumpAsync(provider)).Should().Be(before, "a second ingest changes nothing, not even the read times");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Without_a_reread_window_the_first_ingest_still_reads_everything_and_the_next_only_what_is_new(string provider)
    {
        var rows = Seed(230);

        var first = await IngestAsync(provider, reread: 0);
        dlrn.AddBuild("pkg-new", Hash(999), Hash(999, 'd'));
        var next = await IngestAsync(provider, reread: 0);

        Kind(first, DlrnKinds.Commits).Added.Should().Be(230);
        Kind(next, DlrnKinds.Commits).Should().Be(new DlrnKindCounts(DlrnKinds.Commits, 100, 1, 0, 99, 0, rows[^1].Id + 1));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Dlrn_s_votes_and_promotions_of_a_commit_cijobs_built_are_linked_to_the_build_once(string provider)
    {
        var manifest = CiJobs.Tests.Provenance.ProvenanceSamples.Read(CiJobs.Tests.Provenance.ProvenanceSamples.Manifest("foo"));
        var dlrnPart = manifest.Manifest.Dlrn;
        var row = dlrn.AddBuild("foo", dlrnPart.CommitHash, dlrnPart.DistroHash);
        var other = dlrn.AddBuild("bar", Hash(1), Hash(1, 'd'));
        dlrn.AddVote(new FakeDlrnVote { CommitId = row.Id, JobId = "periodic", Url = "https://ci.example.org/1", Timestamp = 1_700_000_000, Success = true, User = "ci" });
        dlrn.AddVote(new FakeDlrnVote { CommitId = other.Id, JobId = "periodic", Url = "https://ci.example.org/2", Timestamp = 1_700_000_001, Success = false, User = "ci" });
        dlrn.AddPromotion(new FakeDlrnPromotion { CommitId = row.Id, PromoteName = "current", Timestamp = 1_700_000_100, User = "promoter" });

        // The votes are read before the build is ingested: the next DLRN ingest links them.
        var before = await IngestAsync(provider);
        await using (var store = await OpenAsync(provider))
        {
            await store.IngestAsync([manifest], CancellationToken.None);
        }

        var after = await IngestAsync(provider);
        var again = await IngestAsync(provider);

        (before.LinkedVotes, before.LinkedPromotions).Should().Be((0, 0));
        (after.LinkedVotes, after.LinkedPromotions).Should().Be((1, 1));
        (again.LinkedVotes, again.LinkedPromotions).Should().Be((0, 0));
        (await CountAsync(provider, $"SELECT COUNT(*) FROM ci_votes WHERE build_id = '{manifest.BuildId}' AND ci_name = 'periodic'")).Should().Be(1);
        (await CountAsync(provider, $"SELECT COUNT(*) FROM promotions WHERE build_id = '{manifest.BuildId}' AND promotion_name = 'current'")).Should().Be(1);
        (await CountAsync(provider, "SELECT COUNT(*) FROM dlrn_votes")).Should().Be(2, "the vote of the commit cijobs did not build stays in dlrn_votes");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_status_changed_in_place_a_deleted_row_and_a_new_row_are_seen_within_the_reread_window(string provider)
    {
        var rows = Seed(150);
        await IngestAsync(provider);

        dlrn.SetCommitStatus(rows[^2].Id, "RETRY");
        dlrn.RemoveCommit(rows[^5].Id);
        var added = dlrn.AddBuild("pkg-new", Hash(999), Hash(999, 'd'));
        var again = await IngestAsync(provider, reread: 10);

        // A page is the unit: the first page already holds 10 rows at or below the cursor.
        Kind(again, DlrnKinds.Commits).Should().Be(new DlrnKindCounts(DlrnKinds.Commits, 100, 1, 1, 98, 1, added.Id));
        (await CountAsync(provider, $"SELECT COUNT(*) FROM dlrn_commits WHERE dlrn_id = {rows[^2].Id} AND status = 'RETRY'")).Should().Be(1);
        (await CountAsync(provider, $"SELECT COUNT(*) FROM dlrn_commits WHERE dlrn_id = {rows[^5].Id} AND removed_at IS NOT NULL")).Should().Be(1);
        (await CountAsync(provider, "SELECT COUNT(*) FROM dlrn_commits WHERE removed_at IS NULL")).Should().Be(150);

        // Below the window nothing is read again: a change there waits for a larger --dlrn-reread.
        dlrn.SetCommitStatus(rows[0].Id, "RETRY");
        var narrow = await IngestAsync(provider, reread: 10);
        Kind(narrow, DlrnKinds.Commits).Updated.Should().Be(0);
        var full = await IngestAsync(provider, reread: 1_000_000_000);
        Kind(full, DlrnKinds.Commits).Updated.Should().Be(1);
        Kind(full, DlrnKinds.Commits).Removed.Should().Be(0, "the deleted row is marked once");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Rows_inserted_and_deleted_while_the_walk_runs_are_neither_missed_nor_counted_twice(string provider)
    {
        var rows = Seed(350);

        // Before page 2: 30 new rows push every row down; before page 3: 150 rows above the offset vanish, so rows move up past it.
        var inserted = new List<FakeDlrnCommit>();
        dlrn.BeforeAnswer("/api/graphql", 2, () =>
        {
            for (var i = 0; i < 30; i++)
            {
                inserted.Add(dlrn.AddBuild("pkg-late", Hash(5000 + i), Hash(5000 + i, 'd')));
            }
        });
        var vanished = rows.Skip(150).Take(150).ToList();
        dlrn.BeforeAnswer("/api/graphql", 3, () => vanished.ForEach(r => dlrn.RemoveCommit(r.Id)));

        var report = await IngestAsync(provider);

        var commits = Kind(report, DlrnKinds.Commits);
        var survivors = rows.Except(vanished).Select(r => r.Id).ToHashSet();
        (await CountAsync(provider, "SELECT COUNT(*) FROM dlrn_commits")).Should().Be(commits.Added);
        foreach (var id in survivors)
        {
            (await CountAsync(provider, $"SELECT COUNT(*) FROM dlrn_commits WHERE dlrn_id = {id}")).Should().Be(1, $"row {id} was in DLRN all along");
        }

        // The rows read before they vanished are marked removed by the next read of their range.
        var again = await IngestAsync(provider, reread: 1_000_000_000);
        Kind(again, DlrnKinds.Commits).Removed.Should().Be(commits.Added - survivors.Count - inserted.Count + Kind(again, DlrnKinds.Commits).Added);
        (await CountAsync(provider, "SELECT COUNT(*) FROM dlrn_commits WHERE removed_at IS NULL")).Should().Be(survivors.Count + inserted.Count);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Two_ingests_at_once_store_each_row_once_and_the_cursor_where_one_alone_would(string provider)
    {
        var rows = Seed(220);
        await using (await OpenAsync(provider))
        {
            // Migrated before the race, as a first open of either would.
        }

        var results = await Task.WhenAll(IngestAsync(provider), IngestAsync(provider));

        results.Sum(r => Kind(r, DlrnKinds.Commits).Added).Should().Be(220, "each row is added by one of them");
        results.Sum(r => Kind(r, DlrnKinds.Votes).Added).Should().Be(130);
        results.Sum(r => Kind(r, DlrnKinds.Promotions).Added).Should().Be(4);
        var last = rows[^1].Id;
        results.Select(r => Kind(r, DlrnKinds.Commits).Cursor).Should().AllBeEquivalentTo(last);
        (await CountAsync(provider, "SELECT COUNT(*) FROM dlrn_commits")).Should().Be(220);
        (await CountAsync(provider, "SELECT COUNT(*) FROM dlrn_votes")).Should().Be(130);
        (await CountAsync(provider, "SELECT COUNT(*) FROM dlrn_cursors")).Should().Be(4);
        var third = await IngestAsync(provider);
        third.Kinds.Sum(k => k.Added + k.Updated + k.Removed).Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_dlrn_answering_garbage_or_an_error_mid_way_leaves_the_store_and_cursor_as_they_were(string provider)
    {
        var rows = Seed(120);
        await IngestAsync(provider);
        var before = await DumpAsync(provider);
        for (var i = 0; i < 150; i++)
        {
            dlrn.AddBuild("pkg-more", Hash(7000 + i), Hash(7000 + i, 'd'));
        }

        dlrn.SetCommitStatus(rows[^1].Id, "RETRY");
        var answers = new (int Status, string Body)[]
        {
            (200, """{"data": {"commits": [{"id": "bm90IGFuIGlk", "projectName": "x"}]}}"""),
            (200, """{"data": {"commits": "nope"}}"""),
            (200, "<html>proxy error</html>"),
            (200, """{"errors": [{"message": "boom"}]}"""),
            (500, """{"message": "internal"}"""),
        };
        foreach (var (status, body) in answers)
        {
            dlrn.ScriptAnswer("/api/graphql", 2, status, body);
            var act = () => IngestAsync(provider);
            (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().BeOneOf(DlrnExitCodes.RequestRejected, DlrnExitCodes.ServerError);
            (await DumpAsync(provider)).Should().Be(before, $"nothing is written when page 2 answers {status} {body}");
        }

        // Rows out of DLRN's order are refused too.
        static string Row(int id) => $$"""{"id": "{{Id(id)}}", "projectName": "a", "commitHash": "c", "distroHash": "d", "status": "SUCCESS"}""";
        var unordered = """{"data": {"commits": [""" + Row(3) + ", " + Row(9) + "]}}";
        dlrn.ScriptAnswer("/api/graphql", 1, 200, unordered);
        var refused = () => IngestAsync(provider);
        (await refused.Should().ThrowAsync<DlrnApiException>()).Which.Message.Should().Contain("not in descending id order");
        (await DumpAsync(provider)).Should().Be(before);

        var after = await IngestAsync(provider);
        Kind(after, DlrnKinds.Commits).Added.Should().Be(150);
        Kind(after, DlrnKinds.Commits).Updated.Should().Be(1);

        static string Id(int id) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"Commit:{id}"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_qe_status_of_an_aggregate_comes_from_the_newest_vote_of_each_ci_on_the_aggregate(string provider)
    {
        var passed = Hash(1, 'e')[8..];
        var failed = Hash(2, 'e')[8..];
        var silent = Hash(3, 'e')[8..];
        dlrn.AddAggregateVote(new FakeDlrnAggregateVote { AggregateHash = passed, JobId = "periodic-a", Url = "https://ci.example.org/a/1", Timestamp = 1_700_000_010, Success = false, User = "ci" });
        dlrn.AddAggregateVote(new FakeDlrnAggregateVote { AggregateHash = passed, JobId = "periodic-b", Url = "https://ci.example.org/b/1", Timestamp = 1_700_000_020, Success = true, User = "ci" });
        dlrn.AddAggregateVote(new FakeDlrnAggregateVote { AggregateHash = passed, JobId = "periodic-a", Url = "https://ci.example.org/a/2", Timestamp = 1_700_000_030, Success = true, User = "ci", Notes = "rerun" });
        dlrn.AddAggregateVote(new FakeDlrnAggregateVote { AggregateHash = failed, JobId = "periodic-a", Url = "https://ci.example.org/a/3", Timestamp = 1_700_000_040, Success = true, User = "ci" });
        dlrn.AddAggregateVote(new FakeDlrnAggregateVote { AggregateHash = failed, JobId = "periodic-b", Url = "https://ci.example.org/b/2", Timestamp = 1_700_000_050, Success = false, User = "ci" });

        await IngestAsync(provider);
        await using var store = await OpenAsync(provider);
        var ofPassed = await store.QeStatusAsync(new QeSubject(QeSubjectKind.Aggregate, passed), 100, CancellationToken.None);
        var ofFailed = await store.QeStatusAsync(new QeSubject(QeSubjectKind.Aggregate, failed), 100, CancellationToken.None);
        var ofSilent = await store.QeStatusAsync(new QeSubject(QeSubjectKind.Aggregate, silent), 100, CancellationToken.None);
        var newestOnly = await store.QeStatusAsync(new QeSubject(QeSubjectKind.Aggregate, passed), 2, CancellationToken.None);

        ofPassed.State.Should().Be("passed", "periodic-a failed first, then passed; periodic-b passed");
        ofPassed.AggregateVotes.Select(v => (v.CiName, v.Vote, v.Timestamp)).Should().Equal(
            ("periodic-a", false, 1_700_000_010L), ("periodic-b", true, 1_700_000_020L), ("periodic-a", true, 1_700_000_030L));
        ofPassed.AggregateVotes[2].Should().Be(new AggregateVote(Server, "periodic-a", "https://ci.example.org/a/2", true, false, 1_700_000_030, "rerun", "ci"));
        ofPassed.Builds.Should().BeEmpty("no promotion of a build cijobs stored carries the hash");
        ofFailed.State.Should().Be("failed");
        ofSilent.State.Should().Be("none");
        ofSilent.AggregateVotes.Should().BeEmpty();
        newestOnly.Truncated.Should().BeTrue();
        newestOnly.AggregateVotes.Select(v => v.Timestamp).Should().Equal([1_700_000_020L, 1_700_000_030L], "a limit keeps the newest votes, which decide");
        newestOnly.State.Should().Be("passed");
    }
}
