using System.Diagnostics;
using System.Text.Json.Nodes;
using CiJobs.Fakes.Zuul;

namespace CiJobs.Tests.JobLibrary;

/// <summary>The cijobs-systest job run by the real ansible-playbook with Zuul-shaped variables (AnsibleJobHarness).</summary>
[Trait("Runs", "cijobs")]
public sealed class SystemTestJobTests
{
    private static readonly string[] SystestJob = ["cijobs-base/pre.yaml", "cijobs-systest/run.yaml"];

    private static JsonObject Artifact(string change, string name, string url) => new()
    {
        ["name"] = $"Test repository {name} (rpm)",
        ["url"] = url,
        ["project"] = "rpms/example",
        ["change"] = change,
        ["patchset"] = "1",
        ["job"] = "cijobs-build-distgit",
        ["metadata"] = new JsonObject { ["type"] = "cijobs_test_repo", ["format"] = "rpm", ["repo_name"] = name },
    };

    [Fact]
    public async Task Zuul_reporting_the_install_test_failed_aborts_the_system_test_job()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        await using var zuulWeb = new FakeZuulStatus("example");
        await zuulWeb.StartAsync();
        var zuul = job.Zuul("example-greeter-distgit", "check", new JsonObject
        {
            ["change"] = "12",
            ["patchset"] = "3",
            ["artifacts"] = new JsonArray(Artifact("12", "check-12-3", "http://127.0.0.1:9/check-12-3/rpm/")),
        });
        var item = zuulWeb.AddItem("12,3", "example-greeter-distgit", ("cijobs-install-test-rpm", "i1"), ("cijobs-systest", (string)zuul["build"]!));
        var failLater = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(8));
            zuulWeb.SetJob(item, "cijobs-install-test-rpm", "FAILURE");
        });
        var clock = Stopwatch.StartNew();

        var runs = await job.RunJobAsync(
            new JsonObject
            {
                ["zuul"] = zuul,
                ["cijobs_systest_script"] = "echo \"repos: $CIJOBS_TEST_RPM_URLS\"; sleep 300",
                ["cijobs_systest_zuul_api"] = zuulWeb.BaseUrl,
                ["cijobs_systest_poll_interval"] = 0.5,
            },
            SystestJob);
        await failLater;

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(200), "the 300 s system test was stopped");
        var run = runs.Last();
        run.ExitCode.Should().NotBe(0, run.ToString());
        run.Output.Should().Contain("system test aborted: Zuul job cijobs-install-test-rpm finished with FAILURE");
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(job.LogRoot, "systest", "systest.json")))!;
        ((bool)summary["aborted"]!).Should().BeTrue();
        summary["repositories"]!.AsArray().Select(r => (string)r!["url"]!).Should().Equal("http://127.0.0.1:9/check-12-3/rpm/");
    }

    [Fact]
    public async Task Without_a_script_the_job_fails_with_a_clear_message()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        var zuul = job.Zuul("example-greeter-distgit", "check", new JsonObject { ["change"] = "12", ["patchset"] = "3" });

        var runs = await job.RunJobAsync(new JsonObject { ["zuul"] = zuul }, SystestJob);

        runs.Last().ExitCode.Should().NotBe(0);
        runs.Last().Output.Should().Contain("set cijobs_systest_script to the system test to run");
    }
}
