using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Dlrn;

/// <summary>The fake enforces the contract of the real server, so a wrong client fails against it.</summary>
public sealed class FakeDlrnServerContractTests : IDisposable
{
    private readonly TempDir temp = new("dlrn-fake");
    private readonly HttpClient http = new();

    public void Dispose()
    {
        http.Dispose();
        temp.Dispose();
    }

    private static HttpRequestMessage Import(string baseUrl, string body, string? contentType = "application/json", string? password = DlrnFixtures.Password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/api/remote/import") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (password is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{DlrnFixtures.User}:{password}")));
        }

        return request;
    }

    [Fact]
    public async Task A_client_without_credentials_gets_401_text_and_a_basic_challenge()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);

        using var response = await http.SendAsync(Import(dlrn.BaseUrl, "{}", password: null));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).Should().Be("Unauthorized Access");
        response.Headers.WwwAuthenticate.ToString().Should().Be("Basic realm=\"Authentication Required\"");
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task A_client_sending_another_content_type_gets_415(string? contentType)
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);

        using var response = await http.SendAsync(Import(dlrn.BaseUrl, "{\"repo_url\":\"http://127.0.0.1/x\"}", contentType));

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await response.Content.ReadAsStringAsync()).Should().Be("{\"message\":\"Unsupported Media Type, use JSON\"}");
    }

    [Theory]
    [InlineData("{}", "'repo_url': 'field required'")]
    [InlineData("{\"repo_url\": \"not a url\"}", "'repo_url': 'invalid or missing URL scheme'")]
    [InlineData("{\"repo_url\": 42}", "'repo_url': 'invalid or missing URL scheme'")]
    [InlineData("{\"repo_url\": \"ftp://127.0.0.1/x\"}", "'repo_url': 'URL scheme not permitted'")]
    [InlineData("[]", "expected dict not list")]
    public async Task A_bad_body_gets_400_with_a_message(string body, string expected)
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);

        using var response = await http.SendAsync(Import(dlrn.BaseUrl, body));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain(expected);
    }

    [Theory]
    [InlineData("commits:\n- bogus_field: \"x\"\n", "'bogus_field' is an invalid keyword argument for Commit")]
    [InlineData("nothing: here\n", "error: 'commits'")]
    [InlineData("commits:\n- commit_hash: \"abcd1234\"\n  distro_hash: \"12345678\"\n  project_name: \"p\"\n  dt_commit: \"1\"\n  dt_distro: \"1\"\n", "int() argument must be")]
    [InlineData("commits:\n- commit_hash: 12345678\n  distro_hash: \"12345678\"\n  project_name: \"p\"\n  dt_commit: \"1\"\n  dt_distro: \"1\"\n  dt_build: \"1\"\n", "unsupported operand type(s) for +")]
    public async Task A_bad_commit_yaml_gets_500_like_the_real_server(string yaml, string expected)
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        temp.Write("build/commit.yaml", yaml);
        await using var files = await DlrnFixtures.StartFilesAsync(temp.Path);

        using var response = await http.SendAsync(Import(dlrn.BaseUrl, $"{{\"repo_url\":\"{files.BaseUrl}/build\"}}"));

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        (await response.Content.ReadAsStringAsync()).Should().Contain("Remote import failed with error: ").And.Contain(expected);
    }

    [Fact]
    public async Task An_artifact_outside_the_commit_directory_gets_500()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        File.WriteAllText(Path.Combine(build.Directory, "commit.yaml"), DlrnFixtures.CommitYaml(
            build.ProjectName, build.CommitHash, build.DistroHash, 1, 1, "SUCCESS", ["repos/elsewhere/python-example-1.0-0.1.el9.noarch.rpm"]));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);

        using var response = await http.SendAsync(Import(dlrn.BaseUrl, $"{{\"repo_url\":\"{build.RepoUrl(files.BaseUrl)}\"}}"));

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        (await response.Content.ReadAsStringAsync()).Should().Contain("No such file or directory");
    }

    [Fact]
    public async Task An_older_or_equal_commit_is_skipped_silently_with_201()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var newer = DlrnFixtures.WriteBuild(temp.Combine("out"), commitHash: "bbbb000000000000000000000000000000000001", dtCommit: 2_000);
        var older = DlrnFixtures.WriteBuild(temp.Combine("out"), commitHash: "aaaa000000000000000000000000000000000002", dtCommit: 1_000);
        await using var files = await DlrnFixtures.StartFilesAsync(newer.DataDirectory);

        using var first = await http.SendAsync(Import(dlrn.BaseUrl, $"{{\"repo_url\":\"{newer.RepoUrl(files.BaseUrl)}\"}}"));
        using var second = await http.SendAsync(Import(dlrn.BaseUrl, $"{{\"repo_url\":\"{older.RepoUrl(files.BaseUrl)}\"}}"));
        using var again = await http.SendAsync(Import(dlrn.BaseUrl, $"{{\"repo_url\":\"{newer.RepoUrl(files.BaseUrl)}\"}}"));

        first.StatusCode.Should().Be(HttpStatusCode.Created);
        second.StatusCode.Should().Be(HttpStatusCode.Created);
        again.StatusCode.Should().Be(HttpStatusCode.Created);
        dlrn.Commits.Should().ContainSingle().Which.CommitHash.Should().Be(newer.CommitHash);
        dlrn.Imports.Select(i => i.Skipped).Should().Equal(false, true, true);
    }

    [Fact]
    public async Task A_missing_rpm_is_recorded_but_the_import_still_answers_201()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        File.Delete(Path.Combine(build.DataDirectory, build.Artifacts[1]));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);

        using var response = await http.SendAsync(Import(dlrn.BaseUrl, $"{{\"repo_url\":\"{build.RepoUrl(files.BaseUrl)}\"}}"));

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        dlrn.Commits.Should().ContainSingle().Which.Status.Should().Be("SUCCESS");
        dlrn.Imports.Should().ContainSingle().Which.MissingArtifacts.Should().Equal(build.Artifacts[1]);
    }

    [Fact]
    public async Task GraphQl_refuses_unknown_fields_and_arguments()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);

        using var field = await http.PostAsync($"{dlrn.BaseUrl}/api/graphql", new StringContent("{\"query\":\"{ commits { commit_hash } }\"}", Encoding.UTF8, "application/json"));
        using var argument = await http.PostAsync($"{dlrn.BaseUrl}/api/graphql", new StringContent("{\"query\":\"{ commits(hash: \\\"x\\\") { commitHash } }\"}", Encoding.UTF8, "application/json"));

        field.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await field.Content.ReadAsStringAsync()).Should().Contain("Cannot query field \\\"commit_hash\\\"");
        argument.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await argument.Content.ReadAsStringAsync()).Should().Contain("Unknown argument");
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task Without_graphql_libraries_the_server_answers_501_missing_libraries(string method)
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.GraphQlAvailable = false;
        using var request = new HttpRequestMessage(new HttpMethod(method), $"{dlrn.BaseUrl}/api/graphql?query=%7B%20commits%20%7B%20commitHash%20%7D%20%7D");
        if (method == "POST")
        {
            request.Content = new StringContent("{\"query\":\"{ commits { commitHash } }\"}", Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.NotImplemented);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await response.Content.ReadAsStringAsync()).Should().Be("{\"message\":\"Missing libraries, /api/graphql endpoint is notavailable\"}");
    }

    [Fact]
    public async Task An_import_writes_commit_yaml_and_the_status_report_under_the_repositories_url()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);

        using var response = await http.SendAsync(Import(dlrn.BaseUrl, $"{{\"repo_url\":\"{build.RepoUrl(files.BaseUrl)}\"}}"));
        var yaml = await http.GetStringAsync($"{dlrn.ReposUrl}/{build.ShardedDirectory["repos/".Length..]}/commit.yaml");
        var report = await http.GetStringAsync($"{dlrn.ReposUrl}/status_report.csv");

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        yaml.Should().StartWith("commits:\n- artifacts: repos/").And.Contain("  dt_commit: '1700000000.0'\n").And.Contain("  id: '1'\n")
            .And.Contain($"  commit_hash: {build.CommitHash}\n").And.Contain("  status: SUCCESS\n").And.Contain("  extended_hash: None\n");
        var commit = CiJobs.Core.Dlrn.DlrnCommit.TryParse(yaml).Should().ContainSingle().Subject;
        commit.CommitHash.Should().Be(build.CommitHash);
        commit.DtCommit.Should().Be(1_700_000_000);
        report.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(
            "Project,Source Sha,Dist Sha,Extended Sha,Component,Status,Timestamp,Packages",
            $"{build.ProjectName},{build.CommitHash},{build.DistroHash},None,None,SUCCESS,1700000500,{string.Join('|', build.Artifacts)}");
    }

    [Fact]
    public async Task Two_imports_of_one_commit_at_the_same_time_both_record_it_like_dlrn()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.ImportProcessingTime = TimeSpan.FromMilliseconds(700);
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        var body = $"{{\"repo_url\":\"{build.RepoUrl(files.BaseUrl)}\"}}";

        var first = http.SendAsync(Import(dlrn.BaseUrl, body));
        await Task.Delay(200);
        using var second = await http.SendAsync(Import(dlrn.BaseUrl, body));
        using var firstAnswer = await first;
        using var third = await http.SendAsync(Import(dlrn.BaseUrl, body));

        firstAnswer.StatusCode.Should().Be(HttpStatusCode.Created);
        second.StatusCode.Should().Be(HttpStatusCode.Created);
        third.StatusCode.Should().Be(HttpStatusCode.Created);
        dlrn.Commits.Should().HaveCount(2, "DLRN checks for a newer commit before it downloads, outside its lock")
            .And.AllSatisfy(c => c.CommitHash.Should().Be(build.CommitHash));
        dlrn.Imports.Select(i => i.Skipped).Should().Equal(false, false, true);
    }

    [Fact]
    public async Task An_import_goes_on_when_the_client_gives_up()
    {
        await using var dlrn = await DlrnFixtures.StartDlrnAsync(temp);
        dlrn.DelayNext(1, TimeSpan.FromSeconds(2), "/api/remote/import");
        var build = DlrnFixtures.WriteBuild(temp.Combine("out"));
        await using var files = await DlrnFixtures.StartFilesAsync(build.DataDirectory);
        using var impatient = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        (await impatient.GetStringAsync($"{dlrn.BaseUrl}/api/health")).Should().Contain("ok");

        var act = () => impatient.SendAsync(Import(dlrn.BaseUrl, $"{{\"repo_url\":\"{build.RepoUrl(files.BaseUrl)}\"}}"));

        await act.Should().ThrowAsync<TaskCanceledException>();
        dlrn.Commits.Should().BeEmpty("the server is still waiting");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (dlrn.Commits.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        dlrn.Commits.Should().ContainSingle().Which.CommitHash.Should().Be(build.CommitHash);
    }
}
