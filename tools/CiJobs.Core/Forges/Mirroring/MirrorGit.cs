using CiJobs.Core.Git;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Forges.Mirroring;

/// <summary>
/// The git transfers of the mirroring (clone, fetch, push) in a throw-away workspace, through <see cref="GitCli"/> with
/// the bot's identity and the forge's authorization header (see docs/architecture.md, "Running git"). A git failure
/// becomes <see cref="ForgeExitCodes.GitTransferFailed"/> here, and only here.
/// </summary>
public sealed class MirrorGit(IProcessRunner runner)
{
    public const string BotName = GitCli.BotName;
    public const string BotEmail = GitCli.BotEmail;

    private readonly GitCli git = new(runner, new GitSession { Identity = GitIdentity.Bot });

    public Task<string> RunAsync(string directory, IReadOnlyList<string> arguments, IForge? forge, CancellationToken cancellationToken) =>
        RunAsync(directory, arguments, Session(forge, retry: null), cancellationToken);

    public async Task<bool> RemoteBranchExistsAsync(string directory, string url, string branch, IForge forge, CancellationToken cancellationToken)
    {
        var output = await RunAsync(directory, ["ls-remote", "--heads", url, $"refs/heads/{branch}"], forge, cancellationToken);
        return output.Length > 0;
    }

    /// <summary>Force-pushes; a lost ref lock (concurrent pushes to one ref) or a hang-up is retried, nothing else.</summary>
    public Task ForcePushAsync(string directory, string url, string branch, IForge forge, CancellationToken cancellationToken) =>
        RunAsync(directory, ["push", "--quiet", "--force", url, $"HEAD:refs/heads/{branch}"], Session(forge, GitRetry.TransientTransfer), cancellationToken);

    private GitSession Session(IForge? forge, GitRetry? retry) =>
        git.Session with { AuthorizationHeader = forge?.GitAuthorizationHeader, Retry = retry };

    private async Task<string> RunAsync(string directory, IReadOnlyList<string> arguments, GitSession session, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        try
        {
            return (await git.With(session).RunAsync(directory, arguments, cancellationToken)).Trim();
        }
        catch (GitCommandException e)
        {
            throw new CiJobsException($"git {arguments[0]} failed in {directory}: {e.Detail}", ForgeExitCodes.GitTransferFailed, e);
        }
    }
}
