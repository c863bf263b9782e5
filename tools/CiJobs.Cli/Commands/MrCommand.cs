using System.CommandLine;
using CiJobs.Cli.Output;
using CiJobs.Core;
using CiJobs.Core.Forges;
using CiJobs.Core.Forges.GitHub;
using CiJobs.Core.Forges.GitLab;
using CiJobs.Core.Forges.Mirroring;
using CiJobs.Core.Git;
using CiJobs.Core.Platform;
using CiJobs.Core.SourceGit;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs mr sync|status|retrigger|recreate|sync-from-dist-git</c>: source-git ↔ dist-git merge-request mirroring.</summary>
internal static class MrCommand
{
    private sealed record Common(
        Option<ForgeKind> Forge,
        Option<string?> ServerUrl,
        Option<string?> SourceProject,
        Option<ForgeKind?> DistForge,
        Option<string?> DistServerUrl,
        Option<string?> DistProject,
        Option<string?> DistFork,
        Option<double> Timeout,
        Option<OutputFormat> Format);

    public static Command Create()
    {
        var mr = new Command("mr", "Mirror source-git merge requests to dist-git and dist-git CI results back (GitLab and GitHub).\n" +
            "Tokens come from CIJOBS_SOURCE_GIT_TOKEN and CIJOBS_DIST_GIT_TOKEN (or *_FILE naming a file); the dist-git token defaults to the source-git one.");
        mr.Subcommands.Add(CreateSourceCommand("sync", "Create, update, close or reopen the dist-git merge request so it matches the source-git one (merged: nothing to do).", (m, n, ct) => m.SyncAsync(n, ct)));
        mr.Subcommands.Add(CreateSourceCommand("retrigger", "Run the dist-git merge request's pipeline again.", (m, n, ct) => m.RetriggerAsync(n, ct)));
        mr.Subcommands.Add(CreateSourceCommand("recreate", "Close the dist-git merge request and open a fresh one.", (m, n, ct) => m.RecreateAsync(n, ct)));
        mr.Subcommands.Add(CreateReconcileCommand());
        mr.Subcommands.Add(CreateStatusCommand());
        mr.Subcommands.Add(CreateSyncFromDistGitCommand());
        return mr;
    }

    private static Common CreateCommon(Command command, string distProjectHelp)
    {
        var common = new Common(
            new Option<ForgeKind>("--forge") { Description = "Forge of the source-git project: GitLab or GitHub.", DefaultValueFactory = _ => ForgeKind.GitLab },
            new Option<string?>("--server-url") { Description = "Source-git forge URL (GitLab: https://gitlab.com; GitHub: its API URL, https://api.github.com). Default: CI_SERVER_URL, else the public service." },
            new Option<string?>("--source-git-project") { Description = "Source-git project path (group/name or owner/name)." },
            new Option<ForgeKind?>("--dist-git-forge") { Description = "Forge of the dist-git project. Default: same as --forge." },
            new Option<string?>("--dist-git-server-url") { Description = "Dist-git forge URL. Default: same as the source-git one." },
            new Option<string?>("--dist-git-project") { Description = distProjectHelp },
            new Option<string?>("--dist-git-fork") { Description = "The bot's fork of dist-git to push its branches to (then the bot needs no push right on dist-git). Default: CIJOBS_DIST_GIT_FORK, else push to dist-git itself." },
            new Option<double>("--timeout")
            {
                Description = "Seconds one forge request may take, retries included; then the run fails with exit 64.",
                DefaultValueFactory = _ => ForgeHttp.DefaultTimeout.TotalSeconds,
            }.InRange(0.1, ForgeHttp.MaxTimeout.TotalSeconds),
            OutputOptions.CreateFormatOption());
        command.Options.Add(common.Forge);
        command.Options.Add(common.ServerUrl);
        command.Options.Add(common.SourceProject);
        command.Options.Add(common.DistForge);
        command.Options.Add(common.DistServerUrl);
        command.Options.Add(common.DistProject);
        command.Options.Add(common.DistFork);
        command.Options.Add(common.Timeout);
        command.Options.Add(common.Format);
        return common;
    }

    private static Command CreateSourceCommand(string name, string description, Func<MergeRequestMirror, int, CancellationToken, Task<MirrorResult>> action)
    {
        var command = new Command(name, description + "\nThe source-git merge request comes from --mr, else --event-file, else the merge-request pipeline variables (CI_MERGE_REQUEST_IID, CI_MERGE_REQUEST_PROJECT_PATH, CI_SERVER_URL).");
        var common = CreateCommon(command, "Dist-git project path. Default: CIJOBS_DIST_GIT_PROJECT.");
        var number = new Option<int?>("--mr") { Description = "Source-git merge request iid (GitLab) or pull request number (GitHub)." }.InRange(1, int.MaxValue);
        var eventFile = new Option<FileInfo?>("--event-file") { Description = "A webhook payload: GitLab Merge Request Hook or GitHub pull_request event." };
        command.Options.Add(number);
        command.Options.Add(eventFile);
        command.SetHandler(async (parseResult, ct) =>
        {
            var environment = SystemEnvironment.Instance;
            var input = new MirrorInput(parseResult.GetValue(common.SourceProject), parseResult.GetValue(number), parseResult.GetValue(common.ServerUrl));
            if (parseResult.GetValue(eventFile) is { } file)
            {
                input = input.Or(MirrorInput.FromEventPayload(await ReadAsync(file, ct), file.FullName));
            }

            input = input.Or(MirrorInput.FromGitLabCi(environment));
            var sourceProject = input.Project ?? throw Missing("source-git project", "--source-git-project", "CI_MERGE_REQUEST_PROJECT_PATH");
            var mrNumber = input.Number ?? throw Missing("merge request", "--mr", "CI_MERGE_REQUEST_IID");
            var distProject = parseResult.GetValue(common.DistProject) ?? environment.GetVariable("CIJOBS_DIST_GIT_PROJECT")
                ?? throw Missing("dist-git project", "--dist-git-project", "CIJOBS_DIST_GIT_PROJECT");
            var mirror = CreateMirror(parseResult, common, input.ServerUrl, sourceProject, distProject, environment);
            return Print(parseResult.GetValue(common.Format), await action(mirror, mrNumber, ct));
        });
        return command;
    }

    private static Command CreateStatusCommand()
    {
        var command = new Command("status", "Copy a dist-git merge request's pipeline status to the source-git commit it tested (From-source-git-commit trailer) as the commit status 'dist-git CI'.\n" +
            "Run at the end of the dist-git pipeline: the dist-git merge request comes from --mr, else --event-file (Pipeline Hook), else CI_MERGE_REQUEST_IID/CI_MERGE_REQUEST_PROJECT_PATH.");
        var common = CreateCommon(command, "Dist-git project path. Default: --event-file, else CI_MERGE_REQUEST_PROJECT_PATH.");
        var number = new Option<int?>("--mr") { Description = "Dist-git merge request iid or pull request number." }.InRange(1, int.MaxValue);
        var eventFile = new Option<FileInfo?>("--event-file") { Description = "A GitLab Pipeline Hook payload of the dist-git merge request pipeline." };
        var pipelineStatus = new Option<string?>("--pipeline-status") { Description = "The pipeline status to report (success, failed, running, ...). Default: the merge request's newest pipeline." };
        var pipelineUrl = new Option<string?>("--pipeline-url") { Description = "Link for the status. Default: CI_PIPELINE_URL." };
        command.Options.Add(number);
        command.Options.Add(eventFile);
        command.Options.Add(pipelineStatus);
        command.Options.Add(pipelineUrl);
        command.SetHandler(async (parseResult, ct) =>
        {
            var environment = SystemEnvironment.Instance;
            var input = new MirrorInput(parseResult.GetValue(common.DistProject), parseResult.GetValue(number), parseResult.GetValue(common.DistServerUrl) ?? parseResult.GetValue(common.ServerUrl));
            if (parseResult.GetValue(eventFile) is { } file)
            {
                input = input.Or(MirrorInput.FromEventPayload(await ReadAsync(file, ct), file.FullName));
            }

            input = input.Or(MirrorInput.FromGitLabCi(environment));
            var distProject = input.Project ?? throw Missing("dist-git project", "--dist-git-project", "CI_MERGE_REQUEST_PROJECT_PATH");
            var mrNumber = input.Number ?? throw Missing("dist-git merge request", "--mr", "CI_MERGE_REQUEST_IID");
            var mirror = CreateMirror(parseResult, common, input.ServerUrl, parseResult.GetValue(common.SourceProject) ?? "", distProject, environment);
            var url = parseResult.GetValue(pipelineUrl) ?? environment.GetVariable("CI_PIPELINE_URL");
            UrlCredentials.EnsureNone(url, "the pipeline URL (--pipeline-url or CI_PIPELINE_URL)");
            return Print(parseResult.GetValue(common.Format), await mirror.StatusAsync(mrNumber, parseResult.GetValue(pipelineStatus), url, ct));
        });
        return command;
    }

    private static Command CreateReconcileCommand()
    {
        var command = new Command("reconcile", "Sync every open source-git merge request and every open dist-git merge request of the bot (for a scheduled pipeline: catches missed events and fork merge requests).");
        var common = CreateCommon(command, "Dist-git project path. Default: CIJOBS_DIST_GIT_PROJECT.");
        command.SetHandler(async (parseResult, ct) =>
        {
            var environment = SystemEnvironment.Instance;
            var sourceProject = parseResult.GetValue(common.SourceProject) ?? environment.GetVariable("CI_PROJECT_PATH")
                ?? throw Missing("source-git project", "--source-git-project", "CI_PROJECT_PATH");
            var distProject = parseResult.GetValue(common.DistProject) ?? environment.GetVariable("CIJOBS_DIST_GIT_PROJECT")
                ?? throw Missing("dist-git project", "--dist-git-project", "CIJOBS_DIST_GIT_PROJECT");
            var mirror = CreateMirror(parseResult, common, parseResult.GetValue(common.ServerUrl), sourceProject, distProject, environment);
            return Print(parseResult.GetValue(common.Format), await mirror.ReconcileAsync(ct));
        });
        return command;
    }

    private static Command CreateSyncFromDistGitCommand()
    {
        var command = new Command("sync-from-dist-git", "Dist-git changes made outside the source-git flow: replay them onto source-git with update-source-git and open (or update) a 'Sync from dist-git' merge request there.");
        var common = CreateCommon(command, "Dist-git project path. Default: CIJOBS_DIST_GIT_PROJECT, else CI_PROJECT_PATH.");
        var branch = new Option<string?>("--branch") { Description = "The branch, named the same in dist-git and source-git. Default: CI_COMMIT_BRANCH." };
        command.Options.Add(branch);
        command.SetHandler(async (parseResult, ct) =>
        {
            var environment = SystemEnvironment.Instance;
            var sourceProject = parseResult.GetValue(common.SourceProject) ?? environment.GetVariable("CIJOBS_SOURCE_GIT_PROJECT")
                ?? throw Missing("source-git project", "--source-git-project", "CIJOBS_SOURCE_GIT_PROJECT");
            var distProject = parseResult.GetValue(common.DistProject) ?? environment.GetVariable("CIJOBS_DIST_GIT_PROJECT") ?? environment.GetVariable("CI_PROJECT_PATH")
                ?? throw Missing("dist-git project", "--dist-git-project", "CI_PROJECT_PATH");
            var branchName = parseResult.GetValue(branch) ?? environment.GetVariable("CI_COMMIT_BRANCH")
                ?? throw Missing("branch", "--branch", "CI_COMMIT_BRANCH");
            var mirror = CreateMirror(parseResult, common, parseResult.GetValue(common.ServerUrl) ?? environment.GetVariable("CI_SERVER_URL"), sourceProject, distProject, environment);
            return Print(parseResult.GetValue(common.Format), await mirror.SyncFromDistGitAsync(branchName, ct));
        });
        return command;
    }

    private static MergeRequestMirror CreateMirror(ParseResult parseResult, Common common, string? serverUrl, string sourceProject, string distProject, IEnvironment environment)
    {
        var sourceKind = parseResult.GetValue(common.Forge);
        var distKind = parseResult.GetValue(common.DistForge) ?? sourceKind;
        serverUrl ??= environment.GetVariable("CI_SERVER_URL");
        var distServerUrl = parseResult.GetValue(common.DistServerUrl) ?? serverUrl;
        UrlCredentials.EnsureNone(serverUrl, "the source-git server URL (--server-url, the event payload or CI_SERVER_URL)");
        UrlCredentials.EnsureNone(distServerUrl, "the dist-git server URL");
        var timeout = TimeSpan.FromSeconds(parseResult.GetValue(common.Timeout));
        var sourceToken = ForgeTokens.Read(environment, "CIJOBS_SOURCE_GIT_TOKEN")
            ?? throw new CiJobsException("No source-git token: set CIJOBS_SOURCE_GIT_TOKEN (or CIJOBS_SOURCE_GIT_TOKEN_FILE).", ForgeExitCodes.TokenMissing);
        var distToken = ForgeTokens.Read(environment, "CIJOBS_DIST_GIT_TOKEN") ?? sourceToken;
        var sourceForge = CreateForge(sourceKind, serverUrl, sourceToken, timeout);
        var distForge = distKind == sourceKind && distServerUrl == serverUrl && distToken == sourceToken ? sourceForge : CreateForge(distKind, distServerUrl, distToken, timeout);
        var runner = new CliWrapProcessRunner();
        var conversion = new SourceGitConversion(new SourceGitConverter(new GitCli(runner)));
        var endpoints = new MirrorEndpoints(sourceForge, sourceProject, distForge, distProject)
        {
            DistGitFork = parseResult.GetValue(common.DistFork) ?? environment.GetVariable("CIJOBS_DIST_GIT_FORK"),
        };
        return new MergeRequestMirror(endpoints, conversion, new MirrorGit(runner), message => Console.Error.WriteLine($"cijobs: {message}"));
    }

    private static IForge CreateForge(ForgeKind kind, string? serverUrl, string token, TimeSpan timeout) => kind switch
    {
        ForgeKind.GitHub => GitHubForge.Create(serverUrl ?? "https://api.github.com/", token, timeout: timeout),
        _ => new GitLabClient(ForgeHttp.CreateClient(GitLabClient.ApiRoot(serverUrl ?? "https://gitlab.com"), timeout: timeout), token),
    };

    private static int Print(OutputFormat format, MirrorResult result)
    {
        if (format == OutputFormat.Json)
        {
            OutputOptions.WriteJson(result);
        }
        else
        {
            Console.Out.WriteLine(result.Message);
        }

        return ExitCodes.Success;
    }

    private static Task<string> ReadAsync(FileInfo file, CancellationToken ct) =>
        InputLimits.ReadTextFileAsync(file.FullName, "the event file", ExitCodes.Io, ct);

    private static CiJobsException Missing(string what, string flag, string variable) =>
        new($"No {what} given: pass {flag} or run in a merge-request pipeline ({variable}).", ForgeExitCodes.InputInvalid);
}
