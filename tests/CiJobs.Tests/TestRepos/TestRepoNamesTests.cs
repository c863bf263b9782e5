using CiJobs.Core;
using CiJobs.Core.TestRepos;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CiJobs.Tests.TestRepos;

public sealed class TestRepoNamesTests
{
    [Theory]
    [InlineData(TestRepoPipeline.Check, "123", "4", null, "check-123-4")]
    [InlineData(TestRepoPipeline.Check, "00123", "4", "ignored-for-check", "check-123-4")]
    [InlineData(TestRepoPipeline.Gate, "123", "4", "6a1b2c3d4e5f60718293a4b5c6d7e8f9", "gate-123-4-6a1b2c3d4e5f")]
    public void Names_are_derived_from_the_pipeline_change_patchset_and_item(TestRepoPipeline pipeline, string change, string patchset, string? item, string expected) =>
        TestRepoNames.Derive(pipeline, change, patchset, item).Should().Be(expected);

    [Theory]
    [InlineData(TestRepoPipeline.Check, "0", "1", null, "--change")]
    [InlineData(TestRepoPipeline.Check, "-3", "1", null, "--change")]
    [InlineData(TestRepoPipeline.Check, "12", "1.5", null, "--patchset")]
    [InlineData(TestRepoPipeline.Check, "12", "9999999999999999999", null, "--patchset")]
    [InlineData(TestRepoPipeline.Check, "../1", "1", null, "--change")]
    [InlineData(TestRepoPipeline.Gate, "12", "1", null, "needs --item")]
    [InlineData(TestRepoPipeline.Gate, "12", "1", "short", "--item")]
    [InlineData(TestRepoPipeline.Gate, "12", "1", "../../../../etc/x", "--item")]
    public void Bad_change_patchset_or_item_is_refused(TestRepoPipeline pipeline, string change, string patchset, string? item, string message)
    {
        var derive = () => TestRepoNames.Derive(pipeline, change, patchset, item);

        derive.Should().Throw<CiJobsException>().Which.Should().Match<CiJobsException>(e => e.ExitCode == TestRepoExitCodes.InvalidOption && e.Message.Contains(message));
    }

    [Property]
    public Property A_safe_name_is_a_single_path_component_that_stays_under_the_root(string name)
    {
        var root = "/srv/testrepos";
        return (!TestRepoNames.IsSafe(name ?? "")
            || (Path.GetFullPath(Path.Combine(root, name!)) == root + "/" + name && !name!.Contains('/') && name.Length <= TestRepoNames.MaxLength && name[0] != '.' && name[0] != '-'))
            .ToProperty();
    }

    [Fact]
    public void The_longest_name_is_accepted_and_one_more_character_is_not()
    {
        TestRepoNames.IsSafe(new string('a', TestRepoNames.MaxLength)).Should().BeTrue();
        TestRepoNames.IsSafe(new string('a', TestRepoNames.MaxLength + 1)).Should().BeFalse();
    }
}
