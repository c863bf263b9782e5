using System.Text;

namespace CiJobs.Core.TestRepos;

/// <summary>The text and dotenv renderings of a <see cref="TestRepoResult"/> (docs/manual/testrepo.md, "Output").</summary>
public static class TestRepoOutput
{
    /// <summary>
    /// <c>KEY=value</c> lines for a GitLab <c>reports: dotenv</c> artifact: the name, then the keys of the formats the
    /// repository has. A value holding a line break (or any control character) would end or forge a line: refused.
    /// </summary>
    public static string Dotenv(TestRepoResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var lines = new List<(string Key, string Value)> { ("CIJOBS_TESTREPO_NAME", result.Name) };
        if (result.Rpm is { } rpm)
        {
            lines.Add(("CIJOBS_TESTREPO_RPM_URL", rpm.Url));
        }

        if (result.Deb is { } deb)
        {
            lines.Add(("CIJOBS_TESTREPO_DEB_URL", deb.Url));
            lines.Add(("CIJOBS_TESTREPO_DEB_CODENAME", deb.Codename));
            lines.Add(("CIJOBS_TESTREPO_DEB_COMPONENT", deb.Component));
        }

        var text = new StringBuilder();
        foreach (var (key, value) in lines)
        {
            if (value.Any(char.IsControl))
            {
                throw new CiJobsException($"{key}: the value holds a line break or control character, which dotenv cannot carry", TestRepoExitCodes.InvalidOption);
            }

            text.Append(key).Append('=').Append(value).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A summary for people: where the repository is, how to use it, and its packages.</summary>
    public static string Text(TestRepoResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder().Append("test repository ").Append(result.Name).Append(" at ").Append(result.Path).Append('\n');
        if (result.Rpm is { } rpm)
        {
            text.Append("  rpm ").Append(rpm.Url).Append('\n').Append("  repo file ").Append(rpm.RepoFile).Append('\n');
            foreach (var package in rpm.Packages)
            {
                text.Append("    ").Append(package.Name).Append(' ').Append(package.Version).Append(' ').Append(package.Arch).Append('\n');
            }
        }

        if (result.Deb is { } deb)
        {
            text.Append("  deb ").Append(deb.Url).Append(' ').Append(deb.Codename).Append(' ').Append(deb.Component)
                .Append(" (").Append(string.Join(' ', deb.Architectures)).Append(")\n")
                .Append("  list file ").Append(deb.ListFile).Append('\n');
            foreach (var package in deb.Packages)
            {
                text.Append("    ").Append(package.Name).Append(' ').Append(package.Version).Append(' ').Append(package.Arch).Append('\n');
            }
        }

        return text.ToString();
    }
}
