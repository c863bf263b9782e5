using System.Globalization;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Lint;

/// <summary>
/// <c>cijobs lint</c>: runs rpmlint on the .rpm and .src.rpm files and lintian on the Debian files of DLRN result folders
/// and reads both reports into one <see cref="LintReport"/>. Every folder and the configuration are checked before any
/// tool runs. docs/manual/lint.md says what is linted, with which flags, and why.
/// </summary>
public sealed class LintService(IProcessRunner runner)
{
    /// <summary>Largest distgit rpmlintrc read (1 MiB): rpmlintrc files are a few lines of addFilter.</summary>
    public const int MaxRpmlintrcBytes = 1 << 20;

    /// <summary>How long one rpmlint or lintian run may take.</summary>
    public static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(30);

    /// <summary>rpmlint's exit statuses that are verdicts: 0 clean, 64 errors, 65 errors only from --strict, 66 badness
    /// over the threshold. Anything else (2 bad arguments, 3 unreadable package, 4 bad configuration, 1 a Python
    /// traceback) means it did not lint.</summary>
    public static readonly IReadOnlySet<int> RpmlintVerdicts = new HashSet<int> { 0, 64, 65, 66 };

    /// <summary>Tags lintian gives every snapshot build for its version, <c>UPSTREAM-0.DATE.HASH</c> (cijobs build, as
    /// DLRN): the revision looks like a non-maintainer upload to lintian. docs/manual/lint.md, "lintian".</summary>
    public static readonly IReadOnlyList<string> SnapshotLintianTags =
    [
        "binary-nmu-debian-revision-in-source",
        "maintainer-upload-has-incorrect-version-number",
    ];

    /// <summary>The flags lintian runs with: no configuration file or LINTIAN_* variable changes the report, every tag
    /// is shown however often it occurs, info tags and overridden tags are shown, the exit status says only whether
    /// lintian worked (the verdict is cijobs'), no colours or hyperlinks, and the <see cref="SnapshotLintianTags"/> are
    /// not shown.</summary>
    public static readonly IReadOnlyList<string> LintianFlags =
    [
        "--no-cfg", "--ignore-lintian-env", "--fail-on", "none", "--color", "never", "--hyperlinks", "off",
        "--tag-display-limit", "0", "--display-info", "--show-overrides", "--output-width", "200",
        "--suppress-tags", string.Join(',', SnapshotLintianTags),
    ];

    private static readonly string[] DebianExtensions = [".deb", ".udeb", ".dsc", ".changes", ".buildinfo"];

    private static readonly Dictionary<string, string?> ToolEnvironment = new(StringComparer.Ordinal)
    {
        ["LC_ALL"] = "C.UTF-8",
        ["PYTHONIOENCODING"] = "utf-8",
    };

    public async Task<LintReport> LintAsync(LintRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var targets = new List<(string Directory, IReadOnlyList<string> Files)>();
        foreach (var directory in request.ResultDirectories)
        {
            targets.Add((Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)), await CollectAsync(directory, cancellationToken)));
        }

        var rpmlintrc = FindRpmlintrc(request.Distgit);
        DirectoryInfo? temp = null;
        try
        {
            string? configDirectory = null;
            string? rpmlintrcCopy = null;
            if (targets.Any(t => t.Files.Any(IsRpm)))
            {
                temp = Directory.CreateTempSubdirectory("cijobs-lint-");
                (configDirectory, rpmlintrcCopy) = await PrepareRpmlintAsync(request, rpmlintrc, temp.FullName, cancellationToken);
            }

            var runs = new List<LintRun>();
            foreach (var (directory, files) in targets)
            {
                if (files.Where(IsRpm).ToList() is { Count: > 0 } rpms)
                {
                    runs.Add(await RunRpmlintAsync(directory, rpms, configDirectory!, rpmlintrcCopy!, rpmlintrc, cancellationToken));
                }

                if (files.Where(IsDebian).ToList() is { Count: > 0 } debianFiles)
                {
                    runs.Add(await RunLintianAsync(directory, debianFiles, cancellationToken));
                }
            }

            return new LintReport(runs, request.Thresholds);
        }
        finally
        {
            try
            {
                temp?.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is not worth failing the lint for.
            }
        }
    }

    internal static bool IsRpm(string file) => file.EndsWith(".rpm", StringComparison.Ordinal);

    internal static bool IsDebian(string file) => DebianExtensions.Any(e => file.EndsWith(e, StringComparison.Ordinal));

    /// <summary>
    /// The package files of a result folder, as full paths sorted by name: the artifacts its commit.yaml lists when it
    /// has one (a DLRN result folder also holds the packages built before it, which are not this commit's), else every
    /// regular file with a package extension. Symlinks are never followed.
    /// </summary>
    internal static async Task<IReadOnlyList<string>> CollectAsync(string directory, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
        {
            throw new CiJobsException($"result folder {directory} does not exist or is not a folder", LintExitCodes.InvalidResultDirectory);
        }

        var commitYaml = Path.Combine(full, "commit.yaml");
        List<string> files;
        if (File.Exists(commitYaml))
        {
            var text = await InputLimits.ReadTextFileAsync(commitYaml, "commit.yaml", LintExitCodes.InvalidResultDirectory, cancellationToken);
            IReadOnlyList<DlrnCommit> commits;
            try
            {
                commits = DlrnCommit.Parse(text, commitYaml);
            }
            catch (CiJobsException e)
            {
                throw new CiJobsException(e.Message, LintExitCodes.InvalidResultDirectory, e);
            }

            files = [];
            foreach (var name in commits.SelectMany(c => c.ArtifactFileNames).Where(n => IsRpm(n) || IsDebian(n)).Distinct(StringComparer.Ordinal))
            {
                var path = Path.Combine(full, name);
                if (name is "." or ".." || name.Contains('\0', StringComparison.Ordinal) || !IsRegularFile(path))
                {
                    throw new CiJobsException(
                        $"{commitYaml} lists the artifact {name}, which is not a regular file in the result folder",
                        LintExitCodes.InvalidResultDirectory);
                }

                files.Add(path);
            }
        }
        else
        {
            files = [.. new DirectoryInfo(full).EnumerateFiles()
                .Where(f => f.LinkTarget is null && (IsRpm(f.Name) || IsDebian(f.Name)))
                .Select(f => f.FullName)];
        }

        // rpmlint reads an argument holding * or ? as a pattern to expand (docs/manual/lint.md, "What is linted").
        if (files.Select(Path.GetFileName).FirstOrDefault(n => IsRpm(n!) && n!.IndexOfAny(['*', '?']) >= 0) is { } pattern)
        {
            throw new CiJobsException(
                $"result folder {directory} holds {pattern}, a file name rpmlint would expand as a pattern",
                LintExitCodes.InvalidResultDirectory);
        }

        if (files.Count == 0)
        {
            throw new CiJobsException(
                $"result folder {directory} holds no package to lint (.rpm, .deb, .udeb, .dsc, .changes, .buildinfo)",
                LintExitCodes.InvalidResultDirectory);
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private static bool IsRegularFile(string path)
    {
        var info = new FileInfo(path);
        return info.Exists && info.LinkTarget is null && (info.Attributes & (FileAttributes.Directory | FileAttributes.Device)) == 0;
    }

    /// <summary>
    /// The distgit's rpmlintrc: the one file at its root named <c>rpmlintrc</c>, <c>*.rpmlintrc</c> or <c>*-rpmlintrc</c>
    /// (the names rpmlint loads next to a package). It must be a regular file, not a symlink, at most
    /// <see cref="MaxRpmlintrcBytes"/>; several are refused (rpmlint itself ignores them all then).
    /// </summary>
    internal static string? FindRpmlintrc(string? distgit)
    {
        if (distgit is null)
        {
            return null;
        }

        if (!Directory.Exists(distgit))
        {
            throw new CiJobsException($"--distgit {distgit} does not exist or is not a folder", LintExitCodes.InvalidRpmlintrc);
        }

        var found = new DirectoryInfo(distgit).EnumerateFileSystemInfos()
            .Where(f => f.Name == "rpmlintrc" || f.Name.EndsWith(".rpmlintrc", StringComparison.Ordinal) || f.Name.EndsWith("-rpmlintrc", StringComparison.Ordinal))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        if (found.Count > 1)
        {
            throw new CiJobsException(
                $"the distgit {distgit} holds several rpmlintrc files ({string.Join(", ", found.Select(f => f.Name))}); keep one",
                LintExitCodes.InvalidRpmlintrc);
        }

        if (found.Count == 0)
        {
            return null;
        }

        var rc = found[0];
        if (rc.LinkTarget is not null)
        {
            throw new CiJobsException($"the rpmlintrc {rc.FullName} is a symlink; it must be a regular file in the distgit", LintExitCodes.InvalidRpmlintrc);
        }

        if (rc is not FileInfo file || (file.Attributes & FileAttributes.Device) != 0)
        {
            throw new CiJobsException($"the rpmlintrc {rc.FullName} is not a regular file", LintExitCodes.InvalidRpmlintrc);
        }

        if (file.Length > MaxRpmlintrcBytes)
        {
            throw new CiJobsException(
                $"the rpmlintrc {rc.FullName} is larger than {MaxRpmlintrcBytes / 1024} KiB",
                LintExitCodes.InvalidRpmlintrc);
        }

        return file.FullName;
    }

    /// <summary>
    /// The folder given to rpmlint's --config: the shipped configuration (only lists, which add up in any order) and the
    /// user's (a user file named <c>*.override.toml</c> is loaded last and replaces lists instead of adding to them), and the rpmlintrc given
    /// to --rpmlintrc: a copy of the distgit's, or an empty file, so that rpmlint never picks one up next to the packages.
    /// </summary>
    private static async Task<(string ConfigDirectory, string Rpmlintrc)> PrepareRpmlintAsync(
        LintRequest request, string? rpmlintrc, string temp, CancellationToken cancellationToken)
    {
        var configDirectory = Directory.CreateDirectory(Path.Combine(temp, "config")).FullName;
        var shipped = await InputLimits.ReadTextFileAsync(
            request.ShippedRpmlintConfig, "the shipped rpmlint configuration", LintExitCodes.InvalidRpmlintConfig, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(configDirectory, "10-cijobs.toml"), shipped, cancellationToken);
        if (request.RpmlintConfig is { } user)
        {
            var text = await InputLimits.ReadTextFileAsync(user, "--rpmlint-config", LintExitCodes.InvalidRpmlintConfig, cancellationToken);
            var name = Path.GetFileName(user);
            name = name.EndsWith(".toml", StringComparison.Ordinal) ? name : name + ".toml";
            await File.WriteAllTextAsync(Path.Combine(configDirectory, "20-" + name), text, cancellationToken);
        }

        var rpmlintrcCopy = Path.Combine(temp, "cijobs.rpmlintrc");
        var content = rpmlintrc is null
            ? string.Empty
            : await InputLimits.ReadTextFileAsync(rpmlintrc, "the rpmlintrc", LintExitCodes.InvalidRpmlintrc, cancellationToken);
        if (content.Length > MaxRpmlintrcBytes)
        {
            throw new CiJobsException($"the rpmlintrc {rpmlintrc} is larger than {MaxRpmlintrcBytes / 1024} KiB", LintExitCodes.InvalidRpmlintrc);
        }

        await File.WriteAllTextAsync(rpmlintrcCopy, content, cancellationToken);
        return (configDirectory, rpmlintrcCopy);
    }

    private async Task<LintRun> RunRpmlintAsync(
        string directory, IReadOnlyList<string> rpms, string configDirectory, string rpmlintrcCopy, string? rpmlintrc, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> arguments = ["--config", configDirectory, "--rpmlintrc", rpmlintrcCopy, "--ignore-unused-rpmlintrc", .. rpms];
        var result = await RunToolAsync("rpmlint", arguments, directory, cancellationToken);
        if (!RpmlintVerdicts.Contains(result.ExitCode))
        {
            throw ToolFailed("rpmlint", directory, result);
        }

        var parsed = RpmlintOutputParser.Parse(result.StandardOutput);
        return new LintRun(directory, LintFormat.Rpm, "rpmlint", result.ExitCode, AssembleRpm(rpms, parsed), WithErrorLines(parsed, result), rpmlintrc);
    }

    private async Task<LintRun> RunLintianAsync(string directory, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        // A .changes names the other files of the upload and lintian checks them all through it.
        var changes = files.Where(f => f.EndsWith(".changes", StringComparison.Ordinal)).ToList();
        IReadOnlyList<string> arguments = [.. LintianFlags, "--", .. changes.Count > 0 ? changes : files];
        var result = await RunToolAsync("lintian", arguments, directory, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw ToolFailed("lintian", directory, result);
        }

        var parsed = LintianOutputParser.Parse(result.StandardOutput);
        return new LintRun(directory, LintFormat.Deb, "lintian", result.ExitCode, AssembleDebian(files, parsed), WithErrorLines(parsed, result), null);
    }

    private async Task<ProcessResult> RunToolAsync(string tool, IReadOnlyList<string> arguments, string directory, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(
            new ProcessSpec(tool, arguments)
            {
                WorkingDirectory = directory,
                Environment = ToolEnvironment,
                Timeout = ToolTimeout,
                MaxOutputChars = InputLimits.MaxFileChars,
            },
            cancellationToken);
        return result.Truncated
            ? throw new CiJobsException(
                $"{tool} printed more than {InputLimits.MaxFileChars / (1024 * 1024)} MiB on {directory}; its report is not read",
                LintExitCodes.ToolFailed)
            : result;
    }

    private static CiJobsException ToolFailed(string tool, string directory, ProcessResult result)
    {
        var said = string.Join(" | ", (result.StandardError + "\n" + result.StandardOutput)
            .Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).TakeLast(3));
        if (said.Length > 500)
        {
            said = string.Concat(said.AsSpan(0, 500), "...");
        }

        return new CiJobsException(
            string.Create(CultureInfo.InvariantCulture, $"{tool} failed on {directory} with exit status {result.ExitCode}, which is not a lint verdict: {(said.Length > 0 ? said : "no output")}"),
            LintExitCodes.ToolFailed);
    }

    /// <summary>The unrecognised lines of standard output, then the tool's standard error lines: nothing is dropped.</summary>
    private static IReadOnlyList<string> WithErrorLines(ParsedLintOutput parsed, ProcessResult result)
    {
        var errorLines = ParsedNotes(result.StandardError);
        return [.. parsed.Notes, .. errorLines];
    }

    private static IEnumerable<string> ParsedNotes(string text)
    {
        var notes = new List<string>();
        var dropped = 0;
        foreach (var line in LintOutputLimits.Lines(text).Where(l => l.Trim().Length > 0))
        {
            LintOutputLimits.AddNote(notes, ref dropped, line);
        }

        return LintOutputLimits.Finish(notes, dropped);
    }

    /// <summary>rpmlint's name for the package in an rpm file: <c>NAME.ARCH</c> from <c>NAME-VERSION-RELEASE.ARCH.rpm</c>.</summary>
    internal static (string Name, string Key)? RpmKey(string fileName)
    {
        if (!fileName.EndsWith(".rpm", StringComparison.Ordinal))
        {
            return null;
        }

        var nvra = fileName[..^".rpm".Length];
        var dot = nvra.LastIndexOf('.');
        var release = dot > 0 ? nvra.LastIndexOf('-', dot - 1) : -1;
        var version = release > 0 ? nvra.LastIndexOf('-', release - 1) : -1;
        if (version <= 0)
        {
            return null;
        }

        var name = nvra[..version];
        return (name, name + nvra[dot..]);
    }

    private sealed class PackageBuilder(string name, LintFormat format, string kind, string? file)
    {
        public List<LintMessage> Messages { get; } = [];

        public string Name => name;

        public string Kind => kind;

        public LintPackage Build() => new(name, format, kind, file, Messages);
    }

    internal static IReadOnlyList<LintPackage> AssembleRpm(IReadOnlyList<string> rpms, ParsedLintOutput parsed)
    {
        var packages = new Dictionary<string, PackageBuilder>(StringComparer.Ordinal);
        var order = new List<PackageBuilder>();
        foreach (var rpm in rpms)
        {
            var fileName = Path.GetFileName(rpm);
            var (name, key) = RpmKey(fileName) ?? (fileName, fileName);
            var builder = new PackageBuilder(name, LintFormat.Rpm, RpmlintOutputParser.KindOf(key), rpm);
            order.Add(builder);
            packages.TryAdd(key, builder);
        }

        var sources = order.Where(p => p.Kind == "source").ToList();
        foreach (var line in parsed.Lines)
        {
            if (!packages.TryGetValue(line.Package, out var builder))
            {
                // rpmlint names the spec file inside a source package by its file name.
                builder = line.Kind == "spec"
                    ? sources.FirstOrDefault(s => s.Name + ".spec" == line.Package) ?? (sources.Count == 1 ? sources[0] : null)
                    : null;
                if (builder is null)
                {
                    builder = new PackageBuilder(line.Package, LintFormat.Rpm, line.Kind, null);
                    order.Add(builder);
                }

                packages[line.Package] = builder;
            }

            builder.Messages.Add(line.Message);
        }

        return [.. order.Select(p => p.Build())];
    }

    internal static IReadOnlyList<LintPackage> AssembleDebian(IReadOnlyList<string> files, ParsedLintOutput parsed)
    {
        var packages = new Dictionary<(string, string), PackageBuilder>();
        var order = new List<PackageBuilder>();
        foreach (var file in files)
        {
            var fileName = Path.GetFileName(file);
            var underscore = fileName.IndexOf('_', StringComparison.Ordinal);
            var name = underscore > 0 ? fileName[..underscore] : fileName;
            var kind = Path.GetExtension(fileName) switch
            {
                ".deb" => "binary",
                ".udeb" => "udeb",
                ".dsc" => "source",
                ".changes" => "changes",
                _ => "buildinfo",
            };
            if (packages.TryAdd((name, kind), new PackageBuilder(name, LintFormat.Deb, kind, file)))
            {
                order.Add(packages[(name, kind)]);
            }
        }

        foreach (var line in parsed.Lines)
        {
            if (!packages.TryGetValue((line.Package, line.Kind), out var builder))
            {
                builder = new PackageBuilder(line.Package, LintFormat.Deb, line.Kind, null);
                packages[(line.Package, line.Kind)] = builder;
                order.Add(builder);
            }

            builder.Messages.Add(line.Message);
        }

        return [.. order.Select(p => p.Build())];
    }
}
