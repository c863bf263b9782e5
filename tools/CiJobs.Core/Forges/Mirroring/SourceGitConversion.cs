using CiJobs.Core.SourceGit;

namespace CiJobs.Core.Forges.Mirroring;

/// <summary>The mirroring's conversion through <see cref="SourceGitConverter"/> (the same code as <c>cijobs source-git</c>).</summary>
public sealed class SourceGitConversion(SourceGitConverter converter) : ISourceGitConversion
{
    public async Task<string> UpdateDistGitAsync(string sourceGitDirectory, string distGitDirectory, string title, string body, CancellationToken cancellationToken)
    {
        // Force: the bot branch always starts fresh from the dist-git target branch, like the service did (no sync check);
        // AllowEmpty: the commit and its From-source-git-commit trailer exist even when dist-git content is unchanged.
        var result = await converter.UpdateDistGitAsync(
            sourceGitDirectory,
            distGitDirectory,
            new UpdateDistGitOptions { CommitTitle = title, CommitBody = body, Commit = true, AllowEmpty = true, Force = true },
            cancellationToken);
        return result.DistGitCommit ?? throw new CiJobsException("update-dist-git created no commit.", ForgeExitCodes.ConversionFailed);
    }

    public async Task<bool> UpdateSourceGitAsync(string distGitDirectory, string sourceGitDirectory, CancellationToken cancellationToken)
    {
        var result = await converter.UpdateSourceGitAsync(distGitDirectory, sourceGitDirectory, new UpdateSourceGitOptions(), cancellationToken);
        return result.Changed;
    }
}
