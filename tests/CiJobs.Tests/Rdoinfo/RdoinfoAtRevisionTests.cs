using CiJobs.Core.Rdoinfo;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Rdoinfo;

/// <summary>The one loader of rdoinfo at a git revision, shared by rdoinfo diff, the config bot and the planner.</summary>
public class RdoinfoAtRevisionTests
{
    [Fact]
    public async Task Each_revision_loads_its_own_tree_and_names_its_commit_whatever_the_work_tree_holds()
    {
        using var fixture = new RdoinfoFixture();
        var git = await TestGit.InitAsync(fixture.Path, "master");
        var first = await git.CommitAsync("initial", new Dictionary<string, string>());
        var second = await git.CommitAsync("pin glanceclient", new Dictionary<string, string> { ["tags/epoxy.yml"] = RdoinfoFixture.EpoxyTags.Replace("4.7.0", "5.0.0", StringComparison.Ordinal) + "\n" });

        // The work tree is broken: only the commits are read.
        File.WriteAllText(Path.Combine(fixture.Path, "rdo.yml"), "packages: [\n");

        var (before, beforeSha) = await RdoinfoAtRevision.LoadAsync(fixture.Path, "HEAD~1", RdoinfoLoader.DefaultEntryFile, CancellationToken.None);
        using var head = RdoinfoAtRevision.Open(fixture.Path, "HEAD");
        var after = await head.LoadAsync(RdoinfoLoader.DefaultEntryFile, CancellationToken.None);

        beforeSha.Should().Be(first);
        head.CommitSha.Should().Be(second);
        head.Revision.Should().Be("HEAD");
        before.Expand("glanceclient", "epoxy").SourceBranch.Should().Be("4.7.0");
        after.Expand("glanceclient", "epoxy").SourceBranch.Should().Be("5.0.0");
    }

    [Fact]
    public async Task A_missing_revision_is_not_found_and_a_folder_without_git_is_a_missing_file()
    {
        using var fixture = new RdoinfoFixture();
        var act = () => RdoinfoAtRevision.LoadAsync(fixture.Path, "HEAD", RdoinfoLoader.DefaultEntryFile, CancellationToken.None);
        (await act.Should().ThrowAsync<RdoinfoException>()).Which.Should().Match<RdoinfoException>(
            e => e.ExitCode == RdoinfoExitCodes.MissingFile && e.Message == $"{fixture.Path} is not a git repository");
        RdoinfoAtRevision.TryResolve(fixture.Path, "HEAD").Should().BeNull();

        var git = await TestGit.InitAsync(fixture.Path, "master");
        var sha = await git.CommitAsync("initial", new Dictionary<string, string>());
        var open = () => RdoinfoAtRevision.Open(fixture.Path, "no-such-branch");
        open.Should().Throw<RdoinfoException>().Which.Should().Match<RdoinfoException>(
            e => e.ExitCode == RdoinfoExitCodes.NotFound && e.Message == $"revision 'no-such-branch' not found in {fixture.Path}");
        RdoinfoAtRevision.TryResolve(fixture.Path, "no-such-branch").Should().BeNull();
        RdoinfoAtRevision.TryResolve(fixture.Path, "master").Should().Be(sha);
    }
}
