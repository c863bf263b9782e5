using System.Security.Cryptography;
using System.Text;
using CiJobs.Core.Forges;
using CiJobs.Core.Git;
using CiJobs.Core.Platform;

namespace CiJobs.Core.ZuulConfig.Bot;

public enum ReviewSystem
{
    Gerrit,
    GitLab,
    GitHub,
}

public enum ProposalOutcome
{
    /// <summary>The generated files equal the target branch: nothing proposed.</summary>
    NothingToChange,
    Created,
    Updated,

    /// <summary>The open proposal already holds exactly this change.</summary>
    Unchanged,
}

/// <param name="ConfigRepository">A clone of the config repository; its <see cref="Remote"/> is where proposals go.</param>
/// <param name="RdoinfoRevision">The rdoinfo commit the configuration was generated from; one proposal per revision.</param>
/// <param name="ForgeProject">GitLab project path or GitHub owner/name (not used for Gerrit).</param>
public sealed record ProposalSettings(string ConfigRepository, string RdoinfoRevision, ReviewSystem Review)
{
    public string Remote { get; init; } = "origin";

    public string TargetBranch { get; init; } = "master";

    public string? ForgeProject { get; init; }

    /// <summary>Private key for Gerrit over SSH (a file path; the key itself never passes through here).</summary>
    public string? SshKeyFile { get; init; }

    /// <summary>Author and committer date of the proposal commit, so the same input gives the same commit.</summary>
    public DateTimeOffset? CommitDate { get; init; }

    public string ShortRevision => RdoinfoRevision.Length > 12 ? RdoinfoRevision[..12] : RdoinfoRevision;

    /// <summary>The branch the proposal lives on (GitLab/GitHub source branch; local branch for Gerrit).</summary>
    public string Branch => $"cijobs/zuul-config-{ShortRevision}";

    public string Topic => $"rdoinfo-{ShortRevision}";

    /// <summary>Derived from the revision and target, so re-running for the same revision updates the same Gerrit change.</summary>
    public string ChangeId => "I" + Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes($"cijobs zuul-config {TargetBranch} {RdoinfoRevision}")));
}

public sealed record ProposalResult(
    ProposalOutcome Outcome,
    string Branch,
    string ChangeId,
    string? Commit,
    string? Url,
    int? Number,
    IReadOnlyList<GeneratedFileResult> Files,
    string Summary);

/// <summary>
/// Proposes generated configuration for review: checks out the target branch of the config repository on the
/// proposal branch, writes the bot-owned files, commits (fixed identity and date, so a re-run gives the same commit)
/// and pushes to Gerrit's <c>refs/for/&lt;branch&gt;</c> with a topic, or to a branch with a GitLab merge request or
/// GitHub pull request. An open proposal for the same rdoinfo revision is updated, never duplicated. Git runs through
/// <see cref="GitCli"/>: the forge token reaches it only through <c>GIT_CONFIG_*</c> variables (docs/architecture.md, "Running git").
/// </summary>
public sealed class ConfigProposer(IProcessRunner runner, IForge? forge = null)
{
    public const string BotName = "cijobs config bot";
    public const string BotEmail = "cijobs-config-bot@localhost";

    public async Task<ProposalResult> ProposeAsync(ProposalSettings settings, GeneratedConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(config);

        // Renders and checks the files first: a name that cannot be written, or output that does not read back as
        // the model, stops here, before any branch is checked out or pushed.
        var rendered = config.Files();
        var git = new GitCli(runner, Session(settings));
        if (settings.Review != ReviewSystem.Gerrit && (forge is null || string.IsNullOrEmpty(settings.ForgeProject)))
        {
            throw new CiJobsException($"proposing through {settings.Review} needs a forge project (--project) and a token.", ConfigBotExitCodes.InputInvalid);
        }

        if (forge is not null)
        {
            // Fails fast (401/403 → exit 61) before any branch is pushed.
            await forge.GetCurrentUserAsync(cancellationToken);
        }

        var repo = settings.ConfigRepository;
        if (!Directory.Exists(Path.Combine(repo, ".git")) && !File.Exists(Path.Combine(repo, ".git")))
        {
            throw new CiJobsException($"the config repository {repo} is not a git clone.", ConfigBotExitCodes.ConfigRepoInvalid);
        }

        await GitAsync(git, repo, cancellationToken, "fetch", "--quiet", settings.Remote, $"refs/heads/{settings.TargetBranch}");
        var baseCommit = (await GitAsync(git, repo, cancellationToken, "rev-parse", "FETCH_HEAD")).Trim();
        await GitAsync(git, repo, cancellationToken, "checkout", "--quiet", "-B", settings.Branch, baseCommit);
        var before = new Dictionary<string, string?>();
        foreach (var (path, _) in rendered)
        {
            before[path] = await GeneratedFileWriter.ReadOwnedAsync(repo, path, cancellationToken);
        }

        var files = await GeneratedFileWriter.WriteAsync(repo, config, cancellationToken);
        var summary = Summarize(before.GetValueOrDefault(ConfigBotNames.ProjectsFile), config);
        if (files.All(f => f.Status == GeneratedFileStatus.Unchanged))
        {
            return new ProposalResult(ProposalOutcome.NothingToChange, settings.Branch, settings.ChangeId, null, null, null, files, summary);
        }

        await GitAsync(git, repo, cancellationToken, ["add", "--", .. files.Select(f => f.Path)]);
        var title = $"Update generated Zuul configuration for rdoinfo {settings.ShortRevision}";
        var message = $"{title}\n\n{summary}\n\nGenerated by `cijobs zuul-config propose`; the bot-owned files are\n" +
            $"{ConfigBotNames.ProjectsFile} and {ConfigBotNames.TenantFile}.\n\n" +
            $"Rdoinfo-Revision: {settings.RdoinfoRevision}\nChange-Id: {settings.ChangeId}\n";
        await GitAsync(git, repo, cancellationToken, ["commit", "--quiet", "--no-verify", "-F", "-"], message);
        var commit = (await GitAsync(git, repo, cancellationToken, "rev-parse", "HEAD")).Trim();

        if (settings.Review == ReviewSystem.Gerrit)
        {
            var pushed = await PushAsync(git, settings, $"+HEAD:refs/for/{settings.TargetBranch}%topic={settings.Topic}", cancellationToken);
            return new ProposalResult(pushed ? ProposalOutcome.Created : ProposalOutcome.Unchanged, settings.Branch, settings.ChangeId, commit, null, null, files, summary);
        }

        var branchPushed = await PushAsync(git, settings, $"+HEAD:refs/heads/{settings.Branch}", cancellationToken);
        var project = settings.ForgeProject!;
        var open = await forge!.MergeRequests.FindAsync(
            project,
            new MergeRequestQuery(settings.Branch) { TargetBranch = settings.TargetBranch, State = MergeRequestState.Open },
            cancellationToken);
        var description = $"{summary}\n\nRdoinfo revision: {settings.RdoinfoRevision}\n\nGenerated by `cijobs zuul-config propose`.";
        if (open.Count > 0)
        {
            var existing = open[0];
            if (existing.Title == title && existing.Description == description && !branchPushed)
            {
                return new ProposalResult(ProposalOutcome.Unchanged, settings.Branch, settings.ChangeId, commit, existing.WebUrl, existing.Number, files, summary);
            }

            var updated = await forge.MergeRequests.UpdateAsync(project, existing.Number, new MergeRequestUpdate { Title = title, Description = description }, cancellationToken);
            return new ProposalResult(ProposalOutcome.Updated, settings.Branch, settings.ChangeId, commit, updated.WebUrl, updated.Number, files, summary);
        }

        var created = await forge.MergeRequests.CreateAsync(project, new NewMergeRequest(settings.Branch, settings.TargetBranch, title, description), cancellationToken);
        return new ProposalResult(ProposalOutcome.Created, settings.Branch, settings.ChangeId, commit, created.WebUrl, created.Number, files, summary);
    }

    /// <summary>Counts stanzas added, changed and removed against the file the target branch holds.</summary>
    public static string Summarize(string? oldProjectsFile, GeneratedConfig config)
    {
        var before = SplitStanzas(oldProjectsFile);
        var after = config.Projects.ToDictionary(p => p.CanonicalName, GeneratedConfig.RenderStanza, StringComparer.Ordinal);
        var added = after.Keys.Count(k => !before.ContainsKey(k));
        var removed = before.Keys.Count(k => !after.ContainsKey(k));
        var changed = after.Count(kv => before.TryGetValue(kv.Key, out var old) && old != kv.Value);
        return $"Projects: {added} added, {changed} changed, {removed} removed ({after.Count} in total).";
    }

    private static Dictionary<string, string> SplitStanzas(string? file)
    {
        var stanzas = new Dictionary<string, string>(StringComparer.Ordinal);
        if (file is null)
        {
            return stanzas;
        }

        foreach (var block in file.Split("- project:\n", StringSplitOptions.None).Skip(1))
        {
            var stanza = "- project:\n" + block;
            var nameLine = block.Split('\n')[0].Trim();
            if (nameLine.StartsWith("name: ", StringComparison.Ordinal))
            {
                stanzas[nameLine[6..].Trim('\'')] = stanza;
            }
        }

        return stanzas;
    }

    /// <summary>Pushes one refspec; false when the remote already had it (up to date, or Gerrit's "no new changes").</summary>
    private static async Task<bool> PushAsync(GitCli git, ProposalSettings settings, string refspec, CancellationToken cancellationToken)
    {
        var result = await git.RunUncheckedAsync(settings.ConfigRepository, ["push", "--porcelain", settings.Remote, refspec], cancellationToken);
        var output = result.StandardOutput + "\n" + result.StandardError;
        if (output.Contains("no new changes", StringComparison.Ordinal))
        {
            return false;
        }

        if (!result.Succeeded)
        {
            throw new CiJobsException($"pushing the proposal to {settings.Remote} was refused: {LastLines(output)}", ConfigBotExitCodes.ProposalFailed);
        }

        var status = result.StandardOutput.Split('\n').FirstOrDefault(l => l.Length > 1 && l[1] == '\t' && "=*+ -!".Contains(l[0], StringComparison.Ordinal));
        return status is null || status[0] != '=';
    }

    private static Task<string> GitAsync(GitCli git, string directory, CancellationToken cancellationToken, params string[] arguments) =>
        GitAsync(git, directory, cancellationToken, arguments, null);

    /// <summary>Runs one git step of the proposal; its failure is <see cref="ConfigBotExitCodes.ProposalFailed"/> (the one place it is mapped).</summary>
    private static async Task<string> GitAsync(GitCli git, string directory, CancellationToken cancellationToken, IReadOnlyList<string> arguments, string? standardInput = null)
    {
        try
        {
            return await git.RunAsync(directory, arguments, cancellationToken, standardInput);
        }
        catch (GitCommandException e)
        {
            throw new CiJobsException($"git {arguments[0]} failed in {directory}: {LastLines(e.StandardError)}", ConfigBotExitCodes.ProposalFailed, e);
        }
    }

    /// <summary>The bot's git: its identity, the forge header, the fixed commit date and the ssh key of the settings.</summary>
    private GitSession Session(ProposalSettings settings)
    {
        if (settings.SshKeyFile is { } key && !GitSession.IsSafeSshKeyFile(key))
        {
            throw new CiJobsException(
                "the ssh key file path must not be empty nor contain quotes, backslashes or control characters; rename the file.",
                ConfigBotExitCodes.InputInvalid);
        }

        return new GitSession
        {
            Identity = new GitIdentity(BotName, BotEmail),
            AuthorizationHeader = forge?.GitAuthorizationHeader,
            CommitDate = settings.CommitDate,
            SshKeyFile = settings.SshKeyFile,
        };
    }

    private static string LastLines(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no output)" : string.Join(" ", lines.TakeLast(3));
    }
}
