using CiJobs.Core.Git;
using CiJobs.Core.Platform;
using CiJobs.Core.SourceGit;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.SourceGit;

/// <summary>
/// Real repositories for conversion tests: an upstream history tagged v1.0, a dist-git with spec,
/// sources and .gitignore, and a source-git = upstream + "Initialize as a source-git repository"
/// (carrying From-dist-git-commit) + downstream commits added by each test.
/// </summary>
public sealed class SourceGitFixture : IAsyncDisposable
{
    public const string Spec = """
        Name:           hello
        Version:        1.0
        Release:        1%{?dist}
        Summary:        Says hello
        License:        MIT
        Source0:        hello-1.0.tar.gz

        %description
        Says hello.

        %prep
        %autosetup -p1

        %build
        make

        %changelog
        * Mon Nov 23 2026 Test Author <author@example.org> - 1.0-1
        - First release

        """;

    public const string DefaultConfig = """
        upstream_project_url: https://example.org/hello.git
        upstream_ref: v1.0
        downstream_package_name: hello
        specfile_path: .distro/hello.spec
        patch_generation_ignore_paths:
        - .distro
        files_to_sync:
        - src: .distro/
          dest: .
          delete: true
          filters:
          - protect .git*
          - protect sources
          - exclude source-git.yaml
          - exclude .gitignore

        """;

    private static readonly DateTimeOffset Start = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDir temp = new();
    private int tick;

    private SourceGitFixture()
    {
        Converter = new SourceGitConverter(new GitCli(new CliWrapProcessRunner()));
    }

    public SourceGitConverter Converter { get; }

    public TestGit Src { get; private set; } = null!;

    public TestGit Dist { get; private set; } = null!;

    public string DistInitial { get; private set; } = null!;

    public string UpstreamTag { get; private set; } = null!;

    public static async Task<SourceGitFixture> CreateAsync(string config = DefaultConfig)
    {
        var fixture = new SourceGitFixture();
        await fixture.InitAsync(config);
        return fixture;
    }

    private async Task InitAsync(string config)
    {
        Dist = await TestGit.InitAsync(Path.Combine(temp.Path, "dist"), "c9s");
        DistInitial = await Dist.CommitAsync("Initial import of hello 1.0", new Dictionary<string, string>
        {
            ["hello.spec"] = Spec,
            ["sources"] = "SHA512 (hello-1.0.tar.gz) = 1234\n",
            [".gitignore"] = "/hello-1.0.tar.gz\n",
            ["tests/tests.yml"] = "- hosts: localhost\n",
        }, NextDate());

        Src = await TestGit.InitAsync(Path.Combine(temp.Path, "src"), "c9s");
        await Src.CommitAsync("Upstream: start", new Dictionary<string, string>
        {
            ["README"] = "Hello\n",
            ["src/hello.c"] = "int main(void)\n{\n    return 0;\n}\n",
            [".gitignore"] = "*.spec\nMakefile\n",
        }, NextDate());
        await Src.CommitAsync("Upstream: add Makefile", new Dictionary<string, string> { ["Makefile.in"] = "all:\n\tcc -o hello src/hello.c\n" }, NextDate());
        await Src.RunAsync("tag", "v1.0");
        UpstreamTag = await Src.RunAsync("rev-parse", "v1.0");
        await Src.CommitAsync($"Initialize as a source-git repository\n\n{SourceGitConverter.FromDistGitCommit}: {DistInitial}", new Dictionary<string, string>
        {
            [".distro/hello.spec"] = Spec,
            [".distro/source-git.yaml"] = config,
            [".distro/.gitignore"] = "# Reset gitignore rules\n!*\n",
            [".distro/tests/tests.yml"] = "- hosts: localhost\n",
        }, NextDate());
    }

    public DateTimeOffset NextDate() => Start.AddMinutes(++tick);

    public Task<string> CommitSrcAsync(string message, IReadOnlyDictionary<string, string> files) => Src.CommitAsync(message, files, NextDate());

    public Task<string> CommitDistAsync(string message, IReadOnlyDictionary<string, string> files) => Dist.CommitAsync(message, files, NextDate());

    public string SrcPath(string relative) => Path.Combine(Src.Directory, relative);

    public string DistPath(string relative) => Path.Combine(Dist.Directory, relative);

    public Task<string> DistFileAsync(string relative) => File.ReadAllTextAsync(DistPath(relative));

    public Task<UpdateDistGitResult> UpdateDistGitAsync(UpdateDistGitOptions? options = null) =>
        Converter.UpdateDistGitAsync(Src.Directory, Dist.Directory, options ?? new UpdateDistGitOptions(), CancellationToken.None);

    public Task<UpdateSourceGitResult> UpdateSourceGitAsync(UpdateSourceGitOptions? options = null) =>
        Converter.UpdateSourceGitAsync(Dist.Directory, Src.Directory, options ?? new UpdateSourceGitOptions(), CancellationToken.None);

    public Task<SyncStatus> StatusAsync() => Converter.GetStatusAsync(Src.Directory, Dist.Directory, CancellationToken.None);

    public async Task<int> CountDistCommitsAsync() => int.Parse(await Dist.RunAsync("rev-list", "--count", "HEAD"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A typical downstream series: plain fix, renamed patch with status, ignored commit, .distro-only change.</summary>
    public async Task<DownstreamSeries> AddTypicalDownstreamAsync()
    {
        var fix = await CommitSrcAsync("Fix the exit code\n\nmain returned 0 even on errors.", new Dictionary<string, string>
        {
            ["src/hello.c"] = "int main(void)\n{\n    return 1;\n}\n",
        });
        await Src.RunAsync("mv", "README", "README.md");
        var rename = await CommitSrcAsync(
            "Rename README\n\nPatch-name: rename-readme.patch\nPatch-status: |\n    # Not upstream yet\n    # https://example.org/issue/1",
            new Dictionary<string, string>());
        var ignored = await CommitSrcAsync("Local debugging aid\n\nIgnore-patch: true", new Dictionary<string, string> { ["debug.txt"] = "debug\n" });
        var distro = await CommitSrcAsync("Bump release", new Dictionary<string, string>
        {
            [".distro/hello.spec"] = Spec.Replace("Release:        1%{?dist}", "Release:        2%{?dist}", StringComparison.Ordinal),
        });
        return new DownstreamSeries(fix, rename, ignored, distro);
    }

    public async ValueTask DisposeAsync()
    {
        temp.Dispose();
        await Task.CompletedTask;
    }
}

public sealed record DownstreamSeries(string Fix, string Rename, string Ignored, string DistroOnly);
