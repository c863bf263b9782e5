using CiJobs.Core;
using CiJobs.Core.Builds;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.Truth;
using CiJobs.Tests.Provenance;
using CiJobs.Tests.Support;
using static CiJobs.Tests.Truth.TruthQuerySamples;

namespace CiJobs.Tests.Truth;

/// <summary>The read queries (ITruthQueries) and the vote and promotion writers, on SQLite and on a real PostgreSQL server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TruthQueryTests(PostgresServer server) : IDisposable
{
    private readonly TempDir temp = new("truth-query");

    public void Dispose() => temp.Dispose();

    public static TheoryData<string> Providers() => TruthStoreTests.Providers();

    private async Task<SqlTruthStore> OpenAsync(string provider) => provider switch
    {
        "sqlite" => await SqliteTruthStore.OpenAsync(temp.Combine("truth.db"), TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None),
        _ => await PostgresTruthStore.OpenAsync(await server.CreateDatabaseAsync(), TimeProvider.System, CancellationToken.None),
    };

    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task History_gives_the_duration_of_version_2_builds_and_null_for_version_1(string provider)
    {
        await using var store = await OpenAsync(provider);
        await store.IngestAsync([Build("a", 100), Build("a", 200, duration: 42.125), Build("a", 300, "FAILED", duration: 0)], None);

        var history = await store.HistoryAsync("a", 10, None);

        history.Builds.Select(b => b.DurationSeconds).Should().Equal(null, 42.125, 0d);
        (await store.BuildsBetweenAsync(200, 201, 10, None)).Builds.Single().DurationSeconds.Should().Be(42.125);
        var json = System.Text.Json.JsonSerializer.Serialize(history, TruthJsonContext.Default.PackageHistory);
        json.Should().Contain("\"duration_seconds\":null").And.Contain("\"duration_seconds\":42.125");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Build_times_are_the_median_of_the_newest_success_builds_with_a_duration(string provider)
    {
        await using var store = await OpenAsync(provider);
        await store.IngestAsync(
        [
            Build("lib", 100, release: "epoxy", duration: 100), Build("lib", 200, release: "epoxy", duration: 140), Build("lib", 300, release: "epoxy", duration: 120),
            Build("lib", 400, "FAILED", release: "epoxy", duration: 5), Build("lib", 500, release: "epoxy"), Build("lib", 600, release: "flamingo", duration: 1),
            Build("app1", 100, release: "epoxy", duration: 30.5),
            Build("app2", 100, "FAILED", release: "epoxy", duration: 999),
            Build("app3", 100, release: "epoxy"),
        ],
            None);

        (await store.BuildTimesAsync(BuildTimesScope.OfRelease("epoxy"), 5, None)).Should().Equal(
            new PackageBuildTime("app1", 30.5, 1), new PackageBuildTime("lib", 120, 3));
        (await store.BuildTimesAsync(BuildTimesScope.OfRelease("epoxy"), 2, None)).Should().Equal(
            new PackageBuildTime("app1", 30.5, 1), new PackageBuildTime("lib", 130, 2));
        (await store.BuildTimesAsync(BuildTimesScope.OfPackages(["lib", "app2", "app3", "nothing"]), 2, None)).Should().Equal(
            new PackageBuildTime("lib", 60.5, 2));
        (await store.BuildTimesAsync(BuildTimesScope.OfRelease("wallaby"), 5, None)).Should().BeEmpty();

        var api = new TruthApi(store, null);
        var answer = await api.HandleAsync("/api/build-times", "release=epoxy&last=2", None);
        answer.Status.Should().Be(200);
        System.Text.Encoding.UTF8.GetString(answer.Body).Should().Be("""{"app1":30.5,"lib":130}""");
        (await api.HandleAsync("/api/build-times", "package=lib,app1&last=1", None)).Body.Should().Equal(System.Text.Encoding.UTF8.GetBytes("""{"app1":30.5,"lib":1}"""));
        (await api.HandleAsync("/api/build-times", "", None)).Status.Should().Be(400);
        (await api.HandleAsync("/api/build-times", "release=epoxy&package=lib", None)).Status.Should().Be(400);
        (await api.HandleAsync("/api/build-times", "release=epoxy&last=101", None)).Status.Should().Be(400);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Produced_between_is_half_open_oldest_first_and_bounded(string provider)
    {
        await using var store = await OpenAsync(provider);
        await store.IngestAsync([Build("a", 100), Build("b", 200), Build("c", 300), Build("d", 400)], None);

        var page = await store.BuildsBetweenAsync(200, 400, 10, None);
        page.Builds.Select(b => b.Package).Should().Equal("b", "c");
        page.Truncated.Should().BeFalse();
        page.Builds[0].Nvrs.Should().Equal("b-200-1.el9.noarch");
        page.Builds[0].Files.Should().Be(1);
        page.Builds[0].Size.Should().Be("b200".Length);

        var cut = await store.BuildsBetweenAsync(0, 1_000, 3, None);
        cut.Builds.Select(b => b.Package).Should().Equal("a", "b", "c");
        cut.Truncated.Should().BeTrue();
        (await store.BuildsBetweenAsync(500, 600, 3, None)).Builds.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_inputs_of_an_artifact_are_followed_through_the_layers(string provider)
    {
        await using var store = await OpenAsync(provider);
        await store.IngestAsync([Foo, ImageBuild, ContainerBuild], None);

        var lineage = await store.InputsOfAsync(Container.Sha256, 8, 100, None);

        lineage.Truncated.Should().BeFalse();
        lineage.Steps.Select(s => (s.Depth, s.Build.Package, s.Via)).Should().Equal((1, "container", Container.Sha256), (2, "image", Image.Sha256), (3, "foo", Rpm.Sha256));
        lineage.Steps[0].Inputs.Should().Contain(i => i.Kind == "artifact" && i.ArtifactSha256 == Image.Sha256);
        lineage.Steps[2].Inputs.Should().Contain(i => i.Kind == "source" && i.Commit == Foo.Manifest.Inputs.Source.Commit);

        var shallow = await store.InputsOfAsync(Container.Sha256, 2, 100, None);
        shallow.Steps.Select(s => s.Build.Package).Should().Equal("container", "image");
        shallow.Truncated.Should().BeTrue();
        var few = await store.InputsOfAsync(Container.Sha256, 8, 1, None);
        few.Steps.Should().ContainSingle();
        few.Truncated.Should().BeTrue();
        (await store.InputsOfAsync(ProvenanceSamples.Sha("nothing"), 8, 100, None)).Steps.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_cycle_of_artifacts_ends_and_lists_each_build_once(string provider)
    {
        var a = ProvenanceSamples.File("a.rpm", "a");
        var b = ProvenanceSamples.File("b.rpm", "b");
        await using var store = await OpenAsync(provider);
        await store.IngestAsync([Layer("x", a, b, 10), Layer("y", b, a, 20)], None);

        var inputs = await store.InputsOfAsync(a.Sha256, 32, 100, None);
        inputs.Steps.Select(s => s.Build.Package).Should().Equal("y", "x");
        inputs.Truncated.Should().BeFalse();
        var built = await store.BuiltFromAsync(new TruthInput(TruthInputKind.Artifact, a.Sha256), 32, 100, None);
        built.Steps.Select(s => s.Build.Package).Should().Equal("x", "y");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task What_was_built_from_a_commit_or_an_artifact_is_followed_through_the_layers(string provider)
    {
        await using var store = await OpenAsync(provider);
        await store.IngestAsync([Foo, ImageBuild, ContainerBuild, Build("other", 5)], None);

        var fromCommit = await store.BuiltFromAsync(new TruthInput(TruthInputKind.Commit, Foo.Manifest.Inputs.Distgit.Commit!), 8, 100, None);
        fromCommit.Steps.Select(s => (s.Depth, s.Build.Package)).Should().Equal((1, "foo"), (2, "image"), (3, "container"));
        fromCommit.Steps[0].Outputs.Should().ContainSingle().Which.Sha256.Should().Be(Rpm.Sha256);
        fromCommit.Steps[1].Via.Should().Be(Rpm.Sha256);

        var fromRpm = await store.BuiltFromAsync(new TruthInput(TruthInputKind.Artifact, Rpm.Sha256), 1, 100, None);
        fromRpm.Steps.Select(s => s.Build.Package).Should().Equal("image");
        fromRpm.Truncated.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_package_history_is_its_newest_builds_oldest_first(string provider)
    {
        await using var store = await OpenAsync(provider);
        await store.IngestAsync([Build("foo", 300), Build("foo", 100), Build("foo", 200, "FAILED"), Build("bar", 150)], None);

        var all = await store.HistoryAsync("foo", 10, None);
        all.Builds.Select(b => (b.DtBuild, b.Status)).Should().Equal((100, "SUCCESS"), (200, "FAILED"), (300, "SUCCESS"));
        all.Builds.Select(b => b.Nvrs.Single()).Should().Equal("foo-100-1.el9.noarch", "foo-200-1.el9.noarch", "foo-300-1.el9.noarch");
        all.Truncated.Should().BeFalse();
        var newest = await store.HistoryAsync("foo", 2, None);
        newest.Builds.Select(b => b.DtBuild).Should().Equal(200, 300);
        newest.Truncated.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_release_status_joins_rdoinfo_with_the_newest_build_of_each_package(string provider)
    {
        var database = await RdoinfoLoader.LoadAsync(RepoPaths.RealRdoinfo);
        var release = database.Releases.First(r => database.ExpandAll(r.Name).Count >= 5);
        var packages = database.ExpandAll(release.Name).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        string Source(int i) => BuildTargetResolver.SourceRef(packages[i], release).Ref;
        string Distgit(int i) => BuildTargetResolver.DistgitRef(packages[i], release).Ref;
        await using var store = await OpenAsync(provider);
        await store.IngestAsync(
        [
            Build(packages[0].Name, 100, "FAILED", null, Source(0), Distgit(0)),
            Build(packages[0].Name, 200, "SUCCESS", release.Name, Source(0), Distgit(0)),
            Build(packages[1].Name, 300, "FAILED", release.Name, Source(1), Distgit(1)),
            Build(packages[2].Name, 300, "SUCCESS", null, Source(2) + "-other", Distgit(2)),
            // Another release's build does not count.
            Build(packages[3].Name, 900, "SUCCESS", "not-" + release.Name, Source(3), Distgit(3)),
        ],
            None);

        var status = await TruthReleaseStatus.ComputeAsync(database, release.Name, store, 1000, None);

        status.Packages.Should().Be(packages.Count);
        status.Items.Take(4).Select(i => i.State).Should().Equal("built", "failed", "other-ref", "missing");
        status.Items[0].Latest!.DtBuild.Should().Be(200);
        status.Items[0].SourceRef.Should().Be(Source(0));
        status.Items[0].Upstream.Should().Be(packages[0].Upstream);
        (status.Built, status.Failed, status.OtherRef, status.Missing).Should().Be((1, 1, 1, packages.Count - 3));
        status.Truncated.Should().BeFalse();
        (await TruthReleaseStatus.ComputeAsync(database, release.Name, store, 2, None)).Should().Match<ReleaseStatus>(s => s.Truncated && s.Items.Count == 2);
        var unknown = () => TruthReleaseStatus.ComputeAsync(database, "no-such-release", store, 10, None);
        (await unknown.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(TruthExitCodes.StoreOption);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_newest_build_of_a_package_breaks_a_tie_on_time_by_the_greater_id(string provider)
    {
        var tiedA = Build("pkg", 400, "SUCCESS", null, content: "a");
        var tiedB = Build("pkg", 400, "FAILED", "r1", content: "b");
        var (low, high) = string.CompareOrdinal(tiedA.BuildId, tiedB.BuildId) < 0 ? (tiedA, tiedB) : (tiedB, tiedA);
        // More packages than one statement takes (500): the first and the last are built.
        var asked = Enumerable.Range(0, 620).Select(i => $"p{i:D3}").Prepend("pkg").Append("zzz").ToList();
        await using var store = await OpenAsync(provider);
        await store.IngestAsync(
        [
            Build("pkg", 300, "SUCCESS", "r1"),
            high,
            Build("pkg", 500, "SUCCESS", "r2"),
            low,
            Build("zzz", 100, "SUCCESS", "r1"),
            Build("zzz", 200, "SUCCESS", "r1", content: "newer"),
        ],
            None);

        var latest = await store.LatestBuildsAsync([.. asked, "pkg"], "r1", None);

        latest.Select(b => (b.Package, b.Id, b.DtBuild)).Should().Equal(("pkg", high.BuildId, 400), ("zzz", Build("zzz", 200, "SUCCESS", "r1", content: "newer").BuildId, 200));
        latest[0].Nvrs.Should().Equal("pkg-400-1.el9.noarch");
        (await store.LatestBuildsAsync(["pkg"], null, None)).Single().DtBuild.Should().Be(500, "without a release every build counts");
        (await store.LatestBuildsAsync(["pkg"], "r3", None)).Single().Id.Should().Be(tiedA.BuildId, "a build without a release counts for every release");
        (await store.LatestBuildsAsync([], "r1", None)).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Votes_and_promotions_are_recorded_once_and_give_the_qe_state(string provider)
    {
        await using var store = await OpenAsync(provider);
        var first = Build("foo", 100);
        var second = Build("bar", 200);
        await store.IngestAsync([first, second], None);
        var votes = new[]
        {
            Vote(first.BuildId, "tempest", false, 10),
            Vote(first.BuildId, "tempest", true, 20),
            Vote(first.BuildId, "packstack", true, 15),
            Vote(second.BuildId, "tempest", true, 30, inProgress: true),
        };

        (await store.RecordVotesAsync(votes, None)).Should().Be(new RecordResult(4, 0));
        (await store.RecordVotesAsync(votes, None)).Should().Be(new RecordResult(0, 4));
        var aggregate = new string('c', 32);
        var promotions = new[]
        {
            new PromotionRecord(first.BuildId, "current-passed-ci", 50, "admin", "common", aggregate),
            new PromotionRecord(second.BuildId, "current-passed-ci", 60, "admin", "compute", aggregate),
        };
        (await store.RecordPromotionsAsync(promotions, None)).Should().Be(new RecordResult(2, 0));
        (await store.RecordPromotionsAsync(promotions, None)).Should().Be(new RecordResult(0, 2));

        var build = await store.QeStatusAsync(new QeSubject(QeSubjectKind.Build, first.BuildId), 100, None);
        build.State.Should().Be("passed", "the newest tempest vote passed");
        build.Votes.Select(v => v.Timestamp).Should().Equal(10, 15, 20);
        build.Promotions.Should().ContainSingle().Which.PromotionName.Should().Be("current-passed-ci");

        var repo = $"{first.Manifest.Dlrn.CommitHash}_{first.Manifest.Dlrn.DistroHash[..8]}";
        var byRepo = await store.QeStatusAsync(new QeSubject(QeSubjectKind.Repo, repo), 100, None);
        byRepo.Builds.Should().Equal(first.BuildId);
        byRepo.State.Should().Be("passed");
        (await store.QeStatusAsync(new QeSubject(QeSubjectKind.Repo, repo + "_abcdef12"), 100, None)).Builds.Should().BeEmpty("the build has no extended hash");

        var byAggregate = await store.QeStatusAsync(new QeSubject(QeSubjectKind.Aggregate, aggregate), 100, None);
        byAggregate.Builds.Should().BeEquivalentTo([first.BuildId, second.BuildId]);
        byAggregate.State.Should().Be("in-progress");
        byAggregate.Promotions.Should().HaveCount(2);

        await store.RecordVotesAsync([Vote(second.BuildId, "tempest", false, 40)], None);
        (await store.QeStatusAsync(new QeSubject(QeSubjectKind.Aggregate, aggregate), 100, None)).State.Should().Be("failed");
        (await store.QeStatusAsync(new QeSubject(QeSubjectKind.Aggregate, aggregate), 1, None)).Truncated.Should().BeTrue();
        (await store.QeStatusAsync(new QeSubject(QeSubjectKind.Build, ProvenanceSamples.Sha("none")), 100, None)).State.Should().Be("none");

        var orphan = () => store.RecordVotesAsync([Vote(first.BuildId, "late", true, 99), Vote(ProvenanceSamples.Sha("unknown"), "tempest", true, 1)], None);
        (await orphan.Should().ThrowAsync<CiJobsException>()).Which.Message.Should().Contain("nothing of this batch is stored");
        (await store.QeStatusAsync(new QeSubject(QeSubjectKind.Build, first.BuildId), 100, None)).Votes.Should().NotContain(v => v.CiName == "late");
    }
}
