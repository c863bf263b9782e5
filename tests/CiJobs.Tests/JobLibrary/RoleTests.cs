using System.Text.Json.Nodes;

namespace CiJobs.Tests.JobLibrary;

/// <summary>Roles run from plain Ansible (no Zuul variables), and the paths the job tests do not take.</summary>
[Trait("Runs", "cijobs")]
[Collection(nameof(JobLibraryCollection))]
public class RoleTests
{
    [Fact]
    public async Task Ensure_cijobs_installs_from_the_checkout_when_cijobs_is_missing()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        var install = Path.Combine(job.Home, "fresh-install");

        // A stand-in dotnet: records its arguments, "publishes" a cijobs.dll, and answers --help through the wrapper.
        var fakeDotnet = Path.Combine(job.JobDir, "fake-dotnet");
        var calls = Path.Combine(job.JobDir, "dotnet-calls.txt");
        Directory.CreateDirectory(job.JobDir);
        await File.WriteAllTextAsync(fakeDotnet, $$"""
            #!/bin/sh
            echo "$@" >> "{{calls}}"
            if [ "$1" = publish ]; then mkdir -p "$6" && echo dll > "$6/cijobs.dll"; fi
            exit 0
            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(fakeDotnet, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var runs = await job.RunJobAsync(
            new JsonObject
            {
                ["ensure_cijobs_src_dir"] = "/checkout/of/cijobs",
                ["ensure_cijobs_install_dir"] = install,
                ["ensure_cijobs_dotnet"] = fakeDotnet,
            },
            "cijobs-base/pre.yaml");

        runs.Single().ExitCode.Should().Be(0, runs.Single().ToString());
        var recorded = await File.ReadAllLinesAsync(calls);
        recorded[0].Should().Be($"publish /checkout/of/cijobs/tools/CiJobs.Cli --configuration Release --output {install}/lib --nologo --use-current-runtime --self-contained false -p:PublishReadyToRun=true");
        recorded[^1].Should().Be($"{install}/lib/cijobs.dll --help", "the wrapper runs the published dll");
        File.Exists(Path.Combine(install, "cijobs")).Should().BeTrue();
    }

    [Fact]
    public async Task The_build_role_refuses_a_plan_with_a_release_name_unsafe_in_a_path_before_building_anything()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        Directory.CreateDirectory(job.JobDir);

        // A stand-in cijobs that records its calls: the role must not get as far as calling it.
        var calls = Path.Combine(job.JobDir, "cijobs-calls.txt");
        var fakeCijobs = Path.Combine(job.JobDir, "fake-cijobs");
        await File.WriteAllTextAsync(fakeCijobs, $"#!/bin/sh\necho \"$@\" >> \"{calls}\"\nexit 0\n");
        File.SetUnixFileMode(fakeCijobs, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var playbook = Path.Combine(job.JobDir, "build-only.yaml");
        await File.WriteAllTextAsync(playbook, "- name: Build a given plan\n  hosts: all\n  roles:\n    - cijobs-build\n");
        static JsonObject Build(string release) => new()
        {
            ["package"] = "example-greeter",
            ["project"] = "example-greeter",
            ["release"] = release,
            ["source"] = null,
            ["source_ref"] = null,
            ["distgit"] = null,
            ["distgit_ref"] = null,
            ["reason"] = "test",
        };
        var plan = new JsonObject
        {
            ["rdoinfo_directory"] = job.Checkout("rdoinfo"),
            ["builds"] = new JsonArray(Build("tiny"), Build("../../../somewhere"), Build("tiny/x"), Build(".hidden")),
        };

        var runs = await job.RunJobAsync(new JsonObject { ["cijobs_build_plan"] = plan, ["cijobs_build_command"] = fakeCijobs }, playbook);

        var run = runs.Single();
        run.ExitCode.Should().NotBe(0, run.ToString());
        run.Output.Should().Contain("invalid release name '../../../somewhere' in the plan (build of example-greeter)")
            .And.Contain("invalid release name 'tiny/x' in the plan")
            .And.Contain("invalid release name '.hidden' in the plan")
            .And.NotContain("invalid release name 'tiny'");
        File.Exists(calls).Should().BeFalse("nothing is built when a release name of the plan is unsafe");
        Directory.Exists(Path.Combine(job.Home, "cijobs")).Should().BeFalse("no output folder is made either");
    }

    [Fact]
    public async Task A_failed_build_fails_the_run_but_post_still_collects_its_logs_and_returns_no_artifact()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        await job.PrepareAsync("example-greeter", "main");
        var distgit = await job.PrepareAsync("example-greeter-distgit", "rpm-main");
        await job.PrepareRdoinfoAsync();
        var spec = Path.Combine(distgit.Directory, "example-greeter.spec");
        var broken = string.Join('\n', (await File.ReadAllLinesAsync(spec)).Where(l => !l.StartsWith("%install", StringComparison.Ordinal)))
            .Replace("%files", "%files\n/usr/bin/not-installed-anywhere", StringComparison.Ordinal);
        await distgit.CommitAsync("Broken: lists a file that is never installed", new Dictionary<string, string> { ["example-greeter.spec"] = broken });
        var zuul = job.Zuul("example-greeter-distgit", "check", new JsonObject
        {
            ["branch"] = "rpm-main",
            ["change"] = "303",
            ["patchset"] = "1",
        }, "rdoinfo", "example-greeter");

        var runs = await job.RunJobAsync(new JsonObject { ["zuul"] = zuul, ["cijobs_plan_trigger"] = "distgit" },
            "cijobs-base/pre.yaml", "cijobs-build/run.yaml", "cijobs-build/post.yaml");

        runs.Should().HaveCount(3);
        runs[1].ExitCode.Should().NotBe(0, runs[1].ToString());
        runs[1].Output.Should().Contain("example-greeter for tiny: cijobs: error: build of example-greeter FAILED");
        runs[2].ExitCode.Should().Be(0, runs[2].ToString());
        var returned = job.Returned();
        (returned["zuul"]?["artifacts"]?.AsArray() ?? []).Should().BeEmpty("a failed build is not handed to publish");
        Directory.EnumerateFiles(Path.Combine(job.LogRoot, "dlrn", "tiny"), "rpmbuild.log", SearchOption.AllDirectories)
            .Should().NotBeEmpty("the failed build's logs are kept");
    }
}
