using CiJobs.Core;
using CiJobs.Core.SourceGit;

namespace CiJobs.Tests.SourceGit;

public sealed class SourceGitConverterTests
{
    [Fact]
    public async Task Update_dist_git_writes_patches_spec_lines_synced_files_and_the_origin_trailer()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        var series = await f.AddTypicalDownstreamAsync();
        var sgHead = await f.Src.RunAsync("rev-parse", "HEAD");

        var result = await f.UpdateDistGitAsync();

        result.Committed.Should().BeTrue();
        result.SourceGitCommit.Should().Be(sgHead);
        result.Patches.Select(p => (p.FileName, p.Number, p.Status)).Should().Equal(
            ("0001-Fix-the-exit-code.patch", 1, PatchFileStatus.Added),
            ("rename-readme.patch", 2, PatchFileStatus.Added));
        result.Patches[0].SourceGitCommits.Should().Equal(series.Fix);

        var spec = await f.DistFileAsync("hello.spec");
        spec.Should().Contain("Release:        2%{?dist}");
        spec.Should().Contain("Source0:        hello-1.0.tar.gz\n\n# Fix the exit code\n#\n# main returned 0 even on errors.\nPatch0001: 0001-Fix-the-exit-code.patch\n\n# Not upstream yet\n# https://example.org/issue/1\nPatch0002: rename-readme.patch\n\n%description");
        spec.Should().NotContain("%patch");

        var fix = await f.DistFileAsync("0001-Fix-the-exit-code.patch");
        fix.Should().StartWith($"From {series.Fix} ").And.Contain("--- a/src/hello.c").And.Contain("+    return 1;");
        (await f.DistFileAsync("rename-readme.patch")).Should().Contain("rename from README").And.Contain("rename to README.md");
        Directory.GetFiles(f.Dist.Directory, "*.patch").Should().HaveCount(2, "the Ignore-patch and .distro-only commits produce no patch");
        (await f.DistFileAsync("tests/tests.yml")).Should().Be("- hosts: localhost\n");
        File.Exists(f.DistPath("source-git.yaml")).Should().BeFalse();
        (await f.DistFileAsync(".gitignore")).Should().Be("/hello-1.0.tar.gz\n", "the dist-git .gitignore is protected");
        (await f.DistFileAsync("sources")).Should().Contain("SHA512", "sources is protected");

        var message = await f.Dist.RunAsync("log", "-1", "--format=%B");
        message.Should().Be($"Sync from source-git {sgHead[..12]}\n\nFrom-source-git-commit: {sgHead}");
        (await f.Dist.RunAsync("status", "--porcelain")).Should().BeEmpty();
        result.DistGitCommit.Should().Be(await f.Dist.RunAsync("rev-parse", "HEAD"));
        result.ChangedFiles.Should().BeEquivalentTo((await f.Dist.RunAsync("diff", "--name-only", "HEAD~1", "HEAD")).Split('\n'));
        result.ChangedFiles.Should().Contain(["0001-Fix-the-exit-code.patch", "rename-readme.patch", "hello.spec"]);
    }

    [Fact]
    public async Task A_commit_git_refuses_with_changes_staged_is_an_error_not_nothing_to_commit()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.AddTypicalDownstreamAsync();
        var branch = await f.Dist.RunAsync("symbolic-ref", "--short", "HEAD");
        var gitDir = await f.Dist.RunAsync("rev-parse", "--absolute-git-dir");
        var refLock = Path.Combine(gitDir, "refs", "heads", branch + ".lock");
        await File.WriteAllTextAsync(refLock, string.Empty);

        var act = () => f.UpdateDistGitAsync();

        var error = (await act.Should().ThrowAsync<CiJobs.Core.Git.GitCommandException>()).Which;
        error.Message.Should().Contain("git -c maintenance.auto=false -c gc.auto=0 commit").And.Contain(".lock");
        (await f.Dist.RunAsync("diff", "--cached", "--name-only")).Should().Contain("hello.spec", "the conversion stays staged for a retry");
    }

    [Fact]
    public async Task A_rerun_changes_nothing_and_commits_nothing()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.AddTypicalDownstreamAsync();
        await f.UpdateDistGitAsync();
        var commits = await f.CountDistCommitsAsync();
        var before = Directory.GetFiles(f.Dist.Directory, "*.patch").ToDictionary(p => p, File.ReadAllBytes);

        var again = await f.UpdateDistGitAsync();
        var forced = await f.UpdateDistGitAsync(new UpdateDistGitOptions { Force = true });

        again.NothingToDo.Should().BeTrue();
        forced.NothingToDo.Should().BeFalse();
        forced.Changed.Should().BeFalse();
        forced.Committed.Should().BeFalse();
        forced.Patches.Should().OnlyContain(p => p.Status == PatchFileStatus.Unchanged);
        (await f.CountDistCommitsAsync()).Should().Be(commits);
        foreach (var (path, bytes) in before)
        {
            File.ReadAllBytes(path).Should().Equal(bytes);
        }

        (await f.Dist.RunAsync("status", "--porcelain")).Should().BeEmpty();
    }

    [Fact]
    public async Task Rebased_commits_with_the_same_change_keep_their_patch_files_byte_identical()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        var series = await f.AddTypicalDownstreamAsync();
        await f.UpdateDistGitAsync();
        var renameBefore = File.ReadAllBytes(f.DistPath("rename-readme.patch"));

        // Insert a commit below the series: every later commit gets a new hash and "[PATCH n/m]".
        await f.Src.RunAsync("reset", "--quiet", "--hard", series.Fix);
        await f.CommitSrcAsync("Add a header\n\nPatch-name: header.patch", new Dictionary<string, string> { ["src/hello.h"] = "#pragma once\n" });
        await f.Src.RunAsync("cherry-pick", series.Rename, series.Ignored, series.DistroOnly);

        var result = await f.UpdateDistGitAsync();

        result.Patches.Select(p => (p.FileName, p.Number, p.Status)).Should().Equal(
            ("0001-Fix-the-exit-code.patch", 1, PatchFileStatus.Unchanged),
            ("header.patch", 2, PatchFileStatus.Added),
            ("rename-readme.patch", 3, PatchFileStatus.Unchanged));
        File.ReadAllBytes(f.DistPath("rename-readme.patch")).Should().Equal(renameBefore);
        var changed = await f.Dist.RunAsync("show", "--name-only", "--format=", "HEAD");
        changed.Split('\n').Should().BeEquivalentTo("header.patch", "hello.spec");
    }

    [Fact]
    public async Task Status_before_and_after_each_direction()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        var init = await f.Src.RunAsync("rev-parse", "HEAD");
        var before = await f.StatusAsync();
        before.State.Should().Be(SyncState.InSync);
        before.SourceGitSyncCommit.Should().Be(init);
        before.DistGitSyncCommit.Should().Be(f.DistInitial);
        before.SyncPointFrom.Should().Be(SourceGitConverter.FromDistGitCommit);

        var series = await f.AddTypicalDownstreamAsync();
        var ahead = await f.StatusAsync();
        ahead.State.Should().Be(SyncState.SourceGitAhead);
        ahead.SourceGitAhead.Should().HaveCount(4).And.EndWith(series.DistroOnly);

        var update = await f.UpdateDistGitAsync();
        var synced = await f.StatusAsync();
        synced.State.Should().Be(SyncState.InSync);
        synced.SyncPointFrom.Should().Be(SourceGitConverter.FromSourceGitCommit);
        synced.DistGitSyncCommit.Should().Be(update.DistGitCommit);

        var outside = await f.CommitDistAsync("Rebuild", new Dictionary<string, string> { ["tests/tests.yml"] = "- hosts: all\n" });
        var distAhead = await f.StatusAsync();
        distAhead.State.Should().Be(SyncState.DistGitAhead);
        distAhead.DistGitAhead.Should().Equal(outside);

        await f.CommitSrcAsync("Another fix", new Dictionary<string, string> { ["src/other.c"] = "x\n" });
        (await f.StatusAsync()).State.Should().Be(SyncState.Diverged);
    }

    [Fact]
    public async Task Round_trip_src_to_dist_to_src_carries_a_dist_git_change_back_and_converges()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.AddTypicalDownstreamAsync();
        await f.UpdateDistGitAsync();

        // A maintainer changes dist-git directly: release bump, changelog, a test file.
        var distSpec = await f.DistFileAsync("hello.spec");
        var edited = distSpec.Replace("Release:        2%{?dist}", "Release:        3%{?dist}", StringComparison.Ordinal)
            + "* Tue Nov 24 2026 Maintainer <m@example.org> - 1.0-3\n- Rebuilt\n";
        var outside = await f.CommitDistAsync("Rebuild for 1.0-3\n\nResolves: RHEL-1", new Dictionary<string, string>
        {
            ["hello.spec"] = edited,
            ["tests/smoke.sh"] = "#!/bin/sh\ntrue\n",
        });

        var back = await f.UpdateSourceGitAsync();

        back.Commits.Should().ContainSingle();
        back.Commits[0].DistGitCommit.Should().Be(outside);
        var replayed = back.Commits[0].SourceGitCommit!;
        (await f.Src.RunAsync("log", "-1", "--format=%an <%ae>%n%B", replayed)).Should().Be(
            $"Test Author <author@example.org>\nRebuild for 1.0-3\n\nResolves: RHEL-1\nFrom-dist-git-commit: {outside}");
        var srcSpec = await File.ReadAllTextAsync(f.SrcPath(".distro/hello.spec"));
        srcSpec.Should().Contain("Release:        3%{?dist}").And.Contain("- Rebuilt").And.NotContain("Patch0001");
        File.Exists(f.SrcPath(".distro/tests/smoke.sh")).Should().BeTrue();
        (await f.StatusAsync()).State.Should().Be(SyncState.InSync);

        // Converting back gives dist-git exactly what it already has.
        var commits = await f.CountDistCommitsAsync();
        (await f.UpdateDistGitAsync()).NothingToDo.Should().BeTrue();
        var forced = await f.UpdateDistGitAsync(new UpdateDistGitOptions { Force = true });
        forced.Changed.Should().BeFalse();
        (await f.CountDistCommitsAsync()).Should().Be(commits);
        (await f.DistFileAsync("hello.spec")).Should().Be(edited);
    }

    [Fact]
    public async Task Update_source_git_refuses_a_dist_git_commit_that_changes_a_patch()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.AddTypicalDownstreamAsync();
        await f.UpdateDistGitAsync();
        await f.CommitDistAsync("Tweak the patch", new Dictionary<string, string> { ["rename-readme.patch"] = "changed\n" });

        var act = () => f.UpdateSourceGitAsync();

        (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(SourceGitExitCodes.ReplayFailed);
        (await f.Src.RunAsync("status", "--porcelain")).Should().BeEmpty();
    }

    [Fact]
    public async Task Update_source_git_with_nothing_to_replay_is_nothing_to_do()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        var result = await f.UpdateSourceGitAsync();
        result.NothingToDo.Should().BeTrue();
    }

    [Fact]
    public async Task No_prefix_writes_a_p0_patch()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.CommitSrcAsync("Old-style fix\n\nPatch-name: p0.patch\nNo-prefix: true", new Dictionary<string, string> { ["src/hello.c"] = "int main(void) { return 2; }\n" });

        await f.UpdateDistGitAsync();

        var patch = await f.DistFileAsync("p0.patch");
        patch.Should().Contain("diff --git src/hello.c src/hello.c\n").And.Contain("\n--- src/hello.c\n+++ src/hello.c\n");
        patch.Should().NotContain("a/src").And.NotContain("b/src");
    }

    [Fact]
    public async Task Patch_id_sets_the_number_and_later_patches_follow_it()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.CommitSrcAsync("First\n\nPatch-name: first.patch\nPatch-id: 100", new Dictionary<string, string> { ["a.c"] = "a\n" });
        await f.CommitSrcAsync("Second\n\nPatch-name: second.patch", new Dictionary<string, string> { ["b.c"] = "b\n" });

        var result = await f.UpdateDistGitAsync();

        result.Patches.Select(p => p.Number).Should().Equal(100, 101);
        var spec = await f.DistFileAsync("hello.spec");
        spec.Should().Contain("# First\nPatch0100: first.patch\n\n# Second\nPatch0101: second.patch\n");
    }

    [Fact]
    public async Task A_decreasing_patch_id_is_refused()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.CommitSrcAsync("First\n\nPatch-id: 5", new Dictionary<string, string> { ["a.c"] = "a\n" });
        await f.CommitSrcAsync("Second\n\nPatch-id: 3", new Dictionary<string, string> { ["b.c"] = "b\n" });

        var act = () => f.UpdateDistGitAsync();

        (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(SourceGitExitCodes.InvalidPatchMetadata);
        (await f.Dist.RunAsync("status", "--porcelain")).Should().BeEmpty("nothing is written before the patches are validated");
    }

    [Fact]
    public async Task Adjacent_commits_with_one_patch_name_become_one_patch_and_non_adjacent_ones_are_refused()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        var one = await f.CommitSrcAsync("Part one\n\nPatch-name: feature.patch\nPatch-status: |\n    # The feature", new Dictionary<string, string> { ["a.c"] = "a\n" });
        var two = await f.CommitSrcAsync("Part two\n\nPatch-name: feature.patch", new Dictionary<string, string> { ["b.c"] = "b\n" });

        var result = await f.UpdateDistGitAsync();

        result.Patches.Should().ContainSingle().Which.SourceGitCommits.Should().Equal(one, two);
        var patch = await f.DistFileAsync("feature.patch");
        patch.Should().Contain("Subject: [PATCH 1/2] Part one").And.Contain("Subject: [PATCH 2/2] Part two");
        (await f.DistFileAsync("hello.spec")).Should().Contain("# The feature\nPatch0001: feature.patch\n");

        await f.CommitSrcAsync("Between", new Dictionary<string, string> { ["c.c"] = "c\n" });
        await f.CommitSrcAsync("Part three\n\nPatch-name: feature.patch", new Dictionary<string, string> { ["d.c"] = "d\n" });
        var act = () => f.UpdateDistGitAsync();
        (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(SourceGitExitCodes.InvalidPatchMetadata);
    }

    [Fact]
    public async Task Present_in_specfile_writes_the_patch_but_no_spec_line()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.CommitSrcAsync("Listed by hand\n\nPatch-name: manual.patch\nPatch-present-in-specfile: true", new Dictionary<string, string> { ["a.c"] = "a\n" });

        var result = await f.UpdateDistGitAsync();

        result.Patches.Should().ContainSingle().Which.Number.Should().BeNull();
        File.Exists(f.DistPath("manual.patch")).Should().BeTrue();
        (await f.DistFileAsync("hello.spec")).Should().NotContain("manual.patch");
    }

    [Fact]
    public async Task A_removed_downstream_commit_removes_its_patch_and_spec_line()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        var series = await f.AddTypicalDownstreamAsync();
        await f.UpdateDistGitAsync();
        await f.Src.RunAsync("revert", "--no-edit", series.Rename);
        await f.Src.RunAsync("commit", "--amend", "--quiet", "-m", "Revert rename\n\nIgnore-patch: true");
        // Dropping the commit itself (a rebase) is what maintainers do; emulate it with a reset and re-apply.
        await f.Src.RunAsync("reset", "--quiet", "--hard", series.Fix);
        await f.Src.RunAsync("cherry-pick", series.Ignored, series.DistroOnly);

        var result = await f.UpdateDistGitAsync();

        result.Patches.Select(p => p.FileName).Should().Equal("0001-Fix-the-exit-code.patch");
        File.Exists(f.DistPath("rename-readme.patch")).Should().BeFalse();
        (await f.DistFileAsync("hello.spec")).Should().NotContain("rename-readme.patch");
    }

    [Fact]
    public async Task Commit_message_options_and_the_trailer_before_a_dashes_block()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.AddTypicalDownstreamAsync();
        var sgHead = await f.Src.RunAsync("rev-parse", "HEAD");

        await f.UpdateDistGitAsync(new UpdateDistGitOptions { CommitTitle = "Fix exit code", CommitBody = "Resolves: RHEL-2\n---\n###### Info for package maintainer\nfrom MR !4" });

        (await f.Dist.RunAsync("log", "-1", "--format=%B")).Should().Be(
            $"Fix exit code\n\nResolves: RHEL-2\nFrom-source-git-commit: {sgHead}\n\n---\n###### Info for package maintainer\nfrom MR !4");
        (await f.StatusAsync()).State.Should().Be(SyncState.InSync);
    }

    [Fact]
    public async Task No_commit_leaves_the_changes_staged()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.AddTypicalDownstreamAsync();
        var commits = await f.CountDistCommitsAsync();

        var result = await f.UpdateDistGitAsync(new UpdateDistGitOptions { Commit = false });

        result.Changed.Should().BeTrue();
        result.Committed.Should().BeFalse();
        (await f.CountDistCommitsAsync()).Should().Be(commits);
        (await f.Dist.RunAsync("diff", "--cached", "--name-only")).Should().Contain("hello.spec");
    }

    [Fact]
    public async Task Errors_have_their_exit_codes()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.AddTypicalDownstreamAsync();

        async Task<int> CodeOf(Func<Task> act) => (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode;

        (await CodeOf(() => f.Converter.UpdateDistGitAsync(Path.GetTempPath(), f.Dist.Directory, new(), CancellationToken.None)))
            .Should().Be(SourceGitExitCodes.NotAGitRepository);
        (await CodeOf(() => f.Converter.UpdateDistGitAsync(f.Dist.Directory, f.Dist.Directory, new(), CancellationToken.None)))
            .Should().Be(SourceGitExitCodes.NotSourceGit);
        (await CodeOf(() => f.UpdateDistGitAsync(new UpdateDistGitOptions { UpstreamRef = "v9.9" })))
            .Should().Be(SourceGitExitCodes.UpstreamRefNotFound);

        await File.WriteAllTextAsync(f.DistPath("stray.txt"), "x");
        (await CodeOf(() => f.UpdateDistGitAsync())).Should().Be(SourceGitExitCodes.DirtyWorkTree);
        File.Delete(f.DistPath("stray.txt"));

        await f.CommitDistAsync("Outside change", new Dictionary<string, string> { ["tests/tests.yml"] = "- hosts: all\n" });
        (await CodeOf(() => f.UpdateDistGitAsync())).Should().Be(SourceGitExitCodes.OutOfSync);

        await f.CommitSrcAsync("Break config", new Dictionary<string, string> { [".distro/source-git.yaml"] = "upstream_ref: [unclosed\n" });
        (await CodeOf(() => f.UpdateDistGitAsync(new UpdateDistGitOptions { Force = true }))).Should().Be(SourceGitExitCodes.BadConfig);
    }

    [Fact]
    public async Task Without_any_origin_trailer_there_is_no_sync_point_unless_forced()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.Src.RunAsync("commit", "--amend", "--quiet", "-m", "Initialize as a source-git repository");

        var act = () => f.UpdateDistGitAsync();

        (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(SourceGitExitCodes.NoSyncPoint);
        var forced = await f.UpdateDistGitAsync(new UpdateDistGitOptions { Force = true });
        forced.Changed.Should().BeFalse("dist-git already holds what .distro/ has");
        forced.Committed.Should().BeFalse();

        var recorded = await f.UpdateDistGitAsync(new UpdateDistGitOptions { Force = true, AllowEmpty = true });
        recorded.Committed.Should().BeTrue("--allow-empty records the sync point");
        (await f.StatusAsync()).State.Should().Be(SyncState.InSync);
    }

    [Fact]
    public async Task A_source_git_rebased_onto_a_new_upstream_release_is_ahead_and_converts_against_the_new_tag()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        var series = await f.AddTypicalDownstreamAsync();
        await f.UpdateDistGitAsync();

        // Upstream releases 1.1; the downstream branch (init commit and series) is rebased onto it.
        await f.Src.RunAsync("checkout", "--quiet", "-b", "upstream", "v1.0");
        await f.CommitSrcAsync("Upstream: 1.1", new Dictionary<string, string> { ["NEWS"] = "1.1\n" });
        await f.Src.RunAsync("tag", "v1.1");
        await f.Src.RunAsync("checkout", "--quiet", "c9s");
        await f.Src.RunAsync("rebase", "--quiet", "--onto", "v1.1", "v1.0");
        await f.CommitSrcAsync("Move to 1.1", new Dictionary<string, string>
        {
            [".distro/source-git.yaml"] = SourceGitFixture.DefaultConfig.Replace("upstream_ref: v1.0", "upstream_ref: v1.*", StringComparison.Ordinal),
        });

        var status = await f.StatusAsync();

        status.State.Should().Be(SyncState.SourceGitAhead);
        status.SourceGitRebased.Should().BeTrue();
        status.SyncPointFrom.Should().Be(SourceGitConverter.FromSourceGitCommit);
        var result = await f.UpdateDistGitAsync();
        result.Patches.Select(p => (p.FileName, p.Status)).Should().Equal(
            ("0001-Fix-the-exit-code.patch", PatchFileStatus.Unchanged),
            ("rename-readme.patch", PatchFileStatus.Unchanged));
        result.Committed.Should().BeFalse("the rebase changed no patch and no .distro file that dist-git receives");
        series.Fix.Should().NotBe(await f.Src.RunAsync("rev-parse", "HEAD~4"));
    }

    [Fact]
    public async Task Update_source_git_skips_commits_made_by_update_dist_git_in_a_given_range()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.AddTypicalDownstreamAsync();
        var sync = (await f.UpdateDistGitAsync()).DistGitCommit!;
        var outside = await f.CommitDistAsync("Add gating", new Dictionary<string, string> { ["gating.yaml"] = "--- !Policy\n" });

        var result = await f.UpdateSourceGitAsync(new UpdateSourceGitOptions { RevisionRange = $"{f.DistInitial}..HEAD" });

        result.Commits.Select(c => c.DistGitCommit).Should().Equal(sync, outside);
        result.Commits[0].SourceGitCommit.Should().BeNull();
        result.Commits[1].SourceGitCommit.Should().NotBeNull();
        File.Exists(f.SrcPath(".distro/gating.yaml")).Should().BeTrue();
        (await f.StatusAsync()).State.Should().Be(SyncState.InSync);
    }

    [Fact]
    public async Task Binary_and_executable_distro_files_and_non_utf8_patches_keep_their_bytes()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        byte[] latin1 = [.. "/* caf"u8, 0xE9, .. " */\n"u8];
        await File.WriteAllBytesAsync(f.SrcPath("src/latin1.c"), latin1);
        await f.CommitSrcAsync("Add a Latin-1 file\n\nNo-prefix: true\nPatch-name: latin1.patch", new Dictionary<string, string>());
        byte[] binary = [0, 1, 2, 0xFF, 0xFE, 10, 13, 0];
        await File.WriteAllBytesAsync(f.SrcPath(".distro/key.bin"), binary);
        await File.WriteAllTextAsync(f.SrcPath(".distro/tests/run.sh"), "#!/bin/sh\n");
        File.SetUnixFileMode(f.SrcPath(".distro/tests/run.sh"), File.GetUnixFileMode(f.SrcPath(".distro/tests/run.sh")) | UnixFileMode.UserExecute);
        await f.CommitSrcAsync("Packaging files", new Dictionary<string, string>());

        await f.UpdateDistGitAsync();

        (await File.ReadAllBytesAsync(f.DistPath("key.bin"))).Should().Equal(binary);
        File.GetUnixFileMode(f.DistPath("tests/run.sh")).Should().HaveFlag(UnixFileMode.UserExecute);
        (await f.Dist.RunAsync("ls-files", "-s", "tests/run.sh")).Should().StartWith("100755");
        var patch = await File.ReadAllBytesAsync(f.DistPath("latin1.patch"));
        byte[] added = [.. "+/* caf"u8, 0xE9];
        patch.AsSpan().IndexOf(added).Should().BeGreaterThan(0, "the Latin-1 byte survives the No-prefix rewrite");
        (await f.DistFileAsync("latin1.patch")).Should().Contain("+++ src/latin1.c");
    }

    [Fact]
    public async Task Update_source_git_replays_deletions_and_new_files_under_distro()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.Dist.RunAsync("rm", "--quiet", "tests/tests.yml");
        await f.CommitDistAsync("Move tests\n\nThe old layout is gone.", new Dictionary<string, string> { ["plans/main.fmf"] = "summary: all\n" });

        var result = await f.UpdateSourceGitAsync();

        result.Changed.Should().BeTrue();
        File.Exists(f.SrcPath(".distro/tests/tests.yml")).Should().BeFalse();
        (await File.ReadAllTextAsync(f.SrcPath(".distro/plans/main.fmf"))).Should().Be("summary: all\n");
        (await f.Src.RunAsync("log", "-1", "--format=%s")).Should().Be("Move tests");
        (await f.StatusAsync()).State.Should().Be(SyncState.InSync);

        // And back: dist-git gets nothing new.
        var forced = await f.UpdateDistGitAsync(new UpdateDistGitOptions { Force = true });
        forced.Changed.Should().BeFalse();
    }

    [Fact]
    public async Task Without_patch_trailers_the_legacy_yaml_metadata_block_is_used()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.CommitSrcAsync("Fix the build\n\nDetails.\n\npatch_name: build.patch\npatch_id: 7\ndescription: |-\n  # Fixes the build\n  # on new compilers", new Dictionary<string, string> { ["a.c"] = "a\n" });
        await f.CommitSrcAsync("Local change\n\nignore: true", new Dictionary<string, string> { ["b.c"] = "b\n" });
        await f.CommitSrcAsync("Old style\n\npatch_name: p0.patch\nno_prefix: true", new Dictionary<string, string> { ["c.c"] = "c\n" });

        var result = await f.UpdateDistGitAsync();

        result.Patches.Select(p => (p.FileName, p.Number)).Should().Equal(("build.patch", 7), ("p0.patch", 8));
        var spec = await f.DistFileAsync("hello.spec");
        spec.Should().Contain("# Fixes the build\n# on new compilers\nPatch0007: build.patch\n\n# Old style\nPatch0008: p0.patch\n");
        (await f.DistFileAsync("p0.patch")).Should().Contain("+++ c.c");
    }

    [Fact]
    public async Task The_users_git_configuration_does_not_change_the_patches()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.CommitSrcAsync("Fix", new Dictionary<string, string> { ["src/hello.c"] = "int main(void) { return 3; }\n" });
        foreach (var (key, value) in new[] { ("diff.noprefix", "true"), ("format.suffix", ".diff"), ("format.signOff", "true"), ("format.subjectPrefix", "RFC"), ("log.showSignature", "true") })
        {
            await f.Src.RunAsync("config", key, value);
        }

        await f.UpdateDistGitAsync();

        var patch = await f.DistFileAsync("0001-Fix.patch");
        patch.Should().Contain("Subject: [PATCH] Fix").And.Contain("--- a/src/hello.c").And.NotContain("Signed-off-by");
    }
}
