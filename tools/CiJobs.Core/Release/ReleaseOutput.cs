using System.Globalization;
using System.Text;

namespace CiJobs.Core.Release;

/// <summary>The text and dotenv renderings of a <see cref="ReleaseResult"/> (docs/manual/release.md, "Output").</summary>
public static class ReleaseOutput
{
    /// <summary>A summary for people: the repositories, then each package added or skipped.</summary>
    public static string Text(ReleaseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder().Append("release repository ").Append(result.Root).Append(result.Signed ? " (signed)" : "").Append('\n');
        if (result.RpmRepository is { } rpm)
        {
            text.Append("  rpm ").Append(rpm).Append(" (sources ").Append(result.RpmSourceRepository).Append(")\n");
        }

        if (result.DebRepository is { } deb)
        {
            text.Append("  deb ").Append(deb).Append(' ').Append(result.Codename).Append(' ').Append(result.Component).Append('\n');
        }

        foreach (var (verb, packages) in new[] { ("added", result.Added), ("skipped, already published with the same bits:", result.Skipped) })
        {
            foreach (var p in packages)
            {
                text.Append("  ").Append(verb).Append(' ').Append(Builds.PackageNames.Printable(p.Name)).Append(' ').Append(Builds.PackageNames.Printable(p.Version))
                    .Append(' ').Append(p.Arch).Append(' ').Append(p.Path).Append(p.Provenance is { } manifest ? $" (provenance {manifest})" : "").Append('\n');
            }
        }

        if (result.Added.Count == 0)
        {
            text.Append("  nothing new: the repository is unchanged\n");
        }

        return text.ToString();
    }

    /// <summary><c>KEY=value</c> lines for a GitLab <c>reports: dotenv</c> artifact: ROOT and the counts.</summary>
    public static string Dotenv(ReleaseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Root.Any(char.IsControl))
        {
            throw new CiJobsException("CIJOBS_RELEASE_ROOT: the path holds a control character, which dotenv cannot carry", ReleaseExitCodes.CannotPublish);
        }

        return $"CIJOBS_RELEASE_ROOT={result.Root}\nCIJOBS_RELEASE_ADDED={result.Added.Count.ToString(CultureInfo.InvariantCulture)}\nCIJOBS_RELEASE_SKIPPED={result.Skipped.Count.ToString(CultureInfo.InvariantCulture)}\n";
    }
}
