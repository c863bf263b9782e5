using System.IO.Compression;
using System.Text;

namespace CiJobs.Core.Builds.Debian;

/// <summary>Reading and writing the Packages and Sources indexes of an APT repository (test and release repositories).</summary>
public static class AptIndexes
{
    /// <summary>Writes an index and its gzip copy (what apt fetches when the Release lists it).</summary>
    public static async Task WriteIndexAsync(string directory, string name, string text, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var bytes = Encoding.UTF8.GetBytes(text);
        await File.WriteAllBytesAsync(Path.Combine(directory, name), bytes, cancellationToken);
        await using var file = File.Create(Path.Combine(directory, name + ".gz"));
        await using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        await gzip.WriteAsync(bytes, cancellationToken);
    }

    /// <summary>The stanzas of a Packages or Sources text, each ending in one line break, without the blank lines between.</summary>
    public static List<string> Stanzas(string text) =>
        [.. text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Trim('\n')).Where(s => s.Length > 0).Select(s => s + "\n")];

    /// <summary>The value of <paramref name="field"/> on its own line of the stanza, trimmed; null when the stanza has none.</summary>
    public static string? Field(string stanza, string field)
    {
        foreach (var line in stanza.Split('\n'))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return line[(field.Length + 1)..].Trim();
            }
        }

        return null;
    }
}
