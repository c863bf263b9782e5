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
                "checked together as one tenant loads them; each is an untrusted project unless given with --config-project. " +
                "Default: the current folder (none when --config-project is given).",
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
        var configProjects = new Option<string[]>("--config-project")
        {
            Description = "A folder (repository root or zuul.d/) that is one of the tenant's config projects (trusted): it may define " +
                "pipelines, base jobs (parent: null) and project stanzas of other projects. It is checked too. Every other folder " +
                "is checked as an untrusted project. Repeatable.",
        };
        var projectNames = new Option<string[]>("--project-name")
        {
            Description = "The tenant's name of the project at a folder, as DIR=NAME (for example .=opendev.org/org/repo), against " +
                "which an untrusted project's project stanzas are checked. Default: the folder's name. Repeatable.",
        };
        var maxJobTimeout = new Option<int?>("--max-job-timeout")
        {
            Description = $"The tenant's max-job-timeout in seconds: a job or variant whose timeout, pre-timeout or post-timeout is larger " +
                $"is an error; -1 for no limit. Default: {ZuulCheckContext.DefaultMaxJobTimeout} (Zuul's default).",
        }.InRange(-1, int.MaxValue);
        var maxNodesPerJob = new Option<int?>("--max-nodes-per-job")
        {
            Description = $"The tenant's max-nodes-per-job: a job whose nodeset (any alternative) has more nodes is an error; -1 for no " +
                $"limit. Default: {ZuulCheckContext.DefaultMaxNodesPerJob} (Zuul's default).",
        }.InRange(-1, int.MaxValue);
        var format = OutputOptions.CreateFormatOption();
        var command = new Command("check",
            "Check Zuul configuration as Zuul's loader would: every stanza against Zuul's attributes, regular expressions as RE2 " +
            "(Python-only syntax is a warning), cross-references, what only config projects may do, inheritance and tenant limits. " +
            "Prints file:line: message for each error and file:line: warning: message for each warning (what Zuul loads but warns " +
            "about, ignores, or refuses only when a change is queued); exits 70 when there is any error, 0 with warnings only.")
        {
            directories, externals, connections, contextFile, configProjects, projectNames, maxJobTimeout, maxNodesPerJob, format,
        };
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var context = parseResult.GetValue(contextFile) is { } file
                ? await ZuulCheckContext.LoadAsync(file.FullName, cancellationToken)
                : ZuulCheckContext.Empty;
            context = context.With(parseResult.GetValue(externals) ?? [], parseResult.GetValue(connections) ?? [])
                .WithProjects(
                    parseResult.GetValue(configProjects) ?? [],
                    parseResult.GetValue(projectNames) ?? [],
                    parseResult.GetValue(maxJobTimeout),
                    parseResult.GetValue(maxNodesPerJob));
            var dirs = parseResult.GetValue(directories) is { Length: > 0 } given ? given
                : context.ConfigProjects.Count > 0 ? [] : ["."];
            var result = await ZuulConfigChecker.CheckAsync(dirs, context, cancellationToken);
            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(new ZuulConfigCheckJson(
                    result.IsValid,
                    result.Errors.Count,
                    result.Warnings.Count,
                    result.Files,
                    result.StanzaCounts,
                    [.. result.Problems.Select(p => new ZuulConfigProblemJson(p.File, p.Line, p.IsError ? "error" : "warning", p.Message))]));
            }
            else
            {
                foreach (var problem in result.Problems)
                {
                    await Console.Out.WriteLineAsync(problem.ToString());
                }

                var summary = string.Join(", ", result.StanzaCounts.Select(kv => $"{kv.Value} {kv.Key}"));
                await Console.Error.WriteLineAsync(
                    $"zuul-config check: {result.Files.Count} files ({summary}), {result.Errors.Count} error(s), {result.Warnings.Count} warning(s)");
            }

            return result.IsValid ? 0 : ZuulConfigExitCodes.Invalid;
        });
        return command;
    }
}

/// <summary>The JSON of <c>cijobs zuul-config check</c>.</summary>
internal sealed record ZuulConfigCheckJson(
    bool Valid,
    int Errors,
    int Warnings,
    IReadOnlyList<string> Files,
    IReadOnlyDictionary<string, int> Stanzas,
    IReadOnlyList<ZuulConfigProblemJson> Problems);

/// <summary>One problem; <c>severity</c> is <c>error</c> (Zuul refuses the configuration) or <c>warning</c>.</summary>
internal sealed record ZuulConfigProblemJson(string File, long Line, string Severity, string Message);
