using System.Globalization;
using System.Text;

namespace CiJobs.Core.Rdoinfo;

// Expansion (docs/contracts/rdoinfo-expansion.md): this part layers package-default, the package's conf template,
// the package itself and the applied tag's override map, then does one pass of Python %-formatting ('%(name)s' and
// '%%', values printed as Python's str() would) over the top-level strings, and validates the result. It also decides
// release membership from the expanded tags, and expands every package (of one release, or all).
public sealed partial class RdoinfoDatabase
{
    // Membership is decided on the expanded package, as DLRN does (docs/contracts/rdoinfo-expansion.md).
    private string? ReleaseTagForCore(string project, string release)
    {
        var package = GetMerged(project);
        return ExpandedTags(package, release) is YamlMap tagMap
            && (tagMap.ContainsKey(release) || tagMap.ContainsKey(release + RdoTags.UpperConstraintsSuffix))
            ? release
            : null;
    }

    /// <summary>
    /// The <c>tags</c> value of the package expanded with <paramref name="tag"/>, without expanding the rest:
    /// the layered map, unless the applied tag's own override map replaces <c>tags</c>.
    /// </summary>
    private object? ExpandedTags(YamlMap package, string? tag)
    {
        var tags = LayeredTags(package);
        return tag is not null && tags is YamlMap tagMap && tagMap.TryGetValue(tag, out var overrides)
            && overrides is YamlMap overrideMap && overrideMap.TryGetValue("tags", out var replaced)
            ? replaced
            : tags;
    }

    /// <summary>
    /// <c>tags</c> after the shallow layering (package-default, conf template, package): the first layer,
    /// from the package down, that has the key wins whole, a null included.
    /// </summary>
    private object? LayeredTags(YamlMap package)
    {
        if (package.TryGetValue("tags", out var own))
        {
            return own;
        }

        if (package.TryGetValue("conf", out var conf) && conf is string confName
            && packageConfigs.TryGetValue(confName, out var template) && template is YamlMap templateMap
            && templateMap.TryGetValue("tags", out var fromTemplate))
        {
            return fromTemplate;
        }

        return packageDefault.TryGetValue("tags", out var fromDefault) ? fromDefault : null;
    }

    private YamlMap GetMerged(string project) =>
        packages.TryGetValue(project, out var package)
            ? package
            : throw new RdoinfoException(UnknownPackageMessage(project), RdoinfoExitCodes.NotFound);

    private RdoPackage ExpandCore(string project, string? tag)
    {
        var package = GetMerged(project);
        var layered = packageDefault.ShallowCopy(package.Count + 8);
        if (package.TryGetValue("conf", out var confValue) && confValue is not null)
        {
            var (file, line) = package.MarkOf("conf");
            if (confValue is not string conf || !packageConfigs.TryGetValue(conf, out var template))
            {
                throw new RdoinfoException($"package '{project}' uses unknown conf template '{confValue}'", RdoinfoExitCodes.Invalid, file, line);
            }

            if (template is YamlMap templateMap)
            {
                layered.Update(templateMap);
            }
        }

        layered.Update(package);

        // The applied tag is looked up in the layered tags (the template's or the default's when the package has none).
        if (tag is not null && layered.TryGetValue("tags", out var tags) && tags is YamlMap tagMap
            && tagMap.TryGetValue(tag, out var overrides) && overrides is YamlMap overrideMap)
        {
            layered.Update(overrideMap);
        }

        // One pass of %-substitution over top-level strings, against the values before substitution.
        var expanded = new YamlMap(package.File, package.Line);
        for (var i = 0; i < layered.Count; i++)
        {
            var (key, value, file, line) = layered.EntryAt(i);
            expanded.Set(key, value is string text ? Substitute(text, layered, project, key, file, line) : value, file, line);
        }

        return Validate(project, tag, expanded, package);
    }

    private static RdoPackage Validate(string project, string? tag, YamlMap expanded, YamlMap package)
    {
        if (!expanded.TryGetValue("name", out var name) || name is not string nameText || nameText.Length == 0)
        {
            throw new RdoinfoException($"package '{project}' has no 'name'", RdoinfoExitCodes.Invalid, package.File, package.Line);
        }

        if (!expanded.TryGetValue("maintainers", out var maintainers) || maintainers is not YamlList list || list.Count == 0)
        {
            throw new RdoinfoException($"package '{project}' has no maintainers", RdoinfoExitCodes.Invalid, package.File, package.Line);
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not string email || !email.Contains('@', StringComparison.Ordinal))
            {
                throw new RdoinfoException($"package '{project}' has a maintainer that is not an e-mail address: '{list[i]}'", RdoinfoExitCodes.Invalid, list.File, list.LineOf(i));
            }
        }

        return new RdoPackage(project, nameText, tag, expanded);
    }

    /// <summary>Python's <c>text % mapping</c> for <c>%(key)s</c> and <c>%%</c>.</summary>
    private static string Substitute(string text, YamlMap values, string project, string field, string file, long line)
    {
        if (!text.Contains('%', StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '%')
            {
                result.Append(c);
                continue;
            }

            if (i + 1 < text.Length && text[i + 1] == '%')
            {
                result.Append('%');
                i++;
                continue;
            }

            var close = i + 1 < text.Length && text[i + 1] == '(' ? text.IndexOf(')', i + 2) : -1;
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != 's')
            {
                throw new RdoinfoException(
                    $"package '{project}': field '{field}' has a '%' that is not '%(key)s' or '%%': {text}",
                    RdoinfoExitCodes.Invalid,
                    file,
                    line);
            }

            var key = text[(i + 2)..close];
            if (!values.TryGetValue(key, out var value))
            {
                throw new RdoinfoException(
                    $"package '{project}': field '{field}' refers to '%({key})s', which the package does not have",
                    RdoinfoExitCodes.Invalid,
                    file,
                    line);
            }

            result.Append(PythonStr(value));
            i = close + 1;
        }

        return result.ToString();
    }

    /// <summary>What Python's <c>str()</c> prints for the values YAML gives, so substitutions match distroinfo.</summary>
    private static string PythonStr(object? value) => value switch
    {
        null => "None",
        string s => s,
        IReadOnlyList<object?> list => "[" + string.Join(", ", list.Select(PythonRepr)) + "]",
        IReadOnlyDictionary<string, object?> map => "{" + string.Join(", ", map.Select(kv => $"{PythonRepr(kv.Key)}: {PythonRepr(kv.Value)}")) + "}",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static string PythonRepr(object? value) => value is string s ? $"'{s.Replace("'", "\\'", StringComparison.Ordinal)}'" : PythonStr(value);

    private IReadOnlyList<RdoPackage> ExpandAllCore(string? release)
    {
        if (release is null)
        {
            return Projects.Select(p => Expand(p)).ToList();
        }

        if (FindRelease(release) is null)
        {
            throw new RdoinfoException(
                $"unknown release '{release}'; known releases: {string.Join(", ", Releases.Select(r => r.Name))}",
                RdoinfoExitCodes.NotFound);
        }

        return Projects
            .Select(p => (Project: p, Tag: ReleaseTagFor(p, release)))
            .Where(x => x.Tag is not null)
            .Select(x => Expand(x.Project, x.Tag))
            .ToList();
    }
}
