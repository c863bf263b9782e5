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
/// with a fixed layout, so the same input always gives the same bytes. Every name must be one line of printable
/// text (else the configuration is refused, exit 79); each is written plain when YAML 1.1 and 1.2 read it back as
/// the same string, else single-quoted, and the files are parsed back and compared with the model before anyone
/// gets them (docs/manual/config-bot.md, "How the generated YAML is quoted and checked").
/// </summary>
public sealed partial class GeneratedConfig(string tenant, IReadOnlyList<GeneratedProject> projects)
{
    /// <summary>Longest key written as an implicit <c>key: value</c>; YAML allows 1024 characters, longer keys use <c>? key</c>.</summary>
    internal const int MaxImplicitKey = 1000;

    private IReadOnlyList<KeyValuePair<string, string>>? files;

    public string Tenant { get; } = tenant;

    public IReadOnlyList<GeneratedProject> Projects { get; } = projects;

    /// <summary>
    /// Bot-owned path (relative, '/'-separated) → content; refused (exit 79) when a name cannot be written, and an
    /// internal error (exit 2) when the text does not read back as the model, so nothing wrong is ever written.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Files() => files ??= RenderChecked();

    private KeyValuePair<string, string>[] RenderChecked()
    {
        Validate();
        var tenantText = RenderTenant();
        var projectsText = RenderProjects();
        GeneratedConfigCheck.Verify(this, tenantText, projectsText);
        return [new(ConfigBotNames.TenantFile, tenantText), new(ConfigBotNames.ProjectsFile, projectsText)];
    }

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
        foreach (var connection in TenantSources())
        {
            AppendKey(text, "      ", connection.Connection).Append('\n');
            text.Append("        untrusted-projects:\n");
            text.Append("          - include: []\n");
            text.Append("            projects:\n");
            foreach (var path in connection.Paths)
            {
                text.Append("              - ").Append(Scalar(path)).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>The tenant's sources: each connection (sorted) with its project paths (distinct, sorted).</summary>
    internal IEnumerable<(string Connection, IReadOnlyList<string> Paths)> TenantSources() =>
        Projects.GroupBy(p => p.Connection)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<string>)[.. g.Select(p => p.Path).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]));

    /// <summary>The stanza of one project as it appears in the projects file (refused, exit 79, when a name cannot be written).</summary>
    public static string RenderStanza(GeneratedProject project)
    {
        ArgumentNullException.ThrowIfNull(project);
        ValidateProject(project);
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

        text.Append(project.Templates.Count == 0 ? "    templates: []\n" : "    templates:\n");
        foreach (var template in project.Templates)
        {
            text.Append("      - ").Append(Scalar(template)).Append('\n');
        }

        text.Append("    vars:\n");
        text.Append("      ").Append(ConfigBotNames.PackagesVariable).Append(project.Packages.Count == 0 ? ": []\n" : ":\n");
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
                AppendKey(text, "            ", release).Append(' ').Append(Scalar(source)).Append('\n');
            }
        }
    }

    /// <summary>
    /// A mapping key and its colon: implicit (<c>key:</c>) when short enough for YAML's 1024-character limit on
    /// implicit keys, else explicit (<c>? key</c>, then <c>:</c> on the next line at the same indentation).
    /// </summary>
    private static StringBuilder AppendKey(StringBuilder text, string indent, string key)
    {
        var scalar = Scalar(key);
        return scalar.Length <= MaxImplicitKey
            ? text.Append(indent).Append(scalar).Append(':')
            : text.Append(indent).Append("? ").Append(scalar).Append('\n').Append(indent).Append(':');
    }

    /// <summary>
    /// A plain YAML scalar when it reads back as the same string (YAML 1.1 as PyYAML, Zuul's loader, resolves it, and
    /// YAML 1.2), else single-quoted. Text that is not one line of printable characters is refused (exit 79).
    /// </summary>
    public static string Scalar(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (Unwritable(value) is { } why)
        {
            throw Refused($"the text '{ZuulYaml.Shown(value)}' holds {why}");
        }

        return PlainSafe().IsMatch(value) && !LooksTyped().IsMatch(value) && ZuulYaml.PlainIsString(value)
            ? value
            : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>Refuses, naming the project, package or release, any name that is not one line of printable text.</summary>
    private void Validate()
    {
        Check(Tenant, () => "the tenant name");
        foreach (var project in Projects)
        {
            ValidateProject(project);
        }
    }

    private static void ValidateProject(GeneratedProject project)
    {
        var shown = ZuulYaml.Shown(project.CanonicalName);
        Check(project.Connection, () => $"the connection of project {shown}");
        Check(project.Host, () => $"the host of project {shown}");
        Check(project.Path, () => $"the path of project {shown}");
        Check(project.DefaultBranch, () => $"the default branch of project {shown}");
        foreach (var template in project.Templates)
        {
            Check(template, () => $"a template of project {shown}");
        }

        foreach (var package in project.Packages)
        {
            Check(package.Name, () => $"the name of a package of project {shown}");
            var releases = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (release, source) in package.SourceBranches)
            {
                Check(release, () => $"a release name of package {package.Name} (project {shown})");
                Check(source, () => $"the source branch of package {package.Name} for release {release} (project {shown})");
                if (!releases.Add(release))
                {
                    throw Refused($"release '{release}' is listed twice for package {package.Name} (project {shown})");
                }
            }
        }
    }

    private static void Check(string? value, Func<string> what)
    {
        if (value is not null && Unwritable(value) is { } why)
        {
            throw Refused($"{what()}, '{ZuulYaml.Shown(value)}', holds {why}");
        }
    }

    private static CiJobsException Refused(string message) =>
        new($"cannot generate the Zuul configuration: {message}; Zuul names must be one line of printable text (fix rdoinfo or the option that gave it).", ConfigBotExitCodes.InputInvalid);

    /// <summary>
    /// What keeps a text from being one line of printable YAML text, or null: a line break, tab or other control
    /// character (C0, DEL, C1 with NEL, U+2028, U+2029), a byte-order mark or non-character (U+FEFF, U+FFFE,
    /// U+FFFF), an unpaired surrogate (not Unicode text at all).
    /// </summary>
    internal static string? Unwritable(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return $"an unpaired surrogate (U+{(int)c:X4}), which is not Unicode text";
            }

            if (c < ' ' || c is >= '\u007F' and <= '\u009F' or '\u2028' or '\u2029')
            {
                return $"a line break, tab or other control character (U+{(int)c:X4})";
            }

            if (c is '\uFEFF' or '\uFFFE' or '\uFFFF')
            {
                return $"a byte-order mark or non-character (U+{(int)c:X4})";
            }
        }

        return null;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_./@+-]*$")]
    private static partial Regex PlainSafe();

    // YAML 1.1 and 1.2 booleans, nulls and numbers that a plain scalar would turn into.
    [GeneratedRegex(@"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|[-+]?(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$")]
    private static partial Regex LooksTyped();
}
