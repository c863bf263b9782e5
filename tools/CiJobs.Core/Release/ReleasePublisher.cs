using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using CiJobs.Core.Builds;
using CiJobs.Core.Builds.Debian;
using CiJobs.Core.Platform;
using CiJobs.Core.Signing;
using CiJobs.Core.TestRepos;

namespace CiJobs.Core.Release;

/// <summary>
/// Publishes build results into a persistent release repository ROOT (ROOT/rpm, ROOT/deb) that keeps every earlier package.
/// Each package must be newer than every published version of its name, or the very same bits (then skipped); anything
/// else refuses the whole publish. The new trees are built in a staging folder beside them (hard links to the published
/// files, fresh metadata, signatures when a signer is given) and put in place by one exchange each; publishes to one ROOT
/// take turns on a lock. docs/manual/release.md.
/// </summary>
public sealed partial class ReleasePublisher(IProcessRunner runner)
{
    /// <summary>The file that marks ROOT as a release repository made by cijobs.</summary>
    public const string Marker = ".cijobs-release";

    /// <summary>The lock file publishes to one ROOT take turns on.</summary>
    public const string LockFile = ".cijobs-release.lock";

    /// <summary>The prefix of staging folders under ROOT.</summary>
    public const string StagingPrefix = ".release.tmp-";

    /// <summary>In each format tree: the SHA-256 of every package as it was given (a signed RPM's bits differ from its input).</summary>
    public const string InputsManifest = "cijobs-inputs.sha256";

    public const string RpmKeyFile = "RPM-GPG-KEY-cijobs";

    public const string DebKeyFile = "archive-key.asc";

    private const string MarkerText = "cijobs release repository (docs/manual/release.md)\n";

    [GeneratedRegex("^[a-z0-9][a-z0-9+.-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex DebianName();

    public async Task<ReleaseResult> PublishAsync(ReleaseRequest request, IRepositorySigner? signer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var codename = DebianPackaging.IsDistribution(request.Codename)
            ? request.Codename
            : throw new CiJobsException($"invalid --codename '{PackageNames.Printable(request.Codename)}': use lower-case letters, digits and . + - only", ReleaseExitCodes.CannotPublish);
        var component = DebianPackaging.IsDistribution(request.Component) && !request.Component.Contains("..", StringComparison.Ordinal)
            ? request.Component
            : throw new CiJobsException($"invalid --component '{PackageNames.Printable(request.Component)}': use lower-case letters, digits and . + - only", ReleaseExitCodes.CannotPublish);
        var root = Path.GetFullPath(request.Root);
        IReadOnlyList<TestRepoInputFile> inputs;
        try
        {
            inputs = TestRepoInputs.Collect(request.ResultDirectories);
        }
        catch (CiJobsException e) when (e.ExitCode is TestRepoExitCodes.InvalidInput or TestRepoExitCodes.UnsafeInput or TestRepoExitCodes.ConflictingFiles)
        {
            throw new CiJobsException(e.Message, ReleaseExitCodes.CannotPublish, e);
        }

        var manifests = await ReleaseProvenance.ReadAsync(request.ResultDirectories, request.RequireProvenance, cancellationToken);
        CheckRoot(root);
        using var held = await LockAsync(Path.Combine(root, LockFile), request.LockTimeout, cancellationToken);
        OwnedDirectory staging;
        try
        {
            if (!File.Exists(Path.Combine(root, Marker)))
            {
                CheckRoot(root);
                await AtomicFileSystem.WriteAllTextAsync(Path.Combine(root, Marker), MarkerText, cancellationToken);
            }

            OwnedDirectory.CleanStale(root, StagingPrefix);
            staging = OwnedDirectory.Create(root, StagingPrefix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot write the release repository '{root}': {e.Message}", ReleaseExitCodes.CannotPublish, e);
        }

        using (staging)
        {
            var rpmTree = Path.Combine(root, "rpm");
            var debTree = Path.Combine(root, "deb");
            CheckSigned(rpmTree, RpmKeyFile, signer);
            CheckSigned(debTree, DebKeyFile, signer);
            var rpmInputs = inputs.Where(f => f.Kind == TestRepoFileKind.Rpm).ToList();
            var debInputs = inputs.Where(f => f.Kind != TestRepoFileKind.Rpm).ToList();
            var rpm = rpmInputs.Count == 0 ? null : await StageRpmAsync(rpmTree, Path.Combine(staging.Path, "rpm"), rpmInputs, manifests, signer, cancellationToken);
            var deb = debInputs.Count == 0 ? null : await StageDebAsync(debTree, Path.Combine(staging.Path, "deb"), codename, component, debInputs, manifests, signer, cancellationToken);
            var switches = new List<(string Staged, string Published)>();
            if (rpm is { Added.Count: > 0 })
            {
                switches.Add((Path.Combine(staging.Path, "rpm"), rpmTree));
            }

            if (deb is { Added.Count: > 0 })
            {
                switches.Add((Path.Combine(staging.Path, "deb"), debTree));
            }

            Install(switches);
            var hasRpm = Directory.Exists(rpmTree);
            var hasDeb = Directory.Exists(debTree);
            return new ReleaseResult(
                root,
                hasRpm ? rpmTree : null,
                hasRpm ? Path.Combine(rpmTree, "Source") : null,
                hasDeb ? debTree : null,
                hasDeb ? codename : null,
                hasDeb ? component : null,
                File.Exists(Path.Combine(rpmTree, RpmKeyFile)) || File.Exists(Path.Combine(debTree, DebKeyFile)),
                [.. (rpm?.Added ?? []).Concat(deb?.Added ?? [])],
                [.. (rpm?.Skipped ?? []).Concat(deb?.Skipped ?? [])]);
        }
    }

    /// <summary>ROOT must be missing, empty but for cijobs' own entries (<see cref="IsOwnEntry"/>), or marked as a release
    /// repository: never a folder of other files.</summary>
    private static void CheckRoot(string root)
    {
        if (File.Exists(root))
        {
            throw new CiJobsException($"--repo '{root}' is a file, not a release repository", ReleaseExitCodes.CannotPublish);
        }

        if (!Directory.Exists(root))
        {
            try
            {
                Directory.CreateDirectory(root);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CiJobsException($"cannot create the release repository '{root}': {e.Message}", ReleaseExitCodes.CannotPublish, e);
            }

            return;
        }

        if (!File.Exists(Path.Combine(root, Marker))
            && Directory.EnumerateFileSystemEntries(root).Any(e => !IsOwnEntry(Path.GetFileName(e))))
        {
            throw new CiJobsException(
                $"--repo '{root}' holds files but is not a release repository made by cijobs (no {Marker}); refusing to publish into it",
                ReleaseExitCodes.CannotPublish);
        }
    }

    /// <summary>What a publish of cijobs leaves in a new ROOT before the marker is there: the lock file, the marker's
    /// temporary file (written aside, then renamed) and staging folders with their owner files. Another publish that looks
    /// while the first one writes them must not take the ROOT for a foreign folder.</summary>
    private static bool IsOwnEntry(string name) =>
        name == LockFile
        || name.StartsWith(Marker + ".tmp-", StringComparison.Ordinal)
        || name.StartsWith(StagingPrefix, StringComparison.Ordinal);

    /// <summary>A signed repository stays signed: publishing into it without a signer would leave stale signatures.</summary>
    private static void CheckSigned(string tree, string keyFile, IRepositorySigner? signer)
    {
        if (signer is null && File.Exists(Path.Combine(tree, keyFile)))
        {
            throw new CiJobsException($"{tree} is signed ({keyFile}); publishing into it needs the signing key", ReleaseExitCodes.CannotPublish);
        }
    }

    private static async Task<FileStream> LockAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Environment.TickCount64;
        while (true)
        {
            try
            {
                // FileShare.None takes flock(LOCK_EX) on Linux; the kernel drops it when the holder dies.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
            {
                if (TimeSpan.FromMilliseconds(Environment.TickCount64 - started) >= timeout)
                {
                    throw new CiJobsException(
                        $"the release repository is busy: another publish holds {path} for more than {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (--lock-timeout)",
                        ReleaseExitCodes.CannotPublish, e);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CiJobsException($"cannot open the lock {path}: {e.Message}", ReleaseExitCodes.CannotPublish, e);
            }
        }
    }

    /// <summary>Puts each staged tree in place, a rename or an exchange; if a later one fails, the earlier ones are swapped back.</summary>
    private static void Install(List<(string Staged, string Published)> switches)
    {
        var done = new List<(string Staged, string Published, bool Existed)>();
        try
        {
            foreach (var (staged, published) in switches)
            {
                if (Directory.Exists(published))
                {
                    AtomicFileSystem.Exchange(staged, published);
                    done.Add((staged, published, true));
                }
                else
                {
                    Directory.Move(staged, published);
                    done.Add((staged, published, false));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var (staged, published, existed) in Enumerable.Reverse(done))
            {
                if (existed)
                {
                    AtomicFileSystem.Exchange(staged, published);
                }
                else
                {
                    Directory.Move(published, staged);
                }
            }

            throw new CiJobsException($"cannot put the release repository in place: {e.Message}", ReleaseExitCodes.CannotPublish, e);
        }
    }

    private sealed record Candidate(TestRepoInputFile Input, string Name, string Version, string Arch, bool Source, string Sha256, string Relative);

    private sealed record Published(string Name, string Version, string Arch, bool Source, string Sha256, string Relative);

    private sealed record Staged(IReadOnlyList<ReleasePackage> Added, IReadOnlyList<ReleasePackage> Skipped);

    /// <summary>Decides, for each candidate, added or skipped, and refuses the publish on an older version or changed bits.</summary>
    private static (List<Candidate> Added, List<Candidate> Skipped) Decide(
        string format, IReadOnlyList<Candidate> candidates, IReadOnlyList<Published> published, Func<string, string, int> compare)
    {
        var added = new List<Candidate>();
        var skipped = new List<Candidate>();
        var byPath = published.ToDictionary(p => p.Relative, StringComparer.Ordinal);
        foreach (var candidate in candidates)
        {
            var what = $"{format} package {PackageNames.Printable(candidate.Name)}{(candidate.Source ? " (source)" : "")}";
            if (byPath.TryGetValue(candidate.Relative, out var same))
            {
                if (same.Sha256 == candidate.Sha256)
                {
                    skipped.Add(candidate);
                    continue;
                }

                throw new CiJobsException(
                    $"{what} {PackageNames.Printable(candidate.Version)}: {candidate.Relative} is already published with different bits (sha256 {same.Sha256}, new {candidate.Sha256}); a new build needs a new version",
                    ReleaseExitCodes.ChangedBits);
            }

            var versions = published.Where(p => p.Name == candidate.Name && p.Source == candidate.Source).ToList();
            if (versions.Count == 0)
            {
                added.Add(candidate);
                continue;
            }

            var newest = versions.Aggregate((a, b) => compare(a.Version, b.Version) >= 0 ? a : b);
            var order = compare(candidate.Version, newest.Version);
            if (order < 0)
            {
                throw new CiJobsException(
                    $"{what} {PackageNames.Printable(candidate.Version)} is older than the published {PackageNames.Printable(newest.Version)}; nothing was published",
                    ReleaseExitCodes.OlderVersion);
            }

            if (order > 0)
            {
                added.Add(candidate);
                continue;
            }

            var twin = versions.FirstOrDefault(p => compare(p.Version, candidate.Version) == 0 && p.Arch == candidate.Arch);
            if (twin is null)
            {
                added.Add(candidate); // The same version for another architecture.
            }
            else if (twin.Sha256 == candidate.Sha256)
            {
                skipped.Add(candidate);
            }
            else
            {
                throw new CiJobsException(
                    $"{what} {PackageNames.Printable(candidate.Version)} ({candidate.Arch}) is already published with different bits as {twin.Relative}; a new build needs a new version",
                    ReleaseExitCodes.ChangedBits);
            }
        }

        return (added, skipped);
    }

    private async Task<Staged> StageRpmAsync(
        string tree, string staged, IReadOnlyList<TestRepoInputFile> inputs, IReadOnlyDictionary<string, ReleaseProvenance.Kept> manifests, IRepositorySigner? signer, CancellationToken cancellationToken)
    {
        var manifest = ReadManifest(tree);
        var publishedFiles = Directory.Exists(tree)
            ? Files(tree, "Packages").Concat(Files(tree, Path.Combine("Source", "Packages"))).ToList()
            : [];
        var published = (await QueryRpmsAsync(publishedFiles.Select(f => Path.Combine(tree, f)).ToList(), cancellationToken))
            .Select((q, i) => new Published(q.Name, q.Evr, q.Arch, q.Arch == "src", manifest.GetValueOrDefault(publishedFiles[i]) ?? Sha256(Path.Combine(tree, publishedFiles[i])), publishedFiles[i]))
            .ToList();
        var candidates = (await QueryRpmsAsync(inputs.Select(i => i.Source).ToList(), cancellationToken))
            .Select((q, i) => new Candidate(inputs[i], q.Name, q.Evr, q.Arch, q.Arch == "src", Sha256(inputs[i].Source), $"{(q.Arch == "src" ? "Source/Packages" : "Packages")}/{inputs[i].Name}"))
            .ToList();
        var (added, skipped) = Decide("rpm", candidates, published, (a, b) => PackageVersions.CompareRpm(ParseEvr(a), ParseEvr(b)));
        if (added.Count > 0)
        {
            foreach (var file in publishedFiles)
            {
                LinkInto(Path.Combine(tree, file), Path.Combine(staged, file));
            }

            var newFiles = new List<string>();
            foreach (var candidate in added)
            {
                var target = Path.Combine(staged, candidate.Relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                if (signer is null)
                {
                    AtomicFileSystem.HardLinkOrCopy(candidate.Input.Source, target);
                }
                else
                {
                    File.Copy(candidate.Input.Source, target); // Signed in place: never through a link into the build result.
                }

                newFiles.Add(target);
                manifest[candidate.Relative] = candidate.Sha256;
            }

            if (signer is not null)
            {
                await signer.SignRpmPackagesAsync(newFiles, cancellationToken);
            }

            Directory.CreateDirectory(Path.Combine(staged, "Packages"));
            Directory.CreateDirectory(Path.Combine(staged, "Source", "Packages"));
            var list = Path.Combine(Path.GetDirectoryName(staged)!, "rpm-pkglist");
            await File.WriteAllTextAsync(list, string.Concat(Files(staged, "Packages").Select(f => f + "\n")), cancellationToken);
            await RunAsync(new ProcessSpec("createrepo_c", ["--quiet", "--pkglist", list, staged]), cancellationToken);
            await RunAsync(new ProcessSpec("createrepo_c", ["--quiet", Path.Combine(staged, "Source")]), cancellationToken);
            if (signer is not null)
            {
                await signer.SignRpmRepositoryAsync(staged, cancellationToken);
                await signer.SignRpmRepositoryAsync(Path.Combine(staged, "Source"), cancellationToken);
                await File.WriteAllTextAsync(Path.Combine(staged, RpmKeyFile), signer.PublicKeyArmored, cancellationToken);
            }

            await WriteManifestAsync(staged, manifest, cancellationToken);
        }

        var provenance = await KeepProvenanceAsync(tree, staged, added, manifests, cancellationToken);
        return new Staged(added.Select(c => Package("rpm", c, provenance)).ToList(), skipped.Select(c => Package("rpm", c, null)).ToList());
    }

    private static ReleasePackage Package(string format, Candidate c, IReadOnlyDictionary<string, string>? provenance) =>
        new(format, c.Name, c.Version, c.Arch, c.Sha256, $"{format}/{c.Relative}")
        {
            Provenance = provenance?.GetValueOrDefault(c.Input.Name) is { } relative ? $"{format}/{relative}" : null,
        };

    /// <summary>When packages are added: the manifests already published stay, and each added package's manifest joins them
    /// (docs/manual/release.md, "Provenance"). Returns the manifest path of each added file name.</summary>
    private static async Task<IReadOnlyDictionary<string, string>?> KeepProvenanceAsync(
        string tree, string staged, IReadOnlyList<Candidate> added, IReadOnlyDictionary<string, ReleaseProvenance.Kept> manifests, CancellationToken cancellationToken)
    {
        if (added.Count == 0)
        {
            return null;
        }

        ReleaseProvenance.Carry(tree, staged);
        return await ReleaseProvenance.WriteAsync(staged, added.Select(c => c.Input.Name), manifests, cancellationToken);
    }

    private static RpmEvr ParseEvr(string evr)
    {
        var colon = evr.IndexOf(':', StringComparison.Ordinal);
        var epoch = colon >= 0 ? evr[..colon] : null;
        var rest = colon >= 0 ? evr[(colon + 1)..] : evr;
        var hyphen = rest.LastIndexOf('-');
        return hyphen >= 0 ? new RpmEvr(epoch, rest[..hyphen], rest[(hyphen + 1)..]) : new RpmEvr(epoch, rest, "");
    }

    private sealed record RpmQuery(string Name, string Evr, string Arch);

    /// <summary>Name, [epoch:]version-release and arch (<c>src</c> for a source RPM) of each file, read by rpm from the header.</summary>
    private async Task<List<RpmQuery>> QueryRpmsAsync(IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        if (files.Count == 0)
        {
            return [];
        }

        var query = await RunAsync(
            new ProcessSpec("rpm", ["-qp", "--nosignature", "--nodigest", "--qf", "%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\t%|SOURCERPM?{%{ARCH}}:{src}|\\n", "--", .. files]),
            cancellationToken);
        var lines = query.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length != files.Count)
        {
            throw new CiJobsException($"rpm could not read every package: {query.StandardError.Trim()}", ReleaseExitCodes.CannotPublish);
        }

        return [.. lines.Select(line => line.Split('\t') is [var n, var v, var a] && n.Length > 0 && !n.Contains('/', StringComparison.Ordinal)
            ? new RpmQuery(n, v, a)
            : throw new CiJobsException($"rpm: unexpected output '{PackageNames.Printable(line)}'", ReleaseExitCodes.CannotPublish))];
    }

    private async Task<Staged> StageDebAsync(
        string tree,
        string staged,
        string codename,
        string component,
        IReadOnlyList<TestRepoInputFile> inputs,
        IReadOnlyDictionary<string, ReleaseProvenance.Kept> manifests,
        IRepositorySigner? signer,
        CancellationToken cancellationToken)
    {
        CheckDebLayout(tree, codename, component);
        var poolRelative = $"pool/{component}";
        var publishedFiles = Directory.Exists(Path.Combine(tree, "pool")) ? Files(tree, "pool").ToList() : [];
        var published = new List<Published>();
        if (publishedFiles.Any(f => f.EndsWith(".deb", StringComparison.Ordinal)))
        {
            var packages = await RunAsync(new ProcessSpec("apt-ftparchive", ["packages", "pool"]) { WorkingDirectory = tree }, cancellationToken);
            published.AddRange(AptIndexes.Stanzas(packages.StandardOutput).Select(s => new Published(
                Field(s, "Package"), Field(s, "Version"), Field(s, "Architecture"), false, Field(s, "SHA256"), Field(s, "Filename"))));
        }

        foreach (var dsc in publishedFiles.Where(f => f.EndsWith(".dsc", StringComparison.Ordinal)))
        {
            var read = TestRepoInputs.Dsc.Read(Path.Combine(tree, dsc));
            published.Add(new Published(read.Source, read.Version, "source", true, Sha256(Path.Combine(tree, dsc)), dsc));
        }

        var candidates = new List<Candidate>();
        foreach (var input in inputs.Where(i => i.Kind == TestRepoFileKind.Deb))
        {
            var fields = await RunAsync(new ProcessSpec("dpkg-deb", ["--field", input.Source, "Package", "Version", "Architecture", "Source"]), cancellationToken);
            var stanza = fields.StandardOutput;
            var name = Field(stanza, "Package");
            var source = AptIndexes.Field(stanza, "Source")?.Split(' ')[0] is { Length: > 0 } s ? s : name;
            candidates.Add(new Candidate(input, CheckDebianName(name, input.Source), Field(stanza, "Version"), Field(stanza, "Architecture"), false, Sha256(input.Source), $"{PoolFolder(poolRelative, CheckDebianName(source, input.Source))}/{input.Name}"));
        }

        var parts = new Dictionary<string, List<(TestRepoInputFile Input, string Relative)>>(StringComparer.Ordinal);
        foreach (var input in inputs.Where(i => i.Kind == TestRepoFileKind.Dsc))
        {
            var dsc = TestRepoInputs.Dsc.Read(input.Source);
            var folder = PoolFolder(poolRelative, CheckDebianName(dsc.Source, input.Source));
            candidates.Add(new Candidate(input, dsc.Source, dsc.Version, "source", true, Sha256(input.Source), $"{folder}/{input.Name}"));
            parts[input.Name] = [.. dsc.Files.Select(part => (inputs.First(i => i.Name == part), $"{folder}/{part}"))];
        }

        var (added, skipped) = Decide("deb", candidates, published, PackageVersions.CompareDeb);
        if (added.Count > 0)
        {
            foreach (var file in publishedFiles)
            {
                LinkInto(Path.Combine(tree, file), Path.Combine(staged, file));
            }

            // A source package brings the files its .dsc lists, beside it.
            foreach (var (input, relative) in added.SelectMany(c => parts.GetValueOrDefault(c.Input.Name, []).Prepend((c.Input, c.Relative))))
            {
                var target = Path.Combine(staged, relative);
                if (File.Exists(target))
                {
                    if (Sha256(target) != Sha256(input.Source))
                    {
                        throw new CiJobsException($"deb: {relative} is already published with different bits; a new build needs a new version", ReleaseExitCodes.ChangedBits);
                    }

                    continue; // An orig tarball shared by two revisions.
                }

                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                AtomicFileSystem.HardLinkOrCopy(input.Source, target);
            }

            await WriteDebMetadataAsync(staged, codename, component, signer, cancellationToken);
        }

        var provenance = await KeepProvenanceAsync(tree, staged, added, manifests, cancellationToken);
        return new Staged(added.Select(c => Package("deb", c, provenance)).ToList(), skipped.Select(c => Package("deb", c, null)).ToList());
    }

    /// <summary>One Debian repository holds one codename and one component: another one is refused rather than mixed in.</summary>
    private static void CheckDebLayout(string tree, string codename, string component)
    {
        foreach (var (folder, expected, option) in new[] { ("dists", codename, "--codename"), ("pool", component, "--component") })
        {
            var path = Path.Combine(tree, folder);
            var other = Directory.Exists(path) ? Directory.EnumerateDirectories(path).Select(Path.GetFileName).FirstOrDefault(n => n != expected) : null;
            if (other is not null)
            {
                throw new CiJobsException(
                    $"{tree} holds {folder}/{other}; this release repository takes {option} {PackageNames.Printable(other)} only, not {PackageNames.Printable(expected)}",
                    ReleaseExitCodes.CannotPublish);
            }
        }
    }

    private static string CheckDebianName(string name, string where) => DebianName().IsMatch(name) && name.Length <= 100
        ? name
        : throw new CiJobsException($"{where}: invalid Debian package name '{PackageNames.Printable(name)}'", ReleaseExitCodes.CannotPublish);

    /// <summary>pool/COMPONENT/PREFIX/SOURCE, PREFIX being the first letter, or the first four for a lib* source.</summary>
    private static string PoolFolder(string poolRelative, string source) =>
        $"{poolRelative}/{(source.StartsWith("lib", StringComparison.Ordinal) && source.Length > 3 ? source[..4] : source[..1])}/{source}";

    private async Task WriteDebMetadataAsync(string directory, string codename, string component, IRepositorySigner? signer, CancellationToken cancellationToken)
    {
        var poolRelative = $"pool/{component}";
        var hostArch = (await RunAsync(new ProcessSpec("dpkg", ["--print-architecture"]), cancellationToken)).StandardOutput.Trim();
        var binaries = AptIndexes.Stanzas((await RunAsync(new ProcessSpec("apt-ftparchive", ["packages", poolRelative]) { WorkingDirectory = directory }, cancellationToken)).StandardOutput);
        var sources = (await RunAsync(new ProcessSpec("apt-ftparchive", ["sources", poolRelative]) { WorkingDirectory = directory }, cancellationToken)).StandardOutput;
        var architectures = binaries.Select(s => Field(s, "Architecture")).Where(a => a != "all").Append(hostArch)
            .Where(DebianPackaging.IsDistribution).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var dists = Path.Combine(directory, "dists", codename);
        if (Directory.Exists(dists))
        {
            Directory.Delete(dists, recursive: true);
        }

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
                "-o", "APT::FTPArchive::Release::Label=cijobs",
                "-o", $"APT::FTPArchive::Release::Suite={codename}",
                "-o", $"APT::FTPArchive::Release::Codename={codename}",
                "-o", $"APT::FTPArchive::Release::Architectures={string.Join(' ', architectures)}",
                "-o", $"APT::FTPArchive::Release::Components={component}",
                "-o", "APT::FTPArchive::Release::Description=cijobs release repository",
                "release", $"dists/{codename}",
            ])
            { WorkingDirectory = directory },
            cancellationToken);
        var releaseFile = Path.Combine(dists, "Release");
        await File.WriteAllTextAsync(releaseFile, release.StandardOutput, cancellationToken);
        if (signer is not null)
        {
            await signer.SignDebReleaseAsync(releaseFile, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(directory, DebKeyFile), signer.PublicKeyArmored, cancellationToken);
        }
    }

    private static string Field(string stanza, string field) => AptIndexes.Field(stanza, field)
        ?? throw new CiJobsException($"a package stanza without {field}", ReleaseExitCodes.CannotPublish);

    /// <summary>The regular files under <paramref name="tree"/>/<paramref name="folder"/>, relative to the tree, '/'-separated, sorted.</summary>
    private static IEnumerable<string> Files(string tree, string folder)
    {
        var path = Path.Combine(tree, folder);
        if (!Directory.Exists(path))
        {
            return [];
        }

        return Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = folder == "pool", AttributesToSkip = FileAttributes.ReparsePoint })
            .Select(f => Path.GetRelativePath(tree, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
    }

    private static void LinkInto(string source, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        AtomicFileSystem.HardLinkOrCopy(source, target);
    }

    private static Dictionary<string, string> ReadManifest(string tree)
    {
        var manifest = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = Path.Combine(tree, InputsManifest);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadAllLines(path))
            {
                if (line.Split("  ", 2) is [var hash, var file])
                {
                    manifest[file] = hash;
                }
            }
        }

        return manifest;
    }

    private static Task WriteManifestAsync(string tree, Dictionary<string, string> manifest, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(
            Path.Combine(tree, InputsManifest),
            string.Concat(manifest.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Value}  {e.Key}\n")),
            cancellationToken);

    internal static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(spec, cancellationToken);
        if (!result.Succeeded)
        {
            throw new CiJobsException(
                $"{spec.FileName} {string.Join(' ', spec.Arguments.Take(2))} failed (exit {result.ExitCode.ToString(CultureInfo.InvariantCulture)}): {result.StandardError.Trim()}",
                ReleaseExitCodes.CannotPublish);
        }

        return result;
    }
}
