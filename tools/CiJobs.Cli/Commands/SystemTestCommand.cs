using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CiJobs.Cli.Output;
using CiJobs.Core;
using CiJobs.Core.Forges;
using CiJobs.Core.Forges.GitLab;
using CiJobs.Core.Forges.Mirroring;
using CiJobs.Core.Platform;
using CiJobs.Core.SystemTest;

namespace CiJobs.Cli.Commands;

/// <summary>The JSON summary <c>cijobs systest run</c> writes beside the repository files (<c>systest.json</c>).</summary>
public sealed record SystemTestSummary(
    IReadOnlyList<SystemTestRepositoryJson> Repositories,
    int? ExitCode,
    bool Aborted,
    string? AbortReason,
    DateTimeOffset? AbortSeenAt,
    double DurationSeconds,
    double? AbortDelaySeconds,
    int Polls);

public sealed record SystemTestRepositoryJson(string Name, string Format, string Url, string? Codename, string? Component, string Origin);

/// <summary><c>cijobs systest run|repos|abort</c>: the system-test hook of the check and gate jobs (docs/manual/systest.md).</summary>
internal static class SystemTestCommand
{
    public static Command Create()
    {
        var command = new Command(
            "systest",
            "The system-test hook: run the tenant's system test against the change's test repositories (and, in gate, those of the items ahead), " +
            "and stop it as soon as the install test fails.");
        command.Subcommands.Add(CreateRun());
        command.Subcommands.Add(CreateRepos());
        command.Subcommands.Add(CreateAbort());
        return command;
    }

    private sealed class RepoOptions
    {
        public Option<FileInfo?> ZuulArtifacts { get; } = new("--zuul-artifacts")
        {
            Description = "A JSON file holding Zuul's zuul.artifacts list; its artifacts of metadata.type cijobs_test_repo are used, in order (items ahead first).",
        };

        public Option<FileInfo[]> Dotenv { get; } = new("--dotenv")
        {
            Description = "A dotenv file written by 'cijobs testrepo publish --format dotenv' (repeatable).",
            AllowMultipleArgumentsPerToken = false,
        };

        public Option<bool> FromEnvironment { get; } = new("--from-environment")
        {
            Description = "Also take the repository in CIJOBS_TESTREPO_* variables (a GitLab dotenv report of an earlier job arrives so).",
        };

        public Option<DirectoryInfo> Out { get; } = new("--out")
        {
            Description = "Folder for cijobs-test.repo, cijobs-test.list and systest.json.",
            DefaultValueFactory = _ => new DirectoryInfo("cijobs-systest"),
        };

        public void AddTo(Command command)
        {
            command.Options.Add(ZuulArtifacts);
            command.Options.Add(Dotenv);
            command.Options.Add(FromEnvironment);
            command.Options.Add(Out);
        }

        public IReadOnlyList<TestRepository> Read(ParseResult parseResult, IEnvironment environment)
        {
            var found = new List<TestRepository>();
            if (parseResult.GetValue(ZuulArtifacts) is { } artifacts)
            {
                found.AddRange(TestRepositorySources.FromZuulArtifacts(ReadBounded(artifacts)));
            }

            foreach (var file in parseResult.GetValue(Dotenv) ?? [])
            {
                found.AddRange(TestRepositorySources.FromDotenv(ReadBounded(file), file.Name));
            }

            if (parseResult.GetValue(FromEnvironment))
            {
                found.AddRange(TestRepositorySources.FromVariables(environment, "the CIJOBS_TESTREPO_* variables"));
            }

            return TestRepositorySources.Distinct(found);
        }

        private static string ReadBounded(FileInfo file)
        {
            try
            {
                if (file.Length > TestRepositorySources.MaxInputBytes)
                {
                    throw new CiJobsException($"{file.FullName} is larger than {TestRepositorySources.MaxInputBytes / (1024 * 1024)} MiB", SystemTestExitCodes.InvalidRepositories);
                }

                return File.ReadAllText(file.FullName);
            }
            catch (IOException e)
            {
                throw new CiJobsException($"cannot read {file.FullName}: {e.Message}", ExitCodes.Io, e);
            }
        }
    }

    private static Command CreateRepos()
    {
        var repos = new RepoOptions();
        var format = OutputOptions.CreateFormatOption();
        var command = new Command(
            "repos",
            "Write the test repositories' cijobs-test.repo (dnf/yum) and cijobs-test.list (APT) files into --out and print them; " +
            "for a system test that is a child job or its own playbook rather than one command.");
        repos.AddTo(command);
        command.Options.Add(format);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var found = repos.Read(parseResult, SystemEnvironment.Instance);
            var files = await TestRepositoryFiles.WriteAsync(parseResult.GetValue(repos.Out)!.FullName, found, cancellationToken);
            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(found.Select(ToJson).ToList());
            }
            else
            {
                foreach (var (name, value) in files.Variables)
                {
                    Console.Out.WriteLine($"{name}={value}");
                }
            }

            return 0;
        });
        return command;
    }

    private static Command CreateRun()
    {
        var repos = new RepoOptions();
        var gitLab = new Option<bool>("--abort-on-gitlab-pipeline")
        {
            Description = "Stop when this GitLab pipeline is canceled or failed (CI_SERVER_URL, CI_PROJECT_ID, CI_PIPELINE_ID; token CIJOBS_GITLAB_TOKEN or CIJOBS_GITLAB_TOKEN_FILE).",
        };
        var zuulJobs = new Option<string[]>("--abort-on-zuul-job")
        {
            Description = "Stop when this Zuul job of the same item fails (repeatable); needs --zuul-api, --zuul-tenant, --zuul-change and --zuul-build.",
        };
        var zuulApi = new Option<string?>("--zuul-api") { Description = "Zuul's web root, for example https://zuul.example.com/ (its api/ is below)." };
        var zuulTenant = new Option<string?>("--zuul-tenant") { Description = "The Zuul tenant (zuul.tenant)." };
        var zuulChange = new Option<string?>("--zuul-change") { Description = "The change as NUMBER,PATCHSET (zuul.change and zuul.patchset)." };
        var zuulBuild = new Option<string?>("--zuul-build") { Description = "This build's UUID (zuul.build): finds this item among the change's items." };
        var interval = new Option<double>("--poll-interval")
        {
            Description = "Seconds between two status reads of the abort watches (0.1 to 60).",
            DefaultValueFactory = _ => 2,
        }.InRange(0.1, 60);
        var commandLine = new Argument<string[]>("command")
        {
            Description = "The system-test command and its arguments, after '--'. It gets CIJOBS_TEST_REPO_FILE, CIJOBS_TEST_APT_LIST, " +
                "CIJOBS_TEST_RPM_URLS, CIJOBS_TEST_DEB_URLS and CIJOBS_TEST_REPO_COUNT.",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command(
            "run",
            "Run the system test: write the repository files, start COMMAND with them in its environment, and kill it (its whole process tree) " +
            "as soon as an abort watch says the install test failed. Exit 0, 110 (the command failed), 111 (aborted).");
        repos.AddTo(command);
        command.Options.Add(gitLab);
        command.Options.Add(zuulJobs);
        command.Options.Add(zuulApi);
        command.Options.Add(zuulTenant);
        command.Options.Add(zuulChange);
        command.Options.Add(zuulBuild);
        command.Options.Add(interval);
        command.Arguments.Add(commandLine);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var environment = SystemEnvironment.Instance;
            var seconds = parseResult.GetValue(interval);
            var found = repos.Read(parseResult, environment);
            var outDir = parseResult.GetValue(repos.Out)!.FullName;
            var files = await TestRepositoryFiles.WriteAsync(outDir, found, cancellationToken);
            var watches = new List<IAbortWatch>();
            using var disposables = new CompositeDisposable();
            if (parseResult.GetValue(gitLab))
            {
                watches.Add(GitLabWatch(environment, disposables));
            }

            if (parseResult.GetValue(zuulJobs) is { Length: > 0 } jobs)
            {
                watches.Add(ZuulWatch(parseResult.GetValue(zuulApi), parseResult.GetValue(zuulTenant), parseResult.GetValue(zuulChange), parseResult.GetValue(zuulBuild), jobs, disposables));
            }

            var arguments = parseResult.GetValue(commandLine)!;
            var spec = new ProcessSpec(arguments[0], arguments[1..])
            {
                Environment = files.Variables.ToDictionary(p => p.Key, string? (p) => p.Value),
                OnOutputLine = line => Console.Out.WriteLine(line),
            };
            Console.Error.WriteLine($"cijobs: system test with {found.Count.ToString(CultureInfo.InvariantCulture)} test repositor{(found.Count == 1 ? "y" : "ies")}" +
                (watches.Count == 0 ? "" : $", aborted if {string.Join(" or ", watches.Select(w => w.Description))} fails"));
            foreach (var repository in found)
            {
                Console.Error.WriteLine($"cijobs:   {repository.Format.ToString().ToLowerInvariant()} {repository.Name} {repository.Url} ({repository.Origin})");
            }

            var runner = new SystemTestRunner(new CliWrapProcessRunner(), TimeProvider.System, message => Console.Error.WriteLine($"cijobs: {message}"));
            var outcome = await runner.RunAsync(spec, watches, TimeSpan.FromSeconds(seconds), cancellationToken);
            var summary = new SystemTestSummary(
                [.. found.Select(ToJson)], outcome.ExitCode, outcome.Aborted, outcome.AbortReason, outcome.AbortSeenAt,
                Math.Round(outcome.Duration.TotalSeconds, 3), outcome.AbortDelay is { } d ? Math.Round(d.TotalSeconds, 3) : null, outcome.Polls);
            await AtomicFileSystem.WriteAllTextAsync(Path.Combine(outDir, "systest.json"), JsonSerializer.Serialize(summary, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<SystemTestSummary>)OutputOptions.Json.GetTypeInfo(typeof(SystemTestSummary))), CancellationToken.None);
            if (outcome.Aborted)
            {
                throw new CiJobsException(
                    $"system test aborted: {outcome.AbortReason} (stopped {outcome.AbortDelay!.Value.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s after it was seen)",
                    SystemTestExitCodes.Aborted);
            }

            if (!outcome.Succeeded)
            {
                throw new CiJobsException($"system test failed: '{arguments[0]}' exited {outcome.ExitCode!.Value.ToString(CultureInfo.InvariantCulture)}", SystemTestExitCodes.CommandFailed);
            }

            Console.Error.WriteLine($"cijobs: system test passed in {outcome.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
            return 0;
        });
        return command;
    }

    private static Command CreateAbort()
    {
        var reason = new Option<string?>("--reason") { Description = "Why, for the job log (for example: install test failed)." };
        var command = new Command(
            "abort",
            "Cancel this GitLab pipeline (CI_SERVER_URL, CI_PROJECT_ID, CI_PIPELINE_ID; token CIJOBS_GITLAB_TOKEN or CIJOBS_GITLAB_TOKEN_FILE), " +
            "so that its system test stops: the install-test job runs it when it fails. Exit 113 (configuration), 114 (GitLab refused).");
        command.Options.Add(reason);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var (client, http, project, pipeline) = GitLabPipeline(SystemEnvironment.Instance);
            using (http)
            {
                ForgePipeline canceled;
                try
                {
                    canceled = await client.CancelPipelineAsync(project, pipeline, cancellationToken);
                }
                catch (ForgeApiException e)
                {
                    throw new CiJobsException($"cannot cancel pipeline {pipeline.ToString(CultureInfo.InvariantCulture)}: {e.Message}", SystemTestExitCodes.CancelFailed, e);
                }

                var why = parseResult.GetValue(reason) is { Length: > 0 } r ? $" ({r})" : "";
                Console.Error.WriteLine($"cijobs: canceled pipeline {pipeline.ToString(CultureInfo.InvariantCulture)} of {project}{why}; it is {canceled.Status}");
                return 0;
            }
        });
        return command;
    }

    private static IAbortWatch GitLabWatch(IEnvironment environment, CompositeDisposable disposables)
    {
        var (client, http, project, pipeline) = GitLabPipeline(environment);
        disposables.Add(http);
        return new GitLabPipelineWatch(client, project, pipeline);
    }

    private static (GitLabClient Client, HttpClient Http, string Project, long Pipeline) GitLabPipeline(IEnvironment environment)
    {
        var server = environment.GetVariable("CI_SERVER_URL") is { Length: > 0 } s ? s : throw Misconfigured("CI_SERVER_URL is not set");
        var project = environment.GetVariable("CI_PROJECT_ID") is { Length: > 0 } p ? p : throw Misconfigured("CI_PROJECT_ID is not set");
        if (!long.TryParse(environment.GetVariable("CI_PIPELINE_ID"), NumberStyles.None, CultureInfo.InvariantCulture, out var pipeline) || pipeline <= 0)
        {
            throw Misconfigured("CI_PIPELINE_ID is not set to a pipeline id");
        }

        var gitlab = GitLabAccess.Open(environment, server, "CI_SERVER_URL", "read and cancel the project's pipelines", TimeSpan.FromSeconds(30), Misconfigured);
        return (gitlab.Client, gitlab.Http, project, pipeline);
    }

    private static IAbortWatch ZuulWatch(string? api, string? tenant, string? change, string? build, string[] jobs, CompositeDisposable disposables)
    {
        if (api is null || tenant is null || change is null || build is null)
        {
            throw Misconfigured("--abort-on-zuul-job needs --zuul-api, --zuul-tenant, --zuul-change and --zuul-build");
        }

        if (!Uri.TryCreate(api.EndsWith('/') ? api : api + "/", UriKind.Absolute, out var root) || root.Scheme is not ("http" or "https"))
        {
            throw Misconfigured("--zuul-api is not an http or https URL");
        }

        UrlCredentials.EnsureNone(api, "--zuul-api");
        var parts = change.Split(',');
        if (parts.Length != 2 || !parts.All(x => x.Length is > 0 and <= 12 && x.All(char.IsAsciiDigit)))
        {
            throw Misconfigured("--zuul-change must be NUMBER,PATCHSET");
        }

        var http = ForgeHttp.CreateClient(root, timeout: TimeSpan.FromSeconds(30));
        disposables.Add(http);
        return new ZuulJobWatch(http, tenant, change, build, jobs);
    }

    private static SystemTestRepositoryJson ToJson(TestRepository r) =>
        new(r.Name, r.Format.ToString().ToLowerInvariant(), r.Url, r.Codename, r.Component, r.Origin);

    private static CiJobsException Misconfigured(string message) => new(message, SystemTestExitCodes.WatchMisconfigured);

    private sealed class CompositeDisposable : IDisposable
    {
        private readonly List<IDisposable> items = [];

        public void Add(IDisposable item) => items.Add(item);

        public void Dispose()
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }
}
