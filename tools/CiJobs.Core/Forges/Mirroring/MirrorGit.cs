using CiJobs.Core.Git;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Forges.Mirroring;

/// <summary>
/// The git transfers of the mirroring (clone, fetch, push) in a throw-away workspace. The forge token reaches git
/// only as an <c>http.extraHeader</c> through <c>GIT_CONFIG_*</c> variables: never on a command line, never in a message.
/// </summary>
public sealed class MirrorGit(IProcessRunner runner)
{
    public const string BotName = GitCli.BotName;
    public const string BotEmail = GitCli.BotEmail;

    public async Task<string> RunAsync(string directory, IReadOnlyList<string> arguments, IForge? forge, CancellationToken cancellationToken)
    {
        var header = forge?.GitAuthorizationHeader;
        var environment = GitCli.BotEnvironment(header);

        Directory.CreateDirectory(directory);
        var result = await runner.RunAsync(new ProcessSpec("git", arguments) { WorkingDirectory = directory, Environment = environment }, cancellationToken);
        if (!result.Succeeded)
        {
            var detail = result.StandardError.Trim();
            if (header is not null)
            {
                detail = detail.Replace(header, "***", StringComparison.Ordinal);
            }

            throw new CiJobsException($"git {arguments[0]} failed in {directory}: {(detail.Length > 0 ? detail : $"exit {result.ExitCode}")}", ForgeExitCodes.GitTransferFailed);
        }

        return result.StandardOutput.Trim();
    }

    public async Task<bool> RemoteBranchExistsAsync(string directory, string url, string branch, IForge forge, CancellationToken cancellationToken)
    {
        var output = await RunAsync(directory, ["ls-remote", "--heads", url, $"refs/heads/{branch}"], forge, cancellationToken);
        return output.Length > 0;
    }

    /// <summary>Force-pushes; retried because concurrent pushes to one ref can lose the ref lock.</summary>
    public async Task ForcePushAsync(string directory, string url, string branch, IForge forge, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RunAsync(directory, ["push", "--quiet", "--force", url, $"HEAD:refs/heads/{branch}"], forge, cancellationToken);
                return;
            }
            catch (CiJobsException) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
        }
    }
}
