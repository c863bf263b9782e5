namespace CiJobs.Core.Rdoinfo;

/// <summary>One release of the database (<c>releases[]</c>): its distgit branch and build repos.</summary>
public sealed record RdoRelease(
    string Name,
    string? Status,
    string? Branch,
    string? UpstreamBranch,
    string? Identifier,
    IReadOnlyList<RdoReleaseRepo> Repos);

/// <summary>A build target of a release (<c>releases[].repos[]</c>); Branch defaults to the release's branch.</summary>
public sealed record RdoReleaseRepo(string Name, string Branch, string? Buildsys, IReadOnlyList<string> BuildsysTags);

/// <summary>
/// A package fully expanded the way distroinfo does it: package-default, then the conf template,
/// then the package's own merged keys, then the override map of the applied tag, then one pass of
/// <c>%(key)s</c> substitution over top-level strings. Values in <see cref="Fields"/> are
/// <c>string</c>, <c>null</c>, <c>IReadOnlyList&lt;object?&gt;</c> or
/// <c>IReadOnlyDictionary&lt;string, object?&gt;</c>, in file order.
/// </summary>
public sealed record RdoPackage(
    string Project,
    string Name,
    string? AppliedTag,
    IReadOnlyDictionary<string, object?> Fields)
{
    public string? Conf => GetString("conf");

    /// <summary>The source git URL (the first one when rdoinfo lists several).</summary>
    public string? Upstream => Fields.TryGetValue("upstream", out var value)
        ? value switch
        {
            string s => s,
            IReadOnlyList<object?> list => list.OfType<string>().FirstOrDefault(),
            _ => null,
        }
        : null;

    /// <summary>The distgit URL DLRN clones (<c>master-distgit</c>; not <c>distgit</c>, which CBS uses).</summary>
    public string? MasterDistgit => GetString("master-distgit");

    public string? Distgit => GetString("distgit");

    public string? DistgitPath => GetString("distgit-path");

    /// <summary>Distgit branch override; when null the release's branch applies.</summary>
    public string? DistroBranch => GetString("distro-branch");

    /// <summary>Source ref (branch, tag or SHA) for the applied tag; when null the release's upstream branch applies.</summary>
    public string? SourceBranch => GetString("source-branch");

    public string? Component => GetString("component");

    public IReadOnlyList<string> Maintainers => Fields.TryGetValue("maintainers", out var value) && value is IReadOnlyList<object?> list
        ? list.OfType<string>().ToList()
        : [];

    /// <summary>Tag name → override map (null when the tag carries no overrides).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>?> Tags =>
        Fields.TryGetValue("tags", out var value) && value is IReadOnlyDictionary<string, object?> map
            ? map.ToDictionary(kv => kv.Key, kv => kv.Value as IReadOnlyDictionary<string, object?>)
            : new Dictionary<string, IReadOnlyDictionary<string, object?>?>();

    public bool HasTag(string tag) => Fields.TryGetValue("tags", out var value)
        && value is IReadOnlyDictionary<string, object?> map && map.ContainsKey(tag);

    /// <summary>Under review: built, but kept out of the trunk repos (rdoinfo's <c>under-review</c> tag).</summary>
    public bool IsUnderReview => HasTag(RdoTags.UnderReview);

    public string? GetString(string key) => Fields.TryGetValue(key, out var value) ? value as string : null;
}

public static class RdoTags
{
    public const string UnderReview = "under-review";
    public const string VersionLocked = "version-locked";
    public const string UpperConstraintsSuffix = "-uc";
}
