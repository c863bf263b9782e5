namespace CiJobs.Core.Lint;

/// <summary>
/// Finds the rpmlint configuration cijobs ships, <c>lint/rpmlint/cijobs.toml</c>: next to the installed program (the
/// build and the dotnet tool package copy it there), else in the source tree the program was built in (a folder above
/// it). docs/manual/lint.md, "The shipped rpmlint configuration".
/// </summary>
public static class LintConfigLocator
{
    public static readonly string RelativePath = Path.Combine("lint", "rpmlint", "cijobs.toml");

    /// <summary>The first <c>lint/rpmlint/cijobs.toml</c> in <paramref name="programDirectory"/> or a folder above it.</summary>
    public static string FindShippedRpmlintConfig(string programDirectory)
    {
        for (var directory = new DirectoryInfo(programDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, RelativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new CiJobsException(
            $"the rpmlint configuration cijobs ships ({RelativePath}) is neither next to the program in {programDirectory} nor in a folder above it",
            LintExitCodes.InvalidRpmlintConfig);
    }
}
