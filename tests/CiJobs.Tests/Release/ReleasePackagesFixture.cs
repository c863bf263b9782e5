using CiJobs.Tests.Builds;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Release;

/// <summary>
/// Small real packages for the release tests, made once per test class, one result folder each: noarch RPMs with their
/// source RPMs (rpmbuild), Debian binaries (dpkg-deb) and one native Debian source (dpkg-source). Two folders bring the
/// same name and version with other bits.
/// </summary>
public sealed class ReleasePackagesFixture : IAsyncLifetime
{
    private readonly TempDir temp = new("release-packages");

    /// <summary>rel-a 1.0-1 (noarch and src).</summary>
    public string RpmA10 => temp.Combine("rpm-a10");

    /// <summary>rel-a 1.1-1.</summary>
    public string RpmA11 => temp.Combine("rpm-a11");

    /// <summary>rel-a 1.0-1 again, built with another file content: the same file names, other bits.</summary>
    public string RpmA10Other => temp.Combine("rpm-a10-other");

    /// <summary>rel-a 1:0.5-1: an epoch, so newer than 1.1-1.</summary>
    public string RpmA05Epoch1 => temp.Combine("rpm-a05e1");

    /// <summary>rel-b 2.0-1.</summary>
    public string RpmB20 => temp.Combine("rpm-b20");

    /// <summary>rel-d 1.0-1 (all).</summary>
    public string DebD10 => temp.Combine("deb-d10");

    /// <summary>rel-d 1.0-1 with other bits.</summary>
    public string DebD10Other => temp.Combine("deb-d10-other");

    /// <summary>rel-d 2.0~rc1-1.</summary>
    public string DebD20Rc1 => temp.Combine("deb-d20rc1");

    /// <summary>rel-d 2.0-1.</summary>
    public string DebD20 => temp.Combine("deb-d20");

    /// <summary>rel-d 1:0.9-1.</summary>
    public string DebD09Epoch1 => temp.Combine("deb-d09e1");

    /// <summary>rel-d 3.0-1 (older than 1:0.9-1).</summary>
    public string DebD30 => temp.Combine("deb-d30");

    /// <summary>rel-s 1.0: rel-s_1.0_all.deb, rel-s_1.0.dsc and rel-s_1.0.tar.xz.</summary>
    public string DebS10 => temp.Combine("deb-s10");

    public async Task InitializeAsync()
    {
        await BuildRpmAsync("rel-a", null, "1.0", "1", "one", RpmA10);
        await BuildRpmAsync("rel-a", null, "1.1", "1", "one", RpmA11);
        await BuildRpmAsync("rel-a", null, "1.0", "1", "other", RpmA10Other);
        await BuildRpmAsync("rel-a", "1", "0.5", "1", "one", RpmA05Epoch1);
        await BuildRpmAsync("rel-b", null, "2.0", "1", "one", RpmB20);
        await BuildDebAsync("rel-d", "1.0-1", "one", DebD10);
        await BuildDebAsync("rel-d", "1.0-1", "other", DebD10Other);
        await BuildDebAsync("rel-d", "2.0~rc1-1", "one", DebD20Rc1);
        await BuildDebAsync("rel-d", "2.0-1", "one", DebD20);
        await BuildDebAsync("rel-d", "1:0.9-1", "one", DebD09Epoch1);
        await BuildDebAsync("rel-d", "3.0-1", "one", DebD30);
        await BuildDebSourceAsync();
    }

    public Task DisposeAsync()
    {
        temp.Dispose();
        return Task.CompletedTask;
    }

    private async Task BuildRpmAsync(string name, string? epoch, string version, string release, string content, string output)
    {
        var key = Path.GetFileName(output);
        var top = temp.Combine("rpmbuild-" + key);
        var spec = temp.Write($"spec-{key}/{name}.spec", $"""
            Name:      {name}
            {(epoch is null ? "" : "Epoch:     " + epoch)}
            Version:   {version}
            Release:   {release}
            Summary:   Test package {name}
            License:   MIT
            BuildArch: noarch

            %description
            Test package.

            %install
            mkdir -p %{"{buildroot}"}/usr/share/{name}
            echo {content} > %{"{buildroot}"}/usr/share/{name}/hello

            %files
            /usr/share/{name}/hello
            """);
        Directory.CreateDirectory(output);
        await BuildPaths.RunAsync("rpmbuild", [
            "-ba", "--quiet", "--define", $"_topdir {top}", "--define", $"_rpmdir {output}", "--define", $"_srcrpmdir {output}",
            "--define", "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm", spec,
        ]);
    }

    private async Task BuildDebAsync(string name, string version, string content, string output)
    {
        var key = Path.GetFileName(output);
        Directory.CreateDirectory(output);
        temp.Write($"debroot-{key}/DEBIAN/control", $"Package: {name}\nVersion: {version}\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: test\n test\n");
        temp.Write($"debroot-{key}/usr/share/{name}/hello", content + "\n");
        var fileVersion = version.Contains(':', StringComparison.Ordinal) ? version[(version.IndexOf(':', StringComparison.Ordinal) + 1)..] : version;
        await BuildPaths.RunAsync("dpkg-deb", ["--root-owner-group", "--build", temp.Combine($"debroot-{key}"), Path.Combine(output, $"{name}_{fileVersion}_all.deb")]);
    }

    private async Task BuildDebSourceAsync()
    {
        Directory.CreateDirectory(DebS10);
        temp.Write("src/rel-s-1.0/debian/source/format", "3.0 (native)\n");
        temp.Write("src/rel-s-1.0/debian/control", "Source: rel-s\nMaintainer: T <t@example.org>\n\nPackage: rel-s\nArchitecture: all\nDescription: test\n test\n");
        temp.Write("src/rel-s-1.0/debian/changelog", "rel-s (1.0) bookworm; urgency=medium\n\n  * Test.\n\n -- T <t@example.org>  Mon, 02 Nov 2026 10:00:00 +0000\n");
        temp.Write("src/rel-s-1.0/hello", "hello\n");
        await BuildPaths.RunAsync("dpkg-source", ["-b", "rel-s-1.0"], temp.Combine("src"));
        foreach (var file in new[] { "rel-s_1.0.dsc", "rel-s_1.0.tar.xz" })
        {
            File.Move(temp.Combine("src", file), Path.Combine(DebS10, file));
        }

        temp.Write("debroot-s/DEBIAN/control", "Package: rel-s\nVersion: 1.0\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: test\n test\n");
        temp.Write("debroot-s/usr/share/rel-s/hello", "hello\n");
        await BuildPaths.RunAsync("dpkg-deb", ["--root-owner-group", "--build", temp.Combine("debroot-s"), Path.Combine(DebS10, "rel-s_1.0_all.deb")]);
    }
}
