using System.CommandLine;
using CiJobs.Cli;
using CiJobs.Cli.Commands;

var root = new RootCommand(
    "cijobs: build, test and publish RPM/DEB packages from Zuul and GitLab CI jobs.\n" +
    "Every verb prints human output by default and JSON with --format json; exit codes are listed in README.md.");

// One line per verb; each verb lives in Commands/<Verb>Command.cs.
foreach (var command in CommandCatalog.Create())
{
    root.Subcommands.Add(command);
}

YamlLimitOptions.AddTo(root);

return await root.Parse(args).InvokeAsync();
