using CiJobs.Core;
using CiJobs.Core.Builds;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Builds;

/// <summary>Issue 13 §5: a distgit symlink may only lead to something inside the unpacked distgit folder.</summary>
public sealed class DistgitLinksTests : IDisposable
{
    private readonly TempDir temp = new("distgit-links");

    public void Dispose() => temp.Dispose();

    private static void Check(params (string Path, string Target)[] links) =>
        DistgitLinks.Check(links.ToDictionary(l => l.Path, l => l.Target, StringComparer.Ordinal), "its top folder");

    [Theory]
    [InlineData("common.conf")]
    [InlineData("./common.conf")]
    [InlineData("sub/../common.conf")]
    [InlineData("missing-file")]
    public void A_link_that_stays_inside_is_kept(string target)
    {
        var act = () => Check(("foo.conf", target));

        act.Should().NotThrow();
    }

    [Fact]
    public void Links_in_subfolders_resolve_from_their_own_folder()
    {
        var act = () => Check(("patches/a.patch", "../upstream/a.patch"), ("patches/deep/b.patch", "../../c.patch"));

        act.Should().NotThrow();
    }

    [Theory]
    [InlineData("foo.conf", "/etc/passwd", "absolute path")]
    [InlineData("foo.conf", "../outside", "leads outside")]
    [InlineData("sub/foo.conf", "../../etc/passwd", "leads outside")]
    [InlineData("foo.conf", "sub/../../x", "leads outside")]
    [InlineData("foo.conf", "", "empty")]
    [InlineData("foo.conf", "..\nx", "control character")]
    public void A_link_that_leaves_the_folder_is_refused(string path, string target, string reason)
    {
        var act = () => Check((path, target));

        var error = act.Should().Throw<CiJobsException>().Which;
        error.ExitCode.Should().Be(BuildExitCodes.UnsafeGitValue);
        error.Message.Should().Contain(reason).And.Contain($"'{path}'");
    }

    [Fact]
    public void A_link_that_leaves_through_another_link_is_refused()
    {
        // "top" is the folder itself, so top/sub/../.. is its parent although the text looks like it stays inside.
        var act = () => Check(("top", "."), ("foo.conf", "top/sub/../../etc/passwd"));

        act.Should().Throw<CiJobsException>().Which.Message.Should().Contain("'foo.conf'").And.Contain("leads outside");
    }

    [Fact]
    public void A_link_to_an_escaping_link_is_refused_and_names_it()
    {
        var act = () => Check(("a.conf", "b.conf"), ("b.conf", "/etc/shadow"));

        act.Should().Throw<CiJobsException>().Which.Message.Should().Contain("'a.conf'").And.Contain("through the symlink 'b.conf'");
    }

    [Fact]
    public void A_symlink_loop_is_refused()
    {
        var act = () => Check(("a", "b"), ("b", "a"));

        act.Should().Throw<CiJobsException>().Which.Message.Should().Contain("loop");
    }

    [Fact]
    public void Read_lists_the_links_of_an_unpacked_folder_without_entering_linked_folders()
    {
        var root = temp.Combine("unpacked");
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        File.WriteAllText(Path.Combine(root, "sub", "real.conf"), "x");
        File.CreateSymbolicLink(Path.Combine(root, "sub", "link.conf"), "real.conf");
        Directory.CreateSymbolicLink(Path.Combine(root, "etc"), "/etc");

        DistgitLinks.Read(root).Should().BeEquivalentTo(new Dictionary<string, string> { ["sub/link.conf"] = "real.conf", ["etc"] = "/etc" });
    }
}
