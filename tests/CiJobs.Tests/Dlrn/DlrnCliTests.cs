using System.Text;
using System.Text.Json;
using CiJobs.Core.Dlrn;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Dlrn;

/// <summary>The publish, report, promote and serve verbs, run as the real cijobs process.</summary>
[Trait("Runs", "cijobs")]
public sealed class DlrnCliTests : IDisposable
{
    private readonly TempDir temp = new("dlrn-cli");

    public void Dispose() => temp.Dispose();

    private static Dictionary<string, string?> Environment(string? password = DlrnFixtures.Password) => new()
    {
        ["DLRN_API_USER"] = DlrnFixtures.User,
        ["DLRN_API_PASSWORD"] = password,
    };

    private static string[] Fast => ["--retries", "1", "--retry-delay", "0.01"];

    [Fact]
    public async Task Publish_prints_the_outcome_as_json_and_a_second_publish_is_already_present()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        string[] arguments = ["publish", "dlrn", "--api-url", dlrn.BaseUrl, "--repo-url", build.RepoUrl(files.BaseUrl).ToString(), "--central-url", dlrn.ReposUrl, "--format", "json", .. Fast];

        var first = await CliRunner.RunAsync(arguments, environment: Environment());
        var second = await CliRunner.RunAsync(arguments, environment: Environment());

        first.ExitCode.Should().Be(0, first.ToString());
        using (var json = JsonDocument.Parse(first.StandardOutput))
        {
            json.RootElement.GetProperty("outcome").GetString().Should().Be("imported");
            json.RootElement.GetProperty("commit_hash").GetString().Should().Be(build.CommitHash);
            json.RootElement.GetProperty("distro_hash").GetString().Should().Be(build.DistroHash);
            json.RootElement.GetProperty("verified_by").GetString().Should().Be("graphql");
        }

        second.ExitCode.Should().Be(0, second.ToString());
        using (var json = JsonDocument.Parse(second.StandardOutput))
        {
            json.RootElement.GetProperty("outcome").GetString().Should().Be("already_present");
        }

        dlrn.Imports.Should().ContainSingle();
    }

    [Fact]
    public async Task Publish_of_an_older_build_reports_skipped_with_exit_44()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var newer = DlrnFixtures.WriteBuild(temp.Combine("out"), commitHash: "bbbb000000000000000000000000000000000001", dtCommit: 2_000_000_000);
        var older = DlrnFixtures.WriteBuild(temp.Combine("out"), commitHash: "aaaa000000000000000000000000000000000002", dtCommit: 1_000_000_000);
        await using var files = await DlrnFixtures.StartFilesAsync(newer.DataDirectory);
        await CliRunner.RunAsync(["publish", "dlrn", "--api-url", dlrn.BaseUrl, "--repo-url", newer.RepoUrl(files.BaseUrl).ToString()], environment: Environment());

        var result = await CliRunner.RunAsync(["publish", "dlrn", "--api-url", dlrn.BaseUrl, "--repo-url", older.RepoUrl(files.BaseUrl).ToString()], environment: Environment());

        result.ExitCode.Should().Be(DlrnExitCodes.ImportSkipped, result.ToString());
        result.StandardOutput.Should().StartWith("skipped: python-example commit aaaa");
        result.StandardError.Should().Contain("cijobs: error: DLRN skipped the import").And.Contain(newer.CommitHash);
    }

    [Fact]
    public async Task Publish_to_a_server_without_graphql_says_how_it_verified_or_exits_49_when_it_cannot()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.GraphQlAvailable = false;
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        var failed = DlrnFixtures.WriteBuild(temp.Combine("out"), projectName: "python-broken", commitHash: "cccc000000000000000000000000000000000003", status: "FAILED");
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);

        var published = await CliRunner.RunAsync(
            ["publish", "dlrn", "--api-url", dlrn.BaseUrl, "--repo-url", build.RepoUrl(files.BaseUrl).ToString(), "--central-url", dlrn.ReposUrl, "--format", "json", .. Fast],
            environment: Environment());
        var unverifiable = await CliRunner.RunAsync(
            ["publish", "dlrn", "--api-url", dlrn.BaseUrl, "--repo-url", failed.RepoUrl(files.BaseUrl).ToString(), .. Fast], environment: Environment());

        published.ExitCode.Should().Be(0, published.ToString());
        using (var json = JsonDocument.Parse(published.StandardOutput))
        {
            json.RootElement.GetProperty("outcome").GetString().Should().Be("imported");
            json.RootElement.GetProperty("verified_by").GetString().Should().Be("commit.yaml");
        }

        published.StandardError.Should().Contain("GraphQL is not available (501 Missing libraries");
        unverifiable.ExitCode.Should().Be(DlrnExitCodes.CannotVerify, unverifiable.ToString());
        unverifiable.StandardError.Trim().Should().StartWith("cijobs: error: cannot verify the import of python-broken").And.NotContain("\n");
        dlrn.Imports.Should().ContainSingle();
    }

    [Fact]
    public async Task Publish_with_a_missing_rpm_fails_with_exit_45_naming_it()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        File.Delete(Path.Combine(build.DataDirectory, build.Artifacts[0]));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);

        var result = await CliRunner.RunAsync(["publish", "dlrn", "--api-url", dlrn.BaseUrl, "--repo-url", build.RepoUrl(files.BaseUrl).ToString()], environment: Environment());

        result.ExitCode.Should().Be(DlrnExitCodes.ArtifactsMissing, result.ToString());
        result.StandardOutput.Should().Contain("missing: ").And.Contain("python-example-1.0-0.1.el9.src.rpm");
    }

    [Fact]
    public async Task Publish_without_a_password_exits_46_and_a_password_option_does_not_exist()
    {
        var missing = await CliRunner.RunAsync(["publish", "dlrn", "--api-url", "http://127.0.0.1:9", "--repo-url", "http://127.0.0.1:9/x/"], environment: Environment(password: null));
        var option = await CliRunner.RunAsync(["publish", "dlrn", "--api-url", "http://127.0.0.1:9", "--repo-url", "http://127.0.0.1:9/x/", "--password", "x"], environment: Environment());

        missing.ExitCode.Should().Be(DlrnExitCodes.CredentialsMissing, missing.ToString());
        missing.StandardError.Should().Contain("DLRN_API_PASSWORD");
        option.ExitCode.Should().Be(1, option.ToString());
    }

    [Fact]
    public async Task Report_and_promote_record_a_vote_with_the_current_time_and_a_promotion()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        await CliRunner.RunAsync(["publish", "dlrn", "--api-url", dlrn.BaseUrl, "--repo-url", build.RepoUrl(files.BaseUrl).ToString()], environment: Environment());
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var report = await CliRunner.RunAsync(
            ["report", "--api-url", dlrn.BaseUrl, "--job-id", "qe-install", "--url", "http://logs/42", "--success", "true", "--notes", "all good",
             "--commit-hash", build.CommitHash, "--distro-hash", build.DistroHash],
            environment: Environment());
        var promote = await CliRunner.RunAsync(
            ["promote", "--api-url", dlrn.BaseUrl, "--commit-hash", build.CommitHash, "--distro-hash", build.DistroHash, "--promote-name", "qe-passed", "--format", "json"],
            environment: Environment());

        report.ExitCode.Should().Be(0, report.ToString());
        report.StandardOutput.Should().Contain("reported success of qe-install");
        var vote = dlrn.Votes.Should().ContainSingle().Subject;
        vote.Timestamp.Should().BeInRange(before - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        vote.Notes.Should().Be("all good");
        promote.ExitCode.Should().Be(0, promote.ToString());
        using var json = JsonDocument.Parse(promote.StandardOutput);
        json.RootElement.GetProperty("promote_name").GetString().Should().Be("qe-passed");
        dlrn.Promotions.Should().ContainSingle();
    }

    [Fact]
    public async Task The_password_never_appears_in_output_files_or_error_messages()
    {
        const string secret = "Sup3r-Secret-Value-9f8e7d";
        await using var dlrn = new Fakes.Dlrn.FakeDlrnServer(temp.Combine("central"));
        dlrn.AddUser(DlrnFixtures.User, secret);
        await dlrn.StartAsync();
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        var passwordFile = temp.Write("secrets/password", secret + "\n");
        var work = temp.Combine("work");
        Directory.CreateDirectory(work);
        var fromEnvironment = Environment(secret);
        var fromFile = new Dictionary<string, string?> { ["DLRN_API_USER"] = DlrnFixtures.User, ["DLRN_API_PASSWORD"] = null };
        string[] api = ["--api-url", dlrn.BaseUrl, .. Fast];
        string[] hashes = ["--commit-hash", build.CommitHash, "--distro-hash", build.DistroHash];

        var runs = new List<CliResult>
        {
            await CliRunner.RunAsync(["publish", "dlrn", .. api, "--repo-url", build.RepoUrl(files.BaseUrl).ToString(), "--format", "json"], work, fromEnvironment),
            await CliRunner.RunAsync(["publish", "dlrn", .. api, "--repo-url", build.RepoUrl(files.BaseUrl).ToString(), "--password-file", passwordFile], work, fromFile),
            await CliRunner.RunAsync(["report", .. api, "--job-id", "j", "--url", "http://l/1", "--success", "false", .. hashes], work, fromEnvironment),
            await CliRunner.RunAsync(["promote", .. api, .. hashes, "--promote-name", "p1", "--password-file", passwordFile], work, fromFile),
        };
        // Failures too: a server error (message and retries), a refused request, an unknown commit.
        dlrn.FailNext(10, 500, "/api/report_result");
        runs.Add(await CliRunner.RunAsync(["report", .. api, "--job-id", "j", "--url", "http://l/1", "--success", "true", .. hashes], work, fromEnvironment));
        runs.Add(await CliRunner.RunAsync(["promote", .. api, "--commit-hash", "ffff0000", "--distro-hash", "00000000", "--promote-name", "p2"], work, fromEnvironment));
        runs.Add(await CliRunner.RunAsync(["promote", .. api, .. hashes, "--promote-name", "p3", "--user", "intruder"], work, fromEnvironment));
        // Without GraphQL: the fallback's messages and logs.
        dlrn.GraphQlAvailable = false;
        runs.Add(await CliRunner.RunAsync(["publish", "dlrn", .. api, "--repo-url", build.RepoUrl(files.BaseUrl).ToString(), "--central-url", dlrn.ReposUrl], work, fromEnvironment));
        runs.Add(await CliRunner.RunAsync(["publish", "dlrn", .. api, "--repo-url", build.RepoUrl(files.BaseUrl).ToString(), "--password-file", passwordFile], work, fromFile));

        runs.Take(4).Should().AllSatisfy(r => r.ExitCode.Should().Be(0, r.ToString()));
        runs[4].ExitCode.Should().Be(DlrnExitCodes.ServerError, runs[4].ToString());
        runs[5].ExitCode.Should().Be(DlrnExitCodes.RequestRejected, runs[5].ToString());
        runs[6].ExitCode.Should().Be(DlrnExitCodes.AuthenticationFailed, runs[6].ToString());
        runs[7].ExitCode.Should().Be(0, runs[7].ToString());
        runs[8].ExitCode.Should().Be(0, runs[8].ToString());
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{DlrnFixtures.User}:{secret}"));
        foreach (var run in runs)
        {
            run.StandardOutput.Should().NotContain(secret).And.NotContain(encoded);
            run.StandardError.Should().NotContain(secret).And.NotContain(encoded);
        }

        foreach (var file in Directory.EnumerateFiles(temp.Path, "*", SearchOption.AllDirectories).Where(f => f != passwordFile))
        {
            var content = await File.ReadAllTextAsync(file);
            content.Should().NotContain(secret, file).And.NotContain(encoded, file);
        }

        dlrn.Requests.Should().AllSatisfy(r => r.Body.Should().NotContain(secret));
    }

    [Fact]
    public async Task Serve_prints_its_url_serves_files_by_path_and_stops_on_sigterm()
    {
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        using var http = new HttpClient();

        await using var serve = await ServeProcess.StartAsync(build.DataDirectory);
        var yaml = await http.GetStringAsync($"{serve.Url}{build.ShardedDirectory}/commit.yaml");
        using var missing = await http.GetAsync($"{serve.Url}{build.ShardedDirectory}/nope.rpm");
        using var escape = await http.GetAsync($"{serve.Url}..%2F..%2Fetc%2Fpasswd");
        var exit = await serve.StopAsync();

        serve.Url.Should().MatchRegex(@"^http://127\.0\.0\.1:\d+/$");
        yaml.Should().Be(await File.ReadAllTextAsync(Path.Combine(build.Directory, "commit.yaml")));
        missing.StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
        escape.IsSuccessStatusCode.Should().BeFalse();
        exit.Should().Be(0);
    }
}
