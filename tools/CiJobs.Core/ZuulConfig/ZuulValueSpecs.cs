using System.Text.RegularExpressions;
using CiJobs.Core.Text;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Core.ZuulConfig;

/// <summary>The shape a YAML value must have; checks report through the walker with the node's line.</summary>
internal abstract class ValueSpec
{
    public abstract string Expected { get; }

    public abstract void Check(ZuulConfigWalker walker, YamlNode node, string where);
}

internal enum ScalarKind
{
    String,
    Bool,
    Int,
    Any,
}

internal sealed class ScalarSpec(ScalarKind kind, bool nullable = false, IReadOnlyList<string>? allowed = null) : ValueSpec
{
    public override string Expected => allowed is not null
        ? "one of " + string.Join(", ", allowed)
        : kind switch
        {
            ScalarKind.Bool => "a boolean",
            ScalarKind.Int => "an integer",
            ScalarKind.String => nullable ? "a string or null" : "a string",
            _ => "a scalar",
        };

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        if (node is not YamlScalarNode scalar)
        {
            walker.Report(node, $"{where}: expected {Expected}");
            return;
        }

        var isPlain = scalar.Style is YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any;
        var value = scalar.Value ?? "";
        if (isPlain && ZuulYaml.IsNull(scalar))
        {
            if (!nullable)
            {
                walker.Report(node, $"{where}: expected {Expected}, found null");
            }

            return;
        }

        var ok = kind switch
        {
            ScalarKind.Bool => isPlain && ZuulYaml.IsBool(value),
            ScalarKind.Int => isPlain && long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _),
            ScalarKind.String => !isPlain || !(ZuulYaml.IsBool(value) || ZuulYaml.IsNumber(value)),
            _ => true,
        };
        if (!ok)
        {
            var hint = kind == ScalarKind.String ? " (quote it)" : "";
            walker.Report(node, $"{where}: expected {Expected}, found '{value}'{hint}");
            return;
        }

        if (allowed is not null && !allowed.Contains(value))
        {
            walker.Report(node, $"{where}: '{value}' is not {Expected}");
        }
    }
}

/// <summary>A list of items; with <c>allowSingle</c> a lone item stands for a one-item list (Zuul's <c>to_list</c>).</summary>
internal sealed class ListSpec(ValueSpec item, bool allowSingle = true) : ValueSpec
{
    public override string Expected => allowSingle ? $"{item.Expected} or a list of them" : $"a list of {item.Expected}";

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        if (node is YamlSequenceNode sequence)
        {
            foreach (var child in sequence.Children)
            {
                walker.CheckValue(item, child, where);
            }
        }
        else if (allowSingle && node is not YamlSequenceNode)
        {
            item.Check(walker, node, where);
        }
        else
        {
            walker.Report(node, $"{where}: expected {Expected}");
        }
    }
}

/// <summary>Dispatches on the node's kind: scalar, mapping or sequence.</summary>
internal sealed class ShapeSpec(ValueSpec? scalar = null, ValueSpec? mapping = null, ValueSpec? sequence = null) : ValueSpec
{
    public override string Expected => string.Join(" or ", new[] { scalar, mapping, sequence }.OfType<ValueSpec>().Select(s => s.Expected));

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        var spec = node switch
        {
            YamlScalarNode => scalar,
            YamlMappingNode => mapping,
            YamlSequenceNode => sequence,
            _ => null,
        };
        if (spec is null)
        {
            walker.Report(node, $"{where}: expected {Expected}");
            return;
        }

        spec.Check(walker, node, where);
    }
}

/// <summary>Any YAML value (its tags are still checked).</summary>
internal sealed class AnySpec : ValueSpec
{
    public static readonly AnySpec Instance = new();

    public override string Expected => "any value";

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    walker.CheckValue(this, value, $"{where}.{ZuulYaml.Text(key)}");
                }

                break;
            case YamlSequenceNode list:
                foreach (var child in list.Children)
                {
                    walker.CheckValue(this, child, where);
                }

                break;
        }
    }
}

/// <summary>A mapping whose keys are Ansible variable names and whose values match <paramref name="value"/>.</summary>
internal sealed partial class VariablesSpec(ValueSpec value, string keyWhat = "variable name") : ValueSpec
{
    public override string Expected => $"a mapping of {keyWhat}s";

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9_]*$")]
    internal static partial Regex VariableName();

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        if (node is not YamlMappingNode map)
        {
            walker.Report(node, $"{where}: expected {Expected}");
            return;
        }

        foreach (var (key, child) in map.Children)
        {
            var name = ZuulYaml.Text(key);
            if (!VariableName().IsMatch(name))
            {
                walker.Report(key, $"{where}: '{name}' is not a valid {keyWhat} (letters, digits and underscores, starting with a letter)");
            }

            if (value is VariableValueSpec)
            {
                VariableValueSpec.CheckChild(walker, child, $"{where}.{name}");
            }
            else
            {
                walker.CheckValue(value, child, $"{where}.{name}");
            }
        }
    }
}

/// <summary>A mapping of free-form names (hosts, groups, connections) to values.</summary>
internal sealed class DictSpec(ValueSpec value, string what) : ValueSpec
{
    public override string Expected => $"a mapping of {what}";

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        if (node is not YamlMappingNode map)
        {
            walker.Report(node, $"{where}: expected {Expected}");
            return;
        }

        foreach (var (key, child) in map.Children)
        {
            walker.CheckValue(value, child, $"{where}.{ZuulYaml.Text(key)}");
        }
    }
}

/// <summary>A string naming something of <paramref name="kind"/>; the walker resolves it once every file is read.</summary>
internal sealed class ReferenceSpec(string kind) : ValueSpec
{
    private static readonly ScalarSpec Name = new(ScalarKind.String);

    public override string Expected => $"a {kind} name";

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        var before = walker.ProblemCount;
        Name.Check(walker, node, where);
        if (walker.ProblemCount == before)
        {
            walker.AddReference(kind, ZuulYaml.Text(node), node);
        }
    }
}

/// <summary>A playbook path relative to the repository root; checked for existence after reading.</summary>
internal sealed class PlaybookPathSpec : ValueSpec
{
    private static readonly ScalarSpec Path = new(ScalarKind.String);

    public override string Expected => "a playbook path";

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        var before = walker.ProblemCount;
        Path.Check(walker, node, where);
        if (walker.ProblemCount == before)
        {
            walker.AddPlaybook(ZuulYaml.Text(node), node);
        }
    }
}

/// <summary>Secret data: any value, where <c>!encrypted/pkcs1-oaep</c> values are base64 text or a list of base64 chunks.</summary>
internal sealed class SecretDataSpec : ValueSpec
{
    public override string Expected => "secret data";

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        if (ZuulYaml.TagOf(node) == ZuulYaml.EncryptedTag)
        {
            var chunks = node switch
            {
                YamlScalarNode scalar => [scalar],
                YamlSequenceNode list => list.Children.ToList(),
                _ => [],
            };
            if (chunks.Count == 0)
            {
                walker.Report(node, $"{where}: an encrypted value is base64 text or a list of base64 chunks");
            }

            foreach (var chunk in chunks)
            {
                var text = chunk is YamlScalarNode s ? string.Concat((s.Value ?? "").Where(c => !char.IsWhiteSpace(c))) : null;
                if (text is null || text.Length == 0 || !IsBase64(text))
                {
                    walker.Report(chunk, $"{where}: an encrypted chunk is not valid base64");
                }
            }

            return;
        }

        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    walker.CheckValue(this, value, $"{where}.{ZuulYaml.Text(key)}", allowEncrypted: true);
                }

                break;
            case YamlSequenceNode list:
                foreach (var child in list.Children)
                {
                    walker.CheckValue(this, child, where, allowEncrypted: true);
                }

                break;
        }
    }

    private static bool IsBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out _);
    }
}

/// <summary>A mapping with known attributes; other keys are errors unless <c>extraKey</c> gives them a spec (project pipelines).</summary>
internal sealed class MappingSpec(
    string what,
    IReadOnlyList<(string Name, ValueSpec Spec, bool Required)> attributes,
    Func<string, ValueSpec?>? extraKey = null) : ValueSpec
{
    private readonly Dictionary<string, (ValueSpec Spec, bool Required)> byName =
        attributes.ToDictionary(a => a.Name, a => (a.Spec, a.Required), StringComparer.Ordinal);

    public string What => what;

    public IEnumerable<string> AttributeNames => byName.Keys;

    public override string Expected => $"a mapping ({what})";

    /// <summary>A copy without some attributes (a job variant in a project pipeline has no <c>name</c>).</summary>
    public MappingSpec Without(string what2, params string[] names) =>
        new(what2, attributes.Where(a => !names.Contains(a.Name)).ToList(), extraKey);

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        if (node is not YamlMappingNode map)
        {
            walker.Report(node, $"{where}: expected {Expected}");
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            var key = ZuulYaml.Text(keyNode);
            seen.Add(key);
            if (byName.TryGetValue(key, out var attribute))
            {
                walker.CheckValue(attribute.Spec, value, $"{where}: {key}", allowOverrideTags: true);
            }
            else if (extraKey?.Invoke(key) is { } extra)
            {
                walker.CurrentKey = keyNode;
                walker.CheckValue(extra, value, $"{where}: {key}");
            }
            else
            {
                var suggestion = Suggest(key);
                walker.Report(keyNode, $"{where}: unknown attribute '{key}' for a {what}{(suggestion is null ? "" : $" (did you mean '{suggestion}'?)")}");
            }
        }

        foreach (var (name, (_, required)) in byName)
        {
            if (required && !seen.Contains(name))
            {
                walker.Report(node, $"{where}: required attribute '{name}' is missing");
            }
        }
    }

    private string? Suggest(string key) => EditDistance.Closest(key, byName.Keys).FirstOrDefault();
}

/// <summary>
/// A regular expression Zuul compiles with <c>make_regex</c>: RE2 syntax is clean, Python-only syntax is Zuul's
/// "Regex Deprecation" warning, and a pattern neither compiles is an error (docs/contracts/zuul-config.md).
/// </summary>
internal sealed class RegexSpec : ValueSpec
{
    private static readonly ScalarSpec Pattern = new(ScalarKind.String);

    public override string Expected => "a regular expression";

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        var before = walker.ProblemCount;
        Pattern.Check(walker, node, where);
        if (walker.ProblemCount != before)
        {
            return;
        }

        var pattern = ZuulYaml.Text(node);
        var check = ZuulRegexSyntax.Check(pattern);
        switch (check.Verdict)
        {
            case ZuulRegexVerdict.Invalid:
                walker.Report(node, $"{where}: invalid regular expression '{pattern}': {check.Message}");
                break;
            case ZuulRegexVerdict.PythonOnly:
                walker.Warn(node, $"{where}: '{pattern}' is not RE2 syntax ({check.Message}); Zuul still accepts this Perl-style expression with a deprecation warning");
                break;
        }
    }
}

/// <summary>A regular expression Zuul compiles with RE2 alone (<c>failure-output</c>): anything RE2 refuses is an error.</summary>
internal sealed class Re2Spec : ValueSpec
{
    private static readonly ScalarSpec Pattern = new(ScalarKind.String);

    public override string Expected => "an RE2 regular expression";

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        var before = walker.ProblemCount;
        Pattern.Check(walker, node, where);
        if (walker.ProblemCount == before && ZuulRegexSyntax.Re2Error(ZuulYaml.Text(node)) is { } error)
        {
            walker.Report(node, $"{where}: invalid RE2 regular expression '{ZuulYaml.Text(node)}': {error}");
        }
    }
}

/// <summary>An integer of at least <paramref name="minimum"/> (voluptuous <c>Range(min=...)</c>), or null when <paramref name="nullable"/>.</summary>
internal sealed class IntSpec(long minimum, bool nullable = false) : ValueSpec
{
    private readonly ScalarSpec integer = new(ScalarKind.Int, nullable);

    public override string Expected => $"an integer of at least {minimum}";

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        var before = walker.ProblemCount;
        integer.Check(walker, node, where);
        if (walker.ProblemCount == before && ZuulYaml.Integer(node) is { } value && value < minimum)
        {
            walker.Report(node, $"{where}: expected {Expected}, found {value}");
        }
    }
}

/// <summary>
/// A variable's value: anything, and an <c>!encrypted/pkcs1-oaep</c> value loads (a warning: only secrets are
/// decrypted, and Zuul cannot store a job whose variables hold one when a change is queued).
/// </summary>
internal sealed class VariableValueSpec : ValueSpec
{
    public static readonly VariableValueSpec Instance = new();

    public override string Expected => "any value";

    public override void Check(ZuulConfigWalker walker, YamlNode node, string where)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    CheckChild(walker, value, $"{where}.{ZuulYaml.Text(key)}");
                }

                break;
            case YamlSequenceNode list:
                foreach (var child in list.Children)
                {
                    CheckChild(walker, child, where);
                }

                break;
        }
    }

    public static void CheckChild(ZuulConfigWalker walker, YamlNode node, string where)
    {
        if (ZuulYaml.TagOf(node) == ZuulYaml.EncryptedTag)
        {
            walker.Warn(node, $"{where}: an encrypted value outside a secret: Zuul loads it but decrypts only secrets, and refuses the job when a change is queued (its variables cannot be stored); put it in a secret");
            return;
        }

        walker.CheckValue(Instance, node, where);
    }
}
