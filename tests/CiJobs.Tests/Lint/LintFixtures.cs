using CiJobs.Tests.Builds;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Lint;

/// <summary>
/// Two tiny RPM packages built once with rpmbuild for a test class, each in its own result folder: <c>lintbad</c>, whose
/// /usr/bin script is not executable (rpmlint: error non-executable-script), and <c>lintgood</c>, which rpmlint only
/// warns about (no manual page, no documentation, no URL).
/// </summary>
public sealed class RpmLintFixture : IAsyncLifetime
{
    private readonly TempDir temp = new("lint-rpm");

    public string Bad => temp.Combine("result-bad");

    public string Good => temp.Combine("result-good");

    public string Combine(params string[] parts) => temp.Combine(parts);

    public async Task InitializeAsync()
    {
        await BuildAsync("lintbad", "0644", Bad);
        await BuildAsync("lintgood", "0755", Good);
    }

    private async Task BuildAsync(string name, string mode, string result)
    {
        var top = temp.Combine("rpmbuild-" + name);
        var spec = temp.Write($"spec-{name}/{name}.spec", $$"""
            Name: {{name}}
            Version: 1.0
            Release: 1
            Summary: Test package for cijobs lint
            License: MIT
            BuildArch: noarch

            %description
            A test package for cijobs lint.

            %prep

            %build

            %install
            mkdir -p %{buildroot}%{_bindir}
            printf '#!/bin/sh\necho hello\n' > %{buildroot}%{_bindir}/{{name}}
            chmod {{mode}} %{buildroot}%{_bindir}/{{name}}

            %files
            %attr({{mode}},root,root) %{_bindir}/{{name}}
            """);
        await BuildPaths.RunAsync("rpmbuild", ["-ba", "--define", "_topdir " + top, spec], temp.Path);
        Directory.CreateDirectory(result);
        foreach (var rpm in Directory.GetFiles(top, "*.rpm", SearchOption.AllDirectories))
        {
            File.Copy(rpm, Path.Combine(result, Path.GetFileName(rpm)));
        }
    }

    public Task DisposeAsync()
    {
        temp.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Two tiny Debian binary packages made once with dpkg-deb, each in its own result folder, and linted together in one
/// <c>cijobs lint</c> run (lintian takes seconds): <c>lintbad</c> has no copyright file (lintian: error
/// no-copyright-file); <c>lintgood</c> only has warnings, and overrides no-manual-page for one of its two programs.
/// </summary>
public sealed class DebLintFixture : IAsyncLifetime
{
    private readonly TempDir temp = new("lint-deb");

    public string Bad => temp.Combine("result-bad");

    public string Good => temp.Combine("result-good");

    public CiJobs.Core.Lint.LintReport Report { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await MakeAsync("lintbad", Bad, good: false);
        await MakeAsync("lintgood", Good, good: true);
        Report = await new CiJobs.Core.Lint.LintService(new CiJobs.Core.Platform.CliWrapProcessRunner()).LintAsync(
            new CiJobs.Core.Lint.LintRequest([Bad, Good], CiJobs.Core.Lint.LintConfigLocator.FindShippedRpmlintConfig(AppContext.BaseDirectory)),
            CancellationToken.None);
    }

    private async Task MakeAsync(string name, string result, bool good)
    {
        var root = temp.Combine("root-" + name);
        temp.Write($"root-{name}/DEBIAN/control", $"""
            Package: {name}
            Version: 1.0-1
            Architecture: all
            Maintainer: Test <test@example.org>
            Section: utils
            Priority: optional
            Description: test package for cijobs lint
             A test package for cijobs lint.

            """);
        foreach (var program in good ? new[] { name, name + "-extra" } : [name])
        {
            var path = temp.Write($"root-{name}/usr/bin/{program}", "#!/bin/sh\necho hello\n");
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }

        if (good)
        {
            File.Copy("/usr/share/doc/dpkg/copyright", temp.Write($"root-{name}/usr/share/doc/{name}/copyright", ""), overwrite: true);
            temp.Write($"root-{name}/usr/share/lintian/overrides/{name}", $"{name}: no-manual-page [usr/bin/{name}]\n");
            var changelog = temp.Write($"changelog-{name}", $"{name} (1.0-1) unstable; urgency=medium\n\n  * Initial release.\n\n -- Test <test@example.org>  Sun, 01 Nov 2026 10:00:00 +0000\n");
            await BuildPaths.RunAsync("gzip", ["-9n", changelog], temp.Path);
            File.Move(changelog + ".gz", temp.Combine($"root-{name}", "usr", "share", "doc", name, "changelog.Debian.gz"));
        }

        Directory.CreateDirectory(result);
        await BuildPaths.RunAsync("dpkg-deb", ["--root-owner-group", "-b", root, Path.Combine(result, $"{name}_1.0-1_all.deb")], temp.Path);
    }

    public Task DisposeAsync()
    {
        temp.Dispose();
        return Task.CompletedTask;
    }
}
