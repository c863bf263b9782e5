using System.Text.Json.Nodes;
using CiJobs.Tests.Support;
using CliWrap;

namespace CiJobs.Tests.JobLibrary;

/// <summary>
/// A gate queue of three changes (example-greetlib, example-greeter: RPM; example-motd: DEB), each built for real and
/// published with <c>cijobs testrepo publish</c> into its per-item gate repository, served over HTTP on 127.0.0.1. The
/// third item's cijobs-systest job, run by ansible-playbook, gets the artifacts as Zuul passes them (the two items ahead,
/// then its own build) and its system test reads all three repositories with the real dnf and apt-get.
/// </summary>
[Trait("Runs", "cijobs")]
public sealed class GateSystemTestTests
{
    private static readonly string[] SystestJob = ["cijobs-base/pre.yaml", "cijobs-systest/run.yaml"];

    // The system test: dnf reads the .repo file (its own cache and installroot, nothing of the host), apt-get the
    // sources list (private state), and each lists what it sees.
    private const string Script = """
        set -eu
        work=$(mktemp -d)
        dnf -q --installroot="$work/root" --setopt=reposdir="$(dirname "$CIJOBS_TEST_REPO_FILE")" --setopt=cachedir="$work/dnf" \
          --releasever=9 --nogpgcheck --disableplugin='*' repoquery --available --qf '%{name}' 2>/dev/null | sort -u | sed 's/^/rpm: /'
        mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/apt/etc"
        o="-o Dir::Etc::SourceList=$CIJOBS_TEST_APT_LIST -o Dir::Etc::SourceParts=$work/apt/etc -o Dir::State::Lists=$work/apt/lists -o Dir::Cache=$work/apt/cache -o Dir::Etc::PreferencesParts=$work/apt/etc -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
        apt-get -q $o update >/dev/null
        apt-cache $o pkgnames example- | sort | sed 's/^/deb: /'
        echo "count: $CIJOBS_TEST_REPO_COUNT"
        rm -rf "$work"
        """;

    [Fact]
    public async Task The_third_items_system_test_sees_the_repositories_of_all_three_changes()
    {
        using var job = await AnsibleJobHarness.CreateAsync();
        var root = Path.Combine(job.JobDir, "testrepos");
        var rpmOut = Path.Combine(job.JobDir, "out-rpm");
        var debOut = Path.Combine(job.JobDir, "out-deb");
        var queue = new (string Package, string Release, string Out, string Change, string Buildset)[]
        {
            ("example-greetlib", "tiny", rpmOut, "101", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
            ("example-greeter", "tiny", rpmOut, "102", "1a1b2c3d4e5f60718293a4b5c6d7e8f9"),
            ("example-motd", "tiny-deb", debOut, "103", "2a1b2c3d4e5f60718293a4b5c6d7e8f9"),
        };
        var names = new List<string>();
        foreach (var (package, release, output, change, buildset) in queue)
        {
            var build = await CliRunner.RunAsync(["build", "--rdoinfo", Path.Combine(job.Work, "rdoinfo"), "--package", package, "--release", release, "--output", output, "--codename", "bookworm"], job.JobDir);
            build.ExitCode.Should().Be(0, build.StandardError);
            var resultDir = Directory.ResolveLinkTarget(Path.Combine(output, "repos", "current"), returnFinalTarget: true)!.FullName;
            var publish = await CliRunner.RunAsync(
                ["testrepo", "publish", resultDir, "--root", root, "--change", change, "--patchset", "1", "--pipeline", "gate", "--item", buildset, "--codename", "bookworm", "--format", "json"],
                job.JobDir);
            publish.ExitCode.Should().Be(0, publish.StandardError);
            names.Add((string)JsonNode.Parse(publish.StandardOutput)!["name"]!);
        }

        using var stop = new CancellationTokenSource();
        var url = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var serve = global::CliWrap.Cli.Wrap(CliRunner.Program).WithArguments([.. CliRunner.ProgramArguments, "serve", root])
            .WithStandardOutputPipe(PipeTarget.ToDelegate(line => url.TrySetResult(line.Trim())))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(stop.Token);
        try
        {
            var baseUrl = (await url.Task.WaitAsync(TimeSpan.FromMinutes(1))).TrimEnd('/');
            JsonObject Artifact(int index, string format) => new()
            {
                ["name"] = $"Test repository {names[index]} ({format})",
                ["url"] = $"{baseUrl}/{names[index]}/{format}/",
                ["project"] = $"{queue[index].Package}-distgit",
                ["change"] = queue[index].Change,
                ["patchset"] = "1",
                ["job"] = "cijobs-build-distgit",
                ["metadata"] = new JsonObject
                {
                    ["type"] = "cijobs_test_repo",
                    ["format"] = format,
                    ["repo_name"] = names[index],
                    ["codename"] = format == "deb" ? "bookworm" : null,
                    ["component"] = format == "deb" ? "main" : null,
                },
            };

            // Zuul's order: the items ahead (101, then 102), then the parent build of this item (103).
            var zuul = job.Zuul("example-motd-distgit", "gate", new JsonObject
            {
                ["change"] = "103",
                ["patchset"] = "1",
                ["buildset"] = queue[2].Buildset,
                ["artifacts"] = new JsonArray(Artifact(0, "rpm"), Artifact(1, "rpm"), Artifact(2, "deb")),
            });

            var seen = Path.Combine(job.JobDir, "seen.txt");
            var runs = await job.RunJobAsync(new JsonObject { ["zuul"] = zuul, ["cijobs_systest_script"] = $"{{\n{Script}\n}} > {seen}" }, SystestJob);

            var run = runs.Last();
            run.ExitCode.Should().Be(0, run.ToString());
            File.ReadAllText(seen).Should().Contain("rpm: example-greeter").And.Contain("rpm: example-greetlib").And.Contain("deb: example-motd").And.Contain("count: 3");
            names.Should().Equal("gate-101-1-0a1b2c3d4e5f", "gate-102-1-1a1b2c3d4e5f", "gate-103-1-2a1b2c3d4e5f");
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await serve;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
