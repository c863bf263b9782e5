using System.Text;
using CiJobs.Core.Yaml;
using CiJobs.Core.ZuulConfig;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.ZuulConfig;

/// <summary>
/// Zuul YAML read within the YAML limits (docs/contracts/zuul-config.md, "YAML limits"): alias bombs, recursive aliases,
/// deep nesting and huge files are one YAML error at a line naming the limit, in the checker, the context file and the
/// command, never memory, CPU or a stack overflow.
/// </summary>
public class ZuulYamlBoundsTests
{
    private static readonly ZuulCheckContext Context = ZuulCheckContext.Empty.With(["job:base"], []);

    /// <summary>Nine levels of ten aliases each: 10^9 nodes once expanded, in under a kilobyte.</summary>
    private static string AliasBomb()
    {
        var text = new StringBuilder("- job:\n    name: bomb\n    parent: base\n    vars:\n      l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var level = 1; level <= 9; level++)
        {
            var refs = string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 10));
            text.Append($"      l{level}: &l{level} [{refs}]\n");
        }

        return text.ToString();
    }

    private static async Task<ZuulConfigCheckResult> CheckAsync(string directory) =>
        await Task.Run(() => ZuulConfigChecker.CheckAsync([directory], Context, CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task CheckAsync_AliasBomb_IsOneYamlErrorNamingTheNodeLimit()
    {
        using var temp = new TempDir("zuulbounds");
        temp.Write("zuul.d/jobs.yaml", AliasBomb());

        var result = await CheckAsync(temp.Path);

        var problem = result.Problems.Should().ContainSingle().Subject;
        problem.Message.Should().StartWith("YAML error: the document expands to more than 1000000 nodes").And.Contain("--yaml-max-nodes");
        problem.Line.Should().BeInRange(9, 14);
    }

    [Fact]
    public async Task CheckAsync_RecursiveAlias_IsAYamlErrorAtItsLine()
    {
        using var temp = new TempDir("zuulbounds");
        temp.Write("zuul.d/jobs.yaml", "- job: &a\n    name: x\n    parent: base\n    vars:\n      v: *a\n");

        var result = await CheckAsync(temp.Path);

        var problem = result.Problems.Should().ContainSingle().Subject;
        problem.Message.Should().Contain("the alias *a refers to a node that contains it");
        problem.Line.Should().Be(5);
    }

    [Fact]
    public async Task CheckAsync_NestingPastTheDepthLimit_IsAYamlError()
    {
        using var temp = new TempDir("zuulbounds");
        temp.Write("zuul.d/jobs.yaml", "- job:\n    name: x\n    parent: base\n    vars:\n      v: " + new string('[', 300) + new string(']', 300) + "\n");

        var result = await CheckAsync(temp.Path);

        result.Problems.Should().ContainSingle().Which.Message.Should()
            .Be("YAML error: mappings and sequences nest more than 256 deep: the YAML nesting depth limit (256, --yaml-max-depth)");
    }

    [Fact]
    public async Task CheckAsync_UnderLowerLimitsOfTheScope_UsesThem()
    {
        using var temp = new TempDir("zuulbounds");
        temp.Write("zuul.d/jobs.yaml", "- job:\n    name: x\n    parent: base\n    vars: &v {a: 1}\n- job:\n    name: y\n    parent: base\n    vars: *v\n");
        using (YamlReadContext.Use(YamlLimits.Default))
        {
            (await CheckAsync(temp.Path)).Problems.Should().BeEmpty();
        }

        using (YamlReadContext.Use(YamlLimits.Default with { MaxDepth = 2 }))
        {
            (await CheckAsync(temp.Path)).Problems.Should().ContainSingle().Which.Message.Should().Contain("--yaml-max-depth");
        }
    }

    [Fact]
    public async Task CheckAsync_FileLargerThanTheSizeLimit_IsNotRead()
    {
        using var temp = new TempDir("zuulbounds");
        temp.Write("zuul.d/jobs.yaml", "- job:\n    name: x\n    parent: base\n" + new string('#', 5000) + "\n");

        using var limits = YamlReadContext.Use(YamlLimits.Default with { MaxFileBytes = 4096 });
        var result = await CheckAsync(temp.Path);

        result.Problems.Should().ContainSingle().Which.Message.Should()
            .Be("YAML error: the file is too large: the file size limit (4096 bytes, --yaml-max-file-size)");
    }

    [Fact]
    [Trait("Runs", "cijobs")]
    public async Task Check_command_on_100000_nested_brackets_reports_the_depth_limit_without_crashing()
    {
        using var temp = new TempDir("zuulbounds");
        temp.Write("zuul.d/jobs.yaml", "- job:\n    name: x\n    vars:\n      v: " + new string('[', 100_000) + "\n");

        var result = await CliRunner.RunAsync(["zuul-config", "check", temp.Path, "--external", "job:base"]);

        result.ExitCode.Should().Be(ZuulConfigExitCodes.Invalid, result.ToString());
        result.StandardOutput.Should().Contain("jobs.yaml:4: YAML error: mappings and sequences nest more than 256 deep");
    }

    [Fact]
    [Trait("Runs", "cijobs")]
    public async Task Check_command_with_an_alias_bomb_as_context_file_exits_72()
    {
        using var temp = new TempDir("zuulbounds");
        temp.Write("zuul.d/jobs.yaml", "- job:\n    name: x\n    parent: base\n");
        temp.Write("context.yaml", "jobs: &j [a, b, c, d, e, f, g, h, i, j]\n" + string.Concat(Enumerable.Range(1, 9).Select(i =>
            $"x{i}: &x{i} [{string.Join(", ", Enumerable.Repeat(i == 1 ? "*j" : $"*x{i - 1}", 10))}]\n")));

        var result = await CliRunner.RunAsync(["zuul-config", "check", temp.Path, "--context", temp.Combine("context.yaml"), "--external", "job:base"]);

        result.ExitCode.Should().Be(ZuulConfigExitCodes.BadContext, result.ToString());
        result.StandardError.Should().Contain("context.yaml:").And.Contain("--yaml-max-nodes");
    }

    [Fact]
    [Trait("Runs", "cijobs")]
    public async Task Check_command_takes_the_yaml_limit_options()
    {
        using var temp = new TempDir("zuulbounds");
        temp.Write("zuul.d/jobs.yaml", "- job:\n    name: x\n    parent: base\n    vars: {a: [[[1]]]}\n");

        var ok = await CliRunner.RunAsync(["zuul-config", "check", temp.Path, "--external", "job:base"]);
        var limited = await CliRunner.RunAsync(["zuul-config", "check", temp.Path, "--external", "job:base", "--yaml-max-depth", "4"]);

        ok.ExitCode.Should().Be(0, ok.ToString());
        limited.ExitCode.Should().Be(ZuulConfigExitCodes.Invalid, limited.ToString());
        limited.StandardOutput.Should().Contain("the YAML nesting depth limit (4, --yaml-max-depth)");
    }
}
