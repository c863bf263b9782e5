using System.Text.RegularExpressions;

namespace CiJobs.Core.Builds.Debian;

/// <summary>
/// What a build needs from <c>debian/control</c>: the source package's name, its maintainer and the binary packages.
/// The file is read as deb822 paragraphs (fields, continuation lines, <c>#</c> comments), bounded in size, and every
/// name is checked against Debian's package-name rule before it reaches a file name (docs/manual/build.md, "Debian
/// packages"). dpkg-source reads the file again during the build and stays the authority on everything else.
/// </summary>
public sealed partial record DebianControl(string Source, string? Maintainer, IReadOnlyList<string> Binaries)
{
    /// <summary>The largest control file read.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The most paragraphs (the source one and binary ones) read.</summary>
    public const int MaxParagraphs = 2000;

    /// <summary>Debian policy 5.6.1/5.6.7: lower-case letters, digits, <c>+ - .</c>, at least two characters, starting alphanumeric.</summary>
    [GeneratedRegex(@"^[a-z0-9][a-z0-9+.-]{1,199}\z")]
    private static partial Regex PackageName();

    [GeneratedRegex(@"^[A-Za-z0-9][!-9;-~]*\z")]
    private static partial Regex FieldName();

    public static bool IsPackageName(string name) => PackageName().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>Reads the text of a control file; <paramref name="label"/> names it in errors.</summary>
    public static DebianControl Parse(string text, string label = "debian/control")
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxBytes)
        {
            throw Invalid(label, 0, $"is larger than {MaxBytes} bytes");
        }

        var paragraphs = new List<Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        string? lastField = null;
        var lines = text.Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var number = index + 1;
            var line = lines[index].TrimEnd('\r');
            if (line.StartsWith('#'))
            {
                continue;
            }

            if (line.Trim().Length == 0)
            {
                current = null;
                lastField = null;
                continue;
            }

            if (line[0] is ' ' or '\t')
            {
                if (current is null || lastField is null)
                {
                    throw Invalid(label, number, "a continuation line has no field before it");
                }

                current[lastField] += "\n" + line.Trim();
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw Invalid(label, number, $"'{PackageNames.Printable(line)}' is not a 'Field: value' line");
            }

            var field = line[..colon];
            if (!FieldName().IsMatch(field))
            {
                throw Invalid(label, number, $"'{PackageNames.Printable(field)}' is not a field name");
            }

            if (current is null)
            {
                if (paragraphs.Count == MaxParagraphs)
                {
                    throw Invalid(label, number, $"has more than {MaxParagraphs} paragraphs");
                }

                current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                paragraphs.Add(current);
            }

            if (!current.TryAdd(field, line[(colon + 1)..].Trim()))
            {
                throw Invalid(label, number, $"field '{field}' appears twice in one paragraph");
            }

            lastField = field;
        }

        if (paragraphs.Count == 0)
        {
            throw Invalid(label, 0, "is empty");
        }

        var source = paragraphs[0].GetValueOrDefault("Source")
            ?? throw Invalid(label, 0, "has no Source field in its first paragraph");
        if (!IsPackageName(source))
        {
            throw Invalid(label, 0, $"Source '{PackageNames.Printable(source)}' is not a Debian package name (lower-case letters, digits and + - . only)");
        }

        var binaries = new List<string>();
        foreach (var paragraph in paragraphs.Skip(1))
        {
            var name = paragraph.GetValueOrDefault("Package")
                ?? throw Invalid(label, 0, "a binary paragraph has no Package field");
            if (!IsPackageName(name))
            {
                throw Invalid(label, 0, $"Package '{PackageNames.Printable(name)}' is not a Debian package name");
            }

            binaries.Add(name);
        }

        if (binaries.Count == 0)
        {
            throw Invalid(label, 0, "names no binary package (no paragraph with a Package field)");
        }

        var maintainer = paragraphs[0].GetValueOrDefault("Maintainer");
        if (maintainer is not null && (maintainer.Contains('\n', StringComparison.Ordinal) || maintainer.Any(char.IsControl)))
        {
            throw Invalid(label, 0, "the Maintainer field spans several lines");
        }

        return new DebianControl(source, maintainer, binaries);
    }

    private static CiJobsException Invalid(string label, int line, string message) =>
        new($"{label}{(line > 0 ? $":{line}" : "")}: {message}", BuildExitCodes.SpecInvalid);
}
