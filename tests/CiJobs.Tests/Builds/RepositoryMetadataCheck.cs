using System.IO.Compression;
using System.Security.Cryptography;
using System.Xml.Linq;

namespace CiJobs.Tests.Builds;

/// <summary>
/// Checks an RPM repository folder the way dnf would: repomd.xml's checksums of each metadata file, and every package of
/// primary.xml present with the sha256 primary gives. Returns the problems found (none: the repository is valid).
/// </summary>
public static class RepositoryMetadataCheck
{
    private static readonly XNamespace Repo = "http://linux.duke.edu/metadata/repo";
    private static readonly XNamespace Common = "http://linux.duke.edu/metadata/common";

    public static IReadOnlyList<string> Problems(string folder)
    {
        var problems = new List<string>();
        var repomd = Path.Combine(folder, "repodata", "repomd.xml");
        if (!File.Exists(repomd))
        {
            return [$"{folder}: no repodata/repomd.xml"];
        }

        string? primary = null;
        foreach (var data in XDocument.Load(repomd).Root!.Elements(Repo + "data"))
        {
            var href = data.Element(Repo + "location")!.Attribute("href")!.Value;
            var file = Path.Combine(folder, href);
            var expected = data.Element(Repo + "checksum")!.Value;
            if (!File.Exists(file))
            {
                problems.Add($"{folder}: {href} is missing");
            }
            else if (Sha256(file) != expected)
            {
                problems.Add($"{folder}: {href} does not match repomd.xml");
            }

            if (data.Attribute("type")!.Value == "primary")
            {
                primary = file;
            }
        }

        if (primary is null || !File.Exists(primary))
        {
            problems.Add($"{folder}: no primary metadata");
            return problems;
        }

        using var stream = new GZipStream(File.OpenRead(primary), CompressionMode.Decompress);
        foreach (var package in XDocument.Load(stream).Root!.Elements(Common + "package"))
        {
            var href = package.Element(Common + "location")!.Attribute("href")!.Value;
            var file = Path.Combine(folder, href);
            if (!File.Exists(file))
            {
                problems.Add($"{folder}: {href} is listed but missing (or a dangling link)");
            }
            else if (Sha256(file) != package.Element(Common + "checksum")!.Value)
            {
                problems.Add($"{folder}: {href} does not match its checksum in primary.xml");
            }
        }

        return problems;
    }

    private static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
