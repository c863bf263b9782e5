using CiJobs.Core;
using CiJobs.Core.SourceGit;
using CliWrap;
using CliWrap.Buffered;

namespace CiJobs.Tests.SourceGit;

/// <summary>
/// Patch names and patch comments reach dist-git files (docs/security.md, "Patch names"): a name must be a plain
/// <c>.patch</c> file name that replaces nothing dist-git owns, and a commit message must not become rpm macros.
/// </summary>
public sealed class PatchNameTests
{
    [Theory]
    [InlineData("Patch-name: sources")]
    [InlineData("Patch-name: .git")]
    [InlineData("Patch-name: .gitignore")]
    [InlineData("Patch-name: hello.spec")]
    [InlineData("Patch-name: .hidden.patch")]
    [InlineData("Patch-name: -rf.patch")]
    [InlineData("Patch-name: a b.patch")]
    [InlineData("Patch-name: '%(touch pwned).patch'")]
    [InlineData("Patch-name: fix.diff")]
    [InlineData("Patch-name: |\n    fix.patch\n    %build")]
    [InlineData("patch_name: sources")]
    public async Task A_patch_name_that_is_not_a_plain_patch_file_name_is_refused_before_anything_is_written(string trailer)
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.CommitSrcAsync($"Hostile name\n\n{trailer}", new Dictionary<string, string> { ["src/hello.c"] = "int main(void) { return 3; }\n" });

        var error = (await f.Invoking(x => x.UpdateDistGitAsync()).Should().ThrowAsync<CiJobsException>()).Which;

        error.ExitCode.Should().Be(SourceGitExitCodes.InvalidPatchMetadata, error.Message);
        error.Message.Should().NotContain("\n");
        (await f.Dist.RunAsync("status", "--porcelain", "--ignored")).Should().BeEmpty("nothing is written");
        (await f.DistFileAsync("sources")).Should().Be("SHA512 (hello-1.0.tar.gz) = 1234\n");
        (await f.DistFileAsync("hello.spec")).Should().Be(SourceGitFixture.Spec);
    }

    [Theory]
    [InlineData("0001-Fix-the-exit-code.patch", null)]
    [InlineData("v2.0_fix+compat~rc1.patch", null)]
    [InlineData("tests/tests.yml", "must be a plain file name")]
    [InlineData("../outside.patch", "must be a plain file name")]
    [InlineData("fix\u00e9.patch", "must be a plain file name")]
    [InlineData("fix.patch\n", "must be a plain file name")]
    [InlineData(".patch", "must be a plain file name")]
    [InlineData("x.PATCH", "must end in .patch")]
    [InlineData("patch", "must end in .patch")]
    public void The_name_rule_on_its_own(string name, string? problem)
    {
        name = System.Text.RegularExpressions.Regex.Unescape(name);

        if (problem is null)
        {
            PatchFileName.Problem(name).Should().BeNull();
        }
        else
        {
            PatchFileName.Problem(name).Should().StartWith(problem);
        }
    }

    [Fact]
    public async Task A_longer_name_than_a_file_system_allows_is_refused()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.CommitSrcAsync($"Long\n\nPatch-name: {new string('a', 250)}.patch", new Dictionary<string, string> { ["a.c"] = "a\n" });

        var error = (await f.Invoking(x => x.UpdateDistGitAsync()).Should().ThrowAsync<CiJobsException>()).Which;

        error.ExitCode.Should().Be(SourceGitExitCodes.InvalidPatchMetadata);
        error.Message.Should().Contain("longer than 255");
    }

    [Fact]
    public async Task A_patch_name_may_not_replace_a_file_or_folder_that_files_to_sync_writes()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.CommitSrcAsync("Ship a hand-made patch", new Dictionary<string, string>
        {
            [".distro/extra.patch"] = "hand made\n",
            [".distro/docs.patch/README"] = "a folder\n",
        });
        var file = await f.CommitSrcAsync("Clash with a file\n\nPatch-name: Extra.patch", new Dictionary<string, string> { ["a.c"] = "a\n" });

        var error = (await f.Invoking(x => x.UpdateDistGitAsync()).Should().ThrowAsync<CiJobsException>()).Which;

        error.ExitCode.Should().Be(SourceGitExitCodes.InvalidPatchMetadata);
        error.Message.Should().Be($"commit {file[..12]}: patch name 'Extra.patch' would overwrite extra.patch, which files_to_sync copies from .distro/extra.patch; give the commit another Patch-name.");
        (await f.Dist.RunAsync("status", "--porcelain", "--ignored")).Should().BeEmpty();

        await f.Src.RunAsync("commit", "--amend", "--quiet", "-m", "Clash with a folder\n\nPatch-name: docs.patch");
        error = (await f.Invoking(x => x.UpdateDistGitAsync()).Should().ThrowAsync<CiJobsException>()).Which;
        error.Message.Should().Contain("patch name 'docs.patch' would overwrite the folder docs.patch;");
    }

    [Fact]
    public async Task Patch_names_that_differ_only_in_case_are_refused()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.CommitSrcAsync("One\n\nPatch-name: Fix.patch", new Dictionary<string, string> { ["a.c"] = "a\n" });
        await f.CommitSrcAsync("Two\n\nPatch-name: fix.patch", new Dictionary<string, string> { ["b.c"] = "b\n" });

        var error = (await f.Invoking(x => x.UpdateDistGitAsync()).Should().ThrowAsync<CiJobsException>()).Which;

        error.Message.Should().Contain("'fix.patch' differs from 'Fix.patch' only in case");
    }

    [Fact]
    public async Task Rpm_macros_in_commit_messages_stay_text_in_the_spec()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        var marker = f.SrcPath("pwned");
        await f.CommitSrcAsync(
            $"Fix 100% of %(touch {marker}) cases\n\nExpands %{{name}} and\r\n%(touch {marker})",
            new Dictionary<string, string> { ["a.c"] = "a\n" });
        await f.CommitSrcAsync($"Second\n\nPatch-status: |\n    # upstream %(touch {marker})", new Dictionary<string, string> { ["b.c"] = "b\n" });

        await f.UpdateDistGitAsync();

        var spec = await f.DistFileAsync("hello.spec");
        spec.Should().Contain($"# Fix 100%% of %%(touch {marker}) cases\n#\n# Expands %%{{name}} and\n# %%(touch {marker})\nPatch0001: ");
        spec.Should().Contain($"# upstream %%(touch {marker})\nPatch0002: ");
        var rpmspec = await global::CliWrap.Cli.Wrap("rpmspec").WithArguments(["-P", f.DistPath("hello.spec")]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        rpmspec.ExitCode.Should().Be(0, rpmspec.StandardError);
        rpmspec.StandardError.Should().NotContain("Macro expanded in comment");
        File.Exists(marker).Should().BeFalse("rpm must not run commands written in commit messages");
    }

    [Fact]
    public async Task Patch_numbers_beyond_an_int_are_refused_not_a_crash()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.CommitSrcAsync("Last\n\nPatch-id: 2147483647", new Dictionary<string, string> { ["a.c"] = "a\n" });
        await f.CommitSrcAsync("One more", new Dictionary<string, string> { ["b.c"] = "b\n" });

        var error = (await f.Invoking(x => x.UpdateDistGitAsync()).Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(SourceGitExitCodes.InvalidPatchMetadata);

        await f.Src.RunAsync("reset", "--quiet", "--hard", "HEAD~2");
        await f.CommitSrcAsync("A spec with a huge Patch tag", new Dictionary<string, string>
        {
            [".distro/hello.spec"] = SourceGitFixture.Spec.Replace("Source0:        hello-1.0.tar.gz", "Source0:        hello-1.0.tar.gz\nPatch99999999999: old.patch", StringComparison.Ordinal),
        });
        await f.CommitSrcAsync("Fix", new Dictionary<string, string> { ["c.c"] = "c\n" });
        error = (await f.Invoking(x => x.UpdateDistGitAsync()).Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(SourceGitExitCodes.BadConfig, error.Message);
    }
}
