namespace CiJobs.Core.Forges.Mirroring;

/// <summary>Regenerates one side from the other in local clones; the mirroring's only dependency on the converter.</summary>
public interface ISourceGitConversion
{
    /// <summary>Turns the checked-out source-git commit into one new dist-git commit on the checked-out dist-git branch
    /// (carrying a <c>From-source-git-commit</c> trailer), committed even when the content does not change.
    /// Returns the new dist-git commit.</summary>
    Task<string> UpdateDistGitAsync(string sourceGitDirectory, string distGitDirectory, string title, string body, CancellationToken cancellationToken);

    /// <summary>Replays dist-git commits that are not in source-git onto the source-git checkout; false when there were none.</summary>
    Task<bool> UpdateSourceGitAsync(string distGitDirectory, string sourceGitDirectory, CancellationToken cancellationToken);
}
