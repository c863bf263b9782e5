using System.CommandLine;
using System.Globalization;
using System.Numerics;
using CiJobs.Core.Yaml;

namespace CiJobs.Cli;

/// <summary>
/// <c>--yaml-max-depth</c>, <c>--yaml-max-aliases</c>, <c>--yaml-max-nodes</c>, <c>--yaml-max-file-size</c>: the limits
/// every YAML file a command reads is held to (see <see cref="YamlLimits"/>), accepted by every verb.
/// </summary>
internal static class YamlLimitOptions
{
    private static readonly Option<int> Depth = Create(YamlLimitKind.Depth, YamlLimits.DefaultMaxDepth, YamlLimits.HighestMaxDepth,
        "Deepest nesting of YAML mappings and lists, aliases included");

    private static readonly Option<int> Aliases = Create(YamlLimitKind.Aliases, YamlLimits.DefaultMaxAliases, int.MaxValue,
        "Most YAML aliases (*name) in one file");

    private static readonly Option<long> Nodes = Create(YamlLimitKind.Nodes, YamlLimits.DefaultMaxNodes, long.MaxValue,
        "Most YAML nodes in one file, every alias expanded");

    private static readonly Option<long> FileSize = Create(YamlLimitKind.FileSize, YamlLimits.DefaultMaxFileBytes, long.MaxValue,
        "Largest file read, in bytes");

    public static void AddTo(Command root)
    {
        root.Options.Add(Depth);
        root.Options.Add(Aliases);
        root.Options.Add(Nodes);
        root.Options.Add(FileSize);
    }

    public static YamlLimits Read(ParseResult parse) => new()
    {
        MaxDepth = parse.GetValue(Depth),
        MaxAliases = parse.GetValue(Aliases),
        MaxNodes = parse.GetValue(Nodes),
        MaxFileBytes = parse.GetValue(FileSize),
    };

    private static Option<T> Create<T>(YamlLimitKind kind, T defaultValue, T highest, string description)
        where T : struct, IBinaryInteger<T>
    {
        var name = YamlLimits.OptionName(kind);
        return new Option<T>(name)
        {
            Description = description + ".",
            DefaultValueFactory = _ => defaultValue,
            Recursive = true,
            HelpName = "N",
            CustomParser = result =>
            {
                var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (T.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= T.One && value <= highest)
                {
                    return value;
                }

                result.AddError($"{name} takes a whole number from 1 to {highest}, not '{token}'");
                return defaultValue;
            },
        }.InRange(T.One, highest);
    }
}
