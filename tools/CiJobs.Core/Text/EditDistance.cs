namespace CiJobs.Core.Text;

/// <summary>
/// The one edit distance of the project (Levenshtein: insertions, deletions and substitutions of one character, each
/// costing 1, compared ordinally) and the "close name" rule the "did you mean" suggestions share: rdoinfo package
/// look-ups and unknown Zuul attributes (docs/architecture.md, "Shared components").
/// </summary>
public static class EditDistance
{
    /// <summary>The number of one-character edits that turn <paramref name="a"/> into <paramref name="b"/>.</summary>
    public static int Between(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>The largest distance at which a name still counts as close to <paramref name="wanted"/>: a third of its length, at least 2.</summary>
    public static int Limit(string wanted) => Math.Max(2, wanted.Length / 3);

    /// <summary>
    /// The <paramref name="candidates"/> within <see cref="Limit"/> of <paramref name="wanted"/>, closest first;
    /// candidates at the same distance keep their order.
    /// </summary>
    public static IReadOnlyList<string> Closest(string wanted, IEnumerable<string> candidates)
    {
        var limit = Limit(wanted);
        return candidates
            .Select(c => (Candidate: c, Distance: Between(wanted, c)))
            .Where(x => x.Distance <= limit)
            .OrderBy(x => x.Distance)
            .Select(x => x.Candidate)
            .ToList();
    }
}
