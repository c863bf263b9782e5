using System.Net;
using System.Text.Json;
using CiJobs.Cli.Serving;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.Truth;
using CiJobs.Tests.Provenance;
using CiJobs.Tests.Support;
using static CiJobs.Tests.Truth.TruthQuerySamples;

namespace CiJobs.Tests.Truth;

/// <summary>The HTTP API and page of <c>truth serve</c> (<see cref="TruthServer"/>) on 127.0.0.1, over a SQLite store.</summary>
public sealed class TruthServerTests : IAsyncLifetime
{
    private readonly TempDir temp = new("truth-serve");
    private SqliteTruthStore? store;
    private TruthServer? server;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        store = await SqliteTruthStore.OpenAsync(temp.Combine("truth.db"), TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
        await store.IngestAsync([Foo, ImageBuild, ContainerBuild, Build("bar", 100), Build("bar", 200, "FAILED")], CancellationToken.None);
        server = TruthServer.Start(new TruthApi(store, await RdoinfoLoader.LoadAsync(RepoPaths.RealRdoinfo)), 0);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await server!.DisposeAsync();
        await store!.DisposeAsync();
        temp.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string pathAndQuery)
    {
        using var response = await http.GetAsync(server!.Url + pathAndQuery.TrimStart('/'));
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task The_server_listens_on_127_0_0_1_and_answers_the_queries_in_snake_case_json()
    {
        server!.Url.Should().StartWith("http://127.0.0.1:");

        var (status, history) = await GetAsync("/api/history?package=bar");
        status.Should().Be(HttpStatusCode.OK);
        history.GetProperty("package").GetString().Should().Be("bar");
        history.GetProperty("builds").EnumerateArray().Select(b => b.GetProperty("dt_build").GetInt64()).Should().Equal(100, 200);
        history.GetProperty("builds")[1].GetProperty("status").GetString().Should().Be("FAILED");
        history.GetProperty("truncated").GetBoolean().Should().BeFalse();

        var (_, inputs) = await GetAsync($"/api/inputs?artifact={Container.Sha256}&depth=2");
        inputs.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("build").GetProperty("package").GetString()).Should().Equal("container", "image");
        inputs.GetProperty("truncated").GetBoolean().Should().BeTrue();

        var (_, built) = await GetAsync($"/api/built-from?input={Foo.Manifest.Inputs.Source.Commit}");
        built.GetProperty("steps").GetArrayLength().Should().Be(3);

        var (_, produced) = await GetAsync("/api/produced?from=1970-01-01T00:00:00Z&to=2500&limit=2");
        produced.GetProperty("builds").EnumerateArray().Select(b => b.GetProperty("dt_build").GetInt64()).Should().Equal(100, 200);
        produced.GetProperty("truncated").GetBoolean().Should().BeTrue();

        var (_, qe) = await GetAsync($"/api/qe?build={Foo.BuildId}");
        qe.GetProperty("state").GetString().Should().Be("none");
        qe.GetProperty("builds")[0].GetString().Should().Be(Foo.BuildId);
    }

    [Theory]
    [InlineData("/api/inputs?artifact=xyz", HttpStatusCode.BadRequest, "64 hex digits")]
    [InlineData("/api/inputs", HttpStatusCode.BadRequest, "'artifact' is required")]
    [InlineData("/api/history?package=bar&package=foo", HttpStatusCode.BadRequest, "given twice")]
    [InlineData("/api/history?package=bar&sql=1", HttpStatusCode.BadRequest, "unknown parameter")]
    [InlineData("/api/history?package=..%2Fetc", HttpStatusCode.BadRequest, "invalid package")]
    [InlineData("/api/history?package=bar&limit=1001", HttpStatusCode.BadRequest, "1 to 1000")]
    [InlineData("/api/produced?from=200&to=100", HttpStatusCode.BadRequest, "must be before")]
    [InlineData("/api/produced?from=yesterday&to=100", HttpStatusCode.BadRequest, "ISO 8601")]
    [InlineData("/api/qe?build=" + "0000000000000000000000000000000000000000000000000000000000000000&aggregate=00000000000000000000000000000000", HttpStatusCode.BadRequest, "exactly one")]
    [InlineData("/api/release?name=no-such-release", HttpStatusCode.NotFound, "unknown release")]
    [InlineData("/api/nothing", HttpStatusCode.NotFound, "no such endpoint")]
    public async Task Bad_requests_get_an_error_in_json(string pathAndQuery, HttpStatusCode expected, string message)
    {
        var (status, body) = await GetAsync(pathAndQuery);
        status.Should().Be(expected);
        body.GetProperty("error").GetString().Should().Contain(message);
    }

    [Fact]
    public async Task The_api_is_read_only()
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, server!.Url + "api/history?package=bar");
        using var response = await http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        (await response.Content.ReadAsStringAsync()).Should().Contain("read-only");
    }

    [Fact]
    public async Task The_page_is_served_with_its_script_and_fetches_nothing_from_elsewhere()
    {
        using var page = await http.GetAsync(server!.Url);
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        page.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("default-src 'none'").And.Contain("connect-src 'self'");
        var html = await page.Content.ReadAsStringAsync();
        html.Should().Contain("release-table").And.Contain("src=\"/truth.js\"");
        var script = await http.GetStringAsync(server.Url + "truth.js");
        script.Should().Contain("/api/release").And.Contain("/api/history");
        foreach (var text in new[] { html, script, await http.GetStringAsync(server.Url + "truth.css") })
        {
            // The SVG namespace is a name, not a fetch; nothing else may name another host.
            text.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal).Should().NotContainAny("http://", "https://", "//cdn", "@import");
        }
    }
}
