using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CiJobs.Tests.JobLibrary;
using CiJobs.Tests.Support;
using CliWrap;

namespace CiJobs.Tests.Releasing;

/// <summary>Runs .ci/release once on the Native AOT build under test (CIJOBS_TEST_CLI), for the tests that read its artifacts.</summary>
public sealed class ReleaseFixture : IAsyncLifetime
{
    private readonly TempDir temp = new("release");

    public string Out => temp.Combine("dist");

    public ReleaseScriptRun? Run { get; private set; }

    public async Task InitializeAsync()
    {
        if (CliRunner.NativeCli is not null)
        {
            Run = await ReleaseScriptRun.RunAsync(Out, Path.GetDirectoryName(CliRunner.NativeCli)!);
        }
    }

    public Task DisposeAsync()
    {
        temp.Dispose();
        return Task.CompletedTask;
    }
}

public sealed record ReleaseScriptRun(int ExitCode, string Output)
{
    public static async Task<ReleaseScriptRun> RunAsync(string output, string native, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var text = new StringBuilder();
        var env = new Dictionary<string, string?> { ["CIJOBS_RELEASE_NATIVE"] = native, ["CI_COMMIT_TAG"] = null, ["GIT_CONFIG_NOSYSTEM"] = "1" };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }

        var result = await global::CliWrap.Cli.Wrap("bash")
            .WithArguments([Path.Combine(RepoPaths.Root, ".ci", "release"), output])
            .WithWorkingDirectory(RepoPaths.Root)
            .WithEnvironmentVariables(env)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(text))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(text))
            .ExecuteAsync();
        return new ReleaseScriptRun(result.ExitCode, text.ToString());
    }
}

/// <summary>
/// The release artifacts of .ci/release (docs/releasing.md): the native tarball and its SHA-256, the RPM that
/// <c>cijobs build</c> makes from packaging/rpm/cijobs.spec, the dotnet tool package; and the script's refusals.
/// </summary>
[Trait("Runs", "cijobs")]
public sealed partial class ReleaseArtifactTests(ReleaseFixture fixture) : IClassFixture<ReleaseFixture>
{
    private static string Version => EnsureCijobsFixture.Version;

    private static string RpmVersion => Version.Split('+')[0].Replace('-', '~');

    private static string Commit7 => Version.Contains('+', StringComparison.Ordinal) ? Version.Split('+')[1][..7] : "";

    private string Artifact(string name) => Path.Combine(fixture.Out, name);

    private void ShouldHaveRun() => fixture.Run!.ExitCode.Should().Be(0, fixture.Run.Output);

    private static async Task<string> RunAsync(string program, string[] arguments, string? workingDirectory = null)
    {
        var output = new StringBuilder();
        var result = await global::CliWrap.Cli.Wrap(program).WithArguments(arguments).WithWorkingDirectory(workingDirectory ?? RepoPaths.Root)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(output))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(output))
            .ExecuteAsync();
        result.ExitCode.Should().Be(0, $"{program} {string.Join(' ', arguments)}: {output}");
        return output.ToString();
    }

    [NativeFact]
    public async Task The_tarball_holds_the_native_binary_and_its_libgit2_and_its_sha256_file_matches()
    {
        ShouldHaveRun();
        var name = $"cijobs-{Version}-linux-x64";
        var tarball = Artifact(name + ".tar.gz");

        var listing = (await RunAsync("tar", ["-tzf", tarball])).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal);
        var native = Path.GetDirectoryName(CliRunner.NativeCli)!;
        var library = Path.GetFileName(Directory.GetFiles(native, "libgit2-*.so").Single());
        listing.Should().Equal(new[] { "", "CHANGELOG.md", "LICENSE", "README.md", "cijobs", library, "libe_sqlite3.so" }.Order(StringComparer.Ordinal).Select(f => $"{name}/{f}"));

        (await File.ReadAllTextAsync(tarball + ".sha256")).Should().Be($"{await EnsureCijobsFixture.Sha256Async(tarball)}  {name}.tar.gz\n");
        await RunAsync("sha256sum", ["--check", "--strict", name + ".tar.gz.sha256"], fixture.Out);

        using var unpacked = new TempDir("unpacked");
        await RunAsync("tar", ["-xzf", tarball, "-C", unpacked.Path]);
        (await File.ReadAllBytesAsync(unpacked.Combine(name, "cijobs"))).Should().Equal(await File.ReadAllBytesAsync(CliRunner.NativeCli!));
        (await File.ReadAllBytesAsync(unpacked.Combine(name, library))).Should().Equal(await File.ReadAllBytesAsync(Path.Combine(native, library)));
        (await RunAsync(unpacked.Combine(name, "cijobs"), ["--version"])).Should().Be(Version + "\n");
    }

    [NativeFact]
    public async Task The_RPM_built_by_cijobs_build_has_the_version_of_the_build_and_the_native_files()
    {
        ShouldHaveRun();
        var rpm = Directory.GetFiles(fixture.Out, "*.x86_64.rpm").Should().ContainSingle().Subject;

        var nvra = (await RunAsync("rpm", ["-qp", "--queryformat", "%{NAME}|%{VERSION}|%{RELEASE}|%{ARCH}|%{LICENSE}", rpm])).Split('|');
        nvra[0].Should().Be("cijobs");
        nvra[1].Should().Be(RpmVersion);
        nvra[2].Should().MatchRegex($@"^0\.[0-9]{{14}}\.{(Commit7.Length > 0 ? Commit7 : "[0-9a-f]{7}")}\.el9$", "cijobs build's release: 0.<UTC build time>.<source commit>%{dist}");
        nvra[3].Should().Be("x86_64");
        nvra[4].Should().Be("Apache-2.0");
        Path.GetFileName(rpm).Should().Be($"cijobs-{RpmVersion}-{nvra[2]}.x86_64.rpm");
        File.Exists(Artifact($"cijobs-{RpmVersion}-{nvra[2]}.src.rpm")).Should().BeTrue();

        var library = Path.GetFileName(Directory.GetFiles(Path.GetDirectoryName(CliRunner.NativeCli)!, "libgit2-*.so").Single());
        var files = (await RunAsync("rpm", ["-qlp", rpm])).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        files.Should().Equal(
            "/usr/bin/cijobs",
            "/usr/lib64/cijobs",
            "/usr/lib64/cijobs/cijobs",
            "/usr/lib64/cijobs/libe_sqlite3.so",
            $"/usr/lib64/cijobs/{library}",
            $"/usr/share/doc/cijobs-{RpmVersion}",
            $"/usr/share/doc/cijobs-{RpmVersion}/CHANGELOG.md",
            $"/usr/share/doc/cijobs-{RpmVersion}/README.md",
            $"/usr/share/licenses/cijobs-{RpmVersion}",
            $"/usr/share/licenses/cijobs-{RpmVersion}/LICENSE");
        (await RunAsync("rpm", ["-qp", "--provides", rpm])).Should().NotContain("libgit2", "the private libgit2 is not offered to the system");

        using var root = new TempDir("rpmroot");
        await RunAsync("sh", ["-c", $"rpm2cpio '{rpm}' | cpio -idm --quiet"], root.Path);
        new FileInfo(root.Combine("usr", "bin", "cijobs")).LinkTarget.Should().Be("../lib64/cijobs/cijobs");
        (await File.ReadAllBytesAsync(root.Combine("usr", "lib64", "cijobs", "cijobs"))).Should().Equal(await File.ReadAllBytesAsync(CliRunner.NativeCli!));
        (await RunAsync(root.Combine("usr", "bin", "cijobs"), ["--version"])).Should().Be(Version + "\n");
    }

    [NativeFact]
    public async Task The_dotnet_tool_package_installs_a_cijobs_command_of_the_same_version()
    {
        ShouldHaveRun();
        var packageVersion = Version.Split('+')[0];
        var nupkg = Artifact($"cijobs.{packageVersion}.nupkg");

        using (var zip = ZipFile.OpenRead(nupkg))
        {
            zip.GetEntry("tools/net10.0/any/cijobs.dll").Should().NotBeNull();
            using var settings = zip.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open();
            var command = XDocument.Load(settings).Descendants("Command").Single();
            command.Attribute("Name")!.Value.Should().Be("cijobs");
            command.Attribute("EntryPoint")!.Value.Should().Be("cijobs.dll");
            using var nuspec = zip.GetEntry("cijobs.nuspec")!.Open();
            var metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            metadata.Elements().Single(e => e.Name.LocalName == "version").Value.Should().Be(Version);
            metadata.Elements().Single(e => e.Name.LocalName == "packageTypes").Elements().Single().Attribute("name")!.Value.Should().Be("DotnetTool");
        }

        // Installed from the release folder alone (no other package source), then run.
        using var tool = new TempDir("tool");
        var config = tool.Write("nuget.config", $"<configuration><packageSources><clear /><add key=\"release\" value=\"{fixture.Out}\" /></packageSources></configuration>\n");
        await RunAsync("dotnet", ["tool", "install", "cijobs", "--version", packageVersion, "--tool-path", tool.Combine("bin"), "--configfile", config]);
        (await RunAsync(tool.Combine("bin", "cijobs"), ["--version"])).Should().Be(Version + "\n");
    }

    [NativeFact]
    public async Task SHA256SUMS_lists_every_artifact()
    {
        ShouldHaveRun();
        var sums = (await File.ReadAllLinesAsync(Artifact("SHA256SUMS"))).Select(l => l.Split("  ", 2)).ToDictionary(p => p[1], p => p[0]);

        sums.Keys.Should().BeEquivalentTo(Directory.GetFiles(fixture.Out).Select(Path.GetFileName).Where(f => f != "SHA256SUMS"));
        foreach (var (file, sum) in sums)
        {
            (await EnsureCijobsFixture.Sha256Async(Artifact(file))).Should().Be(sum, file);
        }
    }

    [GeneratedRegex("^release: error: ", RegexOptions.Multiline)]
    private static partial Regex ReleaseError();

    [Fact]
    public async Task A_native_build_of_another_commit_is_refused_and_nothing_is_written()
    {
        using var temp = new TempDir("stale");
        var native = temp.Combine("native");
        Directory.CreateDirectory(native);
        var program = temp.Write("native/cijobs", "#!/bin/sh\necho 9.9.9\n");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        temp.Write("native/libgit2-0000000.so", "library\n");

        var run = await ReleaseScriptRun.RunAsync(temp.Combine("dist"), native);

        run.ExitCode.Should().NotBe(0);
        ReleaseError().IsMatch(run.Output).Should().BeTrue(run.Output);
        run.Output.Should().Contain($"the native build says 9.9.9 but the Release build ({"tools/CiJobs.Cli/bin/Release/net10.0/cijobs.dll"}) says {Version}");
        EnsureCijobsFixture.Entries(temp.Path).Should().Equal("native", "native/cijobs", "native/libgit2-0000000.so");
    }

    [Fact]
    public async Task A_tag_pipeline_whose_build_is_not_that_tag_is_refused()
    {
        using var temp = new TempDir("tag");
        var program = temp.Write("native/cijobs", $"#!/bin/sh\nexec {CliRunner.CommandLine} \"$@\"\n");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        temp.Write("native/libgit2-0000000.so", "library\n");

        var run = await ReleaseScriptRun.RunAsync(temp.Combine("dist"), temp.Combine("native"), new Dictionary<string, string?> { ["CI_COMMIT_TAG"] = "v98.76.54" });

        run.ExitCode.Should().NotBe(0);
        run.Output.Should().Contain($"release: error: the pipeline is for tag v98.76.54 but the build says {Version}");
        Directory.Exists(temp.Combine("dist")).Should().BeFalse();
    }

    [Fact]
    public async Task Without_a_native_build_the_script_says_how_to_make_one()
    {
        using var temp = new TempDir("nonative");

        var run = await ReleaseScriptRun.RunAsync(temp.Combine("dist"), temp.Combine("missing"));

        run.ExitCode.Should().NotBe(0);
        run.Output.Should().Contain("release: error: no native build in").And.Contain("-p:PublishAot=true");
    }
}
