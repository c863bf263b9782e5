namespace CiJobs.Core.Replay;

/// <summary>Exit codes of <c>cijobs replay</c> (docs/manual/replay.md, docs/exit-codes.md).</summary>
public static class ReplayExitCodes
{
    /// <summary>Bad input: no manifest, a manifest that is not a package build, a build id the store lacks, a bad option.</summary>
    public const int InvalidInput = 145;

    /// <summary>A recorded input cannot be had again: the rdoinfo commit is missing, or the package's rdoinfo entry is not the recorded one.</summary>
    public const int InputsUnavailable = 146;

    /// <summary>The replay built something else: another status, other NVRs or another list of files.</summary>
    public const int OutputsDiffer = 147;

    /// <summary><c>--require-identical</c>: the same NVRs and file names, but some files differ in their bits.</summary>
    public const int NotIdentical = 148;
}
