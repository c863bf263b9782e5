using System.Text.Json;
using CiJobs.Core.SourceGit;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.SourceGit;

[Trait("Runs", "cijobs")]
public sealed class SourceGitCommandTests
{
    [Fact]
    public async Task Update_dist_git_then_status_in_json_and_nothing_to_do_with_detailed_exit_code()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.AddTypicalDownstreamAsync();

        var update = await CliRunner.RunAsync("source-git", "update-dist-git", f.Src.Directory, f.Dist.Directory, "--format", "json", "-m", "Sync\n\nResolves: RHEL-9");
        update.ExitCode.Should().Be(0, update.ToString());
        using (var json = JsonDocument.Parse(update.StandardOutput))
        {
            json.RootElement.GetProperty("committed").GetBoolean().Should().BeTrue();
            json.RootElement.GetProperty("patches")[1].GetProperty("file_name").GetString().Should().Be("rename-readme.patch");
            json.RootElement.GetProperty("patches")[1].GetProperty("status").GetString().Should().Be("added");
        }

        (await f.Dist.RunAsync("log", "-1", "--format=%s")).Should().Be("Sync");

        var status = await CliRunner.RunAsync("source-git", "status", f.Src.Directory, f.Dist.Directory, "--format", "json");
        status.ExitCode.Should().Be(0, status.ToString());
        using (var json = JsonDocument.Parse(status.StandardOutput))
        {
            json.RootElement.GetProperty("state").GetString().Should().Be("in_sync");
            json.RootElement.GetProperty("sync_point_from").GetString().Should().Be("From-source-git-commit");
        }

        var again = await CliRunner.RunAsync("source-git", "update-dist-git", f.Src.Directory, f.Dist.Directory, "--detailed-exit-code");
        again.ExitCode.Should().Be(SourceGitExitCodes.NothingToDo, again.ToString());
        again.StandardOutput.Should().Contain("Nothing to do");

        var plain = await CliRunner.RunAsync("source-git", "update-dist-git", f.Src.Directory, f.Dist.Directory);
        plain.ExitCode.Should().Be(0, plain.ToString());
    }

    [Fact]
    public async Task Text_status_names_the_next_step()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.AddTypicalDownstreamAsync();

        var status = await CliRunner.RunAsync("source-git", "status", f.Src.Directory, f.Dist.Directory);

        status.ExitCode.Should().Be(0, status.ToString());
        status.StandardOutput.Should().Contain("Source-git is 4 commit(s) ahead").And.Contain("update-dist-git");
    }

    [Fact]
    public async Task Update_source_git_replays_and_reports()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        var outside = await f.CommitDistAsync("Add a test", new Dictionary<string, string> { ["tests/smoke.sh"] = "true\n" });

        var result = await CliRunner.RunAsync("source-git", "update-source-git", f.Dist.Directory, f.Src.Directory, "--format", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        json.RootElement.GetProperty("commits")[0].GetProperty("dist_git_commit").GetString().Should().Be(outside);
        File.Exists(f.SrcPath(".distro/tests/smoke.sh")).Should().BeTrue();
    }

    [Theory]
    [InlineData("not-git", SourceGitExitCodes.NotAGitRepository)]
    [InlineData("no-config", SourceGitExitCodes.NotSourceGit)]
    [InlineData("bad-ref", SourceGitExitCodes.UpstreamRefNotFound)]
    [InlineData("dirty", SourceGitExitCodes.DirtyWorkTree)]
    [InlineData("out-of-sync", SourceGitExitCodes.OutOfSync)]
    [InlineData("bad-patch-id", SourceGitExitCodes.InvalidPatchMetadata)]
    public async Task Failures_print_one_sentence_and_their_exit_code(string failure, int code)
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.AddTypicalDownstreamAsync();
        var src = f.Src.Directory;
        var extra = new List<string>();
        switch (failure)
        {
            case "not-git":
                using (var empty = new TempDir())
                {
                    src = empty.Path;
                    var notGit = await CliRunner.RunAsync("source-git", "update-dist-git", src, f.Dist.Directory);
                    Check(notGit);
                }

                return;
            case "no-config":
                src = f.Dist.Directory;
                break;
            case "bad-ref":
                extra.AddRange(["--upstream-ref", "v7"]);
                break;
            case "dirty":
                await File.WriteAllTextAsync(f.SrcPath("README.md.orig"), "x");
                break;
            case "out-of-sync":
                await f.CommitDistAsync("Outside", new Dictionary<string, string> { ["tests/tests.yml"] = "x\n" });
                break;
            case "bad-patch-id":
                await f.CommitSrcAsync("Bad\n\nPatch-id: one", new Dictionary<string, string> { ["z.c"] = "z\n" });
                break;
        }

        var result = await CliRunner.RunAsync(["source-git", "update-dist-git", src, f.Dist.Directory, .. extra]);
        Check(result);

        void Check(CliResult r)
        {
            r.ExitCode.Should().Be(code, r.ToString());
            r.StandardError.Should().StartWith("cijobs: error: ").And.NotContain("   at ");
            r.StandardError.TrimEnd().Split('\n').Should().ContainSingle();
        }
    }

    [Fact]
    public async Task Help_explains_every_subcommand()
    {
        var help = await CliRunner.RunAsync("source-git", "--help");
        help.ExitCode.Should().Be(0);
        help.StandardOutput.Should().Contain("update-dist-git").And.Contain("update-source-git").And.Contain("status");
    }

    [Fact]
    public async Task Swapped_arguments_are_named_as_such()
    {
        await using var f = await SourceGitFixture.CreateAsync();

        var status = await CliRunner.RunAsync("source-git", "status", f.Dist.Directory, f.Src.Directory);

        status.ExitCode.Should().Be(SourceGitExitCodes.NotSourceGit, status.ToString());
        status.StandardError.Should().Contain("arguments swapped");
    }
}
