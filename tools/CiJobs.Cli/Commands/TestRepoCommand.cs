using System.CommandLine;
using CiJobs.Cli.Output;
using CiJobs.Core;
using CiJobs.Core.Platform;
using CiJobs.Core.TestRepos;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs testrepo publish|name</c>: per-change test repositories (RPM and Debian) from build results; docs/manual/testrepo.md.</summary>
internal static class TestRepoCommand
{
    /// <summary>The outputs of <c>testrepo publish</c>: text, json, or dotenv (a GitLab <c>reports: dotenv</c> artifact).</summary>
    internal enum TestRepoFormat
    {
        Text,
        Json,
        Dotenv,
    }

    public static Command Create()
    {
        var command = new Command("testrepo", "Per-change test repositories (RPM and Debian) made from 'cijobs build' results.");
        command.Subcommands.Add(CreatePublish());
        command.Subcommands.Add(CreateName());
        return command;
    }

    /// <summary>The options that name a repository: --name, or --change and --patchset (with --pipeline and --item).</summary>
    private sealed class NameOptions
    {
        public Option<string?> Name { get; } = new("--name") { Description = "The repository name (a folder under ROOT). Default: derived from --change, --patchset and --pipeline." };

        public Option<string?> Change { get; } = new("--change") { Description = "The change number (a positive integer)." };

        public Option<string?> Patchset { get; } = new("--patchset") { Description = "The patchset number (a positive integer)." };

        public Option<string> Pipeline { get; } = new Option<string>("--pipeline")
        {
            Description = "check: check-<change>-<patchset>; gate: gate-<change>-<patchset>-<first 12 characters of --item>.",
            DefaultValueFactory = _ => "check",
        }.AcceptOnlyFromAmong("check", "gate");

        public Option<string?> Item { get; } = new("--item") { Description = "gate: a uuid unique to the queue item (in Zuul: {{ zuul.buildset }}), so that each queue item gets its own repository; its first 12 characters go into the name." };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Name, Change, Patchset, Pipeline, Item })
            {
                command.Options.Add(option);
            }
        }

        public string Resolve(ParseResult parseResult)
        {
            var name = parseResult.GetValue(Name);
            var change = parseResult.GetValue(Change);
            var patchset = parseResult.GetValue(Patchset);
            if (name is not null)
            {
                return change is null && patchset is null
                    ? TestRepoNames.Validate(name)
                    : throw new CiJobsException("give either --name or --change and --patchset, not both", TestRepoExitCodes.InvalidOption);
            }

            if (change is null || patchset is null)
            {
                throw new CiJobsException("give --name, or --change and --patchset (and --pipeline gate --item UUID for gate)", TestRepoExitCodes.InvalidOption);
            }

            var pipeline = parseResult.GetValue(Pipeline) == "gate" ? TestRepoPipeline.Gate : TestRepoPipeline.Check;
            return TestRepoNames.Derive(pipeline, change, patchset, parseResult.GetValue(Item));
        }
    }

    private static Command CreatePublish()
    {
        var results = new Argument<string[]>("RESULT_DIR") { Description = "Build results ('cijobs build' folders repos/<h0h1>/<h2h3>/<commit>_<distro8>/) whose packages make the repository.", Arity = ArgumentArity.OneOrMore };
        var root = new Option<string>("--root") { Description = "The folder test repositories live in (served as a whole); the repository is ROOT/NAME.", Required = true };
        var names = new NameOptions();
        var codename = new Option<string>("--codename") { Description = "Debian part: the distribution (Suite and Codename). Default: this machine's VERSION_CODENAME from /etc/os-release, else unstable.", DefaultValueFactory = _ => BuildCommand.HostCodename() };
        var component = new Option<string>("--component") { Description = "Debian part: the component.", DefaultValueFactory = _ => TestRepoRequest.DefaultComponent };
        var baseUrl = new Option<string?>("--base-url") { Description = "The URL ROOT is served at, for the .repo and .list files. Default: ROOT's file:// URL." };
        var format = new Option<TestRepoFormat>("--format") { Description = "Output: text for people, json for jobs, dotenv for a GitLab 'reports: dotenv' artifact.", DefaultValueFactory = _ => TestRepoFormat.Text };
        var command = new Command(
            "publish",
            "Publish the packages of RESULT_DIRs as the test repository ROOT/NAME: rpm/ (createrepo_c, NAME.repo) and deb/ (an APT " +
            "repository dists/<codename>/<component>, NAME.list), whichever apply. Built beside and put in place in one step; a republish replaces it whole.");
        command.Arguments.Add(results);
        command.Options.Add(root);
        names.AddTo(command);
        var dotenvFile = new Option<FileInfo?>("--dotenv-file")
        {
            Description = "Also write the dotenv variables to this file (for a GitLab 'reports: dotenv' artifact beside --format json).",
        };
        foreach (var option in new Option[] { codename, component, baseUrl, format, dotenvFile })
        {
            command.Options.Add(option);
        }

        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var request = new TestRepoRequest(parseResult.GetValue(results)!, parseResult.GetValue(root)!, names.Resolve(parseResult), parseResult.GetValue(codename)!)
            {
                Component = parseResult.GetValue(component)!,
                BaseUrl = parseResult.GetValue(baseUrl),
            };
            var result = await new TestRepoPublisher(new CliWrapProcessRunner()).PublishAsync(request, cancellationToken);
            if (parseResult.GetValue(dotenvFile) is { } file)
            {
                await OutputOptions.WriteFileAsync(file.FullName, TestRepoOutput.Dotenv(result));
            }

            switch (parseResult.GetValue(format))
            {
                case TestRepoFormat.Json:
                    OutputOptions.WriteJson(result);
                    break;
                case TestRepoFormat.Dotenv:
                    await Console.Out.WriteAsync(TestRepoOutput.Dotenv(result));
                    break;
                default:
                    await Console.Out.WriteAsync(TestRepoOutput.Text(result));
                    break;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateName()
    {
        var names = new NameOptions();
        var command = new Command("name", "Print the test repository name 'testrepo publish' would use for these options (one line).");
        names.AddTo(command);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            await Console.Out.WriteLineAsync(names.Resolve(parseResult));
            return ExitCodes.Success;
        });
        return command;
    }
}
