using CiJobs.Core.Builds;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Platform;
using CiJobs.Core.Provenance;
using CiJobs.Core.TestRepos;

namespace CiJobs.Core.Release;

/// <summary>
/// The provenance manifests a release publish keeps (docs/manual/release.md, "Provenance"): each RESULT_DIR's
/// <c>provenance.json</c>, checked against the files it brings, is published as <c>provenance/BUILD_ID.json</c> in the
/// format's tree, in the same switch as its packages.
/// </summary>
public static class ReleaseProvenance
{
    /// <summary>The folder of each format's tree (ROOT/rpm, ROOT/deb) holding the published manifests.</summary>
    public const string Folder = "provenance";

    /// <summary>A RESULT_DIR's manifest: the bytes as read (published as they are) and what they say.</summary>
    public sealed record Kept(ReadManifest Read, byte[] Bytes)
    {
        /// <summary>The manifest's path in its format's tree.</summary>
        public string Relative => $"{Folder}/{Read.BuildId}.json";
    }

    /// <summary>
    /// Reads the manifest of each RESULT_DIR that has one and checks that it describes that folder's files: a SUCCESS
    /// build, and every package file (and each source part a .dsc brings) listed in its outputs with the same sha256.
    /// Returns the manifest of each file name. A RESULT_DIR without a manifest is refused when <paramref name="required"/>.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, Kept>> ReadAsync(IReadOnlyList<string> resultDirectories, bool required, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resultDirectories);
        var byName = new Dictionary<string, Kept>(StringComparer.Ordinal);
        foreach (var directory in resultDirectories)
        {
            var path = Path.Combine(Path.GetFullPath(directory), ProvenanceManifest.FileName);
            var info = new FileInfo(path);
            if (!info.Exists && info.LinkTarget is null)
            {
                if (required)
                {
                    throw Refused($"{PackageNames.Printable(directory)} has no {ProvenanceManifest.FileName} (--require-provenance)");
                }

                continue;
            }

            if (info.LinkTarget is not null)
            {
                throw Refused($"{PackageNames.Printable(path)} is a symbolic link: a manifest is published only from a regular file of its RESULT_DIR");
            }

            var kept = await ReadOneAsync(path, cancellationToken);
            var manifest = kept.Read.Manifest;
            if (manifest.Status != DlrnCommit.Success)
            {
                throw Refused($"{PackageNames.Printable(path)}: the build is {PackageNames.Printable(manifest.Status)}, not SUCCESS");
            }

            var outputs = manifest.Outputs.Files
                .GroupBy(f => f.Name, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().Sha256, StringComparer.Ordinal);
            foreach (var file in TestRepoInputs.Collect([directory]))
            {
                if (!outputs.TryGetValue(file.Name, out var expected))
                {
                    throw Refused($"{PackageNames.Printable(path)} does not list {PackageNames.Printable(file.Name)}: it is not the manifest of this build");
                }

                var actual = ReleasePublisher.Sha256(file.Source);
                if (!string.Equals(expected, actual, StringComparison.Ordinal))
                {
                    throw Refused($"{PackageNames.Printable(file.Name)} is not the file {PackageNames.Printable(path)} describes (sha256 {actual}, the manifest says {expected})");
                }

                byName.TryAdd(file.Name, kept);
            }
        }

        return byName;
    }

    /// <summary>Links the manifests already published in <paramref name="tree"/> into the staged tree.</summary>
    internal static void Carry(string tree, string staged)
    {
        var folder = Path.Combine(tree, Folder);
        if (!Directory.Exists(folder))
        {
            return;
        }

        var target = Path.Combine(staged, Folder);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(folder, "*.json", new EnumerationOptions { AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            AtomicFileSystem.HardLinkOrCopy(file, Path.Combine(target, Path.GetFileName(file)));
        }
    }

    /// <summary>Writes the manifest of each added file into the staged tree (once per build); returns each file's manifest path
    /// relative to the tree.</summary>
    internal static async Task<IReadOnlyDictionary<string, string>> WriteAsync(
        string staged, IEnumerable<string> addedNames, IReadOnlyDictionary<string, Kept> manifests, CancellationToken cancellationToken)
    {
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in addedNames)
        {
            if (!manifests.TryGetValue(name, out var kept))
            {
                continue;
            }

            var target = Path.Combine(staged, kept.Relative);
            if (!File.Exists(target))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await File.WriteAllBytesAsync(target, kept.Bytes, cancellationToken);
            }

            written[name] = kept.Relative;
        }

        return written;
    }

    /// <summary>The manifest as <c>truth ingest</c> reads it, its refusals exit 117 here.</summary>
    private static async Task<Kept> ReadOneAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await ProvenanceReader.ReadBytesAsync(path, cancellationToken);
            return new Kept(ProvenanceReader.Read(bytes, path), bytes);
        }
        catch (CiJobsException e)
        {
            throw new CiJobsException(e.Message, ReleaseExitCodes.CannotPublish, e);
        }
    }

    private static CiJobsException Refused(string message) => new(message, ReleaseExitCodes.CannotPublish);
}
