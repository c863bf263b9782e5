using CiJobs.Core.Platform;

namespace CiJobs.Core.Builds.Debian;

/// <summary>A Debian source tree ready for dpkg-buildpackage.</summary>
/// <param name="SourceTree">The unpacked tree: upstream files at the source commit, the distgit's debian/, the new changelog.</param>
/// <param name="Source">The source package's name (debian/control's Source).</param>
/// <param name="UpstreamVersion">The upstream part of the version (DLRN's Version).</param>
/// <param name="Release">DLRN's release: the Debian revision, or what follows the <c>+</c> of a native version.</param>
/// <param name="FullVersion">The version in the changelog and in every file name.</param>
public sealed record PreparedDebianSource(string SourceTree, string Source, string UpstreamVersion, string Release, string FullVersion);

/// <summary>
/// Turns a source commit and a distgit holding <c>debian/</c> into a tree dpkg-buildpackage can build, the way the RPM
/// side turns them into a spec and a tarball: the upstream tarball from the source commit (named
/// <c>source_version.orig.tar.gz</c>), unpacked; the distgit's debian/ put in its place; a changelog entry carrying the
/// DLRN-style version (docs/manual/build.md, "Debian packages").
/// </summary>
public sealed class DebianSourcePreparer(IProcessRunner runner)
{
    /// <summary>The largest debian/control or debian/changelog read.</summary>
    public const int MaxFileBytes = DebianControl.MaxBytes;

    /// <summary>Settings of the preparation.</summary>
    /// <param name="Distribution">The changelog's distribution (the target's codename).</param>
    /// <param name="KeepChangelog">Keep the distgit's changelog entries below the new one.</param>
    public sealed record Settings(string Distribution, bool KeepChangelog);

    /// <param name="distgitFiles">The distgit folder, already unpacked and checked for links that lead out.</param>
    /// <param name="tagVersion">DLRN's versions from the source's tag; null keeps the upstream version of the distgit's
    /// changelog (<c>--keep-version</c>).</param>
    /// <param name="upstreamArchive">Writes the source commit as a .tar.gz with the given top folder to the given file.</param>
    public async Task<PreparedDebianSource> PrepareAsync(
        string name,
        string distgitFiles,
        DlrnVersion? tagVersion,
        string release,
        string changeLine,
        DateTimeOffset buildTime,
        Settings settings,
        Func<string, string, Task> upstreamArchive,
        string work,
        BuildLog log,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(upstreamArchive);
        ArgumentNullException.ThrowIfNull(log);
        var debian = Path.Combine(distgitFiles, "debian");
        if (!Directory.Exists(debian) || new DirectoryInfo(debian).LinkTarget is not null)
        {
            throw new CiJobsException("the distgit's debian entry is not a folder", BuildExitCodes.SpecInvalid);
        }

        var control = DebianControl.Parse(await ReadBoundedAsync(debian, "control", required: true, cancellationToken) ?? "");
        var format = DebianPackaging.Format(await ReadBoundedAsync(debian, "source/format", required: false, cancellationToken));
        var oldChangelog = await ReadBoundedAsync(debian, "changelog", required: false, cancellationToken);
        log.WriteLine($"debian: source package {control.Source}, binary packages {string.Join(", ", control.Binaries)}, format {(format == DebianSourceFormat.Native ? "native" : "with upstream tarball")}");
        if (control.Source != name)
        {
            log.WriteLine($"debian: the source package is named {control.Source}, the rdoinfo package {name}");
        }

        var upstreamVersion = tagVersion?.Version
            ?? DebianPackaging.ChangelogUpstreamVersion(oldChangelog)
            ?? throw new CiJobsException("debian/changelog has no entry whose version could be kept", BuildExitCodes.SpecInvalid);
        if (tagVersion is null)
        {
            log.WriteLine($"version: {upstreamVersion} (kept from debian/changelog)");
        }

        var fullVersion = DebianPackaging.Version(upstreamVersion, release, format);
        var top = $"{control.Source}-{upstreamVersion}";
        var debWork = Path.Combine(work, "deb");
        Directory.CreateDirectory(debWork);
        var tarball = Path.Combine(debWork, format == DebianSourceFormat.Native ? "upstream.tar.gz" : $"{control.Source}_{upstreamVersion}.orig.tar.gz");
        await upstreamArchive(tarball, top + "/");
        await RunAsync("tar", ["-xzf", tarball, "-C", debWork], "cannot unpack the upstream tarball", cancellationToken);
        if (format == DebianSourceFormat.Native)
        {
            File.Delete(tarball);
        }
        else
        {
            log.WriteLine($"upstream tarball: {Path.GetFileName(tarball)} (top folder {top}/)");
        }

        var tree = Path.Combine(debWork, top);
        var treeDebian = Path.Combine(tree, "debian");
        if (Directory.Exists(treeDebian) || File.Exists(treeDebian))
        {
            log.WriteLine("debian: the upstream source has its own debian/, replaced by the distgit's");
            if (Directory.Exists(treeDebian) && new DirectoryInfo(treeDebian).LinkTarget is null)
            {
                Directory.Delete(treeDebian, recursive: true);
            }
            else
            {
                File.Delete(treeDebian);
            }
        }

        await RunAsync("cp", ["-a", "--", debian, treeDebian], "cannot copy debian/ into the source tree", cancellationToken);
        var changelog = DebianPackaging.Changelog(control.Source, fullVersion, settings.Distribution, [changeLine], control.Maintainer, buildTime, oldChangelog, settings.KeepChangelog);
        var changelogFile = Path.Combine(treeDebian, "changelog");
        File.Delete(changelogFile);
        await File.WriteAllTextAsync(changelogFile, changelog, cancellationToken);
        log.WriteLine($"version: {fullVersion} (distribution {settings.Distribution})");
        return new PreparedDebianSource(tree, control.Source, upstreamVersion, release, fullVersion);
    }

    /// <summary>A distgit file's text, refused when it is a link, not a regular file or larger than <see cref="MaxFileBytes"/>.</summary>
    private static async Task<string?> ReadBoundedAsync(string debian, string file, bool required, CancellationToken cancellationToken)
    {
        var relative = "debian/" + file;
        var path = Path.Combine(debian, file);
        if (file.Contains('/', StringComparison.Ordinal) && new DirectoryInfo(Path.GetDirectoryName(path)!).LinkTarget is not null)
        {
            throw new CiJobsException($"{Path.GetDirectoryName(relative)} must be a folder, not a link", BuildExitCodes.SpecInvalid);
        }

        var info = new FileInfo(path);
        if (info.LinkTarget is null && !info.Exists)
        {
            return required ? throw new CiJobsException($"the distgit has no {relative}", BuildExitCodes.SpecInvalid) : null;
        }

        if (info.LinkTarget is not null || (info.Attributes & FileAttributes.Directory) != 0)
        {
            throw new CiJobsException($"{relative} must be a regular file", BuildExitCodes.SpecInvalid);
        }

        if (info.Length > MaxFileBytes)
        {
            throw new CiJobsException($"{relative} is larger than {MaxFileBytes} bytes", BuildExitCodes.SpecInvalid);
        }

        return await File.ReadAllTextAsync(path, cancellationToken);
    }

    private async Task RunAsync(string tool, IReadOnlyList<string> arguments, string what, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(new ProcessSpec(tool, arguments), cancellationToken);
        if (!result.Succeeded)
        {
            throw new CiJobsException($"{what}: {result.StandardError.Trim()}", BuildExitCodes.SpecInvalid);
        }
    }
}
