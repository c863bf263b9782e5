using System.CommandLine;
using CiJobs.Cli.Output;
using CiJobs.Core;
using CiJobs.Core.Forges;
using CiJobs.Core.Forges.GitHub;
using CiJobs.Core.Forges.GitLab;
using CiJobs.Core.Forges.Mirroring;
using CiJobs.Core.Platform;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.ZuulConfig.Bot;

namespace CiJobs.Cli.Commands;

/// <summary>The config bot's subcommands of <c>cijobs zuul-config</c>: generate, diff, propose.</summary>
internal static class ZuulConfigBotCommands
{
    public const string TokenVariable = "CIJOBS_CONFIG_BOT_TOKEN";
    public const string SshKeyVariable = "CIJOBS_CONFIG_BOT_SSH_KEY_FILE";

    public static IEnumerable<Command> Create()
    {
        yield return CreateGenerate();
        yield return CreateDiff();
        yield return CreatePropose();
    }

    /// <summary>The options that decide how rdoinfo URLs become tenant connections and project names.</summary>
    private sealed class GeneratorOptions
    {
        public Option<string> Tenant { get; } = new("--tenant")
        {
            Description = "Tenant name written in the generated tenant file.",
            DefaultValueFactory = _ => ZuulGeneratorSettings.Default.Tenant,
        };

        public Option<string> DistgitConnection { get; } = new("--distgit-connection")
        {
            Description = "Gerrit connection the distgit repositories are reached through (unless --connection names their host).",
            DefaultValueFactory = _ => ZuulGeneratorSettings.Default.DistgitConnection,
        };

        public Option<string[]> Connections { get; } = new("--connection")
        {
            Description = "HOST=NAME: the tenant connection for repositories on HOST (e.g. opendev.org=opendev). " +
                "Upstream hosts not named use a git connection named after the host. Repeatable.",
        };

        public IEnumerable<Option> All => [Tenant, DistgitConnection, Connections];

        public ZuulGeneratorSettings Read(ParseResult parse) => new()
        {
            Tenant = parse.GetValue(Tenant)!,
            DistgitConnection = parse.GetValue(DistgitConnection)!,
            Connections = ZuulGeneratorSettings.ParseConnections(parse.GetValue(Connections) ?? []),
        };
    }

    private static Command CreateGenerate()
    {
        var rdoinfo = RdoinfoCommand.CreateRdoinfoOption();
        var entry = RdoinfoCommand.CreateEntryOption();
        var configRepo = new Option<DirectoryInfo>("--config-repo")
        {
            Description = $"The config repository to write into; only {ConfigBotNames.ProjectsFile} and {ConfigBotNames.TenantFile} are written.",
            Required = true,
        };
        var generator = new GeneratorOptions();
        var format = OutputOptions.CreateFormatOption();
        var command = new Command("generate",
            "Write Zuul tenant entries and project stanzas for every rdoinfo package into the bot-owned files of a config " +
            "repository. Deterministic: the same rdoinfo gives the same bytes; unchanged files are not rewritten.")
        {
            rdoinfo, entry, configRepo, format,
        };
        foreach (var option in generator.All)
        {
            command.Options.Add(option);
        }

        command.SetHandler(async (parse, ct) =>
        {
            var database = await RdoinfoLoader.LoadAsync(parse.GetValue(rdoinfo)!.FullName, parse.GetValue(entry)!, ct);
            var config = ZuulConfigGenerator.Generate(database, generator.Read(parse));
            var files = await GeneratedFileWriter.WriteAsync(parse.GetValue(configRepo)!.FullName, config, ct);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(new ZuulConfigGenerateJson(config.Projects.Count, [.. files.Select(f => new GeneratedFileJson(f.Path, f.Status.ToString().ToLowerInvariant()))]));
            }
            else
            {
                foreach (var file in files)
                {
                    await Console.Out.WriteLineAsync($"{file.Status.ToString().ToLowerInvariant()}: {file.Path}");
                }

                await Console.Error.WriteLineAsync($"zuul-config generate: {config.Projects.Count} projects from {database.Projects.Count} packages");
            }

            return 0;
        });
        return command;
    }

    private static Command CreateDiff()
    {
        var oldOption = new Option<string>("--rdoinfo-old")
        {
            Description = "The rdoinfo before: a folder, or a git revision of --rdoinfo-repo.",
            Required = true,
        };
        var newOption = new Option<string>("--rdoinfo-new")
        {
            Description = "The rdoinfo after: a folder, or a git revision of --rdoinfo-repo.",
            Required = true,
        };
        var repo = new Option<DirectoryInfo?>("--rdoinfo-repo")
        {
            Description = "The rdoinfo git repository the revisions are read from (without touching its work tree).",
        };
        var entry = RdoinfoCommand.CreateEntryOption();
        var generator = new GeneratorOptions();
        var format = OutputOptions.CreateFormatOption();
        var command = new Command("diff",
            "Compare two rdoinfo states: packages added, changed (fields, tags, per-release source-branch pins) and removed, " +
            "and the Zuul configuration change each implies. Removals are listed as proposed removals.")
        {
            oldOption, newOption, repo, entry, format,
        };
        foreach (var option in generator.All)
        {
            command.Options.Add(option);
        }

        command.SetHandler(async (parse, ct) =>
        {
            var repository = parse.GetValue(repo)?.FullName;
            var oldDatabase = await RdoinfoInput.LoadAsync(parse.GetValue(oldOption)!, repository, parse.GetValue(entry)!, ct);
            var newDatabase = await RdoinfoInput.LoadAsync(parse.GetValue(newOption)!, repository, parse.GetValue(entry)!, ct);
            var diff = ZuulConfigDiff.Compare(oldDatabase, newDatabase, generator.Read(parse));
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(new ZuulConfigDiffJson(
                    [.. diff.Packages.Select(p => new PackageImpactJson(
                        p.Kind.ToString().ToLowerInvariant(),
                        p.Name,
                        p.Project,
                        p.Details,
                        [.. p.ConfigChanges.Select(c => new ConfigChangeJson(c.Kind.ToString().ToLowerInvariant(), c.CanonicalName))]))],
                    [.. diff.Projects.Select(c => new ProjectChangeJson(
                        c.Kind.ToString().ToLowerInvariant(),
                        c.CanonicalName,
                        c.Connection,
                        c.OldStanza,
                        c.NewStanza))]));
                return 0;
            }

            foreach (var package in diff.Packages)
            {
                await Console.Out.WriteLineAsync($"{package.Kind.ToString().ToLowerInvariant()} {package.Name} (project {package.Project})");
                foreach (var detail in package.Details)
                {
                    await Console.Out.WriteLineAsync($"  {detail}");
                }

                if (package.ConfigChanges.Count == 0)
                {
                    await Console.Out.WriteLineAsync("  config: no change");
                }

                foreach (var change in package.ConfigChanges)
                {
                    await Console.Out.WriteLineAsync($"  config: {Describe(change)}");
                }
            }

            await Console.Error.WriteLineAsync(
                $"zuul-config diff: {diff.Rdoinfo.Added.Count} added, {diff.Rdoinfo.Changed.Count} changed, {diff.Rdoinfo.Removed.Count} removed packages; " +
                $"{diff.Projects.Count} project(s) to update");
            return 0;
        });
        return command;
    }

    private static string Describe(ProjectConfigChange change) => change.Kind switch
    {
        ConfigChangeKind.Added => $"add project {change.CanonicalName} and tenant entry {change.Connection}:{change.Path}",
        ConfigChangeKind.Removed => $"remove project {change.CanonicalName} and tenant entry {change.Connection}:{change.Path} (proposed, not silent)",
        _ => $"update project {change.CanonicalName}",
    };

    private static Command CreatePropose()
    {
        var rdoinfo = RdoinfoCommand.CreateRdoinfoOption();
        var entry = RdoinfoCommand.CreateEntryOption();
        var revision = new Option<string?>("--rdoinfo-revision")
        {
            Description = "The rdoinfo commit the proposal is for (one proposal per revision). Default: HEAD of the --rdoinfo checkout.",
        };
        var configRepo = new Option<DirectoryInfo>("--config-repo")
        {
            Description = "A git clone of the config repository; the proposal is committed there on branch cijobs/zuul-config-<revision>.",
            Required = true,
        };
        var review = new Option<ReviewSystem>("--review")
        {
            Description = "How to propose: gerrit (push to refs/for/<branch> with a topic and a Change-Id), gitlab (merge request) or github (pull request).",
            DefaultValueFactory = _ => ReviewSystem.Gerrit,
        };
        var remote = new Option<string>("--remote") { Description = "The git remote of the config repository to push to.", DefaultValueFactory = _ => "origin" };
        var target = new Option<string>("--target-branch") { Description = "The config repository branch the proposal targets.", DefaultValueFactory = _ => "master" };
        var project = new Option<string?>("--project") { Description = "GitLab project path or GitHub owner/name of the config repository (gitlab, github)." };
        var apiUrl = new Option<string?>("--api-url")
        {
            Description = "GitLab server URL (default https://gitlab.com) or GitHub API URL (default https://api.github.com/).",
        };
        var sshKey = new Option<FileInfo?>("--ssh-key-file")
        {
            Description = $"Private SSH key file for pushing to Gerrit (default: the file named by {SshKeyVariable}).",
        };
        var generator = new GeneratorOptions();
        var format = OutputOptions.CreateFormatOption();
        var command = new Command("propose",
            "Generate the configuration and propose it for review on the config repository. Idempotent: an open proposal for " +
            "the same rdoinfo revision is updated, never duplicated; when nothing changes, no proposal is made (exit 0). " +
            $"GitLab and GitHub tokens come from {TokenVariable} (or {TokenVariable}_FILE naming a file) and are never printed.")
        {
            rdoinfo, entry, revision, configRepo, review, remote, target, project, apiUrl, sshKey, format,
        };
        foreach (var option in generator.All)
        {
            command.Options.Add(option);
        }

        command.SetHandler(async (parse, ct) =>
        {
            var rdoinfoDir = parse.GetValue(rdoinfo)!.FullName;
            var database = await RdoinfoLoader.LoadAsync(rdoinfoDir, parse.GetValue(entry)!, ct);
            var config = ZuulConfigGenerator.Generate(database, generator.Read(parse));
            var head = RdoinfoInput.HeadOf(rdoinfoDir, parse.GetValue(revision) ?? "HEAD");
            var rdoinfoRevision = head?.Sha ?? parse.GetValue(revision)
                ?? throw new CiJobsException($"{rdoinfoDir} is not a git checkout; give --rdoinfo-revision.", ConfigBotExitCodes.InputInvalid);
            var kind = parse.GetValue(review);
            var settings = new ProposalSettings(parse.GetValue(configRepo)!.FullName, rdoinfoRevision, kind)
            {
                Remote = parse.GetValue(remote)!,
                TargetBranch = parse.GetValue(target)!,
                ForgeProject = parse.GetValue(project),
                // The role sets the variable to "" when no key is configured: that means no key, not a key named "".
                SshKeyFile = parse.GetValue(sshKey)?.FullName ?? (SystemEnvironment.Instance.GetVariable(SshKeyVariable) is { Length: > 0 } keyFile ? keyFile : null),
                CommitDate = head?.Date,
            };
            var forge = kind == ReviewSystem.Gerrit ? null : CreateForge(kind, parse.GetValue(apiUrl));
            var result = await new ConfigProposer(new CliWrapProcessRunner(), forge).ProposeAsync(settings, config, ct);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(new ProposalJson(
                    result.Outcome.ToString().ToLowerInvariant(),
                    result.Branch,
                    result.ChangeId,
                    result.Commit,
                    result.Url,
                    result.Number,
                    result.Summary));
                return 0;
            }

            var message = result.Outcome switch
            {
                ProposalOutcome.NothingToChange => $"nothing to change: the generated configuration equals {settings.TargetBranch}; no proposal made.",
                ProposalOutcome.Created => $"proposed {result.Commit} ({kind}, {Where(result)}).",
                ProposalOutcome.Updated => $"updated the open proposal with {result.Commit} ({kind}, {Where(result)}).",
                _ => $"the open proposal already holds this change ({kind}, {Where(result)}).",
            };
            await Console.Out.WriteLineAsync(message);
            await Console.Error.WriteLineAsync($"zuul-config propose: {result.Summary}");
            return 0;
        });
        return command;
    }

    private static string Where(ProposalResult result) =>
        result.Number is { } number ? $"#{number} {result.Url}" : $"Change-Id {result.ChangeId}";

    private static IForge CreateForge(ReviewSystem kind, string? apiUrl)
    {
        var token = ForgeTokens.Read(SystemEnvironment.Instance, TokenVariable)
            ?? throw new CiJobsException($"No token: set {TokenVariable} (or {TokenVariable}_FILE naming a file).", ConfigBotExitCodes.InputInvalid);
        return kind == ReviewSystem.GitHub
            ? GitHubForge.Create(apiUrl ?? "https://api.github.com/", token)
            : new GitLabClient(ForgeHttp.CreateClient(GitLabClient.ApiRoot(apiUrl ?? "https://gitlab.com")), token);
    }
}

/// <summary>The JSON of <c>cijobs zuul-config generate</c>.</summary>
internal sealed record ZuulConfigGenerateJson(int Projects, IReadOnlyList<GeneratedFileJson> Files);

internal sealed record GeneratedFileJson(string Path, string Status);

/// <summary>The JSON of <c>cijobs zuul-config diff</c>.</summary>
internal sealed record ZuulConfigDiffJson(IReadOnlyList<PackageImpactJson> Packages, IReadOnlyList<ProjectChangeJson> Projects);

internal sealed record PackageImpactJson(string Change, string Name, string Project, IReadOnlyList<string> Details, IReadOnlyList<ConfigChangeJson> Config);

internal sealed record ConfigChangeJson(string Change, string Project);

internal sealed record ProjectChangeJson(string Change, string Project, string Connection, string? OldStanza, string? NewStanza);

/// <summary>The JSON of <c>cijobs zuul-config propose</c>.</summary>
internal sealed record ProposalJson(string Outcome, string Branch, string ChangeId, string? Commit, string? Url, int? Number, string Summary);
