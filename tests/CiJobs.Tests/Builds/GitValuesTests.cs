using CiJobs.Core;
using CiJobs.Core.Builds;

namespace CiJobs.Tests.Builds;

/// <summary>Examples of the one check for values read from git (docs/contracts/dlrn-build.md, "Values read from git").</summary>
public class GitValuesTests
{
    [Theory]
    [InlineData("HEAD")]
    [InlineData("main")]
    [InlineData("origin/stable/2025.1")]
    [InlineData("refs/changes/45/12345/3")]
    [InlineData("v1.1.0")]
    [InlineData("HEAD~1")]
    [InlineData("main^2")]
    [InlineData("0689564abcdef0123456789abcdef0123456789a")]
    public void Usual_refs_are_accepted(string gitRef) =>
        GitValues.Ref(gitRef, "source ref", BuildExitCodes.RefNotFound).Should().Be(gitRef);

    [Theory]
    [InlineData("--upload-pack=x")]
    [InlineData("/etc")]
    [InlineData("a/../b")]
    [InlineData("a//b")]
    [InlineData("main\n")]
    [InlineData("main ")]
    [InlineData("feature%(id)")]
    [InlineData("x$(id)")]
    [InlineData("HEAD@{1}")]
    [InlineData("")]
    public void Refs_with_unsafe_characters_are_refused_with_the_given_code(string gitRef)
    {
        var act = () => GitValues.Ref(gitRef, "source ref", BuildExitCodes.RefNotFound);

        act.Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(BuildExitCodes.RefNotFound);
    }

    [Theory]
    [InlineData("1.0\n")]
    [InlineData("v1.0\r\n")]
    public void A_trailing_line_break_is_not_ignored(string tag)
    {
        GitValues.IsSafeWord(tag).Should().BeFalse();
        GitValues.IsSafeRef(tag).Should().BeFalse();
        var hash = () => GitValues.Hash("abcdef0\n", "source commit");
        hash.Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(BuildExitCodes.UnsafeGitValue);
        PackageNames.IsSafe("foo\n").Should().BeFalse("a package name becomes a path");
        var dist = () => PackageNames.ValidateDist(".el9\n");
        dist.Should().Throw<CiJobsException>();
    }

    [Theory]
    [InlineData("python-foo.spec", true)]
    [InlineData("foo+bar.spec", true)]
    [InlineData("..", false)]
    [InlineData(".hidden.spec", false)]
    [InlineData("a b.spec", false)]
    [InlineData("x%{y}.spec", false)]
    public void A_file_name_from_a_git_tree_is_checked_before_it_becomes_a_path(string name, bool accepted)
    {
        var act = () => GitValues.FileName(name, "distgit");

        if (accepted)
        {
            act.Should().NotThrow();
        }
        else
        {
            act.Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(BuildExitCodes.UnsafeGitValue);
        }
    }
}
