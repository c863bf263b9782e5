using CiJobs.Core.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Core.SourceGit;

/// <summary>One <c>files_to_sync</c> item: rsync-like copy from source-git to dist-git.</summary>
/// <param name="Sources">Paths relative to the source-git root; a trailing <c>/</c> means the directory's contents; <c>*</c> and <c>?</c> globs allowed.</param>
/// <param name="Destination">Path relative to the dist-git root.</param>
/// <param name="Delete">Delete dist-git files under the destination that the copy did not write (except protected and excluded ones).</param>
/// <param name="Filters">rsync filter rules; supported: <c>protect PATTERN</c>, <c>exclude PATTERN</c>, <c>include PATTERN</c> (and the short forms <c>P</c>, <c>-</c>, <c>+</c>).</param>
public sealed record FileSyncItem(IReadOnlyList<string> Sources, string Destination, bool Delete, bool MakePath, IReadOnlyList<string> Filters);

/// <summary>The keys of <c>.distro/source-git.yaml</c> that conversion uses (Packit package-config format).</summary>
public sealed record SourceGitConfig
{
    public const string DistroDirectory = ".distro";
    public const string ConfigPath = ".distro/source-git.yaml";

    public string? UpstreamProjectUrl { get; init; }

    public string? UpstreamRef { get; init; }

    public string? DownstreamPackageName { get; init; }

    /// <summary>Spec path in source-git, relative to its root.</summary>
    public required string SpecfilePath { get; init; }

    public IReadOnlyList<string> PatchGenerationIgnorePaths { get; init; } = [DistroDirectory];

    /// <summary>Minimum digits of generated <c>PatchN</c> numbers; 0 = no padding.</summary>
    public int PatchIdDigits { get; init; } = 4;

    public bool SyncChangelog { get; init; } = true;

    public required IReadOnlyList<FileSyncItem> FilesToSync { get; init; }

    /// <summary>What <c>packit source-git init</c> writes, used when <c>files_to_sync</c> is absent.</summary>
    public static IReadOnlyList<FileSyncItem> DefaultFilesToSync { get; } =
    [
        new([".distro/"], ".", Delete: true, MakePath: false, ["protect .git*", "protect sources", "exclude source-git.yaml", "exclude .gitignore"]),
    ];

    /// <summary>Parses the YAML text; <paramref name="specCandidates"/> are the <c>.spec</c> files under <c>.distro/</c>, used when <c>specfile_path</c> is absent.</summary>
    public static SourceGitConfig Parse(string yaml, IReadOnlyList<string> specCandidates)
    {
        YamlMappingNode root;
        try
        {
            var stream = BoundedYaml.Load(yaml);
            if (stream.Documents.Count == 0)
            {
                root = new YamlMappingNode();
            }
            else if (stream.Documents[0].RootNode is YamlMappingNode mapping)
            {
                root = mapping;
            }
            else
            {
                throw Bad("the top level must be a mapping");
            }
        }
        catch (YamlException e)
        {
            throw Bad($"line {e.Start.Line}: {e.Message}");
        }

        // A monorepo config (packages:) with one package: use that package's keys.
        if (Get(root, "packages") is YamlMappingNode packages)
        {
            if (packages.Children.Count != 1 || packages.Children.Single().Value is not YamlMappingNode single)
            {
                throw Bad("'packages' must hold exactly one package for source-git conversion");
            }

            var merged = new YamlMappingNode();
            foreach (var (key, value) in root.Children.Where(c => Scalar(c.Key) != "packages"))
            {
                merged.Add(key, value);
            }

            foreach (var (key, value) in single.Children)
            {
                merged.Children[key] = value;
            }

            root = merged;
        }

        var packageName = String(root, "downstream_package_name");
        var spec = String(root, "specfile_path");
        if (spec is null)
        {
            spec = packageName is not null
                ? $"{DistroDirectory}/{packageName}.spec"
                : specCandidates.Count == 1
                    ? specCandidates[0]
                    : throw Bad(specCandidates.Count == 0
                        ? "no specfile_path and no .spec file in .distro/"
                        : "no specfile_path and several .spec files in .distro/");
        }

        var digits = Get(root, "patch_generation_patch_id_digits") switch
        {
            null => 4,
            YamlScalarNode s when int.TryParse(s.Value, out var d) && d >= 0 => d,
            _ => throw Bad("patch_generation_patch_id_digits must be a non-negative integer"),
        };

        return new SourceGitConfig
        {
            UpstreamProjectUrl = String(root, "upstream_project_url"),
            UpstreamRef = String(root, "upstream_ref"),
            DownstreamPackageName = packageName,
            SpecfilePath = NormalizeRelative(spec),
            PatchGenerationIgnorePaths = Strings(root, "patch_generation_ignore_paths") ?? [DistroDirectory],
            PatchIdDigits = digits,
            SyncChangelog = Bool(root, "sync_changelog") ?? true,
            FilesToSync = FilesToSyncItems(root) ?? DefaultFilesToSync,
        };
    }

    private static List<FileSyncItem>? FilesToSyncItems(YamlMappingNode root)
    {
        var node = Get(root, "files_to_sync");
        if (node is null)
        {
            return null;
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw Bad("files_to_sync must be a list");
        }

        var items = new List<FileSyncItem>();
        foreach (var entry in sequence.Children)
        {
            switch (entry)
            {
                case YamlScalarNode scalar when !string.IsNullOrEmpty(scalar.Value):
                    // A plain path: same place in dist-git (files under .distro/ go to the root).
                    var path = scalar.Value!;
                    var dest = path.StartsWith(DistroDirectory + "/", StringComparison.Ordinal) ? path[(DistroDirectory.Length + 1)..] : path;
                    items.Add(new FileSyncItem([path], dest, false, false, []));
                    break;
                case YamlMappingNode mapping:
                    var sources = Get(mapping, "src") switch
                    {
                        YamlScalarNode s when !string.IsNullOrEmpty(s.Value) => [s.Value!],
                        YamlSequenceNode list => list.Children.Select(c => (c as YamlScalarNode)?.Value ?? throw Bad("files_to_sync src entries must be strings")).ToList(),
                        _ => throw Bad("every files_to_sync item needs 'src'"),
                    };
                    var destination = String(mapping, "dest") ?? throw Bad("every files_to_sync item needs 'dest'");
                    items.Add(new FileSyncItem(
                        sources,
                        destination,
                        Bool(mapping, "delete") ?? false,
                        Bool(mapping, "mkpath") ?? false,
                        Strings(mapping, "filters") ?? []));
                    break;
                default:
                    throw Bad("files_to_sync items must be paths or mappings with src and dest");
            }
        }

        return items.Count == 0 ? null : items;
    }

    internal static string NormalizeRelative(string path)
    {
        var p = path.Replace('\\', '/');
        while (p.StartsWith("./", StringComparison.Ordinal))
        {
            p = p[2..];
        }

        return p;
    }

    private static YamlNode? Get(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlNode node) => (node as YamlScalarNode)?.Value;

    private static string? String(YamlMappingNode mapping, string key) => Get(mapping, key) switch
    {
        null => null,
        YamlScalarNode s when s.Value is { Length: > 0 } v && !(s.Style == YamlDotNet.Core.ScalarStyle.Plain && v is "~" or "null") => v,
        YamlScalarNode => null,
        _ => throw Bad($"'{key}' must be a string"),
    };

    private static bool? Bool(YamlMappingNode mapping, string key) => Get(mapping, key) switch
    {
        null => null,
        YamlScalarNode s when s.Value is "true" or "True" or "yes" => true,
        YamlScalarNode s when s.Value is "false" or "False" or "no" => false,
        _ => throw Bad($"'{key}' must be true or false"),
    };

    private static List<string>? Strings(YamlMappingNode mapping, string key) => Get(mapping, key) switch
    {
        null => null,
        YamlScalarNode s when string.IsNullOrEmpty(s.Value) => [],
        YamlScalarNode s => [s.Value!],
        YamlSequenceNode list => list.Children.Select(c => (c as YamlScalarNode)?.Value ?? throw Bad($"'{key}' must be a list of strings")).ToList(),
        _ => throw Bad($"'{key}' must be a list of strings"),
    };

    private static CiJobsException Bad(string detail) =>
        new($"{ConfigPath}: {detail}.", SourceGitExitCodes.BadConfig);
}
