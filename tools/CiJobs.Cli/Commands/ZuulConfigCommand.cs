using System.CommandLine;
using CiJobs.Cli.Output;
using CiJobs.Core.ZuulConfig;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs zuul-config</c>: work on Zuul configuration; one subcommand per action (check, ...).</summary>
internal static class ZuulConfigCommand
{
    public static Command Create()
    {
        var command = new Command("zuul-config", "Check Zuul configuration; generate it from rdoinfo, compare and propose it (the config bot).");
        foreach (var subcommand in Subcommands())
        {
            command.Subcommands.Add(subcommand);
        }

        return command;
    }

    /// <summary>One line per subcommand.</summary>
    private static IEnumerable<Command> Subcommands()
    {
        yield return CreateCheck();
        foreach (var botCommand in ZuulConfigBotCommands.Create())
        {
            yield return botCommand;
        }
    }

    private static Command CreateCheck()
    {
        var directories = new Argument<string[]>("dir")
        {
            Description = "Repository roots (holding zuul.d/, zuul.yaml, .zuul.yaml or .zuul.d/) or configuration folders, " +
                "checked together as one tenant loads them. Default: the current folder.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var externals = new Option<string[]>("--external")
        {
            Description = "A name defined elsewhere in the tenant, as kind:name (kinds: job, project-template, nodeset, secret, " +
                "semaphore, pipeline, queue), for example --external job:base. Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var connections = new Option<string[]>("--connection")
        {
            Description = "A tenant connection and its driver, as name:driver (gerrit, git, gitlab, timer, zuul), so triggers " +
                "are checked against that driver's schema; once any is given, unknown connections are errors. Repeatable.",
        };
        var contextFile = new Option<FileInfo?>("--context")
        {
            Description = "A YAML file listing names defined elsewhere (jobs, project-templates, nodesets, secrets, semaphores, " +
                "pipelines, queues: lists) and connections (name: driver).",
        };
        var format = OutputOptions.CreateFormatOption();
        var command = new Command("check",
            "Validate every stanza of Zuul configuration against Zuul's documented attributes and check cross-references; " +
            "prints file:line: message for each problem and exits 70 when there is any.")
        {
            directories, externals, connections, contextFile, format,
        };
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var context = parseResult.GetValue(contextFile) is { } file
                ? await ZuulCheckContext.LoadAsync(file.FullName, cancellationToken)
                : ZuulCheckContext.Empty;
            context = context.With(parseResult.GetValue(externals) ?? [], parseResult.GetValue(connections) ?? []);
            var dirs = parseResult.GetValue(directories) is { Length: > 0 } given ? given : ["."];
            var result = await ZuulConfigChecker.CheckAsync(dirs, context, cancellationToken);
            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(new ZuulConfigCheckJson(
                    result.IsValid,
                    result.Files,
                    result.StanzaCounts,
                    [.. result.Problems.Select(p => new ZuulConfigProblemJson(p.File, p.Line, p.Message))]));
            }
            else
            {
                foreach (var problem in result.Problems)
                {
                    await Console.Out.WriteLineAsync(problem.ToString());
                }

                var summary = string.Join(", ", result.StanzaCounts.Select(kv => $"{kv.Value} {kv.Key}"));
                await Console.Error.WriteLineAsync(
                    $"zuul-config check: {result.Files.Count} files ({summary}), {result.Problems.Count} problem(s)");
            }

            return result.IsValid ? 0 : ZuulConfigExitCodes.Invalid;
        });
        return command;
    }
}

/// <summary>The JSON of <c>cijobs zuul-config check</c>.</summary>
internal sealed record ZuulConfigCheckJson(
    bool Valid,
    IReadOnlyList<string> Files,
    IReadOnlyDictionary<string, int> Stanzas,
    IReadOnlyList<ZuulConfigProblemJson> Problems);

internal sealed record ZuulConfigProblemJson(string File, long Line, string Message);
