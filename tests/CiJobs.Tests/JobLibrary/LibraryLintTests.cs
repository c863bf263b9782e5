using System.Text;
using CiJobs.Core.ZuulConfig;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.JobLibrary;

/// <summary>The job library passes yamllint --strict, ansible-lint (offline, production profile) and cijobs zuul-config check.</summary>
[Trait("Runs", "cijobs")]
public class LibraryLintTests
{
    private static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        var output = new StringBuilder();
        var result = await global::CliWrap.Cli.Wrap(program)
            .WithArguments(arguments)
            .WithWorkingDirectory(RepoPaths.Root)
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["NO_COLOR"] = "1", ["ANSIBLE_NOCOLOR"] = "1" })
            .WithValidation(global::CliWrap.CommandResultValidation.None)
            .WithStandardOutputPipe(global::CliWrap.PipeTarget.ToStringBuilder(output))
            .WithStandardErrorPipe(global::CliWrap.PipeTarget.ToStringBuilder(output))
            .ExecuteAsync();
        return (result.ExitCode, output.ToString());
    }

    [Fact]
    public async Task Yamllint_strict_finds_nothing_in_the_job_library()
    {
        var (exitCode, output) = await RunAsync("yamllint", "--strict", "-f", "parsable", "zuul.d", "playbooks", "roles", "examples/zuul", ".yamllint", ".ansible-lint");

        exitCode.Should().Be(0, output);
    }

    [Fact]
    public async Task Ansible_lint_offline_production_profile_finds_nothing()
    {
        var (exitCode, output) = await RunAsync("ansible-lint", "--offline", "-p", "playbooks", "roles", "zuul.d");

        exitCode.Should().Be(0, output);
    }

    [Fact]
    public async Task Zuul_config_check_accepts_the_library_with_the_tenant_base_job_external()
    {
        var result = await ZuulConfigChecker.CheckAsync([RepoPaths.Root], ZuulCheckContext.Empty.With(["job:base"], []), CancellationToken.None);

        result.Problems.Should().BeEmpty();
        result.StanzaCounts.Should().ContainKeys("job", "project-template");
    }

    [Fact]
    public async Task Zuul_config_check_accepts_the_example_config_project_together_with_the_library()
    {
        var context = ZuulCheckContext.Empty.With([], ["rdo-gerrit:gerrit", "upstream-git:git", "gitlab:gitlab"])
            .WithProjects([Path.Combine(RepoPaths.Root, "examples", "zuul")], []);

        var result = await ZuulConfigChecker.CheckAsync([RepoPaths.Root], context, CancellationToken.None);

        result.Problems.Should().BeEmpty();
        result.StanzaCounts.Should().ContainKeys("pipeline", "secret", "project");
    }

    [Fact]
    public async Task Zuul_config_check_on_the_library_alone_names_the_missing_base_job()
    {
        var result = await CliRunner.RunAsync(["zuul-config", "check", RepoPaths.Root]);

        result.ExitCode.Should().Be(ZuulConfigExitCodes.Invalid, result.ToString());
        result.StandardOutput.Should().Contain("zuul.d/base-jobs.yaml:2: unknown job 'base'");
    }
}
