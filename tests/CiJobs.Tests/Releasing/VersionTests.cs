using System.Text;
using System.Text.Json;
using CiJobs.Tests.Support;
using CliWrap;

namespace CiJobs.Tests.Releasing;

/// <summary>
/// The version computation of build/CiJobs.Version.props (docs/releasing.md, "Versions"), run with the real
/// <c>dotnet msbuild</c> and git on temporary repositories.
/// </summary>
public sealed class VersionTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly TempDir temp = new("version");

    public void Dispose() => temp.Dispose();

    private sealed record Computed(int ExitCode, string Output, string? Version, string? AssemblyVersion, string? InformationalVersion);

    private static async Task<Computed> ComputeAsync(string directory, params string[] extra)
    {
        var output = new StringBuilder();
        var result = await global::CliWrap.Cli.Wrap("dotnet")
            .WithArguments([
                "msbuild", Path.Combine(RepoPaths.Root, "build", "CiJobs.Version.props"), "-nologo",
                "-t:CiJobsSetVersion", "-getProperty:CiJobsVersion", "-getProperty:AssemblyVersion", "-getProperty:InformationalVersion",
                $"-p:CiJobsVersionDirectory={directory}", .. extra,
            ])
            .WithWorkingDirectory(directory)
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["GIT_CONFIG_NOSYSTEM"] = "1", ["MSBUILDDISABLENODEREUSE"] = "1" })
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(output))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(output))
            .ExecuteAsync();
        if (result.ExitCode != 0)
        {
            return new Computed(result.ExitCode, output.ToString(), null, null, null);
        }

        using var json = JsonDocument.Parse(output.ToString());
        var properties = json.RootElement.GetProperty("Properties");
        return new Computed(0, output.ToString(), properties.GetProperty("CiJobsVersion").GetString(),
            properties.GetProperty("AssemblyVersion").GetString(), properties.GetProperty("InformationalVersion").GetString());
    }

    private async Task<TestGit> RepositoryAsync(string name, int commits)
    {
        var git = await TestGit.InitAsync(temp.Combine(name));
        for (var i = 0; i < commits; i++)
        {
            await git.CommitAsync($"commit {i}", new Dictionary<string, string> { ["file.txt"] = $"{i}\n" }, Start.AddMinutes(i));
        }

        return git;
    }

    private static async Task<string> Short(TestGit git) => await git.RunAsync("rev-parse", "--short=7", "HEAD");

    [Fact]
    public async Task A_commit_tagged_vX_Y_Z_is_version_X_Y_Z()
    {
        var git = await RepositoryAsync("tagged", 2);
        await git.RunAsync("tag", "v1.2.0");

        var computed = await ComputeAsync(git.Directory);

        computed.Version.Should().Be("1.2.0", computed.Output);
        computed.InformationalVersion.Should().Be("1.2.0");
        computed.AssemblyVersion.Should().Be("1.2.0.0");
    }

    [Fact]
    public async Task Commits_after_a_tag_are_a_dev_version_of_the_next_patch_with_the_distance_and_the_hash()
    {
        var git = await RepositoryAsync("after", 1);
        await git.RunAsync("tag", "--annotate", "-m", "release 2.0.9", "v2.0.9");
        for (var i = 0; i < 3; i++)
        {
            await git.CommitAsync($"later {i}", new Dictionary<string, string> { ["later.txt"] = $"{i}\n" }, Start.AddHours(1 + i));
        }

        var computed = await ComputeAsync(git.Directory);

        computed.Version.Should().Be($"2.0.10-dev.3+{await Short(git)}", computed.Output);
        computed.InformationalVersion.Should().Be(computed.Version);
        computed.AssemblyVersion.Should().Be("2.0.10.0");
    }

    [Fact]
    public async Task Only_plain_vX_Y_Z_tags_count()
    {
        var git = await RepositoryAsync("others", 1);
        await git.RunAsync("tag", "v1.4.2");
        string[] ignored = ["v3.0.0-rc.1", "v3.0.0+build.7", "release-9", "v4", "1.9.9", "v1.5", "v01.2.3", "v1.02.3", "v1.2.03", "v1.2.3.4", "v1.2x.3", "v2.0.0-1-gabcdef0"];
        foreach (var tag in ignored)
        {
            await git.CommitAsync("commit for " + tag, new Dictionary<string, string> { ["tag.txt"] = tag }, Start.AddDays(1));
            await git.RunAsync("tag", tag);
        }

        var computed = await ComputeAsync(git.Directory);

        computed.Version.Should().Be($"1.4.3-dev.{ignored.Length}+{await Short(git)}", computed.Output);
    }

    [Fact]
    public async Task Without_a_tag_or_in_a_shallow_clone_that_misses_it_the_version_is_0_0_0_dev_with_the_hash()
    {
        var untagged = await RepositoryAsync("untagged", 2);
        var tagged = await RepositoryAsync("origin", 1);
        await tagged.RunAsync("tag", "v5.0.0");
        await tagged.CommitAsync("after the tag", new Dictionary<string, string> { ["file.txt"] = "new\n" }, Start.AddDays(2));
        var shallow = new TestGit(temp.Combine("shallow"));
        await tagged.RunAsync("clone", "--quiet", "--depth", "1", "file://" + tagged.Directory, shallow.Directory);

        (await ComputeAsync(untagged.Directory)).Version.Should().Be($"0.0.0-dev+{await Short(untagged)}");
        var computed = await ComputeAsync(shallow.Directory);
        computed.Version.Should().Be($"0.0.0-dev+{await Short(shallow)}", computed.Output);
        computed.AssemblyVersion.Should().Be("0.0.0.0");
    }

    [Fact]
    public async Task Outside_a_git_checkout_the_version_is_0_0_0_dev()
    {
        var plain = temp.Combine("plain");
        Directory.CreateDirectory(plain);

        var computed = await ComputeAsync(plain);

        computed.Version.Should().Be("0.0.0-dev", computed.Output);
    }

    [Fact]
    public async Task An_explicit_CiJobsVersion_wins_and_must_be_SemVer()
    {
        var git = await RepositoryAsync("explicit", 1);
        await git.RunAsync("tag", "v1.0.0");

        (await ComputeAsync(git.Directory, "-p:CiJobsVersion=7.8.9-rc.1+abc")).Version.Should().Be("7.8.9-rc.1+abc");
        var bad = await ComputeAsync(git.Directory, "-p:CiJobsVersion=1.x");
        bad.ExitCode.Should().NotBe(0);
        bad.Output.Should().Contain("CiJobsVersion '1.x' is not a SemVer 2 version");
    }
}
