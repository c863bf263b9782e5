using CiJobs.Cli.Serving;
using CiJobs.Core.InstallTest;
using CiJobs.Core.Platform;
using CiJobs.Tests.Builds;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.InstallTest;

/// <summary>A fact that needs root (chroot, mount, mknod): skipped, with the reason, otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root: the install-test root target uses chroot and mount (CI runs as root)";
        }
    }
}

/// <summary>
/// Tiny .deb and .rpm packages built with the real dpkg-deb and rpmbuild, an APT repository (apt-ftparchive, dists/ layout)
/// and an RPM repository (createrepo_c) of them served on 127.0.0.1, a distgit with tests/smoke.sh, and the root cache
/// shared by the whole test run (CIJOBS_TEST_ROOT_CACHE, else $TMPDIR/cijobs-test-roots).
/// </summary>
public sealed class InstallTestFixture : IAsyncLifetime
{
    public const string Codename = "cijobs-test";

    /// <summary>Answers --version.</summary>
    public const string Good = "example-good";

    /// <summary>Its command answers neither --version nor --help: a warning, not a failure.</summary>
    public const string Quiet = "example-quiet";

    /// <summary>Its postinst / %post exits 1.</summary>
    public const string BadPost = "example-badpost";

    /// <summary>tests/smoke.sh exits 3 for it.</summary>
    public const string BadSmoke = "example-badsmoke";

    /// <summary>Its postinst / %post writes /etc/leftover, which no package owns.</summary>
    public const string Leftover = "example-leftover";

    private readonly TempDir temp = new("install-test");
    private ResultDirectoryServer? server;

    public static string RootCacheDirectory =>
        Environment.GetEnvironmentVariable("CIJOBS_TEST_ROOT_CACHE") is { Length: > 0 } shared ? shared : Path.Combine(Path.GetTempPath(), "cijobs-test-roots");

    public string DebRepoUrl => server!.Url + "deb";

    public string RpmRepoUrl => server!.Url + "rpm";

    public string SmokeDirectory => temp.Combine("distgit");

    public async Task InitializeAsync()
    {
        temp.Write("distgit/tests/smoke.sh", """
            #!/bin/sh
            # $1 and CIJOBS_PACKAGE name the package; the package's command must be on PATH.
            [ "$1" = "$CIJOBS_PACKAGE" ] || exit 4
            case "$1" in example-badsmoke) exit 3 ;; esac
            command -v "$1" >/dev/null || exit 5
            [ -f tests/data.txt ] || exit 6
            """);
        temp.Write("distgit/tests/data.txt", "the smoke script runs from a copy of the distgit's tests/\n");
        if (Environment.IsPrivilegedProcess)
        {
            await BuildDebRepositoryAsync();
            await BuildRpmRepositoryAsync();
        }

        server = ResultDirectoryServer.Start(temp.Combine("www"), 0);
    }

    private static string Command(string name, bool answers) => answers
        ? $"#!/bin/sh\ncase \"$1\" in --version) echo '{name} 1.0' ;; *) echo usage ;; esac\n"
        : "#!/bin/sh\necho 'no options here' >&2\nexit 2\n";

    private async Task BuildDebRepositoryAsync()
    {
        var pool = temp.Combine("www", "deb", "pool");
        Directory.CreateDirectory(pool);
        foreach (var name in new[] { Good, Quiet, BadPost, BadSmoke, Leftover })
        {
            var tree = temp.Combine("debs", name);
            temp.Write($"debs/{name}/DEBIAN/control", $"Package: {name}\nVersion: 1.0-1\nArchitecture: all\nMaintainer: CiJobs tests <tests@example.org>\nDescription: install-test fixture\n");
            temp.Write($"debs/{name}/usr/bin/{name}", Command(name, name != Quiet));
            File.SetUnixFileMode(temp.Combine("debs", name, "usr", "bin", name), (UnixFileMode)0b111_101_101);
            temp.Write($"debs/{name}/usr/share/doc/{name}/README", "fixture\n");
            var script = name switch
            {
                BadPost => "#!/bin/sh\nexit 1\n",
                Leftover => "#!/bin/sh\necho made by postinst > /etc/leftover\n",
                _ => null,
            };
            if (script is not null)
            {
                File.SetUnixFileMode(temp.Write($"debs/{name}/DEBIAN/postinst", script), (UnixFileMode)0b111_101_101);
            }

            await BuildPaths.RunAsync("dpkg-deb", ["--root-owner-group", "--build", tree, Path.Combine(pool, $"{name}_1.0-1_all.deb")]);
        }

        // dists/<codename>/main/binary-amd64/Packages and a Release listing it, as apt-get update reads them.
        var www = temp.Combine("www", "deb");
        var binary = Path.Combine(www, "dists", Codename, "main", "binary-amd64");
        Directory.CreateDirectory(binary);
        await File.WriteAllTextAsync(Path.Combine(binary, "Packages"), await BuildPaths.RunAsync("apt-ftparchive", ["packages", "pool"], www));
        var release = await BuildPaths.RunAsync(
            "apt-ftparchive",
            ["-o", $"APT::FTPArchive::Release::Codename={Codename}", "-o", "APT::FTPArchive::Release::Components=main", "-o", "APT::FTPArchive::Release::Architectures=amd64 all", "release", "."],
            Path.Combine(www, "dists", Codename));
        await File.WriteAllTextAsync(Path.Combine(www, "dists", Codename, "Release"), release);
    }

    private async Task BuildRpmRepositoryAsync()
    {
        var repo = temp.Combine("www", "rpm");
        Directory.CreateDirectory(repo);
        foreach (var name in new[] { Good, Quiet, BadPost, BadSmoke, Leftover })
        {
            var post = name switch
            {
                BadPost => "%post\nexit 1\n",
                Leftover => "%post\necho made by post > /etc/leftover\n",
                _ => string.Empty,
            };
            var spec = temp.Write(
                $"specs/{name}.spec",
                string.Join(
                    "\n",
                    $"Name: {name}",
                    "Version: 1.0",
                    "Release: 1",
                    "Summary: install-test fixture",
                    "License: MIT",
                    "BuildArch: noarch",
                    "%description",
                    "install-test fixture",
                    "%install",
                    "mkdir -p %{buildroot}/usr/bin",
                    $"cat > %{{buildroot}}/usr/bin/{name} <<'EOF'",
                    Command(name, name != Quiet).TrimEnd('\n'),
                    "EOF",
                    $"chmod 755 %{{buildroot}}/usr/bin/{name}",
                    post,
                    "%files",
                    $"/usr/bin/{name}",
                    string.Empty));
            await BuildPaths.RunAsync("rpmbuild", ["--define", "_topdir " + temp.Combine("rpmbuild"), "--quiet", "-bb", spec]);
        }

        foreach (var rpm in Directory.EnumerateFiles(temp.Combine("rpmbuild", "RPMS"), "*.rpm", SearchOption.AllDirectories))
        {
            File.Copy(rpm, Path.Combine(repo, Path.GetFileName(rpm)));
        }

        await BuildPaths.RunAsync("createrepo_c", ["--quiet", repo]);
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        temp.Dispose();
    }
}

/// <summary>Hands out the real systems and remembers their roots, so a test can check they were unmounted and deleted.</summary>
internal sealed class RecordingFactory(ITestSystemFactory inner, Action? created = null) : ITestSystemFactory
{
    private readonly List<string> roots = [];

    public IReadOnlyList<string> Roots => roots;

    public async Task<ITestSystem> CreateAsync(CancellationToken cancellationToken)
    {
        var system = await inner.CreateAsync(cancellationToken);
        roots.Add(system.Root);
        created?.Invoke();
        return system;
    }
}

internal static class InstallTestSetup
{
    public static (InstallTestRunner Runner, RecordingFactory Systems) Deb(InstallTestFixture fixture, Action? created = null)
    {
        var runner = new CliWrapProcessRunner();
        var systems = new RecordingFactory(new DebianRootFactory(runner, new RootCache(runner, InstallTestFixture.RootCacheDirectory), InstallTestRequest.DefaultCodename, InstallTestRequest.DefaultMirror), created);
        return (new InstallTestRunner(new AptPackageManager(fixture.DebRepoUrl, InstallTestFixture.Codename, "main"), systems, TimeProvider.System), systems);
    }

    public static (InstallTestRunner Runner, RecordingFactory Systems) Rpm(InstallTestFixture fixture)
    {
        var runner = new CliWrapProcessRunner();
        var systems = new RecordingFactory(new RpmRootFactory(runner, new RootCache(runner, InstallTestFixture.RootCacheDirectory)));
        return (new InstallTestRunner(new DnfPackageManager(runner, fixture.RpmRepoUrl, "9"), systems, TimeProvider.System), systems);
    }
}
