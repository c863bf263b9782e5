using System.Net;
using System.Text.Json.Serialization;

namespace CiJobs.Core.Dlrn;

/// <summary>How publish read the server's state (docs/contracts/dlrn-api.md, "Verifying an import").</summary>
public enum DlrnVerification
{
    /// <summary>GraphQL <c>commits</c> on the API: every row, any status.</summary>
    [JsonStringEnumMemberName("graphql")]
    GraphQl,

    /// <summary>The <c>commit.yaml</c> the central writes into the commit's directory under its <c>baseurl</c>
    /// (<c>--central-url</c>), and its <c>status_report.csv</c> for the package's newest build.</summary>
    [JsonStringEnumMemberName("commit.yaml")]
    CommitYaml,

    /// <summary><c>GET /api/repo_status</c>: whether a SUCCESS row with the hashes exists.</summary>
    [JsonStringEnumMemberName("repo_status")]
    RepoStatus,
}

/// <summary>The package's newest processed commit on the server as far as a lookup can tell.</summary>
/// <param name="Known">False when this way cannot tell (<paramref name="WhyUnknown"/> says why).</param>
/// <param name="Newest">The newest non-RETRY commit of the package; null when it has none.</param>
internal sealed record DlrnNewestCommit(bool Known, DlrnCommitRecord? Newest, string? WhyUnknown = null);

/// <summary>One way of reading whether the server holds a commit.</summary>
internal abstract class DlrnCommitLookup
{
    public abstract DlrnVerification Way { get; }

    /// <summary>Where this way reads, for messages.</summary>
    public abstract string Source { get; }

    /// <summary>The server's row for the build's commit+distro(+extended) hashes, or null.</summary>
    public abstract Task<DlrnCommitRecord?> FindAsync(DlrnCommit commit, CancellationToken cancellationToken);

    /// <summary>The newest non-RETRY commit of the build's package (what DLRN's skip rule compares with).</summary>
    public abstract Task<DlrnNewestCommit> NewestAsync(DlrnCommit commit, CancellationToken cancellationToken);
}

/// <summary>GraphQL <c>commits</c>: sees every row; a server without graphene answers 501.</summary>
internal sealed class DlrnGraphQlLookup(IDlrnReadClient reader) : DlrnCommitLookup
{
    public override DlrnVerification Way => DlrnVerification.GraphQl;

    public override string Source => "GraphQL";

    public override async Task<DlrnCommitRecord?> FindAsync(DlrnCommit commit, CancellationToken cancellationToken)
    {
        var rows = await reader.GetCommitsAsync(
            new DlrnCommitQuery
            {
                ProjectName = commit.ProjectName,
                CommitHash = commit.CommitHash,
                DistroHash = commit.DistroHash,
                ExtendedHash = commit.ExtendedHash,
                Limit = 1,
            },
            cancellationToken);
        return rows.FirstOrDefault();
    }

    public override async Task<DlrnNewestCommit> NewestAsync(DlrnCommit commit, CancellationToken cancellationToken)
    {
        var rows = await reader.GetCommitsAsync(new DlrnCommitQuery { ProjectName = commit.ProjectName, Limit = 20 }, cancellationToken);
        return new DlrnNewestCommit(true, rows.FirstOrDefault(c => c.Status != "RETRY"));
    }
}

/// <summary>
/// The central's published files under its <c>baseurl</c>: DLRN writes <c>commit.yaml</c> into the commit's
/// directory when it processes an import (after the downloads, with the final status) and rewrites
/// <c>status_report.csv</c> (each package's newest build) at the top.
/// </summary>
internal sealed class DlrnCentralFilesLookup(IDlrnReadClient reader, Uri centralReposUrl) : DlrnCommitLookup
{
    private readonly string central = centralReposUrl.OriginalString.TrimEnd('/');

    public override DlrnVerification Way => DlrnVerification.CommitYaml;

    public override string Source => $"{central}/<commit directory>/commit.yaml";

    public string CommitYamlUrl(string shardedDirectory) => $"{central}/{shardedDirectory["repos/".Length..]}/commit.yaml";

    public override async Task<DlrnCommitRecord?> FindAsync(DlrnCommit commit, CancellationToken cancellationToken) =>
        await ReadAsync(commit.ShardedDirectory, commit.CommitHash, commit.DistroHash, cancellationToken);

    public override async Task<DlrnNewestCommit> NewestAsync(DlrnCommit commit, CancellationToken cancellationToken)
    {
        var url = $"{central}/status_report.csv";
        var text = await reader.GetRepositoryFileAsync(new Uri(url), cancellationToken);
        if (text is null)
        {
            return new(false, null, $"{url} does not exist");
        }

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0 || !lines[0].StartsWith("Project,Source Sha,Dist Sha,", StringComparison.Ordinal))
        {
            return new(false, null, $"{url} is not DLRN's status report");
        }

        // Project,Source Sha,Dist Sha,Extended Sha,Component,Status,Timestamp,Packages
        var row = lines.Skip(1).Select(line => line.Split(',')).FirstOrDefault(fields => fields.Length >= 6 && fields[0] == commit.ProjectName);
        if (row is null)
        {
            return new(true, null);
        }

        string? Value(string field) => field is "" or DlrnCommit.NoneValue ? null : field;
        var (commitHash, distroHash, status) = (row[1], row[2], row[5]);
        if (status == "RETRY")
        {
            return new(false, null, $"the package's newest build in {url} is a RETRY, which DLRN's skip rule passes over");
        }

        if (commitHash.Length < 4 || !commitHash.All(char.IsAsciiLetterOrDigit) || distroHash.Length == 0 || !distroHash.All(char.IsAsciiLetterOrDigit))
        {
            return new(false, null, $"{url} names no usable hashes for {commit.ProjectName}");
        }

        var directory = DlrnCommit.ShardedPath(commitHash, distroHash, Value(row[3]), Value(row[4]));
        var newest = await ReadAsync(directory, commitHash, distroHash, cancellationToken);
        return newest is null
            ? new(false, null, $"{url} names {commitHash} as the newest build of {commit.ProjectName} but {CommitYamlUrl(directory)} does not exist")
            : new(true, newest);
    }

    private async Task<DlrnCommitRecord?> ReadAsync(string shardedDirectory, string commitHash, string distroHash, CancellationToken cancellationToken)
    {
        var url = CommitYamlUrl(shardedDirectory);
        var text = await reader.GetRepositoryFileAsync(new Uri(url), cancellationToken);
        if (text is null)
        {
            return null;
        }

        var row = DlrnCommit.TryParse(text)?.FirstOrDefault(c => c.CommitHash == commitHash && c.DistroHash == distroHash)
            ?? throw new DlrnApiException($"GET {url}", HttpStatusCode.OK, null, $"the central's {url} is not a commit.yaml of {commitHash} (distro {distroHash})");
        return new DlrnCommitRecord
        {
            ProjectName = row.ProjectName,
            CommitHash = row.CommitHash,
            DistroHash = row.DistroHash,
            ExtendedHash = row.ExtendedHash,
            Status = row.Status,
            DtCommit = row.DtCommit,
            DtDistro = row.DtDistro,
            DtBuild = row.DtBuild,
            Artifacts = row.Artifacts.Count == 0 ? null : string.Join(',', row.Artifacts),
            Component = row.Component,
        };
    }
}

/// <summary><c>GET /api/repo_status</c>: 200 when a SUCCESS row has the hashes, 400 "combination not found" otherwise.
/// It sees SUCCESS rows only and cannot list a package's commits.</summary>
internal sealed class DlrnRepoStatusLookup(IDlrnReadClient reader) : DlrnCommitLookup
{
    public const string NotFoundMessage = "commit_hash+distro_hash+extended_hash combination not found";

    public override DlrnVerification Way => DlrnVerification.RepoStatus;

    public override string Source => "repo_status";

    public override async Task<DlrnCommitRecord?> FindAsync(DlrnCommit commit, CancellationToken cancellationToken)
    {
        try
        {
            await reader.GetRepoStatusAsync(commit.CommitHash, commit.DistroHash, commit.ExtendedHash, cancellationToken);
        }
        catch (DlrnApiException e) when (e.StatusCode == HttpStatusCode.BadRequest && e.ServerMessage == NotFoundMessage)
        {
            return null;
        }

        return new DlrnCommitRecord
        {
            ProjectName = commit.ProjectName,
            CommitHash = commit.CommitHash,
            DistroHash = commit.DistroHash,
            ExtendedHash = commit.ExtendedHash,
            Status = DlrnCommit.Success,
            DtCommit = commit.DtCommit,
            DtDistro = commit.DtDistro,
            DtBuild = commit.DtBuild,
        };
    }

    public override Task<DlrnNewestCommit> NewestAsync(DlrnCommit commit, CancellationToken cancellationToken) =>
        Task.FromResult(new DlrnNewestCommit(false, null, "repo_status cannot list a package's commits"));
}
