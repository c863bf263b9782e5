namespace CiJobs.Core.Plan;

/// <summary>
/// What started the job: an update of a package's upstream source repository (Zuul git driver <c>ref-updated</c>; not
/// packit-style source-git, see <c>cijobs source-git</c>), a distgit change or update, an rdoinfo change or update.
/// </summary>
public enum PlanTrigger
{
    Auto,
    Upstream,
    Distgit,
    Rdoinfo,
}

/// <summary>One build to run: a package for a release, from these checkouts (null = let the build clone the rdoinfo URL) at these refs.</summary>
public sealed record PlannedBuild(
    string Package,
    string Project,
    string Release,
    string? Source,
    string? SourceRef,
    string? Distgit,
    string? DistgitRef,
    string Reason);

/// <summary>A package (and release, when it applies) that is not built, and why.</summary>
public sealed record SkippedBuild(string Package, string? Release, string Reason);

/// <summary>The decision: which builds to run, from which rdoinfo checkout, and what was left out.</summary>
public sealed record BuildPlan(
    PlanTrigger Trigger,
    string Project,
    string? Branch,
    string? Pipeline,
    string RdoinfoDirectory,
    IReadOnlyList<PlannedBuild> Builds,
    IReadOnlyList<SkippedBuild> Skipped,
    IReadOnlyList<string> Notes);

/// <summary>Inputs of <see cref="BuildPlanner"/>.</summary>
public sealed record PlanRequest
{
    public required ZuulContext Zuul { get; init; }

    public PlanTrigger Trigger { get; init; } = PlanTrigger.Auto;

    /// <summary>Folder the <c>src_dir</c>s are relative to (the node's home in Zuul).</summary>
    public required string SrcRoot { get; init; }

    /// <summary>The rdoinfo checkout; when null, the project <see cref="RdoinfoProject"/> among Zuul's projects.</summary>
    public string? RdoinfoDirectory { get; init; }

    /// <summary>The rdoinfo repository's name in Zuul (canonical name, name or short name).</summary>
    public string RdoinfoProject { get; init; } = "rdoinfo";

    public string RdoinfoEntryFile { get; init; } = Rdoinfo.RdoinfoLoader.DefaultEntryFile;

    /// <summary>Only these releases (empty: every release that has a distgit branch).</summary>
    public IReadOnlyList<string> Releases { get; init; } = [];

    /// <summary>Build exactly these packages instead of mapping the project (names, projects or URLs).</summary>
    public IReadOnlyList<string> Packages { get; init; } = [];

    /// <summary>rdoinfo trigger: the revision to compare against; default oldrev for updates, the branch before the change for changes.</summary>
    public string? BaseRevision { get; init; }
}
