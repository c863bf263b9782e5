using System.CommandLine;
using System.Globalization;
using CiJobs.Cli;
using CiJobs.Cli.Commands;

namespace CiJobs.Tests.Cli;

/// <summary>Every verb of <c>cijobs</c> as the program builds it, and command lines that parse for any of them.</summary>
internal static class CommandTree
{
    public static RootCommand Root()
    {
        var root = new RootCommand();
        foreach (var command in CommandCatalog.Create())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    /// <summary>Every command that runs something (has no subcommands), with the words that name it.</summary>
    public static IReadOnlyList<(string[] Path, Command Command)> Leaves()
    {
        var leaves = new List<(string[], Command)>();
        void Walk(Command command, string[] path)
        {
            if (command.Subcommands.Count == 0)
            {
                leaves.Add((path, command));
                return;
            }

            foreach (var sub in command.Subcommands)
            {
                Walk(sub, [.. path, sub.Name]);
            }
        }

        foreach (var command in Root().Subcommands)
        {
            Walk(command, [command.Name]);
        }

        return leaves;
    }

    /// <summary>Values for the command's required options and arguments (all but <paramref name="except"/>), so that it parses.</summary>
    public static IEnumerable<string> Required(Command command, Option? except = null)
    {
        foreach (var option in command.Options.Where(o => o.Required && o != except))
        {
            yield return option.Name;
            yield return Sample(option);
        }

        foreach (var argument in command.Arguments)
        {
            for (var i = 0; i < argument.Arity.MinimumNumberOfValues; i++)
            {
                yield return ".";
            }
        }
    }

    /// <summary>A value the option accepts.</summary>
    public static string Sample(Option option)
    {
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        if (NumericOptions.RangeOf(option) is { } range)
        {
            return range.Minimum.ToString(CultureInfo.InvariantCulture);
        }

        return type switch
        {
            _ when type == typeof(bool) => "true",
            _ when type.IsEnum => Enum.GetNames(type)[0],
            _ when type == typeof(int) || type == typeof(long) || type == typeof(double) => "1",
            _ when type == typeof(DirectoryInfo) => ".",
            _ => "x",
        };
    }
}
