using CiJobs.Core.Text;

namespace CiJobs.Core.Rdoinfo;

// Look-up and suggestions: this part finds a package by RPM name, then by project, then by upstream or distgit URL
// (normalised the way distroinfo strips them), and builds the "did you mean" list and the unknown-package message
// from the names and projects close to a reference, using the project's one edit distance (Core/Text/EditDistance.cs).
public sealed partial class RdoinfoDatabase
{
    private string UnknownPackageMessage(string reference)
    {
        var suggestions = SuggestNames(reference);
        return suggestions.Count == 0
            ? $"unknown package '{reference}'"
            : $"unknown package '{reference}'; did you mean {string.Join(", ", suggestions.Select(s => $"'{s}'"))}?";
    }

    private RdoPackage? FindPackageCore(string reference)
    {
        if (byName.Value.TryGetValue(reference, out var named))
        {
            return named;
        }

        if (packages.ContainsKey(reference))
        {
            return Expand(reference);
        }

        var wanted = NormalizeRepositoryReference(reference);
        foreach (var package in byName.Value.Values)
        {
            if ((package.Upstream is { } upstream && NormalizeRepositoryReference(upstream) == wanted)
                || (package.MasterDistgit is { } distgit && NormalizeRepositoryReference(distgit) == wanted)
                || (package.Distgit is { } cbsDistgit && NormalizeRepositoryReference(cbsDistgit) == wanted))
            {
                return package;
            }
        }

        return null;
    }

    /// <summary>distroinfo's URL stripping: no scheme, no <c>.git</c>, no <c>-distgit</c>, no trailing slash.</summary>
    internal static string NormalizeRepositoryReference(string reference)
    {
        var text = reference.Trim().TrimEnd('/');
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            text = text[(scheme + 3)..];
        }

        if (text.EndsWith(".git", StringComparison.Ordinal))
        {
            text = text[..^4];
        }

        if (text.EndsWith("-distgit", StringComparison.Ordinal))
        {
            text = text[..^8];
        }

        return text;
    }

    private IReadOnlyList<string> SuggestNamesCore(string reference)
    {
        var wanted = reference.ToLowerInvariant();
        var limit = EditDistance.Limit(wanted);
        return byName.Value.Values
            .SelectMany(p => new[] { (Name: p.Name, Key: p.Name), (Name: p.Name, Key: p.Project) })
            .Select(x => (x.Name, Distance: x.Key.Contains(wanted, StringComparison.OrdinalIgnoreCase) && wanted.Length >= 3 ? 0 : EditDistance.Between(wanted, x.Key.ToLowerInvariant())))
            .Where(x => x.Distance <= limit)
            .GroupBy(x => x.Name)
            .Select(g => (Name: g.Key, Distance: g.Min(x => x.Distance)))
            .OrderBy(x => x.Distance)
            .ThenBy(x => x.Name.Length)
            .ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(5)
            .Select(x => x.Name)
            .ToList();
    }
}
