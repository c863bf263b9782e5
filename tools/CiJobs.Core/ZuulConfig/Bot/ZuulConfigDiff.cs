using CiJobs.Core.Rdoinfo;

namespace CiJobs.Core.ZuulConfig.Bot;

public enum ConfigChangeKind
{
    Added,
    Changed,
    Removed,
}

/// <summary>One project stanza or tenant entry that the new rdoinfo adds, changes or removes.</summary>
public sealed record ProjectConfigChange(ConfigChangeKind Kind, string CanonicalName, string Connection, string Path, string? OldStanza, string? NewStanza);

/// <summary>A package that rdoinfo adds, changes or removes, what changed in it, and the configuration change that implies.</summary>
/// <param name="Details">Human-readable facts: changed fields, tags, per-release source-branch pins.</param>
/// <param name="ConfigChanges">Canonical names of the projects whose stanza or tenant entry changes because of this package.</param>
public sealed record PackageConfigImpact(ConfigChangeKind Kind, string Name, string Project, IReadOnlyList<string> Details, IReadOnlyList<ProjectConfigChange> ConfigChanges);

/// <summary>
/// The difference between the configuration two rdoinfo states generate, explained package by package.
/// Removed packages and repositories are listed as removals to propose, never dropped silently.
/// </summary>
public sealed record ZuulConfigDiff(RdoinfoDiff Rdoinfo, IReadOnlyList<PackageConfigImpact> Packages, IReadOnlyList<ProjectConfigChange> Projects)
{
    public bool IsEmpty => Projects.Count == 0;

    public static ZuulConfigDiff Compare(RdoinfoDatabase oldDatabase, RdoinfoDatabase newDatabase, ZuulGeneratorSettings settings)
    {
        var rdoinfo = RdoinfoDiff.Compare(oldDatabase, newDatabase);
        var oldConfig = ZuulConfigGenerator.Generate(oldDatabase, settings);
        var newConfig = ZuulConfigGenerator.Generate(newDatabase, settings);
        return Compare(rdoinfo, oldConfig, newConfig);
    }

    public static ZuulConfigDiff Compare(RdoinfoDiff rdoinfo, GeneratedConfig oldConfig, GeneratedConfig newConfig)
    {
        ArgumentNullException.ThrowIfNull(rdoinfo);
        ArgumentNullException.ThrowIfNull(oldConfig);
        ArgumentNullException.ThrowIfNull(newConfig);
        var before = oldConfig.Projects.ToDictionary(p => p.CanonicalName, StringComparer.Ordinal);
        var after = newConfig.Projects.ToDictionary(p => p.CanonicalName, StringComparer.Ordinal);
        var changes = new List<ProjectConfigChange>();
        foreach (var name in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var oldProject = before.GetValueOrDefault(name);
            var newProject = after.GetValueOrDefault(name);
            var oldStanza = oldProject is null ? null : GeneratedConfig.RenderStanza(oldProject);
            var newStanza = newProject is null ? null : GeneratedConfig.RenderStanza(newProject);
            (string, string)? oldEntry = oldProject is null ? null : (oldProject.Connection, oldProject.Path);
            (string, string)? newEntry = newProject is null ? null : (newProject.Connection, newProject.Path);
            if (oldStanza == newStanza && oldEntry == newEntry)
            {
                continue;
            }

            var kind = oldProject is null ? ConfigChangeKind.Added : newProject is null ? ConfigChangeKind.Removed : ConfigChangeKind.Changed;
            var project = newProject ?? oldProject!;
            changes.Add(new ProjectConfigChange(kind, name, project.Connection, project.Path, oldStanza, newStanza));
        }

        // Which repositories each package (by rdoinfo project) lives in, before and after.
        var repositoriesOf = oldConfig.Projects.Concat(newConfig.Projects)
            .SelectMany(p => p.Packages.Select(package => (package.Project, p.CanonicalName)))
            .ToLookup(x => x.Project, x => x.CanonicalName, StringComparer.Ordinal);
        List<ProjectConfigChange> ChangesFor(string project) =>
            [.. changes.Where(c => repositoriesOf[project].Contains(c.CanonicalName, StringComparer.Ordinal))];

        var packages = new List<PackageConfigImpact>();
        packages.AddRange(rdoinfo.Added.Select(p => new PackageConfigImpact(
            ConfigChangeKind.Added, p.Name, p.Project, [$"new package, tags: {RdoPackageChangeText.Names(p.Tags)}"], ChangesFor(p.Project))));
        packages.AddRange(rdoinfo.Changed.Select(c => new PackageConfigImpact(
            ConfigChangeKind.Changed, c.Name, c.Project, RdoPackageChangeText.Lines(c), ChangesFor(c.Project))));
        packages.AddRange(rdoinfo.Removed.Select(p => new PackageConfigImpact(
            ConfigChangeKind.Removed, p.Name, p.Project, ["package removed from rdoinfo: its configuration is proposed for removal"], ChangesFor(p.Project))));
        return new ZuulConfigDiff(rdoinfo, [.. packages.OrderBy(p => p.Name, StringComparer.Ordinal)], changes);
    }
}
