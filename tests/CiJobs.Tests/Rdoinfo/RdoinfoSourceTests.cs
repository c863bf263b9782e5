using CiJobs.Core.Rdoinfo;
using CiJobs.Core.Yaml;
using CiJobs.Tests.Support;
using CliWrap;

namespace CiJobs.Tests.Rdoinfo;

/// <summary>Imports stay inside the rdoinfo folder or repository, through symlinks too, and read only regular files of bounded size.</summary>
public sealed class RdoinfoSourceTests
{
    private static async Task<RdoinfoException> RefusedAsync(RdoinfoFixture fixture, YamlLimits? limits = null)
    {
        using var scope = YamlReadContext.Use(limits ?? YamlLimits.Default);
        var act = () => RdoinfoLoader.LoadAsync(fixture.Path);
        return (await act.Should().ThrowAsync<RdoinfoException>()).Which;
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/etc/passwd")]
    [InlineData("../../../../../../../../etc/passwd")]
    [InlineData("tags/../../outside.yml")]
    [InlineData("../no-such-file.yml")]
    public async Task An_import_outside_the_folder_is_refused_whether_or_not_it_exists(string import)
    {
        using var fixture = new RdoinfoFixture().Write("tags.yml", $"import:\n- {import}\n");

        var error = await RefusedAsync(fixture);

        error.ExitCode.Should().Be(RdoinfoExitCodes.Invalid);
        error.Message.Should().Contain($"outside the rdoinfo folder {fixture.Path}; rdoinfo files must stay inside it");
    }

    [Fact]
    public async Task A_symlink_leading_out_of_the_folder_is_refused_and_one_staying_inside_is_followed()
    {
        using var outside = new TempDir("outside");
        outside.Write("epoxy.yml", RdoinfoFixture.EpoxyTags.Replace("4.7.0", "9.9.9", StringComparison.Ordinal) + "\n");
        using var fixture = new RdoinfoFixture().Write("tags.yml", "import:\n- current/epoxy.yml\n- tags/dalmatian.yml\n");

        File.CreateSymbolicLink(Path.Combine(fixture.Path, "current"), "tags");
        (await RdoinfoLoader.LoadAsync(fixture.Path)).Expand("glanceclient", "epoxy").SourceBranch.Should().Be("4.7.0");

        File.Delete(Path.Combine(fixture.Path, "current"));
        File.CreateSymbolicLink(Path.Combine(fixture.Path, "current"), outside.Path);
        (await RefusedAsync(fixture)).Message.Should().Contain($"resolves to {outside.Path}/epoxy.yml, outside the rdoinfo folder");

        File.Delete(Path.Combine(fixture.Path, "current"));
        Directory.CreateDirectory(Path.Combine(fixture.Path, "current"));
        File.CreateSymbolicLink(Path.Combine(fixture.Path, "current", "epoxy.yml"), "../../" + Path.GetFileName(outside.Path) + "/epoxy.yml");
        (await RefusedAsync(fixture)).ExitCode.Should().Be(RdoinfoExitCodes.Invalid);
    }

    [Fact]
    public async Task A_folder_a_fifo_and_a_symlink_loop_are_refused_without_blocking()
    {
        using var fixture = new RdoinfoFixture().Write("tags.yml", "import:\n- tags\n");
        (await RefusedAsync(fixture)).Message.Should().EndWith("tags: is a folder; only regular files are read");

        await global::CliWrap.Cli.Wrap("mkfifo").WithArguments([Path.Combine(fixture.Path, "fifo.yml")]).ExecuteAsync();
        fixture.Write("tags.yml", "import:\n- fifo.yml\n");
        (await RefusedAsync(fixture)).Message.Should().EndWith("fifo.yml: is not a regular file; only regular files are read");

        File.CreateSymbolicLink(Path.Combine(fixture.Path, "loop1.yml"), "loop2.yml");
        File.CreateSymbolicLink(Path.Combine(fixture.Path, "loop2.yml"), "loop1.yml");
        fixture.Write("tags.yml", "import:\n- loop1.yml\n");
        (await RefusedAsync(fixture)).Message.Should().EndWith("loop1.yml: too many levels of symbolic links");
    }

    [Fact]
    public async Task A_file_larger_than_the_limit_is_refused_naming_the_limit_and_its_option()
    {
        using var fixture = new RdoinfoFixture();
        var size = new FileInfo(Path.Combine(fixture.Path, "rdo.yml")).Length;

        var error = await RefusedAsync(fixture, new YamlLimits { MaxFileBytes = size - 1 });

        error.ExitCode.Should().Be(RdoinfoExitCodes.Limit);
        error.Message.Should().Be($"{fixture.Path}/rdo.yml: the file has {size} bytes, more than the file size limit ({size - 1} bytes, --yaml-max-file-size)");
        using (YamlReadContext.Use(new YamlLimits { MaxFileBytes = size }))
        {
            (await RdoinfoLoader.LoadAsync(fixture.Path)).Projects.Should().HaveCount(2);
        }
    }

    [Fact]
    public async Task A_git_revision_follows_symlinks_inside_its_tree_and_refuses_any_way_out()
    {
        using var fixture = new RdoinfoFixture().Write("tags.yml", "import:\n- current/epoxy.yml\n- tags/dalmatian.yml\n");
        File.CreateSymbolicLink(Path.Combine(fixture.Path, "current"), "tags");
        var git = await TestGit.InitAsync(fixture.Path, "master");
        await git.CommitAsync("inside", new Dictionary<string, string>());

        using (var source = new GitRevisionRdoinfoSource(fixture.Path, "HEAD"))
        {
            (await RdoinfoLoader.LoadAsync(source)).Expand("glanceclient", "epoxy").SourceBranch.Should().Be("4.7.0");
        }

        foreach (var (tags, message) in new[]
        {
            ("import:\n- ../outside.yml\n", "is outside the rdoinfo repository"),
            ("import:\n- /etc/passwd\n", "is outside the rdoinfo repository"),
            ("import:\n- up/etc/passwd\n", "is outside the rdoinfo repository"),
            ("import:\n- tags\n", "is a folder"),
        })
        {
            File.Delete(Path.Combine(fixture.Path, "up"));
            File.CreateSymbolicLink(Path.Combine(fixture.Path, "up"), "..");
            await git.CommitAsync("out", new Dictionary<string, string> { ["tags.yml"] = tags });
            using var source = new GitRevisionRdoinfoSource(fixture.Path, "HEAD");
            var act = () => RdoinfoLoader.LoadAsync(source);
            (await act.Should().ThrowAsync<RdoinfoException>()).Which.Should().Match<RdoinfoException>(
                e => e.ExitCode == RdoinfoExitCodes.Invalid && e.Message.Contains(message), tags);
        }

        await git.CommitAsync("big", new Dictionary<string, string> { ["tags.yml"] = "import: []\n" + new string('#', 5000) + "\n" });
        using (var source = new GitRevisionRdoinfoSource(fixture.Path, "HEAD"))
        using (YamlReadContext.Use(new YamlLimits { MaxFileBytes = 1000 }))
        {
            var act = () => RdoinfoLoader.LoadAsync(source);
            (await act.Should().ThrowAsync<RdoinfoException>()).Which.ExitCode.Should().Be(RdoinfoExitCodes.Limit);
        }
    }
}
