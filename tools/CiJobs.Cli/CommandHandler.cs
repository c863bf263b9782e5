using System.CommandLine;
using System.CommandLine.Parsing;
using CiJobs.Core;
using CiJobs.Core.Yaml;

namespace CiJobs.Cli;

/// <summary>
/// The one place that turns exceptions into exit codes and messages: a <see cref="CiJobsException"/>
/// is a sentence on stderr and its code; anything else is a bug, shown with its stack trace. Before any verb
/// runs, every option and argument value that is a URL carrying credentials is refused, and every message
/// printed here has the user information of URLs masked (docs/security.md, "Credentials in URLs"). It also
/// sets the YAML limits of the command (<see cref="YamlLimitOptions"/>) and prints readers' warnings on stderr
/// as <c>cijobs: warning: FILE:LINE: message</c>, which never change the exit code.
/// </summary>
internal static class CommandHandler
{
    public static void SetHandler(this Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var yaml = YamlReadContext.Use(YamlLimitOptions.Read(parseResult), Warn);
            return await RunAsync(() =>
            {
                RefuseCredentialsInUrls(parseResult);
                return action(parseResult, cancellationToken);
            });
        });

    private static void Warn(YamlWarning warning) =>
        Console.Error.WriteLine($"cijobs: warning: {UrlCredentials.Redact(warning.ToString())}");

    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (CiJobsException e)
        {
            await Console.Error.WriteLineAsync($"cijobs: error: {UrlCredentials.Redact(e.Message)}");
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cijobs: cancelled");
            return ExitCodes.Cancelled;
        }
#pragma warning disable CA1031 // The last line of defence: report the bug, do not crash with an unhandled exception.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await Console.Error.WriteLineAsync($"cijobs: internal error (this is a bug, please report it): {UrlCredentials.Redact(e.ToString())}");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>Any option or argument given as a URL with credentials: exit <see cref="ExitCodes.CredentialsInUrl"/>, whatever the verb.</summary>
    internal static void RefuseCredentialsInUrls(ParseResult parseResult)
    {
        for (SymbolResult? result = parseResult.CommandResult; result is not null; result = result.Parent)
        {
            if (result is not CommandResult command)
            {
                continue;
            }

            foreach (var child in command.Children)
            {
                var name = child switch
                {
                    OptionResult option => option.Option.Name,
                    ArgumentResult argument => argument.Argument.Name,
                    _ => null,
                };
                foreach (var token in name is null ? [] : child.Tokens)
                {
                    UrlCredentials.EnsureNone(token.Value, name!);
                }
            }
        }
    }
}
