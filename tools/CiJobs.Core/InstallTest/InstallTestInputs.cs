using System.Text.RegularExpressions;
using CiJobs.Core.Builds;

namespace CiJobs.Core.InstallTest;

/// <summary>Checks every value of <c>cijobs install-test</c> before it reaches a command line, a sources.list or a path.</summary>
public static partial class InstallTestInputs
{
    /// <summary>Debian Policy 5.6.1: lower-case letters, digits, + - . ; at least two characters, starting alphanumeric.</summary>
    [GeneratedRegex(@"^[a-z0-9][a-z0-9.+-]{1,199}\z")]
    private static partial Regex DebianName();

    /// <summary>URLs as they go into sources.list or a .repo file: no spaces, quotes, brackets or control characters.</summary>
    [GeneratedRegex(@"^(?:https?://[A-Za-z0-9.\-\[\]:]+(?:/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?|file:///[A-Za-z0-9._~%+,=:@/-]*)\z")]
    private static partial Regex RepositoryUrl();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,63}\z")]
    private static partial Regex Component();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}\z")]
    private static partial Regex ReleaseVer();

    public static string ValidatePackage(PackageKind kind, string name)
    {
        var valid = kind == PackageKind.Deb
            ? DebianName().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal)
            : PackageNames.IsSafe(name) && !name.StartsWith('+');
        return valid
            ? name
            : throw new CiJobsException(
                kind == PackageKind.Deb
                    ? $"invalid Debian package name '{PackageNames.Printable(name)}': lower-case letters, digits and . + - only, at least two characters, starting with a letter or digit"
                    : $"invalid RPM package name '{PackageNames.Printable(name)}': letters, digits and . _ + - only, starting with a letter, digit or _, no '..'",
                InstallTestExitCodes.InvalidPackageName);
    }

    public static string ValidateUrl(string url, string option) => RepositoryUrl().IsMatch(url)
        ? url
        : throw new CiJobsException($"invalid {option} '{PackageNames.Printable(url)}': an http://, https:// or file:/// URL without spaces or quotes", InstallTestExitCodes.InvalidOption);

    public static string ValidateCodename(string codename) => Builds.Debian.DebianPackaging.IsDistribution(codename) && !codename.Contains("..", StringComparison.Ordinal)
        ? codename
        : throw new CiJobsException($"invalid --codename '{PackageNames.Printable(codename)}': lower-case letters, digits and . + - only", InstallTestExitCodes.InvalidOption);

    public static string ValidateComponent(string component) => Component().IsMatch(component)
        ? component
        : throw new CiJobsException($"invalid --component '{PackageNames.Printable(component)}': lower-case letters, digits and . _ - only", InstallTestExitCodes.InvalidOption);

    public static string ValidateReleaseVer(string value) => ReleaseVer().IsMatch(value)
        ? value
        : throw new CiJobsException($"invalid --releasever '{PackageNames.Printable(value)}': letters, digits and . _ - only", InstallTestExitCodes.InvalidOption);

    /// <summary>
    /// The distgit of --smoke-dir, resolved, with <c>tests/smoke.sh</c> a regular file inside it; every link in its tests/
    /// folder must stay inside the distgit (docs/manual/install-test.md, "Smoke").
    /// </summary>
    public static string ValidateSmokeDirectory(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
        {
            throw new CiJobsException($"--smoke-dir {full} is not a folder", InstallTestExitCodes.SmokeDirInvalid);
        }

        var root = RealPath(full);
        var tests = Path.Join(root, "tests");
        var script = Path.Join(tests, "smoke.sh");
        if (!Inside(root, RealPath(tests)) || !File.Exists(script) || !Inside(root, RealPath(script)))
        {
            throw new CiJobsException($"--smoke-dir {full}: no tests/smoke.sh inside it (a link out of the distgit does not count)", InstallTestExitCodes.SmokeDirInvalid);
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(tests, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint) && !Inside(root, RealPath(entry)))
            {
                throw new CiJobsException($"--smoke-dir {full}: {Path.GetRelativePath(root, entry)} links outside the distgit", InstallTestExitCodes.SmokeDirInvalid);
            }
        }

        return root;
    }

    private static bool Inside(string root, string path) =>
        path == root || path.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>The path with every link resolved (a dangling link resolves to where it points; a loop is refused).</summary>
    private static string RealPath(string path, int depth = 0)
    {
        if (depth > 256)
        {
            throw new CiJobsException($"--smoke-dir: too many levels of links at {path}", InstallTestExitCodes.SmokeDirInvalid);
        }

        var full = Path.GetFullPath(path);
        var parent = Path.GetDirectoryName(full);
        var here = parent is null ? full : Path.Join(RealPath(parent, depth + 1), Path.GetFileName(full));
        FileSystemInfo info = Directory.Exists(here) ? new DirectoryInfo(here) : new FileInfo(here);
        return info.LinkTarget is null ? here : RealPath(Path.GetFullPath(info.LinkTarget, Path.GetDirectoryName(here)!), depth + 1);
    }
}
