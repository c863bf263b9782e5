using CiJobs.Core.Git;

namespace CiJobs.Core.SourceGit;

/// <summary>What every operation opens first: the two work trees and SRC's configuration.</summary>
internal static class SourceGitInputs
{
    /// <summary>SRC and DIST, opened at once; SRC's error first.</summary>
    public static Task<GitRepo[]> OpenBothAsync(GitCli git, string sourceGitDir, string distGitDir, CancellationToken cancellationToken) =>
        Task.WhenAll(GitRepo.OpenAsync(git, sourceGitDir, "SRC", cancellationToken), GitRepo.OpenAsync(git, distGitDir, "DIST", cancellationToken));

    /// <summary>SRC's <c>.distro/source-git.yaml</c> and the spec files beside it; <see cref="SourceGitExitCodes.NotSourceGit"/> without it.</summary>
    public static async Task<SourceGitConfig> LoadConfigAsync(string sourceRoot, CancellationToken cancellationToken)
    {
        var path = Path.Combine(sourceRoot, SourceGitConfig.ConfigPath);
        if (!File.Exists(path))
        {
            throw new CiJobsException($"SRC '{sourceRoot}' is not a source-git repository: {SourceGitConfig.ConfigPath} is missing.", SourceGitExitCodes.NotSourceGit);
        }

        var yaml = await File.ReadAllTextAsync(path, cancellationToken);
        var distro = Path.Combine(sourceRoot, SourceGitConfig.DistroDirectory);
        var specs = Directory.EnumerateFiles(distro, "*.spec")
            .Select(f => $"{SourceGitConfig.DistroDirectory}/{Path.GetFileName(f)}")
            .Order(StringComparer.Ordinal)
            .ToList();
        return SourceGitConfig.Parse(yaml, specs);
    }
}
