using System.Text;

namespace CiJobs.Core.Rdoinfo;

/// <summary>
/// The one wording of a <see cref="RdoPackageChange"/> for people: <c>cijobs rdoinfo diff</c>, the config bot's
/// package details and the build plan's reasons all print it (docs/manual/rdoinfo.md, "Reading a diff").
/// Every value and name from rdoinfo is shown bounded (see <see cref="Value"/>): the database is input, not trusted.
/// </summary>
public static class RdoPackageChangeText
{
    /// <summary>Longest value shown as is; a longer one is cut there and marked with "...".</summary>
    public const int MaxValueLength = 100;

    /// <summary>One line per fact: each changed field with its old and new value, tags added/removed/changed, then each release joined, left or re-pinned.</summary>
    public static IReadOnlyList<string> Lines(RdoPackageChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var lines = new List<string>();
        lines.AddRange(change.Fields.Select(f => $"field {Value(f.Field)}: {Value(f.Old)} -> {Value(f.New)}"));
        if (change.TagsAdded.Count > 0)
        {
            lines.Add($"tags added: {Names(change.TagsAdded)}");
        }

        if (change.TagsRemoved.Count > 0)
        {
            lines.Add($"tags removed: {Names(change.TagsRemoved)}");
        }

        if (change.TagsChanged.Count > 0)
        {
            lines.Add($"tag overrides changed: {Names(change.TagsChanged)}");
        }

        foreach (var release in change.Releases)
        {
            var name = Value(release.Release);
            lines.Add((release.WasInRelease, release.IsInRelease) switch
            {
                (false, true) => $"joins release {name}" + (release.NewSourceBranch is { } b ? $" pinned to {Value(b)}" : ""),
                (true, false) => $"leaves release {name}",
                _ => $"release {name} source-branch: {Branch(release.OldSourceBranch)} -> {Branch(release.NewSourceBranch)}",
            });
        }

        return lines;
    }

    /// <summary>The same facts as <see cref="Lines"/> on one line, joined with "; " (the build plan's reasons).</summary>
    public static string Summary(RdoPackageChange change) => string.Join("; ", Lines(change));

    /// <summary>A list of tag or release names, bounded each: "a, b", or "(none)".</summary>
    public static string Names(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var shown = names.Select(n => Value(n)).ToList();
        return shown.Count == 0 ? "(none)" : string.Join(", ", shown);
    }

    /// <summary>
    /// A YAML value on one bounded line: unset as "(absent)", lists as [a, b], maps as {k: v}; every control
    /// character (newline, tab, escape, ...) becomes '?', and past <see cref="MaxValueLength"/> characters the
    /// text is cut and ends with "...".
    /// </summary>
    public static string Value(object? value)
    {
        var text = new StringBuilder();
        Render(value, text);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsControl(text[i]))
            {
                text[i] = '?';
            }
        }

        if (text.Length <= MaxValueLength)
        {
            return text.ToString();
        }

        // Cut before a lone high surrogate so the result stays valid UTF-16.
        var cut = char.IsHighSurrogate(text[MaxValueLength - 1]) ? MaxValueLength - 1 : MaxValueLength;
        return text.ToString(0, cut) + "...";
    }

    private static string Branch(string? branch) => branch is null ? "(release default)" : Value(branch);

    private static void Render(object? value, StringBuilder text)
    {
        // Rendering stops once the text is past the bound: a huge value costs no more than a short one.
        if (text.Length > MaxValueLength)
        {
            return;
        }

        switch (value)
        {
            case null:
                text.Append("(absent)");
                break;
            case string s:
                text.Append(s, 0, Math.Min(s.Length, MaxValueLength + 1));
                break;
            case IReadOnlyDictionary<string, object?> map:
                text.Append('{');
                var firstEntry = true;
                foreach (var (key, item) in map)
                {
                    text.Append(firstEntry ? "" : ", ");
                    firstEntry = false;
                    Render(key, text);
                    text.Append(": ");
                    Render(item, text);
                    if (text.Length > MaxValueLength)
                    {
                        return;
                    }
                }

                text.Append('}');
                break;
            case IReadOnlyList<object?> list:
                text.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    text.Append(i == 0 ? "" : ", ");
                    Render(list[i], text);
                    if (text.Length > MaxValueLength)
                    {
                        return;
                    }
                }

                text.Append(']');
                break;
            default:
                Render(value.ToString(), text);
                break;
        }
    }
}
