using CiJobs.Core.Rdoinfo;
using LibGit2Sharp;

namespace CiJobs.Core.ZuulConfig.Bot;

/// <summary>Where the bot reads rdoinfo from: a folder (tree), or a revision of an rdoinfo git repository.</summary>
public static class RdoinfoInput
{
    /// <summary>
    /// Loads <paramref name="location"/>: an existing folder is read as a tree; otherwise, with
    /// <paramref name="repository"/>, it is a revision of that repository.
    /// </summary>
    public static async Task<RdoinfoDatabase> LoadAsync(string location, string? repository, string entryFile, CancellationToken cancellationToken)
    {
        if (Directory.Exists(location))
        {
            return await RdoinfoLoader.LoadAsync(location, entryFile, cancellationToken);
        }

        if (repository is null)
        {
            throw new CiJobsException($"{location} is not a folder; to compare git revisions, name the rdoinfo repository with --rdoinfo-repo.", ConfigBotExitCodes.InputInvalid);
        }

        return (await RdoinfoAtRevision.LoadAsync(repository, location, entryFile, cancellationToken)).Database;
    }

    /// <summary>The commit checked out in an rdoinfo folder and its committer date, or null when it is not a git work tree.</summary>
    public static (string Sha, DateTimeOffset Date)? HeadOf(string directory, string revision = "HEAD")
    {
        var root = FindRepository(directory);
        if (root is null)
        {
            return null;
        }

        using var repository = new Repository(root);
        var commit = repository.Lookup<Commit>(revision)
            ?? throw new RdoinfoException($"revision '{revision}' not found in {directory}", RdoinfoExitCodes.NotFound);
        return (commit.Sha, commit.Committer.When);
    }

    /// <summary>The nearest folder from <paramref name="directory"/> up that is a git repository, or null. Not
    /// <see cref="Repository.Discover"/>: under Native AOT its path never comes back (libgit2sharp#2187).</summary>
    private static string? FindRepository(string directory)
    {
        for (var folder = new DirectoryInfo(directory); folder is not null; folder = folder.Parent)
        {
            if (Repository.IsValid(folder.FullName))
            {
                return folder.FullName;
            }
        }

        return null;
    }
}
