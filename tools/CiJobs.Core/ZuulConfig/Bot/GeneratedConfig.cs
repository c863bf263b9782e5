using System.Text;
using System.Text.RegularExpressions;

namespace CiJobs.Core.ZuulConfig.Bot;

/// <summary>A package as the generated project variables describe it.</summary>
/// <param name="SourceBranches">Release name → the source ref that applies (pin or the release's upstream branch), in release order.</param>
public sealed record GeneratedPackage(string Name, string Project, bool UnderReview, IReadOnlyList<KeyValuePair<string, string>> SourceBranches);

/// <summary>One Zuul project the generator configures: a tenant entry and a project stanza.</summary>
/// <param name="Connection">Tenant connection the project is reached through.</param>
/// <param name="Path">Project name on that connection (e.g. <c>openstack/nova</c>).</param>
public sealed record GeneratedProject(
    string Connection,
    string Host,
    string Path,
    string? DefaultBranch,
    IReadOnlyList<string> Templates,
    IReadOnlyList<GeneratedPackage> Packages)
{
    /// <summary>Zuul's canonical name, <c>host/path</c>, used in the project stanza.</summary>
    public string CanonicalName => $"{Host}/{Path}";
}

/// <summary>
/// The whole generated configuration: projects sorted by canonical name, rendered into the two bot-owned files
/// with a fixed layout, so the same input always gives the same bytes.
/// </summary>
public sealed partial class GeneratedConfig(string tenant, IReadOnlyList<GeneratedProject> projects)
{
    public string Tenant { get; } = tenant;

    public IReadOnlyList<GeneratedProject> Projects { get; } = projects;

    /// <summary>Bot-owned path (relative, '/'-separated) → content.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Files() =>
    [
        new(ConfigBotNames.TenantFile, RenderTenant()),
        new(ConfigBotNames.ProjectsFile, RenderProjects()),
    ];

    public string RenderProjects()
    {
        var text = new StringBuilder(Projects.Count * 400);
        text.Append(ConfigBotNames.GeneratedHeader).Append('\n');
        foreach (var project in Projects)
        {
            AppendStanza(text, project);
        }

        return text.ToString();
    }

    public string RenderTenant()
    {
        var text = new StringBuilder(Projects.Count * 60);
        text.Append(ConfigBotNames.GeneratedHeader).Append('\n');
        text.Append("# Packaging and upstream repositories carry no Zuul configuration of their own here (include: []).\n");
        text.Append("- tenant:\n");
        text.Append("    name: ").Append(Scalar(Tenant)).Append('\n');
        if (Projects.Count == 0)
        {
            text.Append("    source: {}\n");
            return text.ToString();
        }

        text.Append("    source:\n");
        foreach (var connection in Projects.GroupBy(p => p.Connection).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.Append("      ").Append(Scalar(connection.Key)).Append(":\n");
            text.Append("        untrusted-projects:\n");
            text.Append("          - include: []\n");
            text.Append("            projects:\n");
            foreach (var path in connection.Select(p => p.Path).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                text.Append("              - ").Append(Scalar(path)).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>The stanza of one project as it appears in the projects file.</summary>
    public static string RenderStanza(GeneratedProject project)
    {
        var text = new StringBuilder(400);
        AppendStanza(text, project);
        return text.ToString();
    }

    private static void AppendStanza(StringBuilder text, GeneratedProject project)
    {
        text.Append("- project:\n");
        text.Append("    name: ").Append(Scalar(project.CanonicalName)).Append('\n');
        if (project.DefaultBranch is { } branch)
        {
            text.Append("    default-branch: ").Append(Scalar(branch)).Append('\n');
        }

        text.Append("    templates:\n");
        foreach (var template in project.Templates)
        {
            text.Append("      - ").Append(Scalar(template)).Append('\n');
        }

        text.Append("    vars:\n");
        text.Append("      ").Append(ConfigBotNames.PackagesVariable).Append(":\n");
        foreach (var package in project.Packages)
        {
            text.Append("        - name: ").Append(Scalar(package.Name)).Append('\n');
            if (package.UnderReview)
            {
                text.Append("          under_review: true\n");
            }

            if (package.SourceBranches.Count == 0)
            {
                text.Append("          source_branches: {}\n");
                continue;
            }

            text.Append("          source_branches:\n");
            foreach (var (release, source) in package.SourceBranches)
            {
                text.Append("            ").Append(Scalar(release)).Append(": ").Append(Scalar(source)).Append('\n');
            }
        }
    }

    /// <summary>A plain YAML scalar when it reads back as the same string, else single-quoted.</summary>
    public static string Scalar(string value) =>
        PlainSafe().IsMatch(value) && !LooksTyped().IsMatch(value) ? value : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_./@+-]*$")]
    private static partial Regex PlainSafe();

    // YAML 1.1 and 1.2 booleans, nulls and numbers that a plain scalar would turn into.
    [GeneratedRegex(@"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|[-+]?(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$")]
    private static partial Regex LooksTyped();
}
