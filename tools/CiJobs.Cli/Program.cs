using System.CommandLine;
using CiJobs.Cli;
using CiJobs.Cli.Commands;

var root = new RootCommand(
    "cijobs: build, test and publish RPM/DEB packages from Zuul and GitLab CI jobs.\n" +
    "Every verb prints human output by default and JSON with --format json; exit codes are listed in docs/exit-codes.md.");

// One line per verb; each verb lives in Commands/<Verb>Command.cs.
foreach (var command in CommandCatalog.Create())
{
    root.Subcommands.Add(command);
}

YamlLimitOptions.AddTo(root);

// System.CommandLine's own errors repeat the words it could not parse: URL user information is masked in them too.
using var errors = new StringWriter();
var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Error = errors });
await Console.Error.WriteAsync(CiJobs.Core.UrlCredentials.Redact(errors.ToString()));
return exitCode;
