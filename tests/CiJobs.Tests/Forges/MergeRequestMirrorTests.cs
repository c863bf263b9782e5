using CiJobs.Core.Forges;
using CiJobs.Core.Forges.Mirroring;

namespace CiJobs.Tests.Forges;

public sealed class MergeRequestMirrorTests : IAsyncLifetime
{
    private MirrorFixture f = null!;

    public async Task InitializeAsync() => f = await MirrorFixture.CreateAsync();

    public async Task DisposeAsync() => await f.DisposeAsync();

    [Fact]
    public async Task Sync_of_a_new_source_git_MR_opens_one_dist_git_MR_on_the_stable_branch_with_links_both_ways()
    {
        var result = await f.CreateMirror().SyncAsync(f.Number, default);

        result.Action.Should().Be(MirrorAction.Created);
        var dist = f.GitLab.MergeRequests(MirrorFixture.DistProject).Should().ContainSingle().Subject;
        dist.SourceBranch.Should().Be("source-git-mr-1");
        dist.TargetBranch.Should().Be("c9s");
        dist.Author.Should().Be("cijobs-bot");
        dist.Title.Should().Be("Fix the exit code");
        var head = await f.BareGitAsync(f.SourceBare, "rev-parse", "fix");
        dist.Description.Should().Contain("<!-- cijobs:source-git-mr=src/hello!1 -->").And.Contain($"<!-- cijobs:source-git-sha={head} -->");
        f.GitLab.MergeRequests(MirrorFixture.SourceProject).Single().Description.Should().Contain("<!-- cijobs:dist-git-mr=rpms/hello!1 -->");

        // One regenerated commit on top of the dist-git branch, carrying the source-git sha and the new patch.
        (await f.BareGitAsync(f.DistBare, "rev-list", "--count", "c9s..source-git-mr-1")).Should().Be("1");
        (await f.BareGitAsync(f.DistBare, "log", "-1", "--format=%B", "source-git-mr-1")).Should().Contain($"From-source-git-commit: {head}");
        (await f.BareGitAsync(f.DistBare, "show", "source-git-mr-1:hello.spec")).Should().Contain("Patch");

        var note = f.GitLab.Notes(MirrorFixture.SourceProject, 1).Should().ContainSingle().Subject;
        note.Author.Should().Be("cijobs-bot");
        note.Body.Should().Contain("rpms/hello!1");
    }

    [Fact]
    public async Task A_repeated_sync_changes_nothing_and_keeps_one_comment()
    {
        var mirror = f.CreateMirror();
        await mirror.SyncAsync(f.Number, default);
        var branchBefore = await f.BareGitAsync(f.DistBare, "rev-parse", "source-git-mr-1");

        var again = await mirror.SyncAsync(f.Number, default);

        again.Action.Should().Be(MirrorAction.UpToDate);
        (await f.BareGitAsync(f.DistBare, "rev-parse", "source-git-mr-1")).Should().Be(branchBefore, "an identical delivery must not force-push");
        f.GitLab.MergeRequests(MirrorFixture.DistProject).Should().ContainSingle();
        f.GitLab.Notes(MirrorFixture.SourceProject, 1).Should().ContainSingle();
    }

    [Fact]
    public async Task New_commits_regenerate_the_single_dist_git_commit_and_edit_the_comment_in_place()
    {
        var mirror = f.CreateMirror();
        await mirror.SyncAsync(f.Number, default);
        var noteId = f.GitLab.Notes(MirrorFixture.SourceProject, 1).Single().Id;
        var newHead = await f.PushContributorCommitAsync("Print a greeting", new Dictionary<string, string> { ["src/greet.c"] = "/* hi */\n" });

        var result = await mirror.SyncAsync(f.Number, default);

        result.Action.Should().Be(MirrorAction.Updated);
        f.GitLab.MergeRequests(MirrorFixture.DistProject).Should().ContainSingle().Which.Description.Should().Contain(newHead);
        (await f.BareGitAsync(f.DistBare, "rev-list", "--count", "c9s..source-git-mr-1")).Should().Be("1", "the bot branch is regenerated, not appended to");
        (await f.BareGitAsync(f.DistBare, "log", "-1", "--format=%B", "source-git-mr-1")).Should().Contain($"From-source-git-commit: {newHead}");
        var note = f.GitLab.Notes(MirrorFixture.SourceProject, 1).Should().ContainSingle().Subject;
        note.Id.Should().Be(noteId);
        note.Body.Should().Contain(newHead[..12]);
    }

    [Fact]
    public async Task Closing_closes_reopening_reopens_and_merging_does_nothing()
    {
        var mirror = f.CreateMirror();
        await mirror.SyncAsync(f.Number, default);
        var source = f.GitLab.MergeRequests(MirrorFixture.SourceProject).Single();
        var dist = f.GitLab.MergeRequests(MirrorFixture.DistProject).Single();

        source.State = "closed";
        (await mirror.SyncAsync(f.Number, default)).Action.Should().Be(MirrorAction.Closed);
        dist.State.Should().Be("closed");
        (await mirror.SyncAsync(f.Number, default)).Action.Should().Be(MirrorAction.AlreadyClosed, "a duplicate close delivery is harmless");

        source.State = "opened";
        (await mirror.SyncAsync(f.Number, default)).Action.Should().Be(MirrorAction.Reopened);
        dist.State.Should().Be("opened");
        f.GitLab.MergeRequests(MirrorFixture.DistProject).Should().ContainSingle("reopening must not create another dist-git MR");

        source.State = "merged";
        (await mirror.SyncAsync(f.Number, default)).Action.Should().Be(MirrorAction.MergedNothingToDo);
        dist.State.Should().Be("opened");
        f.GitLab.Notes(MirrorFixture.SourceProject, 1).Should().ContainSingle();
    }

    [Fact]
    public async Task Ten_concurrent_syncs_of_one_MR_leave_exactly_one_dist_git_MR_and_one_comment()
    {
        var runs = Enumerable.Range(0, 10).Select(_ => Task.Run(() => f.CreateMirror().SyncAsync(f.Number, default))).ToList();

        var results = await Task.WhenAll(runs);

        results.Should().OnlyContain(r => r.DistGitMergeRequestNumber == 1);
        f.GitLab.MergeRequests(MirrorFixture.DistProject).Should().ContainSingle().Which.State.Should().Be("opened");
        f.GitLab.Notes(MirrorFixture.SourceProject, 1).Should().ContainSingle();
        (await f.BareGitAsync(f.DistBare, "rev-list", "--count", "c9s..source-git-mr-1")).Should().Be("1");
    }

    [Fact]
    public async Task Status_copies_the_dist_git_pipeline_result_to_the_tested_source_git_commit_and_repeats_are_no_ops()
    {
        var mirror = f.CreateMirror();
        await mirror.SyncAsync(f.Number, default);
        var tested = await f.BareGitAsync(f.SourceBare, "rev-parse", "fix");
        // A newer source-git push whose dist-git pipeline has not run: the status still goes to the commit that was tested.
        await f.PushContributorCommitAsync("Later change", new Dictionary<string, string> { ["later.txt"] = "x\n" });
        f.GitLab.AddPipeline(MirrorFixture.DistProject, 1, "running");

        var running = await mirror.StatusAsync(1, null, null, default);
        var repeated = await mirror.StatusAsync(1, null, null, default);
        var done = await mirror.StatusAsync(1, "failed", "http://ci.example/p/7", default);

        running.Action.Should().Be(MirrorAction.StatusSet);
        repeated.Action.Should().Be(MirrorAction.StatusUnchanged);
        done.Action.Should().Be(MirrorAction.StatusSet);
        var statuses = f.GitLab.Statuses(MirrorFixture.SourceProject);
        statuses.Select(s => (s.Sha, s.Name, s.State)).Should().Equal((tested, "dist-git CI", "running"), (tested, "dist-git CI", "failed"));
        statuses[^1].TargetUrl.Should().Be("http://ci.example/p/7");
    }

    [Theory]
    [InlineData("created", CommitState.Pending)]
    [InlineData("waiting_for_resource", CommitState.Pending)]
    [InlineData("preparing", CommitState.Pending)]
    [InlineData("pending", CommitState.Pending)]
    [InlineData("scheduled", CommitState.Pending)]
    [InlineData("manual", CommitState.Pending)]
    [InlineData("running", CommitState.Running)]
    [InlineData("success", CommitState.Success)]
    [InlineData("skipped", CommitState.Success)]
    [InlineData("failed", CommitState.Failed)]
    [InlineData("canceled", CommitState.Canceled)]
    public async Task Status_maps_every_pipeline_status_as_the_reference_table_says(string pipelineStatus, CommitState expected)
    {
        StatusMapping.FromPipelineStatus(pipelineStatus).Should().Be(expected);
        var mirror = f.CreateMirror();
        await mirror.SyncAsync(f.Number, default);

        await mirror.StatusAsync(1, pipelineStatus, null, default);

        f.GitLab.Statuses(MirrorFixture.SourceProject).Single().State.Should().Be(expected.ToString().ToLowerInvariant());
    }

    [Fact]
    public async Task Retrigger_runs_a_new_dist_git_pipeline()
    {
        var mirror = f.CreateMirror();
        await mirror.SyncAsync(f.Number, default);
        var before = f.GitLab.Pipelines(MirrorFixture.DistProject, 1).Count;

        var result = await mirror.RetriggerAsync(f.Number, default);

        result.Action.Should().Be(MirrorAction.PipelineStarted);
        f.GitLab.Pipelines(MirrorFixture.DistProject, 1).Should().HaveCount(before + 1);
    }

    [Fact]
    public async Task Recreate_closes_the_old_dist_git_MR_and_links_a_fresh_one()
    {
        var mirror = f.CreateMirror();
        await mirror.SyncAsync(f.Number, default);

        var result = await mirror.RecreateAsync(f.Number, default);

        result.Action.Should().Be(MirrorAction.Recreated);
        var all = f.GitLab.MergeRequests(MirrorFixture.DistProject);
        all.Should().HaveCount(2);
        all[0].State.Should().Be("closed");
        all[0].Description.Should().Contain(MirrorMarkers.SupersededMarker);
        all[1].State.Should().Be("opened");
        (await mirror.SyncAsync(f.Number, default)).DistGitMergeRequestNumber.Should().Be(2);
        f.GitLab.MergeRequests(MirrorFixture.SourceProject).Single().Description.Should().Contain("rpms/hello!2").And.NotContain("rpms/hello!1 ");
        f.GitLab.Notes(MirrorFixture.SourceProject, 1).Should().ContainSingle().Which.Body.Should().Contain("rpms/hello!2");
    }

    [Fact]
    public async Task A_title_or_description_edit_is_copied_without_a_push()
    {
        var mirror = f.CreateMirror();
        await mirror.SyncAsync(f.Number, default);
        var branchBefore = await f.BareGitAsync(f.DistBare, "rev-parse", "source-git-mr-1");
        var source = f.GitLab.MergeRequests(MirrorFixture.SourceProject).Single();
        source.Title = "Fix the exit code properly";
        source.Description = "Better words." + "\n\n" + source.Description[source.Description.IndexOf("<!--", StringComparison.Ordinal)..];

        var result = await mirror.SyncAsync(f.Number, default);

        result.Action.Should().Be(MirrorAction.Updated);
        var dist = f.GitLab.MergeRequests(MirrorFixture.DistProject).Single();
        dist.Title.Should().Be("Fix the exit code properly");
        dist.Description.Should().StartWith("Better words.");
        (await f.BareGitAsync(f.DistBare, "rev-parse", "source-git-mr-1")).Should().Be(branchBefore);
        (await mirror.SyncAsync(f.Number, default)).Action.Should().Be(MirrorAction.UpToDate);
    }

    [Fact]
    public async Task A_branch_without_source_git_config_is_ignored_and_nothing_is_pushed()
    {
        await f.BareGitAsync(f.SourceBare, "branch", "plain", "v1.0");
        var plain = f.GitLab.OpenMergeRequest(MirrorFixture.SourceProject, "plain", "c9s", "Upstream only", "", "alice");

        var result = await f.CreateMirror().SyncAsync(plain.Iid, default);

        result.Action.Should().Be(MirrorAction.Ignored);
        f.GitLab.MergeRequests(MirrorFixture.DistProject).Should().BeEmpty();
        (await f.BareGitAsync(f.DistBare, "branch", "--list", $"source-git-mr-{plain.Iid}")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_missing_dist_git_branch_is_a_clear_error()
    {
        var other = f.GitLab.OpenMergeRequest(MirrorFixture.SourceProject, "fix", "c10s", "For c10s", "", "alice");

        var act = () => f.CreateMirror().SyncAsync(other.Iid, default);

        (await act.Should().ThrowAsync<Core.CiJobsException>()).Which.ExitCode.Should().Be(ForgeExitCodes.DistGitBranchMissing);
        f.GitLab.MergeRequests(MirrorFixture.DistProject).Should().BeEmpty();
    }

    [Fact]
    public async Task A_dist_git_change_made_outside_the_flow_becomes_one_sync_MR_on_source_git()
    {
        // A maintainer commits directly to dist-git.
        await f.Repos.Dist.RunAsync("checkout", "--quiet", "c9s");
        await f.Repos.CommitDistAsync("Add a gating test", new Dictionary<string, string> { ["tests/tests.yml"] = "- hosts: localhost\n  roles: [smoke]\n" });
        await f.Repos.Dist.RunAsync("push", "--quiet", f.DistBare, "c9s:c9s");
        var mirror = f.CreateMirror();

        var first = await mirror.SyncFromDistGitAsync("c9s", default);
        var second = await mirror.SyncFromDistGitAsync("c9s", default);

        first.Action.Should().Be(MirrorAction.Created);
        second.Action.Should().Be(MirrorAction.Updated);
        var sync = f.GitLab.MergeRequests(MirrorFixture.SourceProject).Where(m => m.SourceBranch == "sync-from-dist-git/c9s").Should().ContainSingle().Subject;
        sync.Title.Should().StartWith("Sync from dist-git");
        (await f.BareGitAsync(f.SourceBare, "show", "sync-from-dist-git/c9s:.distro/tests/tests.yml")).Should().Contain("smoke");
        // The bot's own sync MR is never mirrored back to dist-git.
        (await mirror.SyncAsync(sync.Iid, default)).Action.Should().Be(MirrorAction.Ignored);
    }
}

public sealed class ForkMergeRequestMirrorTests : IAsyncLifetime
{
    private MirrorFixture f = null!;
    private string forkBare = null!;
    private int number;
    private string forkHead = null!;

    public async Task InitializeAsync()
    {
        f = await MirrorFixture.CreateAsync();
        forkBare = f.SourceBare + "-fork.git";
        await f.BareGitAsync(f.SourceBare, "clone", "--quiet", "--bare", f.SourceBare, forkBare);
        f.GitLab.AddProject("alice/hello", forkBare, "c9s");
        // The contributor's branch exists only in the fork (and the fork lacks nothing else here).
        forkHead = await f.Repos.CommitSrcAsync("Fork-only change", new Dictionary<string, string> { ["fork.txt"] = "from a fork\n" });
        await f.Repos.Src.RunAsync("push", "--quiet", forkBare, "fix:feature");
        number = f.GitLab.OpenMergeRequest(MirrorFixture.SourceProject, "feature", "c9s", "From a fork", "", "alice", sourceProject: "alice/hello").Iid;
    }

    // The fork's bare repository lives in the fixture's temporary folder and goes with it.
    public async Task DisposeAsync() => await f.DisposeAsync();

    [Fact]
    public async Task A_fork_MR_is_mirrored_from_the_fork_and_its_status_goes_to_the_fork()
    {
        var mirror = f.CreateMirror();

        await mirror.SyncAsync(number, default);
        var status = await mirror.StatusAsync(1, "success", null, default);

        (await f.BareGitAsync(f.DistBare, "log", "-1", "--format=%B", $"source-git-mr-{number}")).Should().Contain($"From-source-git-commit: {forkHead}");
        status.Action.Should().Be(MirrorAction.StatusSet);
        f.GitLab.Statuses("alice/hello").Should().ContainSingle().Which.Sha.Should().Be(forkHead);
    }

    [Fact]
    public async Task Without_access_to_the_fork_the_status_is_reported_in_the_one_comment()
    {
        var mirror = f.CreateMirror();
        await mirror.SyncAsync(number, default);
        f.GitLab.DenyStatuses("alice/hello");

        var result = await mirror.StatusAsync(1, "failed", "http://ci.example/p/3", default);

        result.Action.Should().Be(MirrorAction.StatusReportedInComment);
        var note = f.GitLab.Notes(MirrorFixture.SourceProject, number).Should().ContainSingle().Subject;
        note.Body.Should().Contain("**failed**").And.Contain("http://ci.example/p/3").And.Contain("Developer");
    }
}

public sealed class DistGitForkMirrorTests : IAsyncLifetime
{
    private MirrorFixture f = null!;
    private string forkBare = null!;

    public async Task InitializeAsync()
    {
        f = await MirrorFixture.CreateAsync();
        forkBare = f.DistBare + "-bot-fork.git";
        await f.BareGitAsync(f.DistBare, "clone", "--quiet", "--bare", f.DistBare, forkBare);
        f.GitLab.AddProject("cijobs-bot/hello", forkBare, "c9s");
    }

    // The fork's bare repository lives in the fixture's temporary folder and goes with it.
    public async Task DisposeAsync() => await f.DisposeAsync();

    private MergeRequestMirror Mirror()
    {
        var forge = f.CreateForge();
        return new MergeRequestMirror(
            new MirrorEndpoints(forge, MirrorFixture.SourceProject, forge, MirrorFixture.DistProject) { DistGitFork = "cijobs-bot/hello" },
            new SourceGitConversion(f.Repos.Converter),
            new MirrorGit(new Core.Platform.CliWrapProcessRunner()));
    }

    [Fact]
    public async Task With_a_bot_fork_the_branch_is_pushed_to_the_fork_and_the_MR_targets_dist_git()
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Mirror().SyncAsync(1, default))));

        runs.Should().OnlyContain(r => r.DistGitMergeRequestNumber == 1);
        var dist = f.GitLab.MergeRequests(MirrorFixture.DistProject).Should().ContainSingle().Subject;
        dist.SourceProjectId.Should().NotBe(dist.TargetProjectId);
        (await f.BareGitAsync(forkBare, "branch", "--list", "source-git-mr-1")).Should().Contain("source-git-mr-1");
        (await f.BareGitAsync(f.DistBare, "branch", "--list", "source-git-mr-1")).Should().BeEmpty("the bot never pushes to dist-git itself");
        (await Mirror().SyncAsync(1, default)).Action.Should().Be(MirrorAction.UpToDate);
        (await Mirror().StatusAsync(1, "success", null, default)).Action.Should().Be(MirrorAction.StatusSet);
    }
}

public sealed class MirrorInputTests
{
    [Theory]
    [InlineData("Fix it.\nBugzilla: 2001234\n", "Fix it.\nResolves: bz#2001234\n")]
    [InlineData("Bugzilla: https://bugzilla.redhat.com/show_bug.cgi?id=42", "Resolves: bz#42")]
    [InlineData("See Bugzilla: 42 later", "See Bugzilla: 42 later")]
    public void RewriteBugzilla_BugzillaLines_BecomeResolves(string text, string expected) =>
        MirrorMarkers.RewriteBugzilla(text).Should().Be(expected);

    [Fact]
    public void Markers_RoundTrip_AndAreStrippedFromCopiedText()
    {
        var description = "Text\n\n" + MirrorMarkers.SourceGitLink("g/p", 12) + "\n" + MirrorMarkers.SyncedSha("abcdef1234567");

        MirrorMarkers.ParseSourceGitLink(description).Should().Be(("g/p", 12));
        MirrorMarkers.ParseSyncedSha(description).Should().Be("abcdef1234567");
        MirrorMarkers.StripMarkers(description).Should().Be("Text");
        MirrorMarkers.ParseFromSourceGitCommit("t\n\nFrom-source-git-commit: 0123456789abcdef\n---\ninfo").Should().Be("0123456789abcdef");
    }

    [Fact]
    public void FromEventPayload_PipelineHook_NamesTheMergeRequestTargetNotTheFork()
    {
        var input = MirrorInput.FromEventPayload("""
            {"object_kind":"pipeline","object_attributes":{"id":9,"status":"success","source":"merge_request_event"},
             "merge_request":{"iid":7,"url":"https://gitlab.example.com/rpms/hello/-/merge_requests/7"},
             "project":{"path_with_namespace":"bot/hello","web_url":"https://gitlab.example.com/bot/hello"}}
            """);

        input.Should().Be(new MirrorInput("rpms/hello", 7, "https://gitlab.example.com"));
    }

    [Fact]
    public void FromEventPayload_GitHubPullRequestEvent_NamesRepositoryAndNumber()
    {
        var input = MirrorInput.FromEventPayload("""{"action":"synchronize","number":4,"pull_request":{"number":4},"repository":{"full_name":"o/r"}}""");

        input.Should().Be(new MirrorInput("o/r", 4, null));
    }

    [Fact]
    public void FromEventPayload_PushHook_IsAnInputError()
    {
        var act = () => MirrorInput.FromEventPayload("""{"object_kind":"push"}""");

        act.Should().Throw<Core.CiJobsException>().Which.ExitCode.Should().Be(ForgeExitCodes.InputInvalid);
    }
}
