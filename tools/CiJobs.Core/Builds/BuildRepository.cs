using System.Globalization;
using System.Text.RegularExpressions;
using CiJobs.Core.Git;

namespace CiJobs.Core.Builds;

/// <summary>A commit chosen in a source or distgit repository.</summary>
public sealed record ResolvedCommit(string Hash, string Ref, long CommitterTime);

/// <summary>
/// A source or distgit repository a build reads from, opened read-only: a local checkout is only
/// queried (never checked out, reset or fetched); a URL is cloned bare into the build's temp folder.
/// </summary>
public sealed partial class BuildRepository
{
    private readonly GitCli git;

    private BuildRepository(GitCli git, string role, string location, string gitDirectory, bool isClone)
    {
        this.git = git;
        Role = role;
        Location = location;
        GitDirectory = gitDirectory;
        IsClone = isClone;
    }

    /// <summary>"source" or "distgit", for messages.</summary>
    public string Role { get; }

    /// <summary>Where it came from: the absolute checkout path or the URL.</summary>
    public string Location { get; }

    /// <summary>The folder git runs in.</summary>
    public string GitDirectory { get; }

    public bool IsClone { get; }

    [GeneratedRegex(@"^[\w.+-]+://|^[\w.-]+@[\w.-]+:")]
    private static partial Regex UrlLike();

    /// <summary>Opens a local checkout or clones a URL into <paramref name="tempDirectory"/>.</summary>
    public static async Task<BuildRepository> OpenAsync(GitCli git, string role, string location, string tempDirectory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(location))
        {
            var full = Path.GetFullPath(location);
            var probe = await git.RunUncheckedAsync(full, ["rev-parse", "--git-dir"], cancellationToken);
            if (!probe.Succeeded)
            {
                throw new CiJobsException($"the {role} folder '{full}' is not a git repository", BuildExitCodes.RepositoryUnavailable);
            }

            return new BuildRepository(git, role, full, full, isClone: false);
        }

        if (!UrlLike().IsMatch(location))
        {
            throw new CiJobsException(
                $"the {role} location '{PackageNames.Printable(location)}' is neither an existing folder nor a git URL",
                BuildExitCodes.RepositoryUnavailable);
        }

        Directory.CreateDirectory(tempDirectory);
        var target = Path.Combine(tempDirectory, role + ".git");
        try
        {
            await git.RunAsync(tempDirectory, ["clone", "--quiet", "--bare", "--", location, target], cancellationToken);
        }
        catch (GitCommandException e)
        {
            throw new CiJobsException(
                $"cannot clone the {role} repository {location}: {FirstLine(e.StandardError)}",
                BuildExitCodes.RepositoryUnavailable,
                e);
        }

        return new BuildRepository(git, role, location, target, isClone: true);
    }

    /// <summary>Resolves <paramref name="gitRef"/> to a commit; a branch only known as origin/&lt;ref&gt; in a checkout is found too.</summary>
    public async Task<ResolvedCommit> ResolveAsync(string gitRef, CancellationToken cancellationToken)
    {
        GitValues.Ref(gitRef, $"{Role} ref", BuildExitCodes.RefNotFound);

        IEnumerable<string> candidates = gitRef == "HEAD" ? [gitRef] : [gitRef, "origin/" + gitRef];
        foreach (var candidate in candidates)
        {
            var result = await git.RunUncheckedAsync(GitDirectory, ["rev-parse", "--verify", "--quiet", candidate + "^{commit}"], cancellationToken);
            if (result.Succeeded)
            {
                var hash = GitValues.Hash(result.StandardOutput.Trim(), $"{Role} commit of {gitRef}");
                var time = await git.RunAsync(GitDirectory, ["show", "-s", "--format=%ct", hash], cancellationToken);
                return new ResolvedCommit(hash, gitRef, long.Parse(time.Trim(), CultureInfo.InvariantCulture));
            }
        }

        throw new CiJobsException($"{Role} ref '{gitRef}' not found in {Location}", BuildExitCodes.RefNotFound);
    }

    /// <summary>The tags DLRN deletes before it asks git for the version (private-*, *-em, *-eol, *-eom).</summary>
    private static readonly string[] ExcludedTags = ["--exclude=private-*", "--exclude=*-em", "--exclude=*-eol", "--exclude=*-eom"];

    /// <summary>
    /// The newest tag reachable from the commit the way DLRN asks git (<c>describe --abbrev=0 --tags</c>, with the tags
    /// it deletes first left out) and whether the commit is past it (<c>describe --tags</c> prints more than the tag);
    /// null when there is none. The tag is checked by <see cref="GitValues.Tag"/>.
    /// </summary>
    public async Task<SourceTag?> DescribeAsync(string hash, CancellationToken cancellationToken)
    {
        var tag = await git.RunUncheckedAsync(GitDirectory, ["describe", "--abbrev=0", "--tags", .. ExcludedTags, hash], cancellationToken);
        var name = tag.StandardOutput.Trim();
        if (!tag.Succeeded || name.Length == 0)
        {
            return null;
        }

        var described = await git.RunAsync(GitDirectory, ["describe", "--tags", .. ExcludedTags, hash], cancellationToken);
        return new SourceTag(name, pastTag: described.Trim() != name, Role);
    }

    /// <summary>The commit's short hash as DLRN takes it for the Release (<c>git log --abbrev=7 -n1 --format=%h</c>):
    /// seven characters, more when seven are ambiguous in this repository.</summary>
    public async Task<string> ShortHashAsync(string hash, CancellationToken cancellationToken)
    {
        var output = await git.RunAsync(GitDirectory, ["log", "--abbrev=7", "-n1", "--format=%h", hash], cancellationToken);
        return GitValues.Hash(output.Trim(), $"{Role} short hash");
    }

    /// <summary>The hash of the commit's root tree (<c>git rev-parse COMMIT^{tree}</c>): equal trees mean equal content,
    /// whatever the commit (a gate's speculative merge and the merged commit). docs/manual/build-once.md.</summary>
    public async Task<string> TreeAsync(string hash, CancellationToken cancellationToken)
    {
        var output = await git.RunAsync(GitDirectory, ["rev-parse", "--verify", hash + "^{tree}"], cancellationToken);
        return GitValues.Hash(output.Trim(), $"{Role} tree");
    }

    /// <summary>Names of the entries in the commit's tree at <paramref name="path"/> (root when empty); null when the path is missing.</summary>
    public async Task<IReadOnlyList<string>?> ListTreeAsync(string hash, string path, CancellationToken cancellationToken)
    {
        var result = await git.RunUncheckedAsync(GitDirectory, ["ls-tree", "-z", "--name-only", TreeIsh(hash, path)], cancellationToken);
        return result.Succeeded
            ? result.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            : null;
    }

    /// <summary>Writes the commit's tree (at <paramref name="path"/>) as an archive file; git picks the format from the extension.</summary>
    public Task ArchiveAsync(string hash, string path, string outputFile, string? prefix, CancellationToken cancellationToken)
    {
        List<string> arguments = ["archive", "-o", outputFile];
        if (prefix is not null)
        {
            arguments.Add("--prefix=" + prefix);
        }

        // The whole source is archived from its commit, not its tree: git then dates every entry with the commit's time
        // instead of now, so the same commit gives the same tarball (docs/manual/replay.md, "Reproducible RPMs").
        arguments.Add(path.Length == 0 ? hash : TreeIsh(hash, path));
        return git.RunAsync(GitDirectory, arguments, cancellationToken);
    }

    private static string TreeIsh(string hash, string path) => path.Length == 0 ? hash + "^{tree}" : $"{hash}:{path}";

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault(l => l.StartsWith("fatal:", StringComparison.Ordinal))
            ?? text.Trim();
        return line.Length > 0 ? line : "git clone failed";
    }
}
