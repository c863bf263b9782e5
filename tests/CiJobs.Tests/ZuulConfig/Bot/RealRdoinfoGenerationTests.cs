using CiJobs.Core.Rdoinfo;
using CiJobs.Core.ZuulConfig;
using CiJobs.Core.ZuulConfig.Bot;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.ZuulConfig.Bot;

[Trait("Runs", "cijobs")]
public class RealRdoinfoGenerationTests
{
    [Fact]
    public async Task The_full_real_rdoinfo_generates_configuration_that_zuul_config_check_accepts()
    {
        using var repo = new TempDir("config");
        var database = await RdoinfoLoader.LoadAsync(RepoPaths.RealRdoinfo);
        var config = ZuulConfigGenerator.Generate(database, ZuulGeneratorSettings.Default);
        await GeneratedFileWriter.WriteAsync(repo.Path, config, CancellationToken.None);
        var context = ZuulCheckContext.Empty.With(
            [$"project-template:{ConfigBotNames.PackageSourceTemplate}", $"project-template:{ConfigBotNames.PackageDistgitTemplate}"], [])
            .WithProjects([repo.Path], []);

        var result = await ZuulConfigChecker.CheckAsync([repo.Path], context, CancellationToken.None);

        result.Problems.Should().BeEmpty();
        result.StanzaCounts["project"].Should().Be(config.Projects.Count);
        config.Projects.Count.Should().BeGreaterThan(database.Projects.Count, "every package has a source and a distgit repository");
        config.Projects.Select(p => p.CanonicalName).Should().BeInAscendingOrder(StringComparer.Ordinal).And.OnlyHaveUniqueItems();
        config.Projects.SelectMany(p => p.Packages).Select(p => p.Project).Distinct().Should().HaveCount(database.Projects.Count);
    }

    [Fact]
    public async Task Regenerating_the_real_rdoinfo_through_the_cli_gives_identical_bytes()
    {
        using var repo = new TempDir("config");

        var first = await CliRunner.RunAsync("zuul-config", "generate", "--rdoinfo", RepoPaths.RealRdoinfo, "--config-repo", repo.Path);
        var bytes = await File.ReadAllBytesAsync(repo.Combine(ConfigBotNames.ProjectsFile));
        var tenant = await File.ReadAllBytesAsync(repo.Combine(ConfigBotNames.TenantFile));
        var second = await CliRunner.RunAsync("zuul-config", "generate", "--rdoinfo", RepoPaths.RealRdoinfo, "--config-repo", repo.Path);

        first.ExitCode.Should().Be(0, first.ToString());
        first.StandardOutput.Should().Contain($"created: {ConfigBotNames.ProjectsFile}");
        second.ExitCode.Should().Be(0, second.ToString());
        second.StandardOutput.Should().Contain($"unchanged: {ConfigBotNames.ProjectsFile}").And.Contain($"unchanged: {ConfigBotNames.TenantFile}");
        (await File.ReadAllBytesAsync(repo.Combine(ConfigBotNames.ProjectsFile))).Should().Equal(bytes);
        (await File.ReadAllBytesAsync(repo.Combine(ConfigBotNames.TenantFile))).Should().Equal(tenant);

        var check = await CliRunner.RunAsync("zuul-config", "check", "--config-project", repo.Path,
            "--external", $"project-template:{ConfigBotNames.PackageSourceTemplate}",
            "--external", $"project-template:{ConfigBotNames.PackageDistgitTemplate}");
        check.ExitCode.Should().Be(0, check.ToString());
    }
}
