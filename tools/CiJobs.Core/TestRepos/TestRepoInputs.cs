using System.Security.Cryptography;
using CiJobs.Core.Builds;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Platform;

namespace CiJobs.Core.TestRepos;

/// <summary>The kinds of files a test repository takes.</summary>
public enum TestRepoFileKind
{
    Rpm,
    Deb,
    Dsc,

    /// <summary>A file a .dsc lists (tarballs, a diff).</summary>
    SourcePart,
}

/// <summary>One file to publish: its name in the repository and the resolved path it is read from.</summary>
public sealed record TestRepoInputFile(string Name, string Source, TestRepoFileKind Kind);

/// <summary>
/// Collects the packages of RESULT_DIRs (docs/manual/testrepo.md, "Inputs"): the artifacts commit.yaml lists when the
/// folder has one (a failed build is refused), else every .rpm, .deb and .dsc at its top; each .dsc brings the files it
/// lists. Every name is checked before it becomes a path, every file must resolve inside its RESULT_DIR, and one name
/// brought twice must have the same bytes.
/// </summary>
public static class TestRepoInputs
{
    private const long MaxDscBytes = 1 << 20;

    public static IReadOnlyList<TestRepoInputFile> Collect(IReadOnlyList<string> resultDirectories)
    {
        ArgumentNullException.ThrowIfNull(resultDirectories);
        if (resultDirectories.Count == 0)
        {
            throw new CiJobsException("no RESULT_DIR given", TestRepoExitCodes.InvalidInput);
        }

        var files = new Dictionary<string, TestRepoInputFile>(StringComparer.Ordinal);
        foreach (var directory in resultDirectories)
        {
            var full = Path.GetFullPath(directory);
            var real = Directory.Exists(full) ? RealPaths.Resolve(full) : null;
            if (real is null)
            {
                throw new CiJobsException($"RESULT_DIR '{PackageNames.Printable(directory)}' is not a folder", TestRepoExitCodes.InvalidInput);
            }

            foreach (var name in PackageNamesOf(full))
            {
                var kind = KindOf(name);
                if (kind is null)
                {
                    continue;
                }

                var source = Resolve(full, real, name);
                Add(files, new TestRepoInputFile(name, source, kind.Value));
                if (kind == TestRepoFileKind.Dsc)
                {
                    foreach (var part in Dsc.Read(source).Files)
                    {
                        CheckFileName(part, $"{source} (Files)");
                        Add(files, new TestRepoInputFile(part, Resolve(full, real, part), TestRepoFileKind.SourcePart));
                    }
                }
            }
        }

        if (!files.Values.Any(f => f.Kind is TestRepoFileKind.Rpm or TestRepoFileKind.Deb or TestRepoFileKind.Dsc))
        {
            throw new CiJobsException(
                $"no package (.rpm, .deb or .dsc) in {string.Join(", ", resultDirectories.Select(PackageNames.Printable))}",
                TestRepoExitCodes.InvalidInput);
        }

        return [.. files.Values.OrderBy(f => f.Name, StringComparer.Ordinal)];
    }

    /// <summary>Refuses a file name with a path separator, <c>..</c>, a control character or white space, or a leading dot.</summary>
    public static void CheckFileName(string name, string where)
    {
        if (name.Length is 0 or > 255 || name.Contains('/', StringComparison.Ordinal) || name.Contains("..", StringComparison.Ordinal)
            || name.StartsWith('.') || name.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw new CiJobsException(
                $"{where}: unsafe file name '{PackageNames.Printable(name)}' (no '/', '..', control characters, white space or leading dot)",
                TestRepoExitCodes.UnsafeInput);
        }
    }

    public static TestRepoFileKind? KindOf(string name) =>
        name.EndsWith(".rpm", StringComparison.Ordinal) ? TestRepoFileKind.Rpm
        : name.EndsWith(".deb", StringComparison.Ordinal) ? TestRepoFileKind.Deb
        : name.EndsWith(".dsc", StringComparison.Ordinal) ? TestRepoFileKind.Dsc
        : null;

    /// <summary>The names commit.yaml lists as artifacts, or, without commit.yaml, the package files at the folder's top.</summary>
    private static IEnumerable<string> PackageNamesOf(string directory)
    {
        var commitFile = Path.Combine(directory, "commit.yaml");
        if (!File.Exists(commitFile))
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(entry);
                if (KindOf(name) is not null)
                {
                    CheckFileName(name, directory);
                    yield return name;
                }
            }

            yield break;
        }

        var commits = DlrnCommit.TryParse(File.ReadAllText(commitFile));
        if (commits is not { Count: > 0 })
        {
            throw new CiJobsException($"{commitFile}: not a DLRN commit.yaml", TestRepoExitCodes.InvalidInput);
        }

        if (commits.FirstOrDefault(c => c.Status != DlrnCommit.Success) is { } failed)
        {
            throw new CiJobsException($"{commitFile}: the build of {PackageNames.Printable(failed.ProjectName)} is {PackageNames.Printable(failed.Status)}, not SUCCESS", TestRepoExitCodes.InvalidInput);
        }

        foreach (var artifact in commits.SelectMany(c => c.Artifacts))
        {
            if (artifact.Split('/').Any(part => part == ".."))
            {
                CheckFileName(artifact, $"{commitFile} (artifacts)");
            }

            var name = artifact[(artifact.LastIndexOf('/') + 1)..];
            CheckFileName(name, $"{commitFile} (artifacts)");
            yield return name;
        }
    }

    /// <summary>The real path of <paramref name="name"/> in the folder; it must be a regular file inside the folder.</summary>
    private static string Resolve(string directory, string realDirectory, string name)
    {
        var path = Path.Combine(directory, name);
        var info = new FileInfo(path);
        if (!info.Exists && info.LinkTarget is null)
        {
            throw new CiJobsException($"{path} is missing", TestRepoExitCodes.InvalidInput);
        }

        var real = RealPaths.Resolve(path);
        if (real is not null && !RealPaths.IsInside(real, realDirectory))
        {
            throw new CiJobsException($"{path} is a symbolic link leading outside {directory}", TestRepoExitCodes.UnsafeInput);
        }

        if (real is null || !File.Exists(real) || File.GetAttributes(real).HasFlag(FileAttributes.Directory))
        {
            throw new CiJobsException($"{path} is not a regular file (a dangling link or a folder)", TestRepoExitCodes.InvalidInput);
        }

        return real;
    }

    private static void Add(Dictionary<string, TestRepoInputFile> files, TestRepoInputFile file)
    {
        if (!files.TryGetValue(file.Name, out var earlier))
        {
            files.Add(file.Name, file);
            return;
        }

        if (earlier.Source != file.Source && !SameBytes(earlier.Source, file.Source))
        {
            throw new CiJobsException(
                $"two inputs bring {file.Name} with different content: {earlier.Source} and {file.Source}",
                TestRepoExitCodes.ConflictingFiles);
        }
    }

    private static bool SameBytes(string first, string second)
    {
        if (new FileInfo(first).Length != new FileInfo(second).Length)
        {
            return false;
        }

        using var a = File.OpenRead(first);
        using var b = File.OpenRead(second);
        return SHA256.HashData(a).AsSpan().SequenceEqual(SHA256.HashData(b));
    }

    /// <summary>The fields of a .dsc the repository needs: the source name, its version and the files it lists.</summary>
    public sealed record Dsc(string Source, string Version, IReadOnlyList<string> Files)
    {
        /// <summary>Reads a .dsc (clear-signed or not): Source, Version and the names of its Files field.</summary>
        public static Dsc Read(string path)
        {
            if (new FileInfo(path).Length > MaxDscBytes)
            {
                throw new CiJobsException($"{path}: larger than {MaxDscBytes} bytes, not a .dsc", TestRepoExitCodes.InvalidInput);
            }

            string? source = null;
            string? version = null;
            var files = new List<string>();
            string? field = null;
            foreach (var line in File.ReadAllLines(path))
            {
                if (line.StartsWith(' ') || line.StartsWith('\t'))
                {
                    if (field == "Files")
                    {
                        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        if (parts.Length != 3)
                        {
                            throw new CiJobsException($"{path}: a Files line is not 'md5 size name'", TestRepoExitCodes.InvalidInput);
                        }

                        files.Add(parts[2]);
                    }

                    continue;
                }

                var colon = line.IndexOf(':', StringComparison.Ordinal);
                field = colon > 0 ? line[..colon] : null;
                var value = colon > 0 ? line[(colon + 1)..].Trim() : "";
                if (field == "Source" && source is null)
                {
                    source = value;
                }
                else if (field == "Version" && version is null)
                {
                    version = value;
                }

                if (line.StartsWith("-----BEGIN PGP SIGNATURE", StringComparison.Ordinal))
                {
                    break;
                }
            }

            if (source is null || version is null || files.Count == 0)
            {
                throw new CiJobsException($"{path}: not a .dsc (no Source, Version or Files field)", TestRepoExitCodes.InvalidInput);
            }

            return new Dsc(source, version, files);
        }
    }
}
