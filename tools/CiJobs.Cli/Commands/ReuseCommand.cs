using System.CommandLine;
using System.Globalization;
using System.Text;
using CiJobs.Cli.Output;
using CiJobs.Core;
using CiJobs.Core.BuildOnce;
using CiJobs.Core.Builds;
using CiJobs.Core.Forges;
using CiJobs.Core.Forges.GitLab;
using CiJobs.Core.Forges.Mirroring;
using CiJobs.Core.Git;
using CiJobs.Core.Platform;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs reuse zuul|gitlab</c>: build once, the post job's reuse of the gate's tested result (docs/manual/build-once.md).</summary>
internal static class ReuseCommand
{
    private static readonly TimeSpan DownloadTimeout = TimeSpan.FromMinutes(10);

    public static Command Create()
    {
        var command = new Command(
            "reuse",
            "Build once: fetch the result that the gate built and tested when the merged commits' trees equal the gated ones, " +
            "checking each file's size and sha256; otherwise say why a rebuild is needed. Exit 0 either way (the output's " +
            "outcome is reused or rebuild), 119 with --require when nothing can be reused, 118 on bad input (options, a DEST that is not an empty folder).");
        command.Subcommands.Add(CreateZuul());
        command.Subcommands.Add(CreateGitLab());
        return command;
    }

    private static Command CreateZuul()
    {
        var common = new CommonOptions();
        var api = new Option<string>("--zuul-api") { Description = "Zuul's web root, for example https://zuul.example.com/ (its api/ is below).", Required = true };
        var tenant = new Option<string>("--zuul-tenant") { Description = "The Zuul tenant (zuul.tenant).", Required = true };
        var project = new Option<string>("--project") { Description = "The project of the change (zuul.project.name).", Required = true };
        var change = new Option<int>("--change") { Description = "The merged change's number (zuul.change).", Required = true };
        var patchset = new Option<int>("--patchset") { Description = "The merged patchset (zuul.patchset).", Required = true };
        var pipeline = new Option<string>("--pipeline") { Description = "The pipeline whose builds are reused.", DefaultValueFactory = _ => "gate" };
        var job = new Option<string>("--job") { Description = "The gate build job's name.", Required = true };
        var type = new Option<string>("--artifact-type") { Description = "The artifacts' metadata.type.", DefaultValueFactory = _ => "cijobs_dlrn_result" };
        change.InRange(1, int.MaxValue);
        patchset.InRange(1, int.MaxValue);
        var command = new Command(
            "zuul",
            "Reuse a Zuul gate build's result: GET api/tenant/T/builds?project&change&patchset&pipeline&job_name&result=SUCCESS " +
            "(newest first), the artifact of metadata.type TYPE and metadata.package PACKAGE whose source_tree and distgit_tree " +
            "equal the merged ones; its files (metadata.files) are downloaded from the artifact's URL.");
        foreach (var option in new Option[] { api, tenant, project, change, patchset, pipeline, job, type })
        {
            command.Options.Add(option);
        }

        common.AddTo(command);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var root = HttpRoot(parseResult.GetValue(api)!, "--zuul-api");
            var query = new ZuulGateQuery(
                Word(parseResult.GetValue(tenant)!, "--zuul-tenant"),
                Word(parseResult.GetValue(project)!, "--project"),
                parseResult.GetValue(change),
                parseResult.GetValue(patchset),
                Word(parseResult.GetValue(pipeline)!, "--pipeline"),
                Word(parseResult.GetValue(job)!, "--job"),
                Word(parseResult.GetValue(type)!, "--artifact-type"),
                common.Package(parseResult));
            using var http = ForgeHttp.CreateClient(root, timeout: DownloadTimeout);
            return await common.RunAsync(parseResult, http, new ZuulGateArtifacts(http, query), cancellationToken);
        });
        return command;
    }

    private static Command CreateGitLab()
    {
        var common = new CommonOptions();
        var server = new Option<string>("--gitlab-url") { Description = "The GitLab server (CI_SERVER_URL).", Required = true };
        var project = new Option<string>("--project") { Description = "The project, by id or path (CI_PROJECT_ID).", Required = true };
        var mergeRequest = new Option<int?>("--merge-request") { Description = "The merge request's iid. Default: the merge request that --commit belongs to." };
        var commit = new Option<string?>("--commit") { Description = "The merged commit (CI_COMMIT_SHA of the branch pipeline), to find its merge request by." };
        var job = new Option<string>("--job") { Description = "The build job's name in the merged-results pipeline.", DefaultValueFactory = _ => "cijobs-build" };
        var buildJson = new Option<string>("--build-json") { Description = "Where the job's 'cijobs build --format json' output is among its artifacts.", DefaultValueFactory = _ => "cijobs-build.json" };
        var output = new Option<string>("--output-path") { Description = "The job's --output folder among its artifacts.", DefaultValueFactory = _ => "cijobs-out" };
        mergeRequest.InRange(1, int.MaxValue);
        var command = new Command(
            "gitlab",
            "Reuse the result of a merge request's merged-results (or merge-train) pipeline: its successful job JOB's " +
            "cijobs-build.json artifact gives the trees and the files' sizes and sha256, and the files are that job's artifacts. " +
            "Token: CIJOBS_GITLAB_TOKEN or CIJOBS_GITLAB_TOKEN_FILE (read_api), sent only to --gitlab-url.");
        foreach (var option in new Option[] { server, project, mergeRequest, commit, job, buildJson, output })
        {
            command.Options.Add(option);
        }

        common.AddTo(command);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var iid = parseResult.GetValue(mergeRequest);
            var sha = parseResult.GetValue(commit);
            if (iid is null && sha is null)
            {
                throw new CiJobsException("give --merge-request, or --commit to find it by", BuildOnceExitCodes.InvalidInput);
            }

            if (sha is not null)
            {
                GitValues.Hash(sha, "--commit");
            }

            using var gitlab = GitLabAccess.Open(SystemEnvironment.Instance, parseResult.GetValue(server)!, "--gitlab-url", "read the project's pipelines and artifacts", DownloadTimeout);
            var http = gitlab.Http;
            http.DefaultRequestHeaders.Add("PRIVATE-TOKEN", gitlab.Token);
            var query = new GitLabGateQuery(parseResult.GetValue(project)!, iid, sha, Word(parseResult.GetValue(job)!, "--job"), common.Package(parseResult))
            {
                BuildJsonPath = RelativePath(parseResult.GetValue(buildJson)!, "--build-json"),
                OutputPath = RelativePath(parseResult.GetValue(output)!, "--output-path"),
            };
            return await common.RunAsync(parseResult, http, new GitLabGateArtifacts(http, query), cancellationToken);
        });
        return command;
    }

    private static Uri HttpRoot(string url, string option)
    {
        UrlCredentials.EnsureNone(url, option);
        return Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var root) && root.Scheme is "http" or "https"
            ? root
            : throw new CiJobsException($"{option} is not an http or https URL", BuildOnceExitCodes.InvalidInput);
    }

    /// <summary>A name that goes into a query string or a comparison: printable, no white space, at most 200 characters.</summary>
    private static string Word(string value, string option) =>
        value.Length is > 0 and <= 200 && !value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            ? value
            : throw new CiJobsException($"{option} must be 1-200 printable characters without spaces", BuildOnceExitCodes.InvalidInput);

    private static string RelativePath(string value, string option) =>
        value.Length is > 0 and <= 500 && !value.StartsWith('/') && value.Split('/').All(p => p is not ("" or "." or "..") && !p.Any(char.IsControl))
            ? value
            : throw new CiJobsException($"{option} must be a relative path without . or .. parts", BuildOnceExitCodes.InvalidInput);

    /// <summary>The options of both forms: the package, the merged trees, DEST, --require and the output.</summary>
    private sealed class CommonOptions
    {
        private readonly Option<string> package = new("--package") { Description = "The package whose result is reused (the artifact's metadata.package).", Required = true };
        private readonly Option<string?> source = new("--source") { Description = "A git checkout of the merged source; its --source-ref's tree is compared." };
        private readonly Option<string> sourceRef = new("--source-ref") { Description = "The merged source commit in --source.", DefaultValueFactory = _ => "HEAD" };
        private readonly Option<string?> sourceTree = new("--source-tree") { Description = "The merged source tree's hash, instead of --source." };
        private readonly Option<string?> distgit = new("--distgit") { Description = "A git checkout of the merged distgit; its --distgit-ref's tree is compared." };
        private readonly Option<string> distgitRef = new("--distgit-ref") { Description = "The merged distgit commit in --distgit.", DefaultValueFactory = _ => "HEAD" };
        private readonly Option<string?> distgitTree = new("--distgit-tree") { Description = "The merged distgit tree's hash, instead of --distgit." };
        private readonly Option<string?> rdoinfo = new("--rdoinfo") { Description = "Take the source and distgit (and their refs) from rdoinfo as 'cijobs build' does, cloning what is not a local folder; --source, --distgit and the refs override them." };
        private readonly Option<string?> release = new("--release") { Description = "With --rdoinfo: the release whose refs are built." };
        private readonly Option<string> dest = new("--dest") { Description = "The folder the reused files go to (a folder of packages that 'cijobs release publish' takes); must not exist or be empty.", Required = true };
        private readonly Option<bool> require = new("--require") { Description = "Fail with exit 119 instead of asking for a rebuild when nothing can be reused." };
        private readonly Option<OutputFormat> format = OutputOptions.CreateFormatOption();
        private readonly Option<FileInfo?> dotenvFile = new("--dotenv-file") { Description = "Also write CIJOBS_REUSE_OUTCOME (reused or rebuild) and, when reused, CIJOBS_REUSE_DEST to this file, for a shell or a GitLab dotenv report." };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { package, rdoinfo, release, source, sourceRef, sourceTree, distgit, distgitRef, distgitTree, dest, require, format, dotenvFile })
            {
                command.Options.Add(option);
            }
        }

        public string Package(ParseResult parseResult) => PackageNames.Validate(parseResult.GetValue(package)!);

        public async Task<int> RunAsync(ParseResult parseResult, HttpClient http, IGateArtifactSource gate, CancellationToken cancellationToken)
        {
            var git = new GitCli(new CliWrapProcessRunner());
            var (sourceHash, distgitHash) = parseResult.GetValue(rdoinfo) is { } rdoinfoDirectory
                ? await FromRdoinfoAsync(git, parseResult, rdoinfoDirectory, cancellationToken)
                : (await TreeAsync(git, parseResult.GetValue(source), parseResult.GetValue(sourceRef)!, parseResult.GetValue(sourceTree), "source", cancellationToken),
                   await TreeAsync(git, parseResult.GetValue(distgit), parseResult.GetValue(distgitRef)!, parseResult.GetValue(distgitTree), "distgit", cancellationToken));
            var request = new BuildOnceRequest(Package(parseResult), sourceHash, distgitHash, parseResult.GetValue(dest)!, parseResult.GetValue(require));
            var result = await new BuildOnceService(http).RunAsync(request, gate, cancellationToken);
            if (parseResult.GetValue(dotenvFile) is { } file)
            {
                var dotenv = $"CIJOBS_REUSE_OUTCOME={result.Outcome}\n" + (result.Destination is { } reused ? $"CIJOBS_REUSE_DEST={reused}\n" : "");
                await OutputOptions.WriteFileAsync(file.FullName, dotenv);
            }

            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(result);
            }
            else
            {
                await Console.Out.WriteAsync(Text(result));
            }

            return ExitCodes.Success;
        }

        private async Task<(string Source, string Distgit)> FromRdoinfoAsync(GitCli git, ParseResult parseResult, string rdoinfoDirectory, CancellationToken cancellationToken)
        {
            if (parseResult.GetValue(sourceTree) is not null || parseResult.GetValue(distgitTree) is not null)
            {
                throw new CiJobsException("give --rdoinfo or the --source-tree and --distgit-tree, not both", BuildOnceExitCodes.InvalidInput);
            }

            var target = await BuildTargetResolver.ResolveAsync(
                new BuildRequest
                {
                    RdoinfoDirectory = rdoinfoDirectory,
                    Package = Package(parseResult),
                    Release = parseResult.GetValue(release),
                    Source = parseResult.GetValue(source),
                    Distgit = parseResult.GetValue(distgit),
                    SourceRef = parseResult.GetResult(sourceRef) is { Implicit: false } ? parseResult.GetValue(sourceRef) : null,
                    DistgitRef = parseResult.GetResult(distgitRef) is { Implicit: false } ? parseResult.GetValue(distgitRef) : null,
                    OutputDirectory = Path.GetTempPath(),
                },
                cancellationToken);
            return await MergedTrees.ResolveAsync(git, target, cancellationToken);
        }

        private static async Task<string> TreeAsync(GitCli git, string? checkout, string gitRef, string? tree, string role, CancellationToken cancellationToken)
        {
            if ((checkout is null) == (tree is null))
            {
                throw new CiJobsException($"give --{role} (a checkout) or --{role}-tree, one of them", BuildOnceExitCodes.InvalidInput);
            }

            if (tree is not null)
            {
                return GitValues.Hash(tree, $"--{role}-tree");
            }

            GitValues.Ref(gitRef, $"--{role}-ref", BuildOnceExitCodes.InvalidInput);
            var output = await git.RunAsync(Path.GetFullPath(checkout!), ["rev-parse", "--verify", "--quiet", gitRef + "^{tree}"], cancellationToken);
            return GitValues.Hash(output.Trim(), $"the {role} tree of {gitRef}");
        }
    }

    private static string Text(BuildOnceResult result)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{result.Package}: {result.Outcome}: {result.Reason}\n");
        if (result.Outcome == BuildOnceResult.Reused)
        {
            foreach (var file in result.Files)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {file.Name} ({file.Size} bytes, sha256 {file.Sha256})\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"in {result.Destination}\n");
        }

        return text.ToString();
    }
}
