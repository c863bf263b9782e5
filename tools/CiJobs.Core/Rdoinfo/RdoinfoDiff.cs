namespace CiJobs.Core.Rdoinfo;

/// <summary>A package named in a diff.</summary>
public sealed record RdoPackageRef(string Project, string Name, IReadOnlyList<string> Tags);

/// <summary>One top-level field of the expanded package (tags aside) that differs.</summary>
public sealed record RdoFieldChange(string Field, object? Old, object? New);

/// <summary>How a package stands in one release before and after: membership and the source ref that applies.</summary>
public sealed record RdoReleaseChange(string Release, bool WasInRelease, bool IsInRelease, string? OldSourceBranch, string? NewSourceBranch);

public sealed record RdoPackageChange(
    string Project,
    string Name,
    IReadOnlyList<RdoFieldChange> Fields,
    IReadOnlyList<string> TagsAdded,
    IReadOnlyList<string> TagsRemoved,
    IReadOnlyList<string> TagsChanged,
    IReadOnlyList<RdoReleaseChange> Releases);

/// <summary>
/// What changed between two rdoinfo databases, package by package (matched by <c>project</c>).
/// Unlike rdopkg's info-tags-diff, removed packages and removed tags are reported too.
/// </summary>
public sealed record RdoinfoDiff(
    IReadOnlyList<RdoPackageRef> Added,
    IReadOnlyList<RdoPackageRef> Removed,
    IReadOnlyList<RdoPackageChange> Changed)
{
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Changed.Count == 0;

    public static RdoinfoDiff Compare(RdoinfoDatabase oldDatabase, RdoinfoDatabase newDatabase)
    {
        ArgumentNullException.ThrowIfNull(oldDatabase);
        ArgumentNullException.ThrowIfNull(newDatabase);
        var oldProjects = oldDatabase.Projects.ToHashSet(StringComparer.Ordinal);
        var newProjects = newDatabase.Projects.ToHashSet(StringComparer.Ordinal);
        var releases = oldDatabase.Releases.Select(r => r.Name)
            .Concat(newDatabase.Releases.Select(r => r.Name))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        var added = newDatabase.Projects.Where(p => !oldProjects.Contains(p))
            .Select(p => Ref(newDatabase.Expand(p)))
            .OrderBy(r => r.Project, StringComparer.Ordinal)
            .ToList();
        var removed = oldDatabase.Projects.Where(p => !newProjects.Contains(p))
            .Select(p => Ref(oldDatabase.Expand(p)))
            .OrderBy(r => r.Project, StringComparer.Ordinal)
            .ToList();
        var changed = new List<RdoPackageChange>();
        foreach (var project in newDatabase.Projects.Where(oldProjects.Contains).Order(StringComparer.Ordinal))
        {
            var before = oldDatabase.Expand(project);
            var after = newDatabase.Expand(project);
            var fields = before.Fields.Keys.Concat(after.Fields.Keys)
                .Where(k => k != "tags")
                .Distinct(StringComparer.Ordinal)
                .Where(k => !DeepEquals(before.Fields.GetValueOrDefault(k), after.Fields.GetValueOrDefault(k)))
                .Select(k => new RdoFieldChange(k, before.Fields.GetValueOrDefault(k), after.Fields.GetValueOrDefault(k)))
                .ToList();
            var oldTags = before.Tags;
            var newTags = after.Tags;
            var tagsAdded = newTags.Keys.Where(t => !oldTags.ContainsKey(t)).Order(StringComparer.Ordinal).ToList();
            var tagsRemoved = oldTags.Keys.Where(t => !newTags.ContainsKey(t)).Order(StringComparer.Ordinal).ToList();
            var tagsChanged = newTags.Keys.Where(t => oldTags.ContainsKey(t) && !DeepEquals(oldTags[t], newTags[t])).Order(StringComparer.Ordinal).ToList();
            var releaseChanges = new List<RdoReleaseChange>();
            foreach (var release in releases)
            {
                var oldTag = oldDatabase.FindRelease(release) is null ? null : oldDatabase.ReleaseTagFor(project, release);
                var newTag = newDatabase.FindRelease(release) is null ? null : newDatabase.ReleaseTagFor(project, release);
                var oldBranch = oldTag is null ? null : oldDatabase.Expand(project, oldTag).SourceBranch;
                var newBranch = newTag is null ? null : newDatabase.Expand(project, newTag).SourceBranch;
                if ((oldTag is null) != (newTag is null) || oldBranch != newBranch)
                {
                    releaseChanges.Add(new RdoReleaseChange(release, oldTag is not null, newTag is not null, oldBranch, newBranch));
                }
            }

            if (fields.Count + tagsAdded.Count + tagsRemoved.Count + tagsChanged.Count + releaseChanges.Count > 0)
            {
                changed.Add(new RdoPackageChange(project, after.Name, fields, tagsAdded, tagsRemoved, tagsChanged, releaseChanges));
            }
        }

        return new RdoinfoDiff(added, removed, changed);
    }

    private static RdoPackageRef Ref(RdoPackage package) =>
        new(package.Project, package.Name, package.Tags.Keys.Order(StringComparer.Ordinal).ToList());

    /// <summary>Structural equality over the YAML value shapes (string, null, list, map); map key order is ignored.</summary>
    public static bool DeepEquals(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (IReadOnlyList<object?> x, IReadOnlyList<object?> y) => x.Count == y.Count && x.Zip(y).All(p => DeepEquals(p.First, p.Second)),
        (IReadOnlyDictionary<string, object?> x, IReadOnlyDictionary<string, object?> y) =>
            x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var other) && DeepEquals(kv.Value, other)),
        _ => false,
    };
}
