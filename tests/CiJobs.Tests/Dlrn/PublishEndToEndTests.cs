using System.Text.Json;
using CiJobs.Tests.Builds;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Dlrn;

/// <summary>build → serve → publish → the central holds the commit with its RPMs; publish again → already present.</summary>
[Trait("Runs", "cijobs")]
public sealed class PublishEndToEndTests : IDisposable
{
    private readonly TempDir temp = new("dlrn-e2e");

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData(true, "graphql")]
    [InlineData(false, "commit.yaml")]
    public async Task The_example_package_is_built_served_published_and_a_second_publish_is_already_present(bool graphQl, string verifiedBy)
    {
        var work = temp.Combine("work");
        var output = temp.Combine("out");
        await BuildPaths.RunAsync("bash", [Path.Combine(RepoPaths.Root, "examples", "setup.sh"), work]);
        var build = await CliRunner.RunAsync(
            ["build", "--rdoinfo", Path.Combine(work, "rdoinfo"), "--package", "example-greetlib", "--release", "tiny", "--output", output, "--format", "json"]);
        build.ExitCode.Should().Be(0, build.ToString());
        string resultDir, commitHash, distroHash;
        using (var json = JsonDocument.Parse(build.StandardOutput))
        {
            resultDir = json.RootElement.GetProperty("result_dir").GetString()!;
            commitHash = json.RootElement.GetProperty("commit_hash").GetString()!;
            distroHash = json.RootElement.GetProperty("distro_hash").GetString()!;
        }

        var rpms = Directory.GetFiles(Path.Combine(output, resultDir), "*.rpm").Select(Path.GetFileName).ToList();
        rpms.Should().Contain(r => r!.EndsWith(".src.rpm", StringComparison.Ordinal)).And.Contain(r => r!.EndsWith(".noarch.rpm", StringComparison.Ordinal));
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.GraphQlAvailable = graphQl;
        await using var serve = await ServeProcess.StartAsync(output);
        var environment = new Dictionary<string, string?> { ["DLRN_API_USER"] = DlrnFixtures.User, ["DLRN_API_PASSWORD"] = DlrnFixtures.Password };
        string[] publish = ["publish", "dlrn", "--api-url", dlrn.BaseUrl, "--repo-url", serve.Url + resultDir + "/", "--central-url", dlrn.ReposUrl, "--format", "json"];

        var first = await CliRunner.RunAsync(publish, environment: environment);
        var second = await CliRunner.RunAsync(publish, environment: environment);

        first.ExitCode.Should().Be(0, first.ToString());
        Outcome(first).Should().Be("imported");
        VerifiedBy(first).Should().Be(verifiedBy);
        var commit = dlrn.Commits.Should().ContainSingle().Subject;
        commit.ProjectName.Should().Be("example-greetlib");
        commit.CommitHash.Should().Be(commitHash);
        commit.DistroHash.Should().Be(distroHash);
        commit.Status.Should().Be("SUCCESS");
        commit.ShardedDirectory.Should().Be(resultDir);
        foreach (var rpm in rpms)
        {
            var held = Path.Combine(dlrn.DataDirectory, resultDir, rpm!);
            File.Exists(held).Should().BeTrue(rpm);
            (await File.ReadAllBytesAsync(held)).Should().Equal(await File.ReadAllBytesAsync(Path.Combine(output, resultDir, rpm!)));
        }

        dlrn.Imports.Should().ContainSingle().Which.MissingArtifacts.Should().BeEmpty();
        second.ExitCode.Should().Be(0, second.ToString());
        Outcome(second).Should().Be("already_present");
        VerifiedBy(second).Should().Be(verifiedBy);
        dlrn.Imports.Should().ContainSingle("the second publish sends no import");
    }

    private static string Outcome(CliResult result) => Property(result, "outcome");

    private static string VerifiedBy(CliResult result) => Property(result, "verified_by");

    private static string Property(CliResult result, string name)
    {
        using var json = JsonDocument.Parse(result.StandardOutput);
        return json.RootElement.GetProperty(name).GetString()!;
    }
}
