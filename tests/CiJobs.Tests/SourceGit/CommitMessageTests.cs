using CiJobs.Core;
using CiJobs.Core.SourceGit;

namespace CiJobs.Tests.SourceGit;

public sealed class CommitMessageTests
{
    [Fact]
    public void Parse_TrailerBlockWithContinuation_SplitsBodyAndTrailers()
    {
        var message = CommitMessage.Parse("Fix it\n\nLonger text.\n\nPatch-name: fix.patch\nPatch-status: |\n    # one\n    # two\nNo-prefix: true\n");

        message.Subject.Should().Be("Fix it");
        message.Body.Should().Be("Longer text.");
        message.Get("patch-name").Should().Be("fix.patch");
        message.Get("Patch-status").Should().Be("|\n    # one\n    # two");
    }

    [Fact]
    public void Parse_LastParagraphIsProse_HasNoTrailers()
    {
        var message = CommitMessage.Parse("Fix it\n\nThis is: prose with a colon\nand another line.");
        message.Trailers.Should().BeEmpty();
        message.Body.Should().Contain("prose");
    }

    [Fact]
    public void Parse_TrailersBeforeDashes_AreFound()
    {
        var message = CommitMessage.Parse("Title\n\nFrom-source-git-commit: abc1234\n\n---\nInfo: not a trailer");
        message.Get("From-source-git-commit").Should().Be("abc1234");
        message.Get("Info").Should().BeNull();
    }

    [Fact]
    public void Compose_JoinsAnExistingTrailerBlockAndReplacesTheToken()
    {
        var text = CommitMessage.Compose("T", "Body\n\nResolves: X-1\nFrom-dist-git-commit: old", new Trailer("From-dist-git-commit", "new"));
        text.Should().Be("T\n\nBody\n\nResolves: X-1\nFrom-dist-git-commit: new\n");
    }

    [Fact]
    public void Compose_NoBody_AddsTheTrailerParagraph()
    {
        CommitMessage.Compose("T", null, new Trailer("A", "b")).Should().Be("T\n\nA: b\n");
    }

    [Fact]
    public void PatchMetadata_YamlValues_AreParsed()
    {
        var message = CommitMessage.Parse("T\n\nPatch-name: \"x_y.patch\"\nPatch-id: 7\nPatch-status: |\n    # keep\nIgnore-patch: false\nNo-prefix: yes");
        var metadata = PatchMetadata.From(message, "0123456789abcdef");
        metadata.Should().Be(new PatchMetadata("x_y.patch", 7, "# keep\n", false, false, true));
    }

    [Fact]
    public void PatchMetadata_BadBoolean_IsInvalidPatchMetadata()
    {
        var act = () => PatchMetadata.From(CommitMessage.Parse("T\n\nIgnore-patch: maybe"), "0123456789abcdef");
        act.Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(SourceGitExitCodes.InvalidPatchMetadata);
    }
}
