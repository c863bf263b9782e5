using System.Text.RegularExpressions;

namespace CiJobs.Core.SourceGit;

/// <summary>One git trailer: token and raw value (continuation lines joined with newlines, as written).</summary>
public sealed record Trailer(string Token, string Value);

/// <summary>
/// A commit message split into subject, body without the trailer block, and trailers. The trailer
/// block is the last paragraph before any <c>---</c> line (where <c>git interpret-trailers</c> puts
/// it) whose lines are all <c>Token: value</c> lines or indented continuation lines.
/// </summary>
public sealed partial record CommitMessage(string Subject, string Body, IReadOnlyList<Trailer> Trailers)
{
    public static CommitMessage Parse(string message)
    {
        var lines = message.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        var subjectEnd = Array.FindIndex(lines, string.IsNullOrWhiteSpace);
        if (subjectEnd < 0)
        {
            subjectEnd = lines.Length;
        }

        var subject = string.Join(' ', lines[..subjectEnd].Select(l => l.Trim()));
        var rest = lines[subjectEnd..].ToList();

        // Only text before a "---" line can hold trailers; the part after it stays in the body.
        var cut = rest.FindIndex(l => l.StartsWith("---", StringComparison.Ordinal));
        var head = cut < 0 ? rest : rest[..cut];
        var tail = cut < 0 ? [] : rest[cut..];

        while (head.Count > 0 && string.IsNullOrWhiteSpace(head[^1]))
        {
            head.RemoveAt(head.Count - 1);
        }

        var start = head.FindLastIndex(string.IsNullOrWhiteSpace) + 1;
        var trailers = new List<Trailer>();
        var block = head[start..];
        if (start > 0 && block.Count > 0 && TryParseBlock(block, trailers))
        {
            head = head[..start];
        }
        else
        {
            trailers.Clear();
        }

        var body = string.Join('\n', head.Concat(tail)).Trim('\n');
        return new CommitMessage(subject, body, trailers);
    }

    /// <summary>The last value of a trailer (case-insensitive token), or null.</summary>
    public string? Get(string token) => Trailers.LastOrDefault(t => string.Equals(t.Token, token, StringComparison.OrdinalIgnoreCase))?.Value;

    /// <summary>Subject and body without trailers.</summary>
    public string WithoutTrailers => Body.Length == 0 ? Subject : $"{Subject}\n\n{Body}";

    /// <summary>
    /// Builds a message with <paramref name="trailer"/> appended, placed before the first <c>---</c>
    /// line of the body as <c>git interpret-trailers</c> does, replacing an earlier value of the token.
    /// </summary>
    public static string Compose(string title, string? body, Trailer trailer)
    {
        var lines = (body ?? string.Empty).Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n').Split('\n').ToList();
        if (lines is [""])
        {
            lines.Clear();
        }

        var cut = lines.FindIndex(l => l.StartsWith("---", StringComparison.Ordinal));
        var head = cut < 0 ? lines : lines[..cut];
        var tail = cut < 0 ? [] : lines[cut..];
        head.RemoveAll(l => l.StartsWith(trailer.Token + ":", StringComparison.OrdinalIgnoreCase));
        while (head.Count > 0 && string.IsNullOrWhiteSpace(head[^1]))
        {
            head.RemoveAt(head.Count - 1);
        }

        // Join an existing trailer block (last paragraph) or start a new one.
        var startOfLast = head.FindLastIndex(string.IsNullOrWhiteSpace) + 1;
        var lastIsTrailers = head.Count > 0 && TryParseBlock(head[startOfLast..], []);
        var text = new List<string> { title.Trim() };
        if (head.Count > 0)
        {
            text.Add(string.Empty);
            text.AddRange(head);
        }

        if (!lastIsTrailers)
        {
            text.Add(string.Empty);
        }

        text.Add($"{trailer.Token}: {trailer.Value}");
        if (tail.Count > 0)
        {
            text.Add(string.Empty);
            text.AddRange(tail);
        }

        return string.Join('\n', text) + "\n";
    }

    private static bool TryParseBlock(List<string> block, List<Trailer> trailers)
    {
        foreach (var line in block)
        {
            if (line.Length > 0 && char.IsWhiteSpace(line[0]) && trailers.Count > 0)
            {
                var last = trailers[^1];
                trailers[^1] = last with { Value = last.Value + "\n" + line };
                continue;
            }

            var match = TrailerLine().Match(line);
            if (!match.Success)
            {
                return false;
            }

            trailers.Add(new Trailer(match.Groups[1].Value, match.Groups[2].Value.Trim()));
        }

        return trailers.Count > 0;
    }

    [GeneratedRegex(@"^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s?(.*)$")]
    private static partial Regex TrailerLine();
}
