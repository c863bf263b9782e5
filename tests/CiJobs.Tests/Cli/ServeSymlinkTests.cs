using System.Net;
using CiJobs.Tests.Dlrn;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Cli;

/// <summary><c>cijobs serve</c> and symbolic links (docs/security.md): links inside the folder work, links out of it do not.</summary>
[Trait("Runs", "cijobs")]
public sealed class ServeSymlinkTests : IDisposable
{
    private readonly TempDir temp = new("serve-links");

    [Fact]
    public async Task Links_inside_the_served_folder_are_followed_and_links_out_of_it_are_refused()
    {
        // A DLRN-like tree: builds under repos/<h0h1>/<h2h3>/, 'current' and a sibling reached by relative links.
        var root = temp.Combine("data");
        temp.Write("data/repos/ab/cd/abcd_1234/pkg-1.0.rpm", "rpm bytes");
        temp.Write("data/repos/ef/01/ef01_5678/pkg-1.1.rpm", "newer rpm");
        temp.Write("outside/secret.txt", "secret");
        File.CreateSymbolicLink(temp.Combine("data/repos/current"), "ab/cd/abcd_1234");
        File.CreateSymbolicLink(temp.Combine("data/repos/ab/cd/sibling"), "../../ef/01/ef01_5678");
        File.CreateSymbolicLink(temp.Combine("data/repos/latest.rpm"), "current/pkg-1.0.rpm");
        File.CreateSymbolicLink(temp.Combine("data/escape"), "../outside");
        File.CreateSymbolicLink(temp.Combine("data/secret.txt"), temp.Combine("outside/secret.txt"));
        File.CreateSymbolicLink(temp.Combine("data/etc"), "/etc");
        File.CreateSymbolicLink(temp.Combine("data/loop-a"), "loop-b");
        File.CreateSymbolicLink(temp.Combine("data/loop-b"), "loop-a");
        File.CreateSymbolicLink(temp.Combine("data/dangling"), "nowhere");
        // Served through a link to the folder, as from a linked /tmp or home: its own links still count as inside.
        File.CreateSymbolicLink(temp.Combine("served"), root);
        await using var serve = await ServeProcess.StartAsync(temp.Combine("served"));
        using var http = new HttpClient();

        async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
        {
            using var response = await http.GetAsync(serve.Url + path);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        (await GetAsync("repos/current/pkg-1.0.rpm")).Should().Be((HttpStatusCode.OK, "rpm bytes"));
        (await GetAsync("repos/ab/cd/sibling/pkg-1.1.rpm")).Should().Be((HttpStatusCode.OK, "newer rpm"));
        (await GetAsync("repos/latest.rpm")).Should().Be((HttpStatusCode.OK, "rpm bytes"));
        (await GetAsync("escape/secret.txt")).Status.Should().Be(HttpStatusCode.Forbidden);
        (await GetAsync("secret.txt")).Status.Should().Be(HttpStatusCode.Forbidden);
        (await GetAsync("etc/passwd")).Status.Should().Be(HttpStatusCode.Forbidden);
        (await GetAsync("loop-a")).Status.Should().Be(HttpStatusCode.NotFound);
        (await GetAsync("dangling")).Status.Should().Be(HttpStatusCode.NotFound);
        (await GetAsync("repos/%2e%2e/%2e%2e/outside/secret.txt")).Status.Should().Be(HttpStatusCode.NotFound);
        (await GetAsync("repos%00/x")).Status.Should().Be(HttpStatusCode.NotFound);
        (await serve.StopAsync()).Should().Be(0);
    }

    public void Dispose() => temp.Dispose();
}
