using CiJobs.Core.Platform;

namespace CiJobs.Core.Builds.Debian;

/// <summary>What the Debian builder gets: an unpacked source tree (upstream files plus the distgit's debian/) whose
/// parent folder holds the upstream tarball and receives the build's files.</summary>
/// <param name="SourceTree">The tree dpkg-buildpackage runs in.</param>
/// <param name="Log">The build's main log; the builder appends its commands and output.</param>
/// <param name="BuildLogFile">Where the binary build's own output goes (build.log, as for RPM).</param>
public sealed record DebianBuildInput(string SourceTree, BuildLog Log, string BuildLogFile);

/// <summary>Builds Debian source and binary packages from a prepared tree.</summary>
public interface IDebianPackageBuilder
{
    /// <summary>A short name for logs and JSON (for example <c>dpkg-buildpackage</c>).</summary>
    string Name { get; }

    /// <summary>Runs the build; a failed build is a result, not an exception.</summary>
    Task<PackageBuildOutput> BuildAsync(DebianBuildInput input, CancellationToken cancellationToken);
}

/// <summary>
/// The host's dpkg tools: <c>dpkg-checkbuilddeps</c> first (a missing build dependency is named in the error, and
/// nothing is built), then <c>dpkg-buildpackage -us -uc</c> (source and binary packages, unsigned). The files of the
/// result are the ones the <c>.changes</c> file lists, plus that file.
/// </summary>
public sealed class DpkgBuildpackageBuilder(IProcessRunner runner) : IDebianPackageBuilder
{
    /// <summary>The most files a .changes may list.</summary>
    public const int MaxChangesFiles = 10_000;

    public string Name => "dpkg-buildpackage";

    public async Task<PackageBuildOutput> BuildAsync(DebianBuildInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var check = await RunAsync(input, "dpkg-checkbuilddeps", [], null, cancellationToken);
        if (!check.Succeeded)
        {
            var missing = UnmetDependencies(check.StandardError);
            return missing.Count > 0
                ? new PackageBuildOutput(false, null, [], "missing build dependencies: " + string.Join(", ", missing)) { ExitCode = BuildExitCodes.BuildDependenciesMissing }
                : new PackageBuildOutput(false, null, [], $"dpkg-checkbuilddeps failed with exit code {check.ExitCode}: {LastLine(check.StandardError)}");
        }

        ProcessResult build;
        await using (var buildLog = new BuildLog(input.BuildLogFile))
        {
            build = await RunAsync(input, "dpkg-buildpackage", ["-us", "-uc"], buildLog, cancellationToken);
        }

        if (!build.Succeeded)
        {
            return new PackageBuildOutput(false, null, [], $"dpkg-buildpackage failed with exit code {build.ExitCode}");
        }

        var parent = Path.GetDirectoryName(Path.GetFullPath(input.SourceTree))!;
        var changes = Directory.GetFiles(parent, "*.changes");
        if (changes.Length != 1)
        {
            return new PackageBuildOutput(false, null, [], $"dpkg-buildpackage left {changes.Length} .changes files, expected one");
        }

        var listed = ChangesFiles(await File.ReadAllTextAsync(changes[0], cancellationToken));
        var files = new List<string> { changes[0] };
        foreach (var name in listed)
        {
            var path = Path.Combine(parent, name);
            if (!File.Exists(path))
            {
                return new PackageBuildOutput(false, null, [], $"{Path.GetFileName(changes[0])} lists '{PackageNames.Printable(name)}', which the build did not leave");
            }

            files.Add(path);
        }

        var dsc = files.SingleOrDefault(f => f.EndsWith(".dsc", StringComparison.Ordinal));
        if (dsc is null || !files.Any(IsBinaryPackage))
        {
            return new PackageBuildOutput(false, null, [], "dpkg-buildpackage produced no .dsc or no binary package");
        }

        return new PackageBuildOutput(true, dsc, [.. files.Where(f => f != dsc).Order(StringComparer.Ordinal)], "OK");
    }

    /// <summary>True for a binary package file (.deb, .udeb, .ddeb).</summary>
    public static bool IsBinaryPackage(string file) =>
        file.EndsWith(".deb", StringComparison.Ordinal) || file.EndsWith(".udeb", StringComparison.Ordinal) || file.EndsWith(".ddeb", StringComparison.Ordinal);

    /// <summary>
    /// The dependencies <c>dpkg-checkbuilddeps</c> reports as unmet or conflicting, one per item; alternatives stay
    /// together (<c>a | b</c>) and a version stays with its package (<c>debhelper-compat (= 13)</c>).
    /// </summary>
    public static IReadOnlyList<string> UnmetDependencies(string standardError)
    {
        ArgumentNullException.ThrowIfNull(standardError);
        var items = new List<string>();
        foreach (var line in standardError.Split('\n'))
        {
            foreach (var (marker, prefix) in new[] { ("Unmet build dependencies:", ""), ("Build conflicts:", "conflicts with ") })
            {
                var at = line.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0)
                {
                    items.AddRange(SplitRelations(line[(at + marker.Length)..]).Select(r => prefix + r));
                }
            }
        }

        return items;
    }

    private static List<string> SplitRelations(string text)
    {
        var tokens = new List<string>();
        var current = new System.Text.StringBuilder();
        var depth = 0;
        var inProfile = false;
        foreach (var c in text.Trim())
        {
            // Versions "(>= 2.0)" and architectures "[amd64]" nest; a build profile "<!nocheck>" only opens outside them.
            depth += c is '(' or '[' ? 1 : c is ')' or ']' ? -1 : 0;
            inProfile = depth <= 0 && c == '<' || (inProfile && !(depth <= 0 && c == '>'));
            if (char.IsWhiteSpace(c) && depth <= 0 && !inProfile)
            {
                if (current.Length > 0)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                }

                continue;
            }

            current.Append(c);
        }

        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }

        // Join "name (op version)" pairs and "a | b" alternatives back into one relation.
        var relations = new List<string>();
        foreach (var token in tokens)
        {
            if (relations.Count > 0 && (token[0] is '(' or '[' or '<' || token == "|" || relations[^1].EndsWith(" |", StringComparison.Ordinal)))
            {
                relations[^1] += " " + token;
            }
            else
            {
                relations.Add(token);
            }
        }

        return [.. relations.Select(PackageNames.Printable)];
    }

    /// <summary>The file names in the <c>Files:</c> field of a .changes file (each checked to be a plain file name).</summary>
    public static IReadOnlyList<string> ChangesFiles(string changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var names = new List<string>();
        var inFiles = false;
        foreach (var raw in changes.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (!inFiles)
            {
                inFiles = line.StartsWith("Files:", StringComparison.Ordinal);
                continue;
            }

            if (line.Length == 0 || line[0] is not (' ' or '\t'))
            {
                break;
            }

            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 5)
            {
                continue;
            }

            var name = fields[4];
            if (!PackageNames.IsSafe(name) || names.Count == MaxChangesFiles)
            {
                throw new CiJobsException($"the .changes file lists an unsafe or excess file name '{PackageNames.Printable(name)}'", BuildExitCodes.BuildFailed);
            }

            names.Add(name);
        }

        return names;
    }

    private Task<ProcessResult> RunAsync(DebianBuildInput input, string tool, IReadOnlyList<string> arguments, BuildLog? buildLog, CancellationToken cancellationToken) =>
        input.Log.RunToolAsync(runner, tool, arguments, input.SourceTree, buildLog, cancellationToken);

    private static string LastLine(string text) =>
        PackageNames.Printable(text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no output)");
}
