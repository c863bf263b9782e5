using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Xml;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Mirror;

/// <summary>The kind of a repository found in a tree.</summary>
public enum RepositoryKind
{
    Rpm,
    Deb,
}

/// <summary>A repository in a tree: an RPM one (its root holds repodata/repomd.xml) or a Debian distribution (dists/X/Release).</summary>
public sealed record FoundRepository(RepositoryKind Kind, string RelativePath);

/// <summary>
/// Reads and checks a local repository tree: finds every repodata/repomd.xml and dists/*/Release, checks the size and
/// checksum of each file their metadata lists, checks that every package the metadata lists is there with its size, and
/// collects names and versions (streamed; only names and versions are kept). docs/manual/mirror.md, "What is checked".
/// </summary>
public sealed class RepositoryTree
{
    /// <summary>Largest repomd.xml and Release read (bytes).</summary>
    public const long MaxIndexBytes = 16L << 20;

    /// <summary>Largest decompressed primary.xml, Packages or Sources read (characters).</summary>
    public const long MaxListChars = 8L << 30;

    /// <summary>Longest line of a Packages, Sources or Release file.</summary>
    public const int MaxLineChars = 1 << 20;

    private readonly IProcessRunner runner;
    private readonly string root;
    private string? realRoot;

    /// <summary>While <see cref="CaptureListsAsync"/> runs: where the lists' digests and package claims go.</summary>
    private ListCapture? capture;

    /// <summary>While <see cref="CheckMetadataAsync"/> runs: each list the check would read, with the SHA-256 its metadata gives.</summary>
    private Dictionary<string, string>? expectedLists;

    public RepositoryTree(IProcessRunner runner, string root)
    {
        this.runner = runner;
        this.root = Path.GetFullPath(root).TrimEnd('/');
    }

    /// <summary>Every repository of the tree, in path order.</summary>
    public IReadOnlyList<FoundRepository> Find()
    {
        var found = new List<FoundRepository>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            foreach (var sub in Directory.EnumerateDirectories(folder))
            {
                if (new DirectoryInfo(sub).LinkTarget is not null)
                {
                    continue; // Links are checked by EnsureNoEscapingLinks and not walked twice.
                }

                var name = Path.GetFileName(sub);
                if (name == "repodata" && File.Exists(Path.Combine(sub, "repomd.xml")))
                {
                    found.Add(new FoundRepository(RepositoryKind.Rpm, Relative(folder)));
                }
                else if (name == "dists")
                {
                    foreach (var dist in Directory.EnumerateDirectories(sub).Where(d => File.Exists(Path.Combine(d, "Release"))))
                    {
                        found.Add(new FoundRepository(RepositoryKind.Deb, Relative(dist)));
                    }
                }

                pending.Push(sub);
            }
        }

        return [.. found.DistinctBy(f => (f.Kind, f.RelativePath)).OrderBy(f => f.RelativePath, StringComparer.Ordinal).ThenBy(f => f.Kind)];
    }

    /// <summary>Refuses a symbolic link that is absolute or leads outside the tree (docs/manual/mirror.md, "Symbolic links").</summary>
    public void EnsureNoEscapingLinks()
    {
        var realRoot = RealPaths.Resolve(root) ?? root;
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false }))
        {
            if (!entry.Attributes.HasFlag(FileAttributes.ReparsePoint) || entry.LinkTarget is not { } target)
            {
                continue;
            }

            var shown = Relative(entry.FullName);
            if (Path.IsPathRooted(target))
            {
                throw new CiJobsException($"SOURCE holds an absolute symbolic link {shown} -> {target}; only relative links that stay inside SOURCE are copied", MirrorExitCodes.UnsafeSource);
            }

            var lexical = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(entry.FullName)!, target));
            var resolved = RealPaths.Resolve(lexical) ?? lexical;

            if (!Inside(lexical, root) || !Inside(resolved, realRoot))
            {
                throw new CiJobsException($"SOURCE holds a symbolic link {shown} -> {target} that leads outside SOURCE", MirrorExitCodes.UnsafeSource);
            }
        }
    }

    /// <summary>Checks every repository's metadata and packages and returns their names and versions. With
    /// <paramref name="readLists"/> false, only the checksums of the files repomd.xml and Release list are checked (no
    /// package list is read, no package looked at), and the index returned is empty.</summary>
    public async Task<PackageIndex> CheckAsync(IReadOnlyList<FoundRepository> repositories, int failureCode, CancellationToken cancellationToken, bool readLists = true)
    {
        var index = new PackageIndex();
        await CheckAsync(repositories, failureCode, index, cancellationToken, readLists);
        return index;
    }

    /// <summary>The same check, giving each package read to <paramref name="sink"/>.</summary>
    public async Task CheckAsync(IReadOnlyList<FoundRepository> repositories, int failureCode, IPackageSink sink, CancellationToken cancellationToken, bool readLists = true)
    {
        foreach (var repository in repositories)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (repository.Kind == RepositoryKind.Rpm)
            {
                await CheckRpmAsync(repository.RelativePath, sink, failureCode, cancellationToken, readLists: readLists);
            }
            else
            {
                await CheckDebAsync(repository.RelativePath, sink, failureCode, cancellationToken, readLists: readLists);
            }
        }
    }

    /// <summary>
    /// Reads every package list of the repositories into <paramref name="sink"/> without looking at any package file or
    /// metadata checksum: the SHA-256 of each list's bytes and each package file named (with its size) go to
    /// <paramref name="into"/>, for the check of a copy (<see cref="CheckMetadataAsync"/>, <see cref="CheckClaims"/>). A
    /// list decompressed by a program (.xz, .zst) is copied aside and hashed first, and the program reads the copy.
    /// </summary>
    internal async Task CaptureListsAsync(IReadOnlyList<FoundRepository> repositories, int failureCode, IPackageSink sink, ListCapture into, CancellationToken cancellationToken)
    {
        capture = into;
        try
        {
            await CheckAsync(repositories, failureCode, sink, cancellationToken);
        }
        finally
        {
            capture = null;
        }
    }

    /// <summary>Checks the metadata checksums as <see cref="CheckAsync(IReadOnlyList{FoundRepository}, int, CancellationToken, bool)"/>
    /// with readLists false, and gives the lists a full check would read (path relative to the root) with the SHA-256 the
    /// metadata gives each (another checksum type gives a value no digest equals).</summary>
    internal async Task<Dictionary<string, string>> CheckMetadataAsync(IReadOnlyList<FoundRepository> repositories, int failureCode, CancellationToken cancellationToken)
    {
        var lists = new Dictionary<string, string>(StringComparer.Ordinal);
        expectedLists = lists;
        try
        {
            await CheckAsync(repositories, failureCode, new PackageIndex(), cancellationToken, readLists: false);
            return lists;
        }
        finally
        {
            expectedLists = null;
        }
    }

    /// <summary>Looks in this tree for every package file <paramref name="claims"/> names (read from another tree with the
    /// same lists), as a full check would: present, a regular file, of the size its list gives.</summary>
    internal void CheckClaims(ListCapture claims, int failureCode, CancellationToken cancellationToken)
    {
        // Claims come grouped by folder (a list's packages are mostly in one): each folder is opened once and its files
        // are looked at relative to it, one statx each (docs/manual/mirror.md, "Performance").
        FolderDescriptor? folder = null;
        string? folderPath = null;
        var seen = 0;
        try
        {
            foreach (var (path, size, listedIn) in claims.ReadClaims())
            {
                if ((++seen & 0xfff) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var file = Combine(path, MirrorExitCodes.UnsafeSource, $"{listedIn}: the package location '{path}'");
                var parent = Path.GetDirectoryName(file)!;
                if (parent != folderPath)
                {
                    folder?.Dispose();
                    folder = FolderDescriptor.Open(parent);
                    folderPath = parent;
                }

                if (folder is null || FileStat.Of(folder.Value, Path.GetFileName(file), file) is not { IsRegular: true } stat || (size is not null && size != stat.Size))
                {
                    CheckPresent(file, size, listedIn, failureCode); // Says why, or finds it after all.
                }
            }
        }
        finally
        {
            folder?.Dispose();
        }
    }

    /// <summary>The names and versions only, without checks (the published snapshot's, for the report); a repository whose
    /// metadata no longer reads (edited by hand) adds nothing.</summary>
    public async Task<PackageIndex> ReadPackagesAsync(CancellationToken cancellationToken)
    {
        var index = new PackageIndex();
        foreach (var repository in Find())
        {
            try
            {
                if (repository.Kind == RepositoryKind.Rpm)
                {
                    await CheckRpmAsync(repository.RelativePath, index, MirrorExitCodes.SyncFailed, cancellationToken, checkFiles: false);
                }
                else
                {
                    await CheckDebAsync(repository.RelativePath, index, MirrorExitCodes.SyncFailed, cancellationToken, checkFiles: false);
                }
            }
            catch (CiJobsException)
            {
            }
        }

        return index;
    }

    private async Task CheckRpmAsync(string repo, IPackageSink index, int code, CancellationToken cancellationToken, bool checkFiles = true, bool readLists = true)
    {
        var repoRoot = Combine(repo, code);
        var repomd = Path.Combine(repoRoot, "repodata", "repomd.xml");
        var shown = Relative(repomd);
        var data = new List<(string Type, string Href, string? ChecksumType, string? Checksum, long? Size)>();
        try
        {
            EnsureReadable(repomd);
            if (new FileInfo(repomd).Length > MaxIndexBytes)
            {
                throw new CiJobsException($"{shown} is larger than {MaxIndexBytes} bytes", code);
            }

            using var reader = XmlReader.Create(repomd, XmlSettings(MaxIndexBytes));
            string? type = null, href = null, checksumType = null, checksum = null, pending = null;
            long? size = null;
            while (Read(reader, shown, code))
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "data")
                {
                    type = reader.GetAttribute("type") ?? "";
                    href = checksumType = checksum = pending = null;
                    size = null;
                }
                else if (reader.NodeType == XmlNodeType.Element && type is not null && reader.Depth == 2)
                {
                    pending = reader.LocalName;
                    if (pending == "checksum")
                    {
                        checksumType = reader.GetAttribute("type");
                    }
                    else if (pending == "location")
                    {
                        href = reader.GetAttribute("href");
                    }
                }
                else if (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA && pending is not null)
                {
                    if (pending == "checksum")
                    {
                        checksum = reader.Value.Trim();
                    }
                    else if (pending == "size")
                    {
                        size = long.TryParse(reader.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : -1;
                    }
                }
                else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "data" && type is not null)
                {
                    data.Add((type, href ?? throw new CiJobsException($"{shown}: the '{type}' data has no location", code), checksumType, checksum, size));
                    type = null;
                }
                else if (reader.NodeType == XmlNodeType.EndElement)
                {
                    pending = null;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot read {shown}: {e.Message}", code, e);
        }

        if (data.Count == 0)
        {
            throw new CiJobsException($"{shown} lists no data files", code);
        }

        foreach (var (type, href, checksumType, checksum, size) in data)
        {
            var file = Combine(Path.Combine(repo, href), MirrorExitCodes.UnsafeSource, $"{shown}: the location '{href}'");
            if (checkFiles)
            {
                await CheckFileAsync(file, size, checksumType ?? "", checksum ?? "", shown, code, cancellationToken);
            }

            if (type == "primary" && expectedLists is not null)
            {
                expectedLists[Relative(file)] = checksumType?.ToLowerInvariant() == "sha256" && checksum is not null ? checksum.ToLowerInvariant() : $"{checksumType}:{checksum}";
            }

            if (type == "primary" && readLists)
            {
                await ReadPrimaryAsync(file, repo, repoRoot, index, code, checkFiles, cancellationToken);
            }
        }
    }

    private async Task ReadPrimaryAsync(string file, string repo, string repoRoot, IPackageSink index, int code, bool checkFiles, CancellationToken cancellationToken)
    {
        var shown = Relative(file);
        await using var opened = await OpenDecompressedAsync(file, code, cancellationToken);
        using var reader = XmlReader.Create(opened.Stream, XmlSettings(MaxListChars));
        string? name = null, arch = null, version = null, href = null, pending = null;
        long? size = null;
        while (Read(reader, shown, code))
        {
            if (reader.NodeType == XmlNodeType.Element && reader.Depth == 1 && reader.LocalName == "package")
            {
                name = arch = version = href = pending = null;
                size = null;
            }
            else if (reader.NodeType == XmlNodeType.Element && reader.Depth == 2)
            {
                pending = reader.LocalName;
                switch (reader.LocalName)
                {
                    case "version":
                        var epoch = reader.GetAttribute("epoch");
                        version = $"{(epoch is null or "0" ? "" : epoch + ":")}{reader.GetAttribute("ver")}-{reader.GetAttribute("rel")}";
                        break;
                    case "location":
                        href = reader.GetAttribute("href");
                        break;
                    case "size":
                        size = long.TryParse(reader.GetAttribute("package"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null;
                        break;
                }
            }
            else if (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA && reader.Depth == 3 && pending is "name" or "arch")
            {
                if (pending == "name")
                {
                    name = reader.Value;
                }
                else
                {
                    arch = reader.Value;
                }
            }
            else if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == 1 && reader.LocalName == "package")
            {
                if (name is null || href is null)
                {
                    throw new CiJobsException($"{shown}: a package without a name or location", code);
                }

                index.Add(new PackageRow(repo, name, arch ?? "", version ?? "", href, size));
                if (checkFiles)
                {
                    var package = Combine(Path.Combine(repo, href), MirrorExitCodes.UnsafeSource, $"{shown}: the package location '{href}'");
                    CheckPresent(package, size, shown, code);
                }
            }
        }

        await RecordDigestAsync(opened, file, cancellationToken);

        _ = repoRoot;
    }

    private async Task CheckDebAsync(string dist, IPackageSink index, int code, CancellationToken cancellationToken, bool checkFiles = true, bool readLists = true)
    {
        var distRoot = Combine(dist, code);
        var release = Path.Combine(distRoot, "Release");
        var shown = Relative(release);
        var entries = new List<(string Hash, long Size, string Path)>();
        EnsureReadable(release);
        if (new FileInfo(release).Length > MaxIndexBytes)
        {
            throw new CiJobsException($"{shown} is larger than {MaxIndexBytes} bytes", code);
        }

        var inSha256 = false;
        await foreach (var line in ReadLinesAsync(release, shown, code, cancellationToken))
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                inSha256 = line.TrimEnd() == "SHA256:";
                continue;
            }

            if (!inSha256 || line.Trim().Length == 0)
            {
                continue;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size) || parts[0].Length != 64)
            {
                throw new CiJobsException($"{shown}: a malformed SHA256 line '{line.Trim()}'", code);
            }

            entries.Add((parts[0], size, parts[2]));
        }

        if (entries.Count == 0)
        {
            throw new CiJobsException($"{shown} lists no SHA256 entries", code);
        }

        var present = 0;
        var lists = new Dictionary<string, string>(StringComparer.Ordinal);
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (hash, size, relative) in entries)
        {
            var file = Combine(Path.Combine(dist, relative), MirrorExitCodes.UnsafeSource, $"{shown}: the entry '{relative}'");
            if (checkFiles)
            {
                var byHash = Path.Combine(Path.GetDirectoryName(file)!, "by-hash", "SHA256", hash);
                if (File.Exists(byHash))
                {
                    await CheckFileAsync(byHash, size, "sha256", hash, shown, code, cancellationToken);
                }
            }

            if (!File.Exists(file))
            {
                continue; // Release may list variants (the uncompressed Packages) that are not published.
            }

            present++;
            hashes[file] = hash;
            if (checkFiles)
            {
                await CheckFileAsync(file, size, "sha256", hash, shown, code, cancellationToken);
            }

            var fileName = Path.GetFileName(relative);
            var baseName = fileName.Split('.')[0];
            if (baseName is "Packages" or "Sources")
            {
                var key = Path.Combine(Path.GetDirectoryName(relative) ?? "", baseName);
                if (!lists.TryGetValue(key, out var chosen) || Preference(file) < Preference(chosen))
                {
                    lists[key] = file;
                }
            }
        }

        if (present == 0)
        {
            throw new CiJobsException($"{shown}: none of the files it lists is there", code);
        }

        if (expectedLists is not null)
        {
            foreach (var list in lists.Values)
            {
                expectedLists[Relative(list)] = hashes[list].ToLowerInvariant();
            }
        }

        foreach (var list in lists.Values.Order(StringComparer.Ordinal).Where(_ => readLists))
        {
            await ReadDebListAsync(list, dist, index, code, checkFiles, cancellationToken);
        }
    }

    private static int Preference(string file) => Path.GetExtension(file) switch
    {
        ".gz" => 1,
        ".xz" => 2,
        ".zst" => 3,
        "" => 0,
        _ => 4,
    };

    private async Task ReadDebListAsync(string file, string dist, IPackageSink index, int code, bool checkFiles, CancellationToken cancellationToken)
    {
        var shown = Relative(file);
        var sources = Path.GetFileName(file).StartsWith("Sources", StringComparison.Ordinal);
        var archiveRoot = Path.GetDirectoryName(Path.GetDirectoryName(dist)) ?? "";
        await using var opened = await OpenDecompressedAsync(file, code, cancellationToken);
        string? package = null, version = null, arch = null, filename = null, directory = null;
        long? size = null;
        var inFiles = false;
        var files = new List<(long Size, string Name)>();
        await foreach (var line in ReadLinesAsync(opened.Stream, shown, code, cancellationToken).WithCancellation(cancellationToken))
        {
            if (line.Length == 0)
            {
                Flush();
                continue;
            }

            if (char.IsWhiteSpace(line[0]))
            {
                if (inFiles && sources)
                {
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length == 3 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var fileSize))
                    {
                        files.Add((fileSize, parts[2]));
                    }
                }

                continue;
            }

            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw new CiJobsException($"{shown}: a malformed line '{Shorten(line)}'", code);
            }

            var field = line[..colon];
            var value = line[(colon + 1)..].Trim();
            inFiles = field == "Files";
            switch (field)
            {
                case "Package":
                    package = value;
                    break;
                case "Version":
                    version = value;
                    break;
                case "Architecture":
                    arch = value;
                    break;
                case "Filename":
                    filename = value;
                    break;
                case "Directory":
                    directory = value;
                    break;
                case "Size":
                    size = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null;
                    break;
            }
        }

        Flush();
        await RecordDigestAsync(opened, file, cancellationToken);

        void Flush()
        {
            if (package is not null)
            {
                index.Add(new PackageRow(dist, package, sources ? "source" : arch ?? "", version ?? "", (sources ? directory : filename) ?? "", sources ? null : size));
                if (checkFiles && !sources && filename is not null)
                {
                    var path = Combine(Path.Combine(archiveRoot, filename), MirrorExitCodes.UnsafeSource, $"{shown}: the file name '{filename}'");
                    CheckPresent(path, size, shown, code);
                }
                else if (checkFiles && sources && directory is not null)
                {
                    foreach (var (fileSize, name) in files)
                    {
                        var path = Combine(Path.Combine(archiveRoot, directory, name), MirrorExitCodes.UnsafeSource, $"{shown}: the file '{directory}/{name}'");
                        CheckPresent(path, fileSize, shown, code);
                    }
                }
            }

            package = version = arch = filename = directory = null;
            size = null;
            inFiles = false;
            files.Clear();
        }
    }

    private void CheckPresent(string file, long? size, string listedIn, int code)
    {
        if (capture is not null)
        {
            capture.Claim(Relative(file), size, listedIn); // Looked for in the copy (CheckClaims).
            return;
        }

        // One statx: a regular file of the listed size is the common case. Anything else (missing, a link, another size)
        // is looked at again below, which says why (docs/manual/mirror.md, "Performance").
        if (FileStat.Of(FileStat.CurrentFolder, file, file) is { IsRegular: true } stat && (size is null || size == stat.Size))
        {
            return;
        }

        var info = new FileInfo(file);
        if (!info.Exists)
        {
            throw new CiJobsException($"{Relative(file)}, listed in {listedIn}, is missing", code);
        }

        if (size is { } expected && info.Length != expected)
        {
            throw new CiJobsException($"{Relative(file)} has {info.Length} bytes, {listedIn} says {expected}", code);
        }
    }

    private async Task CheckFileAsync(string file, long? size, string checksumType, string checksum, string listedIn, int code, CancellationToken cancellationToken)
    {
        if (capture is not null)
        {
            return; // The copy's metadata is checked (CheckMetadataAsync); what is captured is only adopted when it matches.
        }

        EnsureReadable(file);
        CheckPresent(file, size is < 0 ? null : size, listedIn, code);
        HashAlgorithmName algorithm = checksumType.ToLowerInvariant() switch
        {
            "sha256" => HashAlgorithmName.SHA256,
            "sha512" => HashAlgorithmName.SHA512,
            "sha384" => HashAlgorithmName.SHA384,
            "sha1" or "sha" => HashAlgorithmName.SHA1,
            _ => throw new CiJobsException($"{listedIn}: {Relative(file)} has an unsupported checksum type '{Shorten(checksumType)}'", code),
        };
        string actual;
        try
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            using var hash = IncrementalHash.CreateHash(algorithm);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }

            actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot read {Relative(file)}: {e.Message}", code, e);
        }

        if (!string.Equals(actual, checksum, StringComparison.OrdinalIgnoreCase))
        {
            throw new CiJobsException($"{Relative(file)} does not match the {checksumType} checksum {listedIn} gives", code);
        }
    }

    /// <summary>While lists are captured: the SHA-256 of the whole list file whose content was just read.</summary>
    private async Task RecordDigestAsync(Opened opened, string file, CancellationToken cancellationToken)
    {
        if (capture is not null && opened.Digest is { } digest)
        {
            capture.Digests[Relative(file)] = digest;
        }
        else if (capture is not null && opened.Hashing is { } hashing)
        {
            try
            {
                capture.Digests[Relative(file)] = await hashing.HashToEndAsync(cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CiJobsException($"cannot read {Relative(file)}: {e.Message}", MirrorExitCodes.NotARepository, e);
            }
        }
    }

    private sealed class Opened(Stream stream, string? temp, HashingReadStream? hashing = null, string? digest = null) : IAsyncDisposable
    {
        public Stream Stream => stream;

        /// <summary>The file's own bytes as read (under the decompression), while lists are captured; null otherwise.</summary>
        public HashingReadStream? Hashing => hashing;

        /// <summary>While lists are captured, the SHA-256 of a file decompressed by a program (of the private copy it read).</summary>
        public string? Digest => digest;

        public async ValueTask DisposeAsync()
        {
            await stream.DisposeAsync();
            if (temp is not null)
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    /// <summary>The file decompressed as a stream: .gz in process, .xz and .zst with xz and zstd into a private temp folder.</summary>
    private async Task<Opened> OpenDecompressedAsync(string file, int code, CancellationToken cancellationToken)
    {
        var extension = Path.GetExtension(file);
        EnsureReadable(file);
        try
        {
            if (extension is ".xz" or ".zst")
            {
                var temp = Directory.CreateTempSubdirectory("cijobs-mirror-").FullName;
                var output = Path.Combine(temp, "list");
                string? digest = null;
                var input = file;
                if (capture is not null)
                {
                    // While lists are captured, the program decompresses a private copy whose bytes were hashed as they were
                    // copied: the digest is of exactly what is parsed, even if the file changes meanwhile.
                    input = Path.Combine(temp, "input" + extension);
                    await using (var hashed = new HashingReadStream(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16)))
                    await using (var copy = new FileStream(input, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                    {
                        await hashed.CopyToAsync(copy, cancellationToken);
                        digest = await hashed.HashToEndAsync(cancellationToken);
                    }
                }

                var spec = extension == ".zst"
                    ? new ProcessSpec("zstd", ["-d", "-q", "-f", "-o", output, "--", input])
                    : new ProcessSpec("sh", ["-c", "xz -d -c -- \"$1\" > \"$2\"", "sh", input, output]);
                var result = await runner.RunAsync(spec with { MaxOutputChars = 4096 }, cancellationToken);
                if (!result.Succeeded)
                {
                    Directory.Delete(temp, recursive: true);
                    throw new CiJobsException($"cannot decompress {Relative(file)}: {FirstLine(result.StandardError)}", code);
                }

                return new Opened(new FileStream(output, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), temp, digest: digest);
            }

            Stream stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var hashing = capture is null ? null : new HashingReadStream(stream);
            stream = hashing ?? stream;
            return new Opened(extension == ".gz" ? new GZipStream(stream, CompressionMode.Decompress) : stream, null, hashing);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot read {Relative(file)}: {e.Message}", code, e);
        }
    }

    private static async IAsyncEnumerable<string> ReadLinesAsync(string file, string shown, int code, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot read {shown}: {e.Message}", code, e);
        }

        await using (stream)
        {
            await foreach (var line in ReadLinesAsync(stream, shown, code, cancellationToken))
            {
                yield return line;
            }
        }
    }

    /// <summary>Lines of at most <see cref="MaxLineChars"/> characters, and at most <see cref="MaxListChars"/> in all.</summary>
    private static async IAsyncEnumerable<string> ReadLinesAsync(Stream stream, string shown, int code, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, leaveOpen: true);
        var line = new System.Text.StringBuilder();
        var buffer = new char[1 << 15];
        long total = 0;
        int read;
        while (true)
        {
            try
            {
                read = await reader.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                throw new CiJobsException($"cannot read {shown}: {e.Message}", code, e);
            }

            if (read == 0)
            {
                break;
            }

            total += read;
            if (total > MaxListChars)
            {
                throw new CiJobsException($"{shown} is longer than {MaxListChars} characters", code);
            }

            for (var i = 0; i < read; i++)
            {
                if (buffer[i] == '\n')
                {
                    yield return line.ToString().TrimEnd('\r');
                    line.Clear();
                }
                else if (line.Length >= MaxLineChars)
                {
                    throw new CiJobsException($"{shown} has a line longer than {MaxLineChars} characters", code);
                }
                else
                {
                    line.Append(buffer[i]);
                }
            }
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    private static XmlReaderSettings XmlSettings(long maxChars) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = maxChars,
        MaxCharactersFromEntities = 0,
        IgnoreWhitespace = true,
        IgnoreComments = true,
    };

    // Synchronous: the files are local (or decompressed to a local temp file), where XmlReader's async mode only adds
    // work (docs/manual/mirror.md, "Performance").
    private static bool Read(XmlReader reader, string shown, int code)
    {
        try
        {
            return reader.Read();
        }
        catch (Exception e) when (e is XmlException or IOException or InvalidDataException)
        {
            throw new CiJobsException($"cannot read {shown}: {FirstLine(e.Message)}", code, e);
        }
    }

    /// <summary>
    /// Refuses to read a metadata file whose real path (every symbolic link resolved) is outside the tree: SOURCE's
    /// metadata is read before the copy, which is where its links are checked (docs/manual/mirror.md, "Symbolic links in
    /// SOURCE"). A path that does not resolve is left to the read to report.
    /// </summary>
    private void EnsureReadable(string file)
    {
        realRoot ??= RealPaths.Resolve(root) ?? root;
        if (RealPaths.Resolve(file) is { } resolved && !Inside(resolved, realRoot))
        {
            throw new CiJobsException($"{Relative(file)} is a symbolic link leading outside the repository tree (or is under one)", MirrorExitCodes.UnsafeSource);
        }
    }

    /// <summary>ROOT/relative, refused when it leaves the tree.</summary>
    private string Combine(string relative, int code, string? what = null)
    {
        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (relative.Contains('\0', StringComparison.Ordinal) || Path.IsPathRooted(relative) || !Inside(full, root))
        {
            throw new CiJobsException($"{what ?? relative} leads outside the repository tree", code);
        }

        return full;
    }

    private static bool Inside(string path, string folder) =>
        path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);

    private string Relative(string path) => Path.GetRelativePath(root, path);

    private static string FirstLine(string text) => Shorten(text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "no message");

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "..." : text;
}

/// <summary>Names and versions of the packages of a tree, in memory: per repository, name and architecture, the versions
/// listed. Used where no package list file is at hand (a remote DEST, a snapshot made before the lists existed).</summary>
public sealed class PackageIndex : IPackageSink
{
    // One version (the common case) is kept as its string; several as a sorted set. Memory is about one key and one
    // version string per package (docs/manual/mirror.md, "Performance").
    private readonly Dictionary<(string Repository, string Name, string Arch), object> packages = [];

    public int Count => packages.Count;

    private readonly Dictionary<string, string> arches = new(StringComparer.Ordinal);

    public void Add(PackageRow package) => Add(package.Repository, package.Name, package.Arch, package.Version);

    public void Add(string repository, string name, string arch, string version)
    {
        // Architectures are few: one string each, shared by every package.
        if (!arches.TryGetValue(arch, out var shared))
        {
            arches[arch] = shared = arch;
        }

        var key = (repository, name, shared);
        if (!packages.TryGetValue(key, out var versions))
        {
            packages[key] = version;
        }
        else if (versions is string one)
        {
            if (!string.Equals(one, version, StringComparison.Ordinal))
            {
                packages[key] = new SortedSet<string>(StringComparer.Ordinal) { one, version };
            }
        }
        else
        {
            ((SortedSet<string>)versions).Add(version);
        }
    }

    /// <summary>One row per version (no path, no size), sorted by <see cref="PackageRow.Order"/>, for <see cref="PackageChanges.Merge"/>.</summary>
    public IEnumerable<PackageRow> SortedRows() =>
        packages.SelectMany(p => (p.Value as SortedSet<string> ?? [(string)p.Value]).Select(v => new PackageRow(p.Key.Repository, p.Key.Name, p.Key.Arch, v, "", null)))
            .Order(PackageRow.Order);
}
