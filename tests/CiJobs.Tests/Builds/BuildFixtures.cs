using CiJobs.Tests.Support;
using CliWrap;
using CliWrap.Buffered;

namespace CiJobs.Tests.Builds;

/// <summary>A clock stopped at one instant, so Release strings and dt_build are known.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>The bundled example (examples/setup.sh) created once in a temp folder for a test class.</summary>
public sealed class ExampleReposFixture : IAsyncLifetime
{
    private readonly TempDir temp = new("build-examples");

    public string Work => temp.Combine("work");

    public string Rdoinfo => Path.Combine(Work, "rdoinfo");

    public string Git(string name) => Path.Combine(Work, "git", name);

    public async Task InitializeAsync() => await BuildPaths.RunAsync("bash", [Path.Combine(BuildPaths.RepositoryRoot, "examples", "setup.sh"), Work]);

    public Task DisposeAsync()
    {
        temp.Dispose();
        return Task.CompletedTask;
    }
}

public static class BuildPaths
{
    /// <summary>The checkout holding CiJobs.sln (the tests run from its bin folder).</summary>
    public static string RepositoryRoot => RepoPaths.Root;


    public static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, string? workingDirectory = null)
    {
        var result = await global::CliWrap.Cli.Wrap(program)
            .WithArguments(arguments)
            .WithWorkingDirectory(workingDirectory ?? RepositoryRoot)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.StandardError}{result.StandardOutput}");
        }

        return result.StandardOutput;
    }

    /// <summary>A distgit repository holding one spec (and optional extra files), on branch rpm-main.</summary>
    public static async Task<TestGit> DistgitAsync(string directory, string specName, string spec, IReadOnlyDictionary<string, string>? extra = null)
    {
        var git = await TestGit.InitAsync(directory, "rpm-main");
        var files = new Dictionary<string, string>(extra ?? new Dictionary<string, string>()) { [specName] = spec };
        await git.CommitAsync("Package it", files, new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero));
        return git;
    }

    /// <summary>A noarch spec that installs one file from its source tarball; <paramref name="buildScript"/> goes in %build.</summary>
    public static string Spec(string name, string buildScript = "", string extraHeader = "") => $$"""
        Name:           {{name}}
        Version:        9.9.9
        Release:        1%{?dist}
        Summary:        Test package {{name}}
        License:        MIT
        Source0:        https://example.org/{{name}}.tar.gz
        BuildArch:      noarch
        {{extraHeader}}

        %description
        Test package.

        %prep
        %autosetup -n %{name}-%{upstream_version}

        %build
        {{buildScript}}

        %install
        install -D -m 0644 hello.txt %{buildroot}%{_datadir}/{{name}}/hello.txt

        %files
        %{_datadir}/{{name}}/hello.txt

        %changelog
        * Mon Nov 02 2026 Someone <someone@example.org> - 9.9.9-1
        - Old entry
        """;
}
