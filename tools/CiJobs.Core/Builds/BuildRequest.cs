namespace CiJobs.Core.Builds;

/// <summary>Settings of one <c>cijobs build</c> run, as the command line gives them.</summary>
public sealed record BuildRequest
{
    /// <summary>The rdoinfo checkout the package is resolved in.</summary>
    public required string RdoinfoDirectory { get; init; }

    /// <summary>The rdoinfo entry file (default <c>rdo-full.yml</c>).</summary>
    public string RdoinfoEntryFile { get; init; } = Rdoinfo.RdoinfoLoader.DefaultEntryFile;

    /// <summary>Package name, project or upstream/distgit URL, as rdoinfo's find-package accepts.</summary>
    public required string Package { get; init; }

    /// <summary>Release whose tag expands the package (source-branch, distro-branch); none: the package's defaults.</summary>
    public string? Release { get; init; }

    /// <summary>Source location override: a local git checkout (never modified) or a URL to clone.</summary>
    public string? Source { get; init; }

    /// <summary>Distgit location override: a local git checkout (never modified) or a URL to clone.</summary>
    public string? Distgit { get; init; }

    public string? SourceRef { get; init; }

    public string? DistgitRef { get; init; }

    /// <summary>The DLRN data directory the result is written into (<c>repos/...</c> below it).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The value of the rpm <c>dist</c> macro.</summary>
    public string Dist { get; init; } = DefaultDist;

    /// <summary>Take Version from the spec instead of the source's last tag (DLRN_KEEP_VERSION).</summary>
    public bool KeepVersion { get; init; }

    /// <summary>Keep the distgit's %changelog entries (DLRN's keep_changelog); by default they are dropped.</summary>
    public bool KeepChangelog { get; init; }

    /// <summary>Name of the .repo file and its section (DLRN's reponame).</summary>
    public string RepoName { get; init; } = DefaultRepoName;

    /// <summary>URL where <c>&lt;output&gt;/repos</c> is served; default the file:// URL of that folder.</summary>
    public string? BaseUrl { get; init; }

    public const string DefaultDist = ".el9";

    public const string DefaultRepoName = "delorean";
}
