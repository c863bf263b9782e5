using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace CiJobs.Core;

/// <summary>
/// Limits on the structured input cijobs reads from files and payloads it does not control (Zuul variables,
/// webhook events), checked before any tree is built so that hostile input ends in a one-line error naming the
/// file and line, never in a stack overflow or a runtime message. See docs/security.md, "Nesting and size of input".
/// </summary>
public static class InputLimits
{
    /// <summary>Deepest nesting of arrays/sequences and objects/mappings accepted (System.Text.Json's default).</summary>
    public const int MaxDepth = 64;

    /// <summary>Largest input file read, in characters (16 MiB): a Zuul variables file or a webhook payload is far smaller.</summary>
    public const int MaxFileChars = 16 * 1024 * 1024;

    /// <summary>
    /// Reads a UTF-8 text file of at most <see cref="MaxFileChars"/> (reading stops there, so a device or a pipe
    /// that never ends is refused too). Every failure is a <see cref="CiJobsException"/> with <paramref name="exitCode"/>
    /// naming <paramref name="what"/> and the path.
    /// </summary>
    public static async Task<string> ReadTextFileAsync(string path, string what, int exitCode, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            throw new CiJobsException($"{what} {path} is a directory, not a file", exitCode);
        }

        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var text = new StringBuilder();
            var buffer = new char[1 << 16];
            int read;
            while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
            {
                text.Append(buffer, 0, read);
                if (text.Length > MaxFileChars)
                {
                    throw new CiJobsException($"{what} {path} is larger than {MaxFileChars / (1024 * 1024)} MiB", exitCode);
                }
            }

            return text.ToString();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CiJobsException($"{what} {path} does not exist", exitCode, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CiJobsException($"{what} {path} cannot be read: permission denied", exitCode, e);
        }
        catch (IOException e)
        {
            throw new CiJobsException($"{what} {path} cannot be read: {e.Message}", exitCode, e);
        }
    }

    /// <summary>
    /// Parses JSON nested at most <see cref="MaxDepth"/> deep. Invalid JSON and deeper nesting are a
    /// <see cref="CiJobsException"/> with <paramref name="exitCode"/> and <c>source:line:column</c> (1-based).
    /// </summary>
    public static JsonDocument ParseJson(string text, string source, int exitCode)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = MaxDepth + 1 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject && reader.CurrentDepth >= MaxDepth)
                {
                    var (line, column) = Position(bytes, (int)reader.TokenStartIndex);
                    throw new CiJobsException($"{source}:{line}:{column}: nested deeper than {MaxDepth} levels", exitCode);
                }
            }
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"{source}:{line + 1}:{(e.BytePositionInLine ?? 0) + 1}" : source;
            throw new CiJobsException($"{where}: not valid JSON", exitCode, e);
        }

        return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = MaxDepth });
    }

    /// <summary>
    /// Reads YAML (JSON is YAML too) as a stream of events, without building a tree, and refuses what a tree
    /// builder would choke on: nesting deeper than <see cref="MaxDepth"/> (YamlDotNet builds trees recursively) and
    /// mapping keys that are not plain values (a collection used as a key is spelled out whole in messages, and
    /// aliases make its size exponential in the file's). Errors are a <see cref="CiJobsException"/> with <c>source:line:column</c>.
    /// </summary>
    public static void CheckYaml(string text, string source, int exitCode)
    {
        // For each open collection: is it a mapping, and is its next node a key?
        var open = new Stack<(bool Mapping, bool KeyNext)>();
        var parser = new Parser(new StringReader(text));
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                if (current is MappingEnd or SequenceEnd)
                {
                    open.Pop();
                    continue;
                }

                if (current is not (NodeEvent or AnchorAlias))
                {
                    continue;
                }

                if (open.TryPeek(out var parent) && parent.Mapping)
                {
                    if (parent.KeyNext && current is not Scalar)
                    {
                        throw new CiJobsException($"{source}:{current.Start.Line}:{current.Start.Column}: a mapping key must be a plain value, not a list, a mapping or an alias", exitCode);
                    }

                    open.Pop();
                    open.Push((true, !parent.KeyNext));
                }

                if (current is MappingStart or SequenceStart)
                {
                    if (open.Count >= MaxDepth)
                    {
                        throw new CiJobsException($"{source}:{current.Start.Line}:{current.Start.Column}: nested deeper than {MaxDepth} levels", exitCode);
                    }

                    open.Push((current is MappingStart, true));
                }
            }
        }
        catch (YamlException e)
        {
            throw new CiJobsException($"{source}:{e.Start.Line}:{e.Start.Column}: not valid YAML or JSON: {e.Message}", exitCode, e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's parser fails this way on some malformed streams (found by the property tests).
            var at = parser.Current?.Start;
            throw new CiJobsException($"{source}:{at?.Line ?? 1}:{at?.Column ?? 1}: not valid YAML or JSON", exitCode, e);
        }
    }

    private static (long Line, long Column) Position(byte[] bytes, int index)
    {
        var line = 1L;
        var lineStart = 0;
        for (var i = 0; i < index && i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, index - lineStart + 1);
    }
}
