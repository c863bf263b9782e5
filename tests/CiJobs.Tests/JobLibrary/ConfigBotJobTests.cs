using System.Text.Json.Nodes;
using CiJobs.Core.ZuulConfig.Bot;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.JobLibrary;

/// <summary>The config-bot job runs end to end with the real ansible-playbook on localhost against a bare config repository acting as Gerrit.</summary>
[Trait("Runs", "cijobs")]
[Collection(nameof(JobLibraryCollection))]
public class ConfigBotJobTests
{
    private static readonly string[] ConfigBotJob = ["cijobs-base/pre.yaml", "cijobs-config-bot/run.yaml"];

    [Fact]
    public async Task Rdoinfo_post_proposes_the_generated_configuration_once_and_removes_the_secret_file()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        var (_, commit) = await job.PrepareRdoinfoAsync();
        var seed = await TestGit.InitAsync(Path.Combine(job.Work, "config-seed"), "master");
        await seed.CommitAsync("Initial config", new Dictionary<string, string> { ["zuul.d/projects.yaml"] = "- project:\n    name: config\n" });
        var remote = Path.Combine(job.Work, "config.git");
        await seed.RunAsync("clone", "--quiet", "--bare", seed.Directory, remote);
        const string token = "example-secret-token-never-logged";
        var variables = new JsonObject
        {
            ["zuul"] = job.Zuul("rdoinfo", "post", new JsonObject
            {
                ["branch"] = "master",
                ["ref"] = "refs/heads/master",
                ["oldrev"] = "0000000000000000000000000000000000000000",
                ["newrev"] = commit,
            }),
            ["cijobs_config_bot_config_repo_url"] = "file://" + remote,
            ["cijobs_config_bot_review"] = "gerrit",
            ["cijobs_config_bot_credentials"] = new JsonObject { ["token"] = token },
        };

        var first = await job.RunJobAsync(variables, ConfigBotJob);
        var second = await job.RunJobAsync(variables, ConfigBotJob);

        foreach (var run in first.Concat(second))
        {
            run.ExitCode.Should().Be(0, run.ToString());
            run.Output.Should().NotContain(token);
        }

        first[1].Output.Should().Contain("created: Projects:");
        second[1].Output.Should().Contain("unchanged: Projects:");
        var refs = await new TestGit(remote).RunAsync("for-each-ref", "--format=%(refname)", "refs/for/");
        refs.Should().Be($"refs/for/master%topic=rdoinfo-{commit[..12]}");
        var files = await new TestGit(remote).RunAsync("ls-tree", "-r", "--name-only", "refs/for/master%topic=rdoinfo-" + commit[..12]);
        files.Split('\n').Should().Contain([ConfigBotNames.ProjectsFile, ConfigBotNames.TenantFile, "zuul.d/projects.yaml"]);
        File.Exists(Path.Combine(job.Home, "cijobs-config-bot", "token")).Should().BeFalse();
    }
}
