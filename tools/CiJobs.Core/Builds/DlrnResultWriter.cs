using System.Globalization;
using System.Text;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Builds;

/// <summary>One package of DLRN's package list: its name and upstream and distgit URLs (rdoinfo's, when known).</summary>
public sealed record PackageRepositories(string Name, string? Upstream, string? Distgit);

/// <summary>A finished build to publish into the data directory.</summary>
/// <param name="Commit">The commit row; its Artifacts are filled in by the writer.</param>
/// <param name="StagingDirectory">The folder holding the logs (and, on success, nothing else yet).</param>
/// <param name="Packages">The SRPM and RPMs to copy in (empty on failure).</param>
public sealed record DlrnResult(DlrnCommit Commit, string StagingDirectory, IReadOnlyList<string> Packages)
{
    /// <summary>RPM (createrepo_c metadata and a .repo file) or Debian (a flat APT repository and a .list file).</summary>
    public PackageFormat Format { get; init; } = PackageFormat.Rpm;

    /// <summary>Called with the commit as written (artifacts filled in) and the staging folder, after commit.yaml and
    /// before the folder is moved into place: what it writes there is published with the result in the same step
    /// (the provenance manifest, docs/manual/provenance.md).</summary>
    public Func<DlrnCommit, string, CancellationToken, Task>? BeforePublishAsync { get; init; }
}

/// <summary>The kind of packages a build produced.</summary>
public enum PackageFormat
{
    Rpm,
    Deb,
}

/// <summary>
/// Writes a build into a DLRN data directory the way DLRN's post_build does: the hashed folder
/// <c>repos/&lt;h[0:2]&gt;/&lt;h[2:4]&gt;/&lt;commit&gt;_&lt;distro[:8]&gt;/</c> with the RPMs, links to every
/// other package's latest successful RPMs (hard links, where DLRN symlinks: see docs), the installed marker, versions.csv, repodata (createrepo_c), the .repo
/// file and commit.yaml, then the <c>repos/current</c> symlink, and <c>repos/consistent</c> when every package of the
/// list has its last build successful. A failure gets its logs, notes.log and commit.yaml only.
/// The rules and the DLRN lines behind them: docs/contracts/dlrn-build.md ("Result folder").
/// </summary>
public sealed class DlrnResultWriter(IProcessRunner runner)
{
    public const string VersionsHeader = "Project,Source Repo,Source Sha,Dist Repo,Dist Sha,Status,Last Success Timestamp,Component,Extended Sha,Pkg NVR";

    public static string ReposDirectory(string dataDirectory) => Path.Combine(dataDirectory, "repos");

    /// <summary>Makes sure the data directory exists and can be written; throws <see cref="BuildExitCodes.OutputNotWritable"/>.</summary>
    public static void EnsureWritable(string dataDirectory)
    {
        try
        {
            var repos = ReposDirectory(dataDirectory);
            Directory.CreateDirectory(repos);
            // The probe is an owned folder, so a build killed while it exists leaves something CleanStale removes.
            using var probe = OwnedDirectory.Create(repos, WriteProbePrefix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"the output directory '{dataDirectory}' is not writable: {e.Message}", BuildExitCodes.OutputNotWritable, e);
        }
    }

    /// <summary>
    /// A fresh staging folder beside the final one (same depth, so relative paths resolve alike), owned by this process
    /// until disposed: a build killed before it is done leaves a folder that <see cref="WriteAsync"/> of a later build
    /// deletes (<see cref="OwnedDirectory"/>).
    /// </summary>
    /// <param name="dataDirectory">The DLRN data directory.</param>
    /// <param name="shardedDirectory">The build's folder relative to it (<see cref="DlrnCommit.ShardedDirectory"/>, <c>repos/…</c>).</param>
    public static OwnedDirectory CreateStagingDirectory(string dataDirectory, string shardedDirectory)
    {
        var final = Path.Combine(dataDirectory, shardedDirectory);
        var parent = Path.GetDirectoryName(final)!;
        Directory.CreateDirectory(parent);
        return OwnedDirectory.Create(parent, $".{Path.GetFileName(final)}{StagingMarker}");
    }

    /// <summary>The name of <see cref="EnsureWritable"/>'s probe folder in <c>repos/</c>, before its 32 hex digits.</summary>
    private const string WriteProbePrefix = ".write-probe-";

    /// <summary>What a staging folder's name holds after the result's name: <c>.&lt;commit&gt;_&lt;distro&gt;.tmp-&lt;guid&gt;</c>.</summary>
    private const string StagingMarker = ".tmp-";

    /// <summary>Publishes <paramref name="result"/>; returns the commit as written (artifacts filled in).</summary>
    /// <param name="packages">DLRN's package list, in rdoinfo order (see <see cref="BuildTarget.Packages"/>).</param>
    public async Task<DlrnCommit> WriteAsync(
        string dataDirectory,
        DlrnResult result,
        IReadOnlyList<PackageRepositories> packages,
        string repoName,
        string baseUrl,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var repos = ReposDirectory(dataDirectory);
        var sharded = result.Commit.ShardedDirectory;
        var final = Path.Combine(dataDirectory, sharded);
        var staging = result.StagingDirectory;
        var commit = result.Commit;

        await using var dataLock = await AcquireLockAsync(dataDirectory, cancellationToken);
        CleanStale(repos);
        var consistent = false;
        if (commit.Status == DlrnCommit.Success)
        {
            var artifacts = new List<string>();
            foreach (var package in result.Packages.OrderBy(Path.GetFileName, StringComparer.Ordinal))
            {
                var name = Path.GetFileName(package);
                File.Copy(package, Path.Combine(staging, name), overwrite: true);
                artifacts.Add($"{sharded}/{name}");
            }

            commit = commit with { Artifacts = artifacts };
            await File.WriteAllTextAsync(Path.Combine(staging, "installed"), InstalledMarker(commit), cancellationToken);
            var history = ReadHistory(repos, exceptDirectory: final).Append(commit).ToList();
            LinkOtherPackages(dataDirectory, staging, commit, history, packages, result.Format);
            var versions = VersionsCsv(commit, history, packages);
            consistent = versions.Failures == 0;
            await File.WriteAllTextAsync(Path.Combine(staging, "versions.csv"), versions.Text, cancellationToken);
            if (result.Format == PackageFormat.Deb)
            {
                await File.WriteAllTextAsync(Path.Combine(staging, repoName + ".list"), AptListFile(commit, baseUrl), cancellationToken);
                await RunAptFtparchiveAsync(staging, cancellationToken);
            }
            else
            {
                await File.WriteAllTextAsync(Path.Combine(staging, repoName + ".repo"), RepoFile(repoName, commit, baseUrl), cancellationToken);
                await RunCreaterepoAsync(staging, cancellationToken);
            }
        }
        else
        {
            await File.WriteAllTextAsync(Path.Combine(staging, "notes.log"), commit.Notes + "\n", cancellationToken);
        }

        await File.WriteAllTextAsync(Path.Combine(staging, "commit.yaml"), commit.ToYaml(), cancellationToken);
        if (result.BeforePublishAsync is { } beforePublish)
        {
            await beforePublish(commit, staging, cancellationToken);
        }

        // DLRN deletes an earlier result of the same hashes, then builds again; between the two, readers (and
        // repos/current) find nothing. Here the new folder and the old one swap names in one step, then the old one,
        // now at the staging path, is deleted. Other results keep their own hard links to the old RPMs.
        if (Directory.Exists(final))
        {
            AtomicFileSystem.Exchange(staging, final);
            Directory.Delete(staging, recursive: true);
        }
        else
        {
            Directory.Move(staging, final);
        }
        if (commit.Status == DlrnCommit.Success)
        {
            await PointLinkAtAsync(repos, "current", UnderRepos(sharded), cancellationToken);
            if (consistent)
            {
                await PointLinkAtAsync(repos, "consistent", UnderRepos(sharded), cancellationToken);
            }
        }

        return commit;
    }

    /// <summary>
    /// Under the data directory's lock: deletes the staging folders of builds that died (their owner lock is free) and the
    /// temporary links of a writer that died between creating a new <c>current</c> link and renaming it into place.
    /// </summary>
    private static void CleanStale(string repos)
    {
        if (!Directory.Exists(repos))
        {
            return;
        }

        OwnedDirectory.CleanStale(repos, WriteProbePrefix);
        // Earlier versions probed with a plain file, .write-test-<32 hex>, which a kill between its creation and
        // deletion left behind; nothing else is named so.
        foreach (var file in Directory.EnumerateFiles(repos, ".write-test-*").Where(f => Path.GetFileName(f).Length == ".write-test-".Length + 32))
        {
            File.Delete(file);
        }

        foreach (var link in Directory.EnumerateFileSystemEntries(repos, ".*" + StagingMarker + "*"))
        {
            if (File.GetAttributes(link).HasFlag(FileAttributes.ReparsePoint))
            {
                File.Delete(link);
            }
        }

        foreach (var first in Directory.EnumerateDirectories(repos).Where(d => IsShard(d, 2)))
        {
            foreach (var second in Directory.EnumerateDirectories(first).Where(d => IsShard(d, 2)))
            {
                OwnedDirectory.CleanStale(second, ".*" + StagingMarker);
            }
        }
    }

    /// <summary>Every commit recorded in the data directory (the commit.yaml of each hashed folder).</summary>
    public static IReadOnlyList<DlrnCommit> ReadHistory(string repos, string? exceptDirectory = null)
    {
        var commits = new List<DlrnCommit>();
        if (!Directory.Exists(repos))
        {
            return commits;
        }

        foreach (var first in Directory.EnumerateDirectories(repos).Where(d => IsShard(d, 2)))
        {
            foreach (var second in Directory.EnumerateDirectories(first).Where(d => IsShard(d, 2)))
            {
                foreach (var dir in Directory.EnumerateDirectories(second))
                {
                    var file = Path.Combine(dir, "commit.yaml");
                    if (Path.GetFileName(dir).StartsWith('.') || dir == exceptDirectory || !File.Exists(file))
                    {
                        continue;
                    }

                    commits.AddRange(DlrnCommit.TryParse(File.ReadAllText(file)) ?? []);
                }
            }
        }

        return commits;
    }

    /// <summary>What DLRN's build writes into <c>installed</c> once the build driver is done: <c>name commit_hash distro_hash</c>, no newline.</summary>
    public static string InstalledMarker(DlrnCommit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        return $"{commit.ProjectName} {commit.CommitHash} {commit.DistroHash}";
    }

    /// <summary>DLRN's versions.csv text and its failure count for a successful <paramref name="commit"/>.</summary>
    /// <param name="Text">The file: the header, then one row per package of the list, in its order.</param>
    /// <param name="Failures">Packages of the list other than this one that were never built or whose last build did not
    /// succeed; the consistent symlink moves only when it is 0.</param>
    public sealed record VersionsFile(string Text, int Failures);

    /// <summary>
    /// DLRN's post_build: one row per package of <paramref name="packages"/>, in that order. This package's row is
    /// this build (SUCCESS). Another package's row shows its last successful build, else its last build, with the
    /// status of its last build; a package never built has no row. Every row's Component is this build's.
    /// </summary>
    public static VersionsFile VersionsCsv(DlrnCommit commit, IReadOnlyList<DlrnCommit> history, IReadOnlyList<PackageRepositories> packages)
    {
        ArgumentNullException.ThrowIfNull(commit);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(packages);
        var text = new StringBuilder(VersionsHeader).Append('\n');
        var failures = 0;
        var byProject = history.ToLookup(c => c.ProjectName, StringComparer.Ordinal);
        foreach (var package in packages)
        {
            DlrnCommit shown;
            string status;
            if (package.Name == commit.ProjectName)
            {
                (shown, status) = (commit, DlrnCommit.Success);
            }
            else
            {
                var lastProcessed = Latest(byProject[package.Name]);
                if (lastProcessed is null)
                {
                    failures++;
                    continue;
                }

                shown = Latest(byProject[package.Name].Where(c => c.Status == DlrnCommit.Success)) ?? lastProcessed;
                status = lastProcessed.Status;
                if (status != DlrnCommit.Success)
                {
                    failures++;
                }
            }

            string[] row =
            [
                package.Name,
                package.Upstream ?? shown.RepoDir ?? "",
                shown.CommitHash,
                package.Distgit ?? shown.DistgitDir ?? "",
                shown.DistroHash,
                status,
                shown.DtBuild.ToString(CultureInfo.InvariantCulture),
                commit.Component ?? DlrnCommit.NoneValue,
                shown.ExtendedHash ?? DlrnCommit.NoneValue,
                shown.SourceNvr ?? "",
            ];
            text.AppendJoin(',', row.Select(CsvField)).Append('\n');
        }

        return new VersionsFile(text.ToString(), failures);
    }

    /// <summary>The .repo file DLRN writes into each result (<c>delorean.repo</c> for RDO).</summary>
    public static string RepoFile(string repoName, DlrnCommit commit, string baseUrl) =>
        $"[{repoName}]\nname={repoName}-{commit.ProjectName}-{commit.CommitHash}\nbaseurl={baseUrl.TrimEnd('/')}/{UnderRepos(commit.ShardedDirectory)}\nenabled=1\ngpgcheck=0\npriority=1\n";

    /// <summary>The APT sources of a Debian result: the folder is a flat repository (<c>Packages</c>, <c>Sources</c> and
    /// <c>Release</c> at its top), unsigned, so it is marked trusted.</summary>
    public static string AptListFile(DlrnCommit commit, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(commit);
        var url = $"{baseUrl.TrimEnd('/')}/{UnderRepos(commit.ShardedDirectory)}";
        return $"deb [trusted=yes] {url} ./\ndeb-src [trusted=yes] {url} ./\n";
    }

    /// <summary>A datadir-relative <c>repos/…</c> path relative to <c>repos/</c> (what DLRN's base URL and symlinks use).</summary>
    private static string UnderRepos(string sharded) => sharded["repos/".Length..];

    private static DlrnCommit? Latest(IEnumerable<DlrnCommit> commits) =>
        commits.OrderBy(c => c.DtBuild).ThenBy(c => c.DtCommit).ThenBy(c => c.DtDistro).LastOrDefault();

    private static void LinkOtherPackages(string dataDirectory, string staging, DlrnCommit commit, IReadOnlyList<DlrnCommit> history, IReadOnlyList<PackageRepositories> packages, PackageFormat format)
    {
        // Only packages this result's repository metadata can index: RPMs into an RPM result, .debs into a Debian one.
        Func<string, bool> indexed = format == PackageFormat.Deb
            ? Debian.DpkgBuildpackageBuilder.IsBinaryPackage
            : name => name.EndsWith(".rpm", StringComparison.Ordinal);
        var taken = new HashSet<string>(Directory.EnumerateFiles(staging).Select(Path.GetFileName)!, StringComparer.Ordinal);
        var byProject = history.ToLookup(c => c.ProjectName, StringComparer.Ordinal);
        foreach (var package in packages.Where(p => p.Name != commit.ProjectName))
        {
            var lastSuccess = Latest(byProject[package.Name].Where(c => c.Status == DlrnCommit.Success));
            foreach (var artifact in lastSuccess?.Artifacts ?? [])
            {
                var target = Path.GetFullPath(Path.Combine(dataDirectory, artifact));
                var name = Path.GetFileName(target);
                if (!target.StartsWith(Path.GetFullPath(ReposDirectory(dataDirectory)) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    || !indexed(name) || !File.Exists(target) || !taken.Add(name))
                {
                    continue;
                }

                // DLRN symlinks (post_build); a hard link keeps this result's bits, and so its repodata, valid when the
                // other package is rebuilt or its folder deleted, and makes the folder a complete repository on its own.
                AtomicFileSystem.HardLinkOrCopy(target, Path.Combine(staging, name));
            }
        }
    }

    private async Task RunCreaterepoAsync(string directory, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(new ProcessSpec("createrepo_c", ["--quiet", directory]), cancellationToken);
        if (!result.Succeeded)
        {
            throw new CiJobsException(
                $"createrepo_c failed in {directory}: {result.StandardError.Trim()}",
                BuildExitCodes.RepositoryMetadataFailed);
        }
    }

    /// <summary>The index files of a flat APT repository in <paramref name="directory"/> (the staging folder, which
    /// readers see only once it is swapped in whole): Packages, Sources, then Release, which holds the checksums of the
    /// other two.</summary>
    private async Task RunAptFtparchiveAsync(string directory, CancellationToken cancellationToken)
    {
        foreach (var (command, file) in new[] { ("packages", "Packages"), ("sources", "Sources"), ("release", "Release") })
        {
            var result = await runner.RunAsync(new ProcessSpec("apt-ftparchive", [command, "."]) { WorkingDirectory = directory }, cancellationToken);
            if (!result.Succeeded)
            {
                throw new CiJobsException(
                    $"apt-ftparchive {command} failed in {directory}: {result.StandardError.Trim()}",
                    BuildExitCodes.RepositoryMetadataFailed);
            }

            await File.WriteAllTextAsync(Path.Combine(directory, file), result.StandardOutput, cancellationToken);
        }
    }

    /// <summary>Points <c>repos/&lt;name&gt;</c> (current, consistent) at <paramref name="sharded"/>, relative to <c>repos/</c>.</summary>
    private async Task PointLinkAtAsync(string repos, string name, string sharded, CancellationToken cancellationToken)
    {
        // A new symlink renamed over the old one (rename(2) through mv -T): readers never see the link missing.
        // File.Move cannot do it: it refuses a source that is a link to a folder.
        var temporary = Path.Combine(repos, $".{name}{StagingMarker}{Guid.NewGuid():N}");
        File.CreateSymbolicLink(temporary, sharded);
        var result = await runner.RunAsync(new ProcessSpec("mv", ["-T", "-f", temporary, Path.Combine(repos, name)]), cancellationToken);
        if (!result.Succeeded)
        {
            File.Delete(temporary);
            throw new CiJobsException($"cannot update {Path.Combine(repos, name)}: {result.StandardError.Trim()}", ExitCodes.Io);
        }
    }

    private static bool IsShard(string directory, int length)
    {
        var name = Path.GetFileName(directory);
        return name.Length == length && name.All(char.IsAsciiLetterOrDigit);
    }

    private static string CsvField(string value) =>
        value.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    /// <summary>Builds into one data directory take turns for the post-build step, like DLRN's remote.lck.</summary>
    private static async Task<FileStream> AcquireLockAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(dataDirectory, "build.lck");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < LockAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
        }
    }

    /// <summary>About ten minutes of waiting for another build's post-build step.</summary>
    private const int LockAttempts = 3000;
}
