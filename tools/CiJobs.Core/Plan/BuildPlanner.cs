using CiJobs.Core.Builds;
using CiJobs.Core.Rdoinfo;

namespace CiJobs.Core.Plan;

/// <summary>
/// Decides what a job builds from the Zuul item that started it, using Zuul's prepared checkouts:
/// upstream source updates build every release whose source-branch is the updated branch; distgit changes
/// build the releases whose distgit branch is the change's branch; rdoinfo changes build a package for
/// each release where the package expanded for that release differs between the base and the change
/// (docs/contracts/rdoinfo-expansion.md).
/// </summary>
public static class BuildPlanner
{
    public static async Task<BuildPlan> PlanAsync(PlanRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var zuul = request.Zuul;
        var rdoinfoProject = zuul.FindProject(request.RdoinfoProject);
        var rdoinfoDirectory = request.RdoinfoDirectory
            ?? (rdoinfoProject?.SrcDir is { } dir ? Path.Combine(request.SrcRoot, dir) : null)
            ?? throw new CiJobsException(
                $"no rdoinfo checkout: pass --rdoinfo, or add the project '{request.RdoinfoProject}' to the job's required-projects.",
                PlanExitCodes.MissingCheckout);
        if (!Directory.Exists(rdoinfoDirectory))
        {
            throw new CiJobsException($"the rdoinfo checkout {rdoinfoDirectory} does not exist.", PlanExitCodes.MissingCheckout);
        }

        var isRdoinfo = rdoinfoProject is not null && rdoinfoProject.Canonical == zuul.Project.Canonical;
        var database = await RdoinfoLoader.LoadAsync(rdoinfoDirectory, request.RdoinfoEntryFile, cancellationToken);
        var trigger = request.Trigger;
        var packages = database.ExpandAll();
        if (trigger == PlanTrigger.Auto)
        {
            trigger = isRdoinfo ? PlanTrigger.Rdoinfo
                : MatchDistgit(packages, zuul.Project).Count > 0 ? PlanTrigger.Distgit
                : MatchUpstream(packages, zuul.Project).Count > 0 ? PlanTrigger.Upstream
                : request.Packages.Count > 0 ? PlanTrigger.Upstream
                : throw new CiJobsException(
                    $"project {zuul.Project.Canonical} is not the rdoinfo repository ('{request.RdoinfoProject}') nor the upstream or distgit of any package in {rdoinfoDirectory}.",
                    PlanExitCodes.UnknownProject);
        }

        var branch = zuul.EffectiveBranch;
        var context = new PlanContext(request, database, rdoinfoDirectory, Releases(database, request));
        switch (trigger)
        {
            case PlanTrigger.Upstream:
                PlanUpstream(context, Selected(request, database, MatchUpstream(packages, zuul.Project), "upstream"), branch ?? zuul.EffectiveTag);
                break;
            case PlanTrigger.Distgit:
                PlanDistgit(context, Selected(request, database, MatchDistgit(packages, zuul.Project), "distgit"), branch);
                break;
            default:
                await PlanRdoinfoAsync(context, cancellationToken);
                break;
        }

        return new BuildPlan(trigger, zuul.Project.Canonical, branch, zuul.Pipeline, rdoinfoDirectory, context.Builds, context.Skipped, context.Notes);
    }

    private sealed record PlanContext(PlanRequest Request, RdoinfoDatabase Database, string RdoinfoDirectory, IReadOnlyList<RdoRelease> Releases)
    {
        public List<PlannedBuild> Builds { get; } = [];

        public List<SkippedBuild> Skipped { get; } = [];

        public List<string> Notes { get; } = [];

        public ZuulContext Zuul => Request.Zuul;

        /// <summary>The prepared checkout of a project whose URL is <paramref name="url"/>, when Zuul prepared one.</summary>
        public string? CheckoutOf(params string?[] urls)
        {
            foreach (var project in Zuul.Projects)
            {
                if (project.SrcDir is not null && urls.Any(u => ProjectUrl.Matches(u, project)))
                {
                    return Checkout(project);
                }
            }

            return null;
        }

        public string Checkout(ZuulProject project)
        {
            var path = Path.Combine(Request.SrcRoot, project.SrcDir ?? throw new CiJobsException($"project {project.Canonical} has no src_dir.", PlanExitCodes.InvalidInput));
            return Directory.Exists(path)
                ? path
                : throw new CiJobsException($"the checkout of {project.Canonical} ({path}) does not exist; is the project in the job's required-projects?", PlanExitCodes.MissingCheckout);
        }
    }

    /// <summary><paramref name="branch"/> is the updated branch, or the pushed tag (a release may pin its source-branch to a tag).</summary>
    private static void PlanUpstream(PlanContext context, IReadOnlyList<RdoPackage> packages, string? branch)
    {
        var zuul = context.Zuul;
        if (branch is null)
        {
            foreach (var package in packages)
            {
                context.Skipped.Add(new SkippedBuild(package.Name, null, $"ref {zuul.Ref} is neither a branch nor a tag"));
            }

            return;
        }

        var source = context.Checkout(zuul.Project);
        foreach (var package in packages)
        {
            if (package.IsUnderReview)
            {
                context.Skipped.Add(new SkippedBuild(package.Name, null, "under review in rdoinfo (tag under-review)"));
                continue;
            }

            var matched = new List<string>();
            var elsewhere = new List<string>();
            foreach (var release in context.Releases)
            {
                if (context.Database.ReleaseTagFor(package.Project, release.Name) is not { } tag)
                {
                    continue;
                }

                var expanded = context.Database.Expand(package.Project, tag);
                var sourceBranch = expanded.SourceBranch ?? release.UpstreamBranch ?? "master";
                if (sourceBranch != branch)
                {
                    elsewhere.Add($"{release.Name}: {sourceBranch}");
                    continue;
                }

                matched.Add(release.Name);
                context.Builds.Add(new PlannedBuild(
                    package.Name, package.Project, release.Name,
                    source, zuul.NewRev ?? "HEAD",
                    context.CheckoutOf(expanded.MasterDistgit, expanded.Distgit, expanded.GetString("review-origin")),
                    expanded.DistroBranch ?? release.Branch,
                    $"source branch {branch} updated to {Short(zuul.NewRev)}; {release.Name} builds {package.Name} from {branch}"));
            }

            if (matched.Count == 0)
            {
                var where = elsewhere.Count == 0 ? "the package is in no release with a distgit branch" : "source-branch " + string.Join(", ", elsewhere);
                context.Skipped.Add(new SkippedBuild(package.Name, null, $"no release builds {package.Name} from branch {branch} ({where})"));
            }
        }
    }

    private static void PlanDistgit(PlanContext context, IReadOnlyList<RdoPackage> packages, string? branch)
    {
        var zuul = context.Zuul;
        if (branch is null)
        {
            foreach (var package in packages)
            {
                context.Skipped.Add(new SkippedBuild(package.Name, null, $"ref {zuul.Ref} is not a branch; only distgit branches are built"));
            }

            return;
        }

        var distgit = context.Checkout(zuul.Project);

        // A change is tested as Zuul merged it (the checkout's HEAD); a branch update at its new revision.
        var distgitRef = zuul.IsChange ? "HEAD" : zuul.NewRev ?? "HEAD";
        foreach (var package in packages)
        {
            var matched = new List<string>();
            var branches = new List<string>();
            foreach (var release in context.Releases)
            {
                if (context.Database.ReleaseTagFor(package.Project, release.Name) is not { } tag)
                {
                    continue;
                }

                var expanded = context.Database.Expand(package.Project, tag);
                var distroBranch = expanded.DistroBranch ?? release.Branch;
                if (distroBranch != branch)
                {
                    branches.Add($"{release.Name}: {distroBranch}");
                    continue;
                }

                matched.Add(release.Name);
                var what = zuul.IsChange ? $"distgit change {zuul.Change},{zuul.Patchset} on {branch}" : $"distgit branch {branch} updated to {Short(zuul.NewRev)}";
                context.Builds.Add(new PlannedBuild(
                    package.Name, package.Project, release.Name,
                    context.CheckoutOf(expanded.Upstream), expanded.SourceBranch ?? release.UpstreamBranch,
                    distgit, distgitRef,
                    $"{what}; {release.Name} packages {package.Name} from {branch}"));
            }

            if (matched.Count == 0)
            {
                var where = branches.Count == 0 ? "the package is in no release with a distgit branch" : "distgit branches " + string.Join(", ", branches);
                context.Skipped.Add(new SkippedBuild(package.Name, null, $"branch {branch} is not the distgit branch of any release of {package.Name} ({where})"));
            }
        }
    }

    private static async Task PlanRdoinfoAsync(PlanContext context, CancellationToken cancellationToken)
    {
        var zuul = context.Zuul;
        var request = context.Request;
        var newRevision = zuul.IsChange ? "HEAD" : zuul.NewRev ?? "HEAD";
        var (after, newSha) = await LoadAtAsync(context.RdoinfoDirectory, newRevision, request.RdoinfoEntryFile, cancellationToken);

        // The base: as given; else the update's oldrev; else the branch before the change (Zuul's origin/<branch>),
        // or the parent commit when origin/<branch> is missing or already holds the change (change-merged items).
        IEnumerable<string> bases = request.BaseRevision is { } given ? [given]
            : !zuul.IsChange && zuul.OldRev is { } oldRev ? [oldRev]
            : [$"origin/{zuul.EffectiveBranch}", $"{newSha}^"];
        RdoinfoDatabase? before = null;
        string? baseRevision = null;
        foreach (var candidate in bases)
        {
            if (RdoinfoAtRevision.TryResolve(context.RdoinfoDirectory, candidate) is not { } sha || sha == newSha)
            {
                continue;
            }

            (before, _) = await LoadAtAsync(context.RdoinfoDirectory, candidate, request.RdoinfoEntryFile, cancellationToken);
            baseRevision = candidate;
            break;
        }

        if (before is null)
        {
            throw new CiJobsException(
                $"no base revision to compare with in {context.RdoinfoDirectory} (tried {string.Join(", ", bases)}); pass --base-revision.",
                PlanExitCodes.RevisionNotFound);
        }

        context.Notes.Add($"rdoinfo compared {baseRevision} with {newRevision} ({newSha[..Math.Min(12, newSha.Length)]})");
        var diff = RdoinfoDiff.Compare(before, after);
        var onlyPackages = request.Packages.Count > 0
            ? request.Packages.Select(p => after.GetPackage(p).Project).ToHashSet(StringComparer.Ordinal)
            : null;

        foreach (var removed in diff.Removed)
        {
            context.Skipped.Add(new SkippedBuild(removed.Name, null, "removed from rdoinfo"));
        }

        // Tags that put a package in a release; the others (under-review, build-tags-only, ...) are part of what a build sees.
        var releaseTags = before.Releases.Concat(after.Releases)
            .SelectMany(r => new[] { r.Name, r.Name + RdoTags.UpperConstraintsSuffix })
            .ToHashSet(StringComparer.Ordinal);
        var changes = diff.Added.Select(a => (a.Project, Change: "added"))
            .Concat(diff.Changed.Select(c => (c.Project, Change: RdoPackageChangeText.Summary(c))))
            .ToDictionary(x => x.Project, x => x.Change, StringComparer.Ordinal);

        // Every package is compared release by release, those the diff names first: the build of a release is
        // planned only where the package expanded for it differs (docs/contracts/rdoinfo-expansion.md).
        var projects = diff.Added.Select(a => a.Project)
            .Concat(diff.Changed.Select(c => c.Project))
            .Concat(after.Projects.Where(p => !changes.ContainsKey(p)).Order(StringComparer.Ordinal));
        var existedBefore = before.Projects.ToHashSet(StringComparer.Ordinal);
        foreach (var project in projects)
        {
            if (onlyPackages is not null && !onlyPackages.Contains(project))
            {
                continue;
            }

            var inDiff = changes.TryGetValue(project, out var change);
            var package = after.Expand(project);
            var builds = new List<(RdoRelease Release, RdoPackage Expanded, string Reason)>();
            var unchanged = new List<string>();
            var notIn = new List<string>();
            foreach (var release in context.Releases)
            {
                if (after.ReleaseTagFor(project, release.Name) is not { } tag)
                {
                    notIn.Add(release.Name);
                    continue;
                }

                var expanded = after.Expand(project, tag);
                var beforeTag = existedBefore.Contains(project) && before.FindRelease(release.Name) is not null
                    ? before.ReleaseTagFor(project, release.Name)
                    : null;
                string? reason = !existedBefore.Contains(project) ? "rdoinfo added"
                    : beforeTag is null ? $"rdoinfo added {package.Name} to {release.Name}"
                    : ExpandedDifferences(before.Expand(project, beforeTag), expanded, releaseTags) is { Length: > 0 } differences
                        ? $"rdoinfo {differences}"
                        : null;
                if (reason is null)
                {
                    unchanged.Add(release.Name);
                }
                else
                {
                    builds.Add((release, expanded, reason));
                }
            }

            change ??= "expanded package changed";
            if (!inDiff && builds.Count == 0)
            {
                continue;
            }

            if (package.IsUnderReview)
            {
                context.Skipped.Add(new SkippedBuild(package.Name, null, $"{change}, but under review (tag under-review)"));
                continue;
            }

            foreach (var release in unchanged)
            {
                // Only other releases' tags, or nothing the build of this release sees, changed: it builds what it built before.
                context.Skipped.Add(new SkippedBuild(package.Name, release, $"{change}; nothing changed for {release}"));
            }

            foreach (var (release, expanded, reason) in builds)
            {
                context.Builds.Add(new PlannedBuild(
                    package.Name, project, release.Name,
                    context.CheckoutOf(expanded.Upstream), expanded.SourceBranch ?? release.UpstreamBranch,
                    context.CheckoutOf(expanded.MasterDistgit, expanded.Distgit, expanded.GetString("review-origin")), expanded.DistroBranch ?? release.Branch,
                    reason));
            }

            if (builds.Count == 0 && unchanged.Count == 0 && notIn.Count > 0)
            {
                var releases = request.Releases.Count > 0 ? string.Join(", ", request.Releases) : "any maintained release with a distgit branch";
                context.Skipped.Add(new SkippedBuild(package.Name, null, $"{change}, but not in {releases}"));
            }
        }
    }

    /// <summary>
    /// What differs between two expansions of a package for one release, in the words of <see cref="RdoPackageChangeText"/>:
    /// each top-level field with its old and new value, then the tags added or removed that are not release tags.
    /// Empty when the build of the release sees no difference.
    /// </summary>
    private static string ExpandedDifferences(RdoPackage before, RdoPackage after, IReadOnlySet<string> releaseTags)
    {
        var fields = new List<RdoFieldChange>();
        foreach (var field in before.Fields.Keys.Concat(after.Fields.Keys).Where(k => k != "tags").Distinct(StringComparer.Ordinal))
        {
            var hadOld = before.Fields.TryGetValue(field, out var old);
            var hasNew = after.Fields.TryGetValue(field, out var @new);
            if (hadOld == hasNew && RdoinfoDiff.DeepEquals(old, @new))
            {
                continue;
            }

            fields.Add(new RdoFieldChange(field, old, @new));
        }

        var oldTags = before.Tags.Keys.Where(t => !releaseTags.Contains(t)).ToHashSet(StringComparer.Ordinal);
        var newTags = after.Tags.Keys.Where(t => !releaseTags.Contains(t)).ToHashSet(StringComparer.Ordinal);
        var change = new RdoPackageChange(
            after.Project,
            after.Name,
            fields,
            [.. newTags.Where(t => !oldTags.Contains(t)).Order(StringComparer.Ordinal)],
            [.. oldTags.Where(t => !newTags.Contains(t)).Order(StringComparer.Ordinal)],
            [],
            []);
        return RdoPackageChangeText.Summary(change);
    }

    private static async Task<(RdoinfoDatabase Database, string Sha)> LoadAtAsync(string repository, string revision, string entryFile, CancellationToken cancellationToken)
    {
        RdoinfoAtRevision opened;
        try
        {
            opened = RdoinfoAtRevision.Open(repository, revision);
        }
        catch (RdoinfoException e) when (e.ExitCode == RdoinfoExitCodes.NotFound)
        {
            throw new CiJobsException($"revision '{revision}' is not in the rdoinfo checkout {repository}; pass --base-revision.", PlanExitCodes.RevisionNotFound, e);
        }

        using (opened)
        {
            return (await opened.LoadAsync(entryFile, cancellationToken), opened.CommitSha);
        }
    }

    /// <summary>
    /// The releases to plan for. Each name becomes a folder of the build output, so a name that breaks the
    /// package-name rule, from the flags or from rdoinfo, is an error (docs/contracts/rdoinfo-expansion.md).
    /// </summary>
    private static IReadOnlyList<RdoRelease> Releases(RdoinfoDatabase database, PlanRequest request)
    {
        if (request.Releases.Count == 0)
        {
            // End-of-life releases keep a branch in rdoinfo but are no longer built.
            var planned = database.Releases.Where(r => !string.IsNullOrEmpty(r.Branch) && r.Status != "eol").ToList();
            foreach (var release in planned)
            {
                PackageNames.ValidateRelease(release.Name, "rdoinfo release name", PlanExitCodes.InvalidInput);
            }

            return planned;
        }

        return request.Releases
            .Select(name => PackageNames.ValidateRelease(name, "release name", PlanExitCodes.InvalidInput))
            .Select(name => database.FindRelease(name)
                ?? throw new CiJobsException($"release '{name}' is not in rdoinfo (releases: {string.Join(", ", database.Releases.Select(r => r.Name))}).", PlanExitCodes.InvalidInput))
            .ToList();
    }

    private static IReadOnlyList<RdoPackage> Selected(PlanRequest request, RdoinfoDatabase database, IReadOnlyList<RdoPackage> matched, string what)
    {
        if (request.Packages.Count > 0)
        {
            return request.Packages.Select(database.GetPackage).ToList();
        }

        return matched.Count > 0
            ? matched
            : throw new CiJobsException($"project {request.Zuul.Project.Canonical} is not the {what} of any package in rdoinfo.", PlanExitCodes.UnknownProject);
    }

    private static IReadOnlyList<RdoPackage> MatchUpstream(IReadOnlyList<RdoPackage> packages, ZuulProject project) =>
        BestMatches(packages, project, p => [p.Upstream]);

    private static IReadOnlyList<RdoPackage> MatchDistgit(IReadOnlyList<RdoPackage> packages, ZuulProject project) =>
        BestMatches(packages, project, p => [p.MasterDistgit, p.Distgit, p.GetString("review-origin")]);

    /// <summary>Packages whose URL has the project's canonical name; only when none does, those matching by path.</summary>
    private static IReadOnlyList<RdoPackage> BestMatches(IReadOnlyList<RdoPackage> packages, ZuulProject project, Func<RdoPackage, string?[]> urls)
    {
        var exact = packages.Where(p => urls(p).Any(u => ProjectUrl.Normalize(u) is { } n
            && string.Equals($"{n.Host}/{n.Path}", project.Canonical, StringComparison.OrdinalIgnoreCase))).ToList();
        return exact.Count > 0 ? exact : packages.Where(p => urls(p).Any(u => ProjectUrl.Matches(u, project))).ToList();
    }

    private static string Short(string? revision) => revision is { Length: > 12 } ? revision[..12] : revision ?? "HEAD";
}
