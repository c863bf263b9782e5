using CiJobs.Tests.Builds;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.TestRepos;

/// <summary>
/// Small real packages, made once per test class: two noarch RPMs with their source RPMs (rpmbuild, one result folder
/// each) and a Debian package, its binary from <c>dpkg-deb --build</c> and its native source from <c>dpkg-source -b</c>.
/// </summary>
public sealed class TestRepoPackagesFixture : IAsyncLifetime
{
    private readonly TempDir temp = new("testrepo-packages");

    /// <summary>tr-alpha-1.0-1.noarch.rpm and tr-alpha-1.0-1.src.rpm.</summary>
    public string RpmAlpha => temp.Combine("rpm-alpha");

    /// <summary>tr-beta-2.0-3.noarch.rpm and tr-beta-2.0-3.src.rpm.</summary>
    public string RpmBeta => temp.Combine("rpm-beta");

    /// <summary>tr-motd_1.0_all.deb, tr-motd_1.0.dsc and tr-motd_1.0.tar.xz.</summary>
    public string Deb => temp.Combine("deb");

    public async Task InitializeAsync()
    {
        await BuildRpmAsync("tr-alpha", "1.0", "1", RpmAlpha);
        await BuildRpmAsync("tr-beta", "2.0", "3", RpmBeta);
        await BuildDebAsync();
    }

    public Task DisposeAsync()
    {
        temp.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A copy of one of the package folders (or an empty one) that a test may change.</summary>
    public string CopyOf(string folder, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(folder))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        return destination;
    }

    private async Task BuildRpmAsync(string name, string version, string release, string output)
    {
        var top = temp.Combine("rpmbuild-" + name);
        var spec = temp.Write($"{name}.spec", $"""
            Name:      {name}
            Version:   {version}
            Release:   {release}
            Summary:   Test package {name}
            License:   MIT
            BuildArch: noarch

            %description
            Test package.

            %install
            mkdir -p %{"{buildroot}"}/usr/share/{name}
            echo {name} > %{"{buildroot}"}/usr/share/{name}/hello

            %files
            /usr/share/{name}/hello
            """);
        Directory.CreateDirectory(output);
        await BuildPaths.RunAsync("rpmbuild", [
            "-ba", "--quiet", "--define", $"_topdir {top}", "--define", $"_rpmdir {output}", "--define", $"_srcrpmdir {output}",
            "--define", "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm", spec,
        ]);
    }

    private async Task BuildDebAsync()
    {
        Directory.CreateDirectory(Deb);
        temp.Write("src/tr-motd-1.0/debian/source/format", "3.0 (native)\n");
        temp.Write("src/tr-motd-1.0/debian/control", "Source: tr-motd\nMaintainer: T <t@example.org>\n\nPackage: tr-motd\nArchitecture: all\nDescription: test\n test\n");
        temp.Write("src/tr-motd-1.0/debian/changelog", "tr-motd (1.0) bookworm; urgency=medium\n\n  * Test.\n\n -- T <t@example.org>  Mon, 02 Nov 2026 10:00:00 +0000\n");
        temp.Write("src/tr-motd-1.0/motd", "hello\n");
        await BuildPaths.RunAsync("dpkg-source", ["-b", "tr-motd-1.0"], temp.Combine("src"));
        foreach (var file in new[] { "tr-motd_1.0.dsc", "tr-motd_1.0.tar.xz" })
        {
            File.Move(temp.Combine("src", file), Path.Combine(Deb, file));
        }

        temp.Write("debroot/DEBIAN/control", "Package: tr-motd\nVersion: 1.0\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: test\n test\n");
        temp.Write("debroot/usr/share/tr-motd/motd", "hello\n");
        await BuildPaths.RunAsync("dpkg-deb", ["--root-owner-group", "--build", temp.Combine("debroot"), Path.Combine(Deb, "tr-motd_1.0_all.deb")]);
    }
}
