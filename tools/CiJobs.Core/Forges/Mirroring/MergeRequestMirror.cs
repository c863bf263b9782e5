using System.Globalization;

namespace CiJobs.Core.Forges.Mirroring;

/// <summary>
/// Mirrors a source-git merge request to a dist-git merge request and copies dist-git CI back. Forge-neutral:
/// works through <see cref="IForge"/>. Keeps no database: the link is the markers in both descriptions, found again
/// by the stable bot branch and the bot's user name. Every step reads the current state first, so repeated or
/// concurrent runs (duplicate webhook deliveries) converge on one dist-git MR and one comment.
/// </summary>
public sealed class MergeRequestMirror(MirrorEndpoints endpoints, ISourceGitConversion conversion, MirrorGit git, Action<string>? log = null)
{
    public const string StatusName = "dist-git CI";

    private readonly IForge sourceGit = endpoints.SourceGit;
    private readonly IForge distGit = endpoints.DistGit;
    private readonly string sourceProject = endpoints.SourceGitProject;
    private readonly string distProject = endpoints.DistGitProject;
    private readonly string pushProject = endpoints.DistGitFork ?? endpoints.DistGitProject;

    /// <summary>Brings the dist-git MR in line with the source-git MR: create, update, close, reopen; merged → nothing.</summary>
    public async Task<MirrorResult> SyncAsync(int number, CancellationToken cancellationToken)
    {
        var source = await sourceGit.MergeRequests.GetAsync(sourceProject, number, cancellationToken);
        if (source.Title.StartsWith(MirrorMarkers.SyncFromDistGitTitle, StringComparison.Ordinal) || source.SourceBranch.StartsWith("sync-from-dist-git/", StringComparison.Ordinal))
        {
            return new MirrorResult(MirrorAction.Ignored, $"{source.WebUrl} carries dist-git changes to source-git; it is not mirrored back.") { SourceGitMergeRequestUrl = source.WebUrl };
        }

        var existing = await FindLinkedAsync(source, cancellationToken);
        switch (source.State)
        {
            case MergeRequestState.Merged:
                return Result(MirrorAction.MergedNothingToDo, "The source-git merge request is merged; nothing to do.", source, existing);
            case MergeRequestState.Closed:
                if (existing is not { State: MergeRequestState.Open })
                {
                    return Result(MirrorAction.AlreadyClosed, "The source-git merge request is closed and no dist-git merge request is open.", source, existing);
                }

                var closed = await distGit.MergeRequests.UpdateAsync(distProject, existing.Number, new MergeRequestUpdate { StateChange = MergeRequestStateChange.Close }, cancellationToken);
                await UpsertNoteAsync(source, closed, cancellationToken);
                return Result(MirrorAction.Closed, $"Closed dist-git merge request {closed.WebUrl}.", source, closed);
            default:
                break;
        }

        var action = MirrorAction.Updated;
        if (existing is { State: MergeRequestState.Closed })
        {
            try
            {
                existing = await distGit.MergeRequests.UpdateAsync(distProject, existing.Number, new MergeRequestUpdate { StateChange = MergeRequestStateChange.Reopen }, cancellationToken);
                action = MirrorAction.Reopened;
            }
            catch (ForgeApiException e) when (e.IsConflict)
            {
                existing = await FindLinkedAsync(source, cancellationToken);
            }
        }
        else if (existing is { State: MergeRequestState.Open } && MirrorMarkers.ParseSyncedSha(existing.Description) == source.HeadSha)
        {
            // Same code: no regeneration, no force-push. Title or description edits are copied over.
            var wanted = DistGitDescription(source);
            var upToDate = existing.Title == source.Title && existing.Description == wanted;
            if (!upToDate)
            {
                existing = await distGit.MergeRequests.UpdateAsync(distProject, existing.Number, new MergeRequestUpdate { Title = source.Title, Description = wanted }, cancellationToken);
            }

            await EnsureSourceLinkAsync(source, existing, cancellationToken);
            await UpsertNoteAsync(source, existing, cancellationToken);
            return upToDate
                ? Result(MirrorAction.UpToDate, $"Dist-git merge request {existing.WebUrl} already mirrors {Short(source.HeadSha)}.", source, existing)
                : Result(MirrorAction.Updated, $"Copied the title and description to dist-git merge request {existing.WebUrl}.", source, existing);
        }

        if (!await RegenerateAsync(source, cancellationToken))
        {
            return Result(MirrorAction.Ignored, $"{source.WebUrl} has no .distro/source-git.yaml at {Short(source.HeadSha)}: not a source-git change, nothing mirrored.", source, existing);
        }

        var description = DistGitDescription(source);
        MergeRequest target;
        if (existing is { State: MergeRequestState.Open })
        {
            target = await distGit.MergeRequests.UpdateAsync(distProject, existing.Number, new MergeRequestUpdate { Title = source.Title, Description = description }, cancellationToken);
        }
        else
        {
            (target, action) = await CreateOrAdoptAsync(source, description, cancellationToken);
        }

        await EnsureSourceLinkAsync(source, target, cancellationToken);
        await UpsertNoteAsync(source, target, cancellationToken);
        var verb = action switch { MirrorAction.Created => "Created", MirrorAction.Reopened => "Reopened and updated", _ => "Updated" };
        return Result(action, $"{verb} dist-git merge request {target.WebUrl} from {Short(source.HeadSha)}.", source, target);
    }

    /// <summary>
    /// The scheduled reconciler: syncs every open source-git MR and every open dist-git MR the bot made for this
    /// source-git project (so missed close events and fork MRs, whose pipelines cannot see the token, are caught up).
    /// One MR's failure does not stop the others; it is reported in the result.
    /// </summary>
    public async Task<MirrorResult> ReconcileAsync(CancellationToken cancellationToken)
    {
        var numbers = new SortedSet<int>((await sourceGit.MergeRequests.ListOpenAsync(sourceProject, cancellationToken)).Select(m => m.Number));
        var bot = await distGit.GetCurrentUserAsync(cancellationToken);
        foreach (var dist in await distGit.MergeRequests.ListOpenAsync(distProject, cancellationToken))
        {
            if (dist.Author == bot.Username && MirrorMarkers.ParseSourceGitLink(dist.Description) is { } link && link.Project == sourceProject)
            {
                numbers.Add(link.Number);
            }
        }

        var lines = new List<string>();
        var failures = 0;
        foreach (var number in numbers)
        {
            try
            {
                var result = await SyncAsync(number, cancellationToken);
                lines.Add($"!{number}: {result.Message}");
            }
            catch (CiJobsException e)
            {
                failures++;
                lines.Add($"!{number}: failed: {e.Message}");
            }
        }

        var summary = $"Reconciled {numbers.Count} merge request(s), {failures} failed." + (lines.Count > 0 ? "\n" + string.Join('\n', lines) : "");
        return failures > 0
            ? throw new CiJobsException(summary, ForgeExitCodes.RequestFailed)
            : new MirrorResult(MirrorAction.Updated, summary);
    }

    /// <summary>Copies a dist-git MR pipeline status to the source-git commit it tested (from the <c>From-source-git-commit</c> trailer).</summary>
    /// <param name="pipelineStatus">GitLab pipeline status; null = read the MR's newest pipeline.</param>
    public async Task<MirrorResult> StatusAsync(int distGitNumber, string? pipelineStatus, string? pipelineUrl, CancellationToken cancellationToken)
    {
        var dist = await distGit.MergeRequests.GetAsync(distProject, distGitNumber, cancellationToken);
        var link = MirrorMarkers.ParseSourceGitLink(dist.Description)
            ?? throw new CiJobsException($"{dist.WebUrl} is not a mirrored merge request (its description has no source-git marker).", ForgeExitCodes.InputInvalid);
        if (sourceProject.Length == 0)
        {
            // The source-git project was not given: the marker names it.
            return await new MergeRequestMirror(endpoints with { SourceGitProject = link.Project }, conversion, git, log)
                .StatusAsync(distGitNumber, pipelineStatus, pipelineUrl, cancellationToken);
        }

        if (link.Project != sourceProject)
        {
            throw new CiJobsException($"{dist.WebUrl} mirrors {link.Project}, not {sourceProject}.", ForgeExitCodes.InputInvalid);
        }

        if (pipelineStatus is null)
        {
            var pipelines = await distGit.Pipelines.ListForMergeRequestAsync(distProject, distGitNumber, cancellationToken);
            var newest = pipelines.FirstOrDefault()
                ?? throw new CiJobsException($"{dist.WebUrl} has no pipeline yet.", ForgeExitCodes.NotFound);
            pipelineStatus = newest.Status;
            pipelineUrl ??= newest.WebUrl;
        }

        var state = StatusMapping.FromPipelineStatus(pipelineStatus);
        var commits = await distGit.MergeRequests.ListCommitsAsync(distProject, distGitNumber, cancellationToken);
        var sha = commits.Select(c => MirrorMarkers.ParseFromSourceGitCommit(c.Message)).FirstOrDefault(s => s is not null)
            ?? MirrorMarkers.ParseSyncedSha(dist.Description)
            ?? throw new CiJobsException($"No commit of {dist.WebUrl} carries a From-source-git-commit trailer.", ForgeExitCodes.InputInvalid);
        var source = await sourceGit.MergeRequests.GetAsync(sourceProject, link.Number, cancellationToken);
        var status = new NewCommitStatus(sha, state, StatusName) { TargetUrl = pipelineUrl, Description = $"Dist-git pipeline {pipelineStatus}" };
        try
        {
            // GitLab wants the status on the project that holds the MR's source branch (the contributor's fork).
            var outcome = await sourceGit.Statuses.SetAsync(source.SourceProject, status, cancellationToken);
            var action = outcome == CommitStatusOutcome.Created ? MirrorAction.StatusSet : MirrorAction.StatusUnchanged;
            return Result(action, $"Status '{StatusName}' on {Short(sha)} is {StatusMapping.Name(state)}{(action == MirrorAction.StatusUnchanged ? " (unchanged)" : "")}.", source, dist) with { Sha = sha, State = StatusMapping.Name(state) };
        }
        catch (ForgeApiException e) when (e.StatusCode is 403 or 404)
        {
            // No Developer access on the fork: report in the one comment instead of asking for access.
            await UpsertNoteAsync(source, dist, cancellationToken, $"Dist-git CI on {Short(sha)}: **{StatusMapping.Name(state)}**{(pipelineUrl is null ? "" : $" ([pipeline]({pipelineUrl}))")}. (The bot cannot set commit statuses on {source.SourceProject}; grant it Developer access there to see them as a status.)");
            return Result(MirrorAction.StatusReportedInComment, $"Status reported in the comment on {source.WebUrl}: setting a commit status was refused.", source, dist) with { Sha = sha, State = StatusMapping.Name(state) };
        }
    }

    /// <summary>Runs the dist-git MR pipeline again.</summary>
    public async Task<MirrorResult> RetriggerAsync(int number, CancellationToken cancellationToken)
    {
        var source = await sourceGit.MergeRequests.GetAsync(sourceProject, number, cancellationToken);
        var existing = await FindLinkedAsync(source, cancellationToken);
        if (existing is not { State: MergeRequestState.Open })
        {
            throw new CiJobsException($"{source.WebUrl} has no open dist-git merge request; run 'cijobs mr sync' first.", ForgeExitCodes.NotFound);
        }

        var pipeline = await distGit.Pipelines.RunForMergeRequestAsync(distProject, existing.Number, cancellationToken);
        return Result(MirrorAction.PipelineStarted, $"Started pipeline {pipeline.Id} for dist-git merge request {existing.WebUrl}.", source, existing);
    }

    /// <summary>Closes the dist-git MR (marking it superseded so it is never found again) and mirrors from scratch.</summary>
    public async Task<MirrorResult> RecreateAsync(int number, CancellationToken cancellationToken)
    {
        var source = await sourceGit.MergeRequests.GetAsync(sourceProject, number, cancellationToken);
        var existing = await FindLinkedAsync(source, cancellationToken);
        if (existing is not null)
        {
            var superseded = MirrorMarkers.StripMarkers(existing.Description) + "\n\n" + MirrorMarkers.SupersededMarker;
            await distGit.MergeRequests.UpdateAsync(
                distProject,
                existing.Number,
                new MergeRequestUpdate { Description = superseded, StateChange = existing.State == MergeRequestState.Open ? MergeRequestStateChange.Close : null },
                cancellationToken);
        }

        var result = await SyncAsync(number, cancellationToken);
        return result with
        {
            Action = result.Action == MirrorAction.Created ? MirrorAction.Recreated : result.Action,
            Message = existing is null ? result.Message : $"Closed {existing.WebUrl}. {result.Message}",
        };
    }

    /// <summary>A dist-git change made outside the flow → a "Sync from dist-git" MR on source-git made with update-source-git.</summary>
    public async Task<MirrorResult> SyncFromDistGitAsync(string branch, CancellationToken cancellationToken)
    {
        var sourceInfo = await sourceGit.GetProjectAsync(sourceProject, cancellationToken);
        var distInfo = await distGit.GetProjectAsync(distProject, cancellationToken);
        using var workspace = new Workspace();
        var src = workspace.Path("source-git");
        var dist = workspace.Path("dist-git");
        await git.RunAsync(workspace.Root, ["clone", "--quiet", "--branch", branch, sourceInfo.CloneUrl, src], sourceGit, cancellationToken);
        await git.RunAsync(workspace.Root, ["clone", "--quiet", "--branch", branch, distInfo.CloneUrl, dist], distGit, cancellationToken);
        bool changed;
        try
        {
            changed = await conversion.UpdateSourceGitAsync(dist, src, cancellationToken);
        }
        catch (CiJobsException e) when (e is not ForgeApiException)
        {
            throw new CiJobsException($"update-source-git failed: {e.Message}", ForgeExitCodes.ConversionFailed, e);
        }

        if (!changed)
        {
            return new MirrorResult(MirrorAction.NoDistGitChanges, $"Dist-git {distProject}@{branch} has no changes that source-git lacks.");
        }

        var syncBranch = MirrorMarkers.SyncFromDistGitBranch(branch);
        await git.ForcePushAsync(src, sourceInfo.CloneUrl, syncBranch, sourceGit, cancellationToken);
        var bot = await sourceGit.GetCurrentUserAsync(cancellationToken);
        var title = $"{MirrorMarkers.SyncFromDistGitTitle} ({branch})";
        var description = $"Dist-git {distInfo.WebUrl} branch `{branch}` has commits made outside the source-git flow; this merge request replays them onto source-git with update-source-git.";
        var query = new MergeRequestQuery(syncBranch) { TargetBranch = branch, Author = bot.Username, State = MergeRequestState.Open };
        var open = (await sourceGit.MergeRequests.FindAsync(sourceProject, query, cancellationToken)).FirstOrDefault();
        if (open is not null)
        {
            var updated = await sourceGit.MergeRequests.UpdateAsync(sourceProject, open.Number, new MergeRequestUpdate { Title = title, Description = description }, cancellationToken);
            return new MirrorResult(MirrorAction.Updated, $"Updated {updated.WebUrl}.") { SourceGitMergeRequestUrl = updated.WebUrl };
        }

        try
        {
            var created = await sourceGit.MergeRequests.CreateAsync(sourceProject, new NewMergeRequest(syncBranch, branch, title, description), cancellationToken);
            return new MirrorResult(MirrorAction.Created, $"Opened {created.WebUrl}.") { SourceGitMergeRequestUrl = created.WebUrl };
        }
        catch (ForgeApiException e) when (e.IsConflict)
        {
            var adopted = (await sourceGit.MergeRequests.FindAsync(sourceProject, query, cancellationToken)).FirstOrDefault();
            if (adopted is null)
            {
                throw;
            }

            return new MirrorResult(MirrorAction.Updated, $"Updated {adopted.WebUrl}.") { SourceGitMergeRequestUrl = adopted.WebUrl };
        }
    }

    /// <summary>The dist-git MR linked to <paramref name="source"/>: on the stable branch, by the bot, with our marker; open first, else newest.</summary>
    public async Task<MergeRequest?> FindLinkedAsync(MergeRequest source, CancellationToken cancellationToken)
    {
        var bot = await distGit.GetCurrentUserAsync(cancellationToken);
        var query = new MergeRequestQuery(MirrorMarkers.DistGitBranch(source.Number)) { TargetBranch = source.TargetBranch, Author = bot.Username, SourceProject = pushProject };
        var link = MirrorMarkers.SourceGitLink(sourceProject, source.Number);
        var candidates = (await distGit.MergeRequests.FindAsync(distProject, query, cancellationToken))
            .Where(m => m.Description.Contains(link, StringComparison.Ordinal) && !m.Description.Contains(MirrorMarkers.SupersededMarker, StringComparison.Ordinal))
            .ToList();
        return candidates.FirstOrDefault(m => m.State == MergeRequestState.Open)
            ?? candidates.Where(m => m.State == MergeRequestState.Closed).MaxBy(m => m.Number);
    }

    private async Task<(MergeRequest Target, MirrorAction Action)> CreateOrAdoptAsync(MergeRequest source, string description, CancellationToken cancellationToken)
    {
        var request = new NewMergeRequest(MirrorMarkers.DistGitBranch(source.Number), source.TargetBranch, source.Title, description) { SourceProject = pushProject };
        try
        {
            return (await distGit.MergeRequests.CreateAsync(distProject, request, cancellationToken), MirrorAction.Created);
        }
        catch (ForgeApiException e) when (e.IsConflict)
        {
            // Another run opened it in the meantime: adopt that one.
            log?.Invoke("A dist-git merge request for the branch already exists; adopting it.");
            var adopted = await FindLinkedAsync(source, cancellationToken);
            if (adopted is not { State: MergeRequestState.Open })
            {
                throw;
            }

            return (await distGit.MergeRequests.UpdateAsync(distProject, adopted.Number, new MergeRequestUpdate { Title = source.Title, Description = description }, cancellationToken), MirrorAction.Updated);
        }
    }

    /// <summary>Clones both sides, regenerates the one dist-git commit from the source-git head and force-pushes the bot branch.
    /// False when the source-git head has no <c>.distro/source-git.yaml</c> (the branch opted out; nothing pushed).</summary>
    private async Task<bool> RegenerateAsync(MergeRequest source, CancellationToken cancellationToken)
    {
        var sourceInfo = await sourceGit.GetProjectAsync(sourceProject, cancellationToken);
        var forkInfo = source.SourceProject == sourceInfo.Path ? sourceInfo : await sourceGit.GetProjectAsync(source.SourceProject, cancellationToken);
        var distInfo = await distGit.GetProjectAsync(distProject, cancellationToken);
        using var workspace = new Workspace();
        var src = workspace.Path("source-git");
        var dist = workspace.Path("dist-git");
        if (!await git.RemoteBranchExistsAsync(workspace.Root, distInfo.CloneUrl, source.TargetBranch, distGit, cancellationToken))
        {
            throw new CiJobsException($"Dist-git {distInfo.Path} has no branch '{source.TargetBranch}' to mirror {source.WebUrl} to.", ForgeExitCodes.DistGitBranchMissing);
        }

        log?.Invoke($"Cloning source-git {sourceInfo.Path} and dist-git {distInfo.Path}.");
        // Clone the canonical source-git (it has the upstream tags forks lack), then fetch the MR branch from its source project.
        await git.RunAsync(workspace.Root, ["clone", "--quiet", sourceInfo.CloneUrl, src], sourceGit, cancellationToken);
        await git.RunAsync(src, ["fetch", "--quiet", forkInfo.CloneUrl, $"+refs/heads/{source.SourceBranch}:refs/remotes/mr/head"], sourceGit, cancellationToken);
        var head = string.IsNullOrEmpty(source.HeadSha) ? "refs/remotes/mr/head" : source.HeadSha;
        await git.RunAsync(src, ["checkout", "--quiet", "--detach", head], null, cancellationToken);
        if (!File.Exists(Path.Combine(src, ".distro", "source-git.yaml")))
        {
            return false;
        }

        await git.RunAsync(workspace.Root, ["clone", "--quiet", "--branch", source.TargetBranch, distInfo.CloneUrl, dist], distGit, cancellationToken);
        var branch = MirrorMarkers.DistGitBranch(source.Number);
        await git.RunAsync(dist, ["checkout", "--quiet", "-B", branch], null, cancellationToken);
        await git.RunAsync(dist, ["config", "user.name", MirrorGit.BotName], null, cancellationToken);
        await git.RunAsync(dist, ["config", "user.email", MirrorGit.BotEmail], null, cancellationToken);

        var body = MirrorMarkers.RewriteBugzilla(MirrorMarkers.StripMarkers(source.Description));
        body = (body.Length > 0 ? body + "\n\n" : "") + $"---\nSource-git merge request: {source.WebUrl}";
        try
        {
            await conversion.UpdateDistGitAsync(src, dist, source.Title, body, cancellationToken);
        }
        catch (CiJobsException e) when (e is not ForgeApiException)
        {
            throw new CiJobsException($"update-dist-git for {source.WebUrl} failed: {e.Message}", ForgeExitCodes.ConversionFailed, e);
        }

        var pushInfo = pushProject == distProject ? distInfo : await distGit.GetProjectAsync(pushProject, cancellationToken);
        log?.Invoke($"Pushing {branch} to {pushInfo.Path}.");
        await git.ForcePushAsync(dist, pushInfo.CloneUrl, branch, distGit, cancellationToken);
        return true;
    }

    private string DistGitDescription(MergeRequest source)
    {
        var text = MirrorMarkers.RewriteBugzilla(MirrorMarkers.StripMarkers(source.Description));
        return (text.Length > 0 ? text + "\n\n" : "")
            + "---\n###### Info for package maintainer\n"
            + $"This merge request mirrors [source-git merge request {sourceProject}!{source.Number}]({source.WebUrl}). "
            + "It is regenerated from source-git on every push there: change the source-git merge request, not this branch.\n\n"
            + MirrorMarkers.SourceGitLink(sourceProject, source.Number) + "\n"
            + MirrorMarkers.SyncedSha(source.HeadSha);
    }

    /// <summary>Puts the dist-git link marker into the source-git description (once; re-added if someone removes it).</summary>
    private async Task EnsureSourceLinkAsync(MergeRequest source, MergeRequest target, CancellationToken cancellationToken)
    {
        var marker = MirrorMarkers.DistGitLink(distProject, target.Number);
        if (source.Description.Contains(marker, StringComparison.Ordinal))
        {
            return;
        }

        var text = MirrorMarkers.StripMarkers(source.Description);
        await sourceGit.MergeRequests.UpdateAsync(sourceProject, source.Number, new MergeRequestUpdate { Description = (text.Length > 0 ? text + "\n\n" : "") + marker }, cancellationToken);
    }

    /// <summary>The bot's single comment on the source-git MR, edited in place; duplicates left by concurrent runs are removed.</summary>
    private async Task UpsertNoteAsync(MergeRequest source, MergeRequest target, CancellationToken cancellationToken, string? extra = null)
    {
        var bot = await sourceGit.GetCurrentUserAsync(cancellationToken);
        var state = target.State switch { MergeRequestState.Open => "open", MergeRequestState.Closed => "closed", _ => "merged" };
        var body = $"{MirrorMarkers.NoteMarker}\nDist-git merge request [{distProject}!{target.Number}]({target.WebUrl}) mirrors this merge request (state: {state}, last synced commit {Short(MirrorMarkers.ParseSyncedSha(target.Description) ?? source.HeadSha)}).\n"
            + $"Dist-git is authoritative and its CI runs there; the result appears here as the commit status '{StatusName}'."
            + (extra is null ? "" : "\n\n" + extra);
        var mine = await OwnNotesAsync(source.Number, bot.Username, cancellationToken);
        if (mine.Count == 0)
        {
            await sourceGit.Notes.CreateAsync(sourceProject, source.Number, body, cancellationToken);
            mine = await OwnNotesAsync(source.Number, bot.Username, cancellationToken);
        }
        else if (mine[0].Body != body)
        {
            await sourceGit.Notes.UpdateAsync(sourceProject, source.Number, mine[0].Id, body, cancellationToken);
        }

        foreach (var duplicate in mine.Skip(1))
        {
            await sourceGit.Notes.DeleteAsync(sourceProject, source.Number, duplicate.Id, cancellationToken);
        }
    }

    private async Task<IReadOnlyList<ForgeNote>> OwnNotesAsync(int number, string bot, CancellationToken cancellationToken) =>
        [.. (await sourceGit.Notes.ListAsync(sourceProject, number, cancellationToken))
            .Where(n => n.Author == bot && n.Body.Contains(MirrorMarkers.NoteMarker, StringComparison.Ordinal))
            .OrderBy(n => n.Id)];

    private static MirrorResult Result(MirrorAction action, string message, MergeRequest source, MergeRequest? target) =>
        new(action, message)
        {
            SourceGitMergeRequestUrl = source.WebUrl,
            DistGitMergeRequestUrl = target?.WebUrl,
            DistGitMergeRequestNumber = target?.Number,
            Sha = source.HeadSha,
        };

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;

    /// <summary>A temporary folder for the clones, deleted afterwards.</summary>
    private sealed class Workspace : IDisposable
    {
        public Workspace()
        {
            Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cijobs-mr-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture));
            Directory.CreateDirectory(Root);
        }

        public string Root { get; }

        public string Path(string name) => System.IO.Path.Combine(Root, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
