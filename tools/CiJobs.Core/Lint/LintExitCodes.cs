namespace CiJobs.Core.Lint;

/// <summary>Exit codes of <c>cijobs lint</c> (range 90-99); docs/exit-codes.md and docs/manual/lint.md list them.</summary>
public static class LintExitCodes
{
    /// <summary>The lint verdict: more errors than --max-errors, or more warnings than --max-warnings. The summary is printed.</summary>
    public const int LintFailed = 90;

    /// <summary>rpmlint or lintian did not give a verdict: it crashed, refused its arguments, could not read a package,
    /// ended with an exit status that is not one of its verdicts, or printed more than cijobs reads.</summary>
    public const int ToolFailed = 91;

    /// <summary>A result folder that cannot be linted: not a folder, no package in it, or a commit.yaml that is unreadable
    /// or names artifacts that are not regular files in the folder.</summary>
    public const int InvalidResultDirectory = 92;

    /// <summary>The distgit's rpmlintrc cannot be used: --distgit is not a folder, or the rpmlintrc is a symlink, not a
    /// regular file, too large, or there are several.</summary>
    public const int InvalidRpmlintrc = 93;

    /// <summary>The rpmlint configuration cannot be used: the shipped one is not found, or --rpmlint-config is missing,
    /// not a regular file or too large.</summary>
    public const int InvalidRpmlintConfig = 94;
}
