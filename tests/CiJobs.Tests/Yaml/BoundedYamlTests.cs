using CiJobs.Core.SourceGit;
using CiJobs.Core.Yaml;
using YamlDotNet.Core;

namespace CiJobs.Tests.Yaml;

/// <summary>
/// The bounded YamlDotNet loader every YAML reader outside rdoinfo uses (Zuul configuration, source-git.yaml, patch
/// metadata, DLRN's commit.yaml, Zuul variables): limits are YAML errors with a line, before any tree is built.
/// </summary>
public class BoundedYamlTests
{
    [Fact]
    public void Load_100000_nested_brackets_is_a_depth_error_not_a_stack_overflow()
    {
        var act = () => BoundedYaml.Load("a: " + new string('[', 100_000));

        act.Should().Throw<YamlException>().Which.Message.Should().Contain("--yaml-max-depth");
    }

    [Fact]
    public void Load_alias_bomb_is_a_node_error_at_the_line_that_passes_the_limit()
    {
        var text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + string.Concat(Enumerable.Range(1, 9).Select(i =>
            $"l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]\n"));

        var error = FluentActions.Invoking(() => BoundedYaml.Load(text)).Should().Throw<YamlException>().Which;

        error.Message.Should().Contain("more than 1000000 nodes").And.Contain("--yaml-max-nodes");
        error.Start.Line.Should().Be(6); // l5 alone expands to 1,111,111 nodes
    }

    [Fact]
    public void Load_recursive_alias_is_refused_and_a_shared_one_is_not()
    {
        FluentActions.Invoking(() => BoundedYaml.Load("a: &a {b: *a}\n")).Should().Throw<YamlException>()
            .WithMessage("*the alias *a refers to a node that contains it*");
        BoundedYaml.Load("a: &a {b: 1}\nc: *a\nd: [*a, *a]\n").Documents.Should().ContainSingle();
    }

    [Fact]
    public void Load_counts_the_alias_limit_and_the_file_size_of_the_scope()
    {
        var limits = YamlLimits.Default with { MaxAliases = 2, MaxFileBytes = 100 };

        FluentActions.Invoking(() => BoundedYaml.Load("a: &a 1\nb: [*a, *a, *a]\n", limits)).Should().Throw<YamlException>()
            .Which.Message.Should().Be("more than 2 aliases in one document: the YAML alias limit (2, --yaml-max-aliases)");
        FluentActions.Invoking(() => BoundedYaml.Load("a: " + new string('x', 200), limits)).Should().Throw<YamlException>()
            .Which.Message.Should().Be("the file is too large: the file size limit (100 bytes, --yaml-max-file-size)");
    }

    [Fact]
    public void Source_git_config_nested_past_the_limit_is_a_config_error()
    {
        var act = () => SourceGitConfig.Parse("files_to_sync: " + new string('[', 50_000), []);

        act.Should().Throw<CiJobs.Core.CiJobsException>().Which.Message.Should().Contain("--yaml-max-depth");
    }
}
