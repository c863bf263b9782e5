using System.Globalization;
using CiJobs.Core.Builds;
using CiJobs.Core.Builds.Debian;
using CiJobs.Core.Platform;

namespace CiJobs.Core.TestRepos;

/// <summary>
/// Publishes a per-change test repository, ROOT/NAME/rpm (createrepo_c and a .repo file) and ROOT/NAME/deb (an APT
/// repository of one distribution and component, made with apt-ftparchive, and a .list file). The whole tree is built in
/// a staging folder beside it under ROOT and put in place with one rename (or one swap, when NAME exists): readers see the
/// old tree or the new one, never a mix, and a failure leaves nothing. docs/manual/testrepo.md.
/// </summary>
public sealed class TestRepoPublisher(IProcessRunner runner)
{
    /// <summary>The prefix of staging folders under ROOT: <c>.&lt;name&gt;.tmp-&lt;32 hex digits&gt;</c>.</summary>
    public const string StagingMarker = ".tmp-";

    public async Task<TestRepoResult> PublishAsync(TestRepoRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = TestRepoNames.Validate(request.Name);
        var codename = DebianPackaging.IsDistribution(request.Codename)
            ? request.Codename
            : throw new CiJobsException($"invalid --codename '{PackageNames.Printable(request.Codename)}': use lower-case letters, digits and . + - only", TestRepoExitCodes.InvalidOption);
        var component = DebianPackaging.IsDistribution(request.Component) && !request.Component.Contains("..", StringComparison.Ordinal)
            ? request.Component
            : throw new CiJobsException($"invalid --component '{PackageNames.Printable(request.Component)}': use lower-case letters, digits and . + - only", TestRepoExitCodes.InvalidOption);
        var root = Path.GetFullPath(request.Root);
        var baseUrl = BaseUrl(request.BaseUrl, root);
        var inputs = TestRepoInputs.Collect(request.ResultDirectories);

        OwnedDirectory staging;
        try
        {
            Directory.CreateDirectory(root);
            OwnedDirectory.CleanStale(root, ".*" + StagingMarker);
            staging = OwnedDirectory.Create(root, $".{name}{StagingMarker}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot write the test repository root '{root}': {e.Message}", TestRepoExitCodes.RootNotWritable, e);
        }

        using (staging)
        {
            var final = Path.Combine(root, name);
            var rpms = inputs.Where(f => f.Kind == TestRepoFileKind.Rpm).ToList();
            var debian = inputs.Where(f => f.Kind != TestRepoFileKind.Rpm).ToList();
            var rpm = rpms.Count == 0 ? null : await WriteRpmAsync(Path.Combine(staging.Path, "rpm"), Path.Combine(final, "rpm"), name, baseUrl, rpms, cancellationToken);
            var deb = debian.Count == 0 ? null : await WriteDebAsync(Path.Combine(staging.Path, "deb"), Path.Combine(final, "deb"), name, codename, component, baseUrl, debian, cancellationToken);
            Install(staging.Path, final);
            return new TestRepoResult(name, final, rpm, deb);
        }
    }

    /// <summary>The base URL without its trailing slash: the given one (http, https or file, no white space), else ROOT's file:// URL.</summary>
    public static string BaseUrl(string? given, string root)
    {
        if (given is null)
        {
            return new Uri(root.TrimEnd('/') + "/").AbsoluteUri.TrimEnd('/');
        }

        if (given.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            || !Uri.TryCreate(given, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "file")
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new CiJobsException($"invalid --base-url '{PackageNames.Printable(given)}': an http, https or file URL without white space, query or fragment", TestRepoExitCodes.InvalidOption);
        }

        return given.TrimEnd('/');
    }

    /// <summary>The .repo file of the RPM part: the section is the name, with <c>+</c> as <c>_</c> (dnf refuses <c>+</c> in repository ids).</summary>
    public static string RepoFile(string name, string url) =>
        $"[{name.Replace('+', '_')}]\nname=cijobs test repository {name}\nbaseurl={url}\nenabled=1\ngpgcheck=0\npriority=1\n";

    /// <summary>The .list file of the Debian part: unsigned, so marked trusted; binary and source lines.</summary>
    public static string ListFile(string url, string codename, string component) =>
        $"deb [trusted=yes] {url} {codename} {component}\ndeb-src [trusted=yes] {url} {codename} {component}\n";

    /// <summary>Puts the staging tree at <paramref name="final"/>: a rename, or a swap with the tree there (the old one is then
    /// at <paramref name="staging"/>, deleted with it).</summary>
    private static void Install(string staging, string final)
    {
        try
        {
            if (!Directory.Exists(final))
            {
                try
                {
                    Directory.Move(staging, final);
                    return;
                }
                catch (IOException) when (Directory.Exists(final))
                {
                    // Another publisher of the same name got there first: swap with its tree instead.
                }
            }

            AtomicFileSystem.Exchange(staging, final);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot put the test repository at '{final}': {e.Message}", TestRepoExitCodes.RootNotWritable, e);
        }
    }

    private async Task<TestRepoRpm> WriteRpmAsync(string directory, string final, string name, string baseUrl, IReadOnlyList<TestRepoInputFile> files, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        foreach (var file in files)
        {
            AtomicFileSystem.HardLinkOrCopy(file.Source, Path.Combine(directory, file.Name));
        }

        // One rpm run for every file; the arch of a source RPM (no SOURCERPM tag) reads src.
        var query = await RunAsync(
            new ProcessSpec("rpm", ["-qp", "--nosignature", "--nodigest", "--qf", "%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\t%|SOURCERPM?{%{ARCH}}:{src}|\\n", .. files.Select(f => Path.Combine(directory, f.Name))]),
            cancellationToken);
        var lines = query.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length != files.Count)
        {
            throw new CiJobsException($"rpm could not read every package: {query.StandardError.Trim()}", TestRepoExitCodes.MetadataFailed);
        }

        var packages = files.Select((f, i) => lines[i].Split('\t') is [var n, var v, var a] ? new TestRepoPackage(n, v, a, f.Name)
            : throw new CiJobsException($"rpm: unexpected output '{PackageNames.Printable(lines[i])}'", TestRepoExitCodes.MetadataFailed)).ToList();
        await RunAsync(new ProcessSpec("createrepo_c", ["--quiet", directory]), cancellationToken);
        var url = $"{baseUrl}/{name}/rpm/";
        await File.WriteAllTextAsync(Path.Combine(directory, name + ".repo"), RepoFile(name, url), cancellationToken);
        return new TestRepoRpm(url, Path.Combine(final, name + ".repo"), packages);
    }

    private async Task<TestRepoDeb> WriteDebAsync(string directory, string final, string name, string codename, string component, string baseUrl, IReadOnlyList<TestRepoInputFile> files, CancellationToken cancellationToken)
    {
        var poolRelative = $"pool/{component}";
        var pool = Path.Combine(directory, "pool", component);
        Directory.CreateDirectory(pool);
        foreach (var file in files)
        {
            AtomicFileSystem.HardLinkOrCopy(file.Source, Path.Combine(pool, file.Name));
        }

        var hostArch = (await RunAsync(new ProcessSpec("dpkg", ["--print-architecture"]), cancellationToken)).StandardOutput.Trim();
        var binaries = AptIndexes.Stanzas((await RunAsync(new ProcessSpec("apt-ftparchive", ["packages", poolRelative]) { WorkingDirectory = directory }, cancellationToken)).StandardOutput);
        var sources = (await RunAsync(new ProcessSpec("apt-ftparchive", ["sources", poolRelative]) { WorkingDirectory = directory }, cancellationToken)).StandardOutput;
        var architectures = binaries.Select(s => Field(s, "Architecture")).Where(a => a != "all").Append(hostArch)
            .Where(DebianPackaging.IsDistribution).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        var dists = Path.Combine(directory, "dists", codename);
        foreach (var arch in architectures)
        {
            var text = string.Concat(binaries.Where(s => Field(s, "Architecture") is "all" || Field(s, "Architecture") == arch).Select(s => s + "\n"));
            await AptIndexes.WriteIndexAsync(Path.Combine(dists, component, $"binary-{arch}"), "Packages", text, cancellationToken);
        }

        await AptIndexes.WriteIndexAsync(Path.Combine(dists, component, "source"), "Sources", sources, cancellationToken);
        var release = await RunAsync(
            new ProcessSpec("apt-ftparchive",
            [
                "-o", "APT::FTPArchive::Release::Origin=cijobs",
                "-o", $"APT::FTPArchive::Release::Label={name}",
                "-o", $"APT::FTPArchive::Release::Suite={codename}",
                "-o", $"APT::FTPArchive::Release::Codename={codename}",
                "-o", $"APT::FTPArchive::Release::Architectures={string.Join(' ', architectures)}",
                "-o", $"APT::FTPArchive::Release::Components={component}",
                "-o", $"APT::FTPArchive::Release::Description=cijobs test repository {name}",
                "release", $"dists/{codename}",
            ])
            { WorkingDirectory = directory },
            cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dists, "Release"), release.StandardOutput, cancellationToken);

        var url = $"{baseUrl}/{name}/deb";
        await File.WriteAllTextAsync(Path.Combine(directory, name + ".list"), ListFile(url, codename, component), cancellationToken);
        var packages = binaries.Select(s => new TestRepoPackage(Field(s, "Package"), Field(s, "Version"), Field(s, "Architecture"), Field(s, "Filename")))
            .Concat(files.Where(f => f.Kind == TestRepoFileKind.Dsc).Select(f =>
            {
                var dsc = TestRepoInputs.Dsc.Read(f.Source);
                return new TestRepoPackage(dsc.Source, dsc.Version, "source", $"{poolRelative}/{f.Name}");
            }))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Arch, StringComparer.Ordinal).ToList();
        return new TestRepoDeb(url, Path.Combine(final, name + ".list"), codename, component, architectures, packages);
    }

    private static string Field(string stanza, string field) => AptIndexes.Field(stanza, field)
        ?? throw new CiJobsException($"apt-ftparchive wrote a stanza without {field}", TestRepoExitCodes.MetadataFailed);

    private async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(spec, cancellationToken);
        if (!result.Succeeded)
        {
            throw new CiJobsException(
                $"{spec.FileName} {string.Join(' ', spec.Arguments.Take(2))} failed (exit {result.ExitCode.ToString(CultureInfo.InvariantCulture)}): {result.StandardError.Trim()}",
                TestRepoExitCodes.MetadataFailed);
        }

        return result;
    }
}
