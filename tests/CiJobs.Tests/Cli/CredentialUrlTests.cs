using System.CommandLine;
using CiJobs.Core;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Cli;

/// <summary>
/// Credentials in URLs (docs/security.md): every URL option of every verb, URL-valued variables and webhook payloads
/// refuse user information with one exit code, and the token reaches neither stdout nor stderr.
/// </summary>
[Trait("Runs", "cijobs")]
public sealed class CredentialUrlTests : IDisposable
{
    private const string Token = "glpat-Tok3nInAUrl-5c1e9";
    private readonly TempDir temp = new("credurl");

    [Fact]
    public async Task Every_url_option_of_every_verb_refuses_credentials_with_46_and_never_prints_them()
    {
        var runs = new List<(string What, string[] Arguments)>();
        foreach (var (path, command) in CommandTree.Leaves())
        {
            foreach (var option in command.Options.Where(o => o.Name.EndsWith("url", StringComparison.Ordinal)))
            {
                runs.Add(($"{string.Join(' ', path)} {option.Name}", [.. path, .. CommandTree.Required(command, option), option.Name, $"https://oauth2:{Token}@127.0.0.1:9/x/"]));
            }
        }

        // Not only options named *-url: anything given as a URL, such as build's clone URLs.
        runs.Add(("build --source", ["build", "--rdoinfo", ".", "--package", "p", "--output", ".", "--source", $"https://{Token}@github.com/o/r.git"]));
        runs.Add(("build --distgit", ["build", "--rdoinfo", ".", "--package", "p", "--output", ".", "--distgit", $"ssh://git:{Token}@review.example.org/r.git"]));
        runs.Select(r => r.What).Should().Contain(
            ["mr sync --server-url", "mr sync --dist-git-server-url", "mr status --pipeline-url", "publish dlrn --api-url", "publish dlrn --repo-url",
             "publish dlrn --central-url", "report --url", "promote --api-url", "zuul-config propose --api-url", "build --baseurl"]);

        var results = await RunAllAsync(runs.Select(r => (IReadOnlyList<string>)r.Arguments));

        foreach (var ((what, _), result) in runs.Zip(results))
        {
            result.ExitCode.Should().Be(ExitCodes.CredentialsInUrl, $"{what}: {result}");
            result.StandardError.Should().Contain("must not carry credentials", what);
            (result.StandardOutput + result.StandardError).Should().NotContain(Token, what);
        }
    }

    [Fact]
    public async Task Urls_from_variables_and_webhook_payloads_are_checked_the_same_way()
    {
        var payload = temp.Write("hook.json", $$$"""
            {"object_kind":"merge_request","project":{"path_with_namespace":"src/hello","web_url":"https://bot:{{{Token}}}@gitlab.example.org/src/hello"},
             "object_attributes":{"iid":3}}
            """);
        var tokenEnvironment = new Dictionary<string, string?> { ["CIJOBS_SOURCE_GIT_TOKEN"] = "other-token", ["CIJOBS_DIST_GIT_PROJECT"] = "rpms/hello" };
        var runs = new[]
        {
            CliRunner.RunAsync(["mr", "sync", "--event-file", payload], environment: tokenEnvironment),
            CliRunner.RunAsync(
                ["mr", "sync", "--mr", "3", "--source-git-project", "src/hello"],
                environment: new Dictionary<string, string?>(tokenEnvironment) { ["CI_SERVER_URL"] = $"https://x:{Token}@gitlab.example.org" }),
            CliRunner.RunAsync(
                ["mr", "status", "--mr", "3", "--dist-git-project", "rpms/hello", "--server-url", "http://127.0.0.1:9", "--pipeline-status", "success"],
                environment: new Dictionary<string, string?>(tokenEnvironment) { ["CI_PIPELINE_URL"] = $"https://{Token}@gitlab.example.org/p/-/pipelines/1" }),
        };

        var results = await Task.WhenAll(runs);

        foreach (var result in results)
        {
            result.ExitCode.Should().Be(ExitCodes.CredentialsInUrl, result.ToString());
            (result.StandardOutput + result.StandardError).Should().NotContain(Token);
        }
    }

    [Fact]
    public async Task A_url_with_credentials_the_parser_does_not_understand_is_masked_in_its_error()
    {
        var result = await CliRunner.RunAsync("mr", "sync", $"https://oauth2:{Token}@gitlab.example.org");

        result.ExitCode.Should().Be(1, result.ToString());
        result.StandardError.Should().Contain("https://***@gitlab.example.org");
        (result.StandardOutput + result.StandardError).Should().NotContain(Token);
    }

    public void Dispose() => temp.Dispose();

    /// <summary>Four processes at a time.</summary>
    private static async Task<CliResult[]> RunAllAsync(IEnumerable<IReadOnlyList<string>> commandLines)
    {
        using var slots = new SemaphoreSlim(4);
        return await Task.WhenAll(commandLines.Select(async arguments =>
        {
            await slots.WaitAsync();
            try
            {
                return await CliRunner.RunAsync(arguments);
            }
            finally
            {
                slots.Release();
            }
        }));
    }
}
