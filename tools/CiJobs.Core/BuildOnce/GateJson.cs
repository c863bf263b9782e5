using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CiJobs.Core.Builds;
using CiJobs.Core.Text;
using ProvenanceManifest = CiJobs.Core.Provenance.ProvenanceManifest;
using ProvenanceReader = CiJobs.Core.Provenance.ProvenanceReader;

namespace CiJobs.Core.BuildOnce;

/// <summary>Reading the parts of a gate artifact's metadata that a download trusts; every value is checked.</summary>
public static partial class GateJson
{
    /// <summary>Most files one result may list.</summary>
    public const int MaxFiles = 1000;

    public static string? Text(JsonElement element, string name) => JsonValues.Text(element, name);

    /// <summary>
    /// The metadata's <c>files</c>: a list of <c>{name, size, sha256}</c>. A name must be a plain file name (no
    /// folder, no <c>..</c>, no control or shell characters) and a sha256 64 lower-case hex digits; otherwise the whole
    /// list is refused (<see cref="JsonException"/>), since a download must not write outside its folder.
    /// </summary>
    public static IReadOnlyList<ResultFile> Files(JsonElement metadata)
    {
        if (!metadata.TryGetProperty("files", out var files) || files.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (files.ValueKind != JsonValueKind.Array || files.GetArrayLength() > MaxFiles)
        {
            throw new JsonException($"an artifact's files is not a list of at most {MaxFiles} entries");
        }

        var list = new List<ResultFile>();
        foreach (var file in files.EnumerateArray())
        {
            var read = ReadFile(file) ?? throw new JsonException(
                $"an artifact lists a file that is not a plain name with a size and a sha256: {PackageNames.Printable(file.GetRawText()[..Math.Min(200, file.GetRawText().Length)])}");
            if (list.Any(f => f.Name == read.Name))
            {
                throw new JsonException($"an artifact lists the file {read.Name} twice");
            }

            list.Add(read);
        }

        return list;
    }

    /// <summary>A <c>{name, size, sha256}</c> object with a plain file name, a size and 64 lower-case hex digits; else null.</summary>
    private static ResultFile? ReadFile(JsonElement file)
    {
        if (file.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var name = Text(file, "name");
        var sha = Text(file, "sha256");
        long size = -1;
        if (file.TryGetProperty("size", out var s) && s.ValueKind == JsonValueKind.Number)
        {
            s.TryGetInt64(out size);
        }

        return name is not null && FileName().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal) && sha is not null && Sha256().IsMatch(sha) && size >= 0
            ? new ResultFile(name, size, sha)
            : null;
    }

    /// <summary>
    /// The metadata's <c>provenance</c>: <c>{name, size, sha256}</c> of the result's provenance.json, or null when the
    /// gate build recorded none (an older cijobs). The name must be exactly provenance.json.
    /// </summary>
    public static ResultFile? Provenance(JsonElement metadata)
    {
        if (!metadata.TryGetProperty("provenance", out var file) || file.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return ReadFile(file) is { Name: ProvenanceManifest.FileName, Size: <= ProvenanceReader.MaxBytes } read
            ? read
            : throw new JsonException($"an artifact's provenance is not {{\"name\": \"{ProvenanceManifest.FileName}\"}} with a size of at most {ProvenanceReader.MaxBytes} bytes and a sha256");
    }

    /// <summary>An artifact URL as a folder URL (ending in /), absolute: relative ones against <paramref name="against"/>
    /// (the log URL, with a / added as Zuul's result_data.py does). Only http and https, without user information.</summary>
    public static Uri FolderUrl(string url, string? against)
    {
        Uri? absolute = Uri.TryCreate(url, UriKind.Absolute, out var a) && a.Scheme is "http" or "https" or "file" ? a
            : against is not null && Uri.TryCreate(against.EndsWith('/') ? against : against + "/", UriKind.Absolute, out var b) && Uri.TryCreate(b, url, out var c) ? c
            : null;
        if (absolute is null || absolute.Scheme is not ("http" or "https") || absolute.UserInfo.Length > 0 || url.Any(char.IsControl))
        {
            throw new JsonException($"an artifact URL is not an http(s) URL without credentials: {PackageNames.Printable(UrlCredentials.Redact(url))}");
        }

        var text = absolute.AbsoluteUri;
        return new Uri(text.EndsWith('/') ? text : text + "/");
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._+~-]{0,254}$", RegexOptions.CultureInvariant)]
    private static partial Regex FileName();

    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256();

    internal static string Size(long bytes) => bytes.ToString(CultureInfo.InvariantCulture);
}
