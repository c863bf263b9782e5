using CiJobs.Core;
using CiJobs.Core.Forges;
using CiJobs.Core.Forges.GitLab;
using CiJobs.Core.Forges.Mirroring;
using CiJobs.Core.Platform;
using CiJobs.Tests.Git;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Forges;

/// <summary>The mirroring's git transfers: exit code, redaction and push retries come from the one git wrapper.</summary>
public sealed class MirrorGitTests
{
    private const string Token = "glpat-mirror-s3cret-token";

    private static GitLabClient Forge() => new(ForgeHttp.CreateClient(GitLabClient.ApiRoot("http://127.0.0.1:9")), Token);

    [Fact]
    public async Task A_failed_push_to_a_server_echoing_the_credentials_names_neither_header_nor_token()
    {
        await using var server = new EchoingGitServer();
        using var dir = new TempDir("mirrorgit");
        var repo = await TestGit.InitAsync(dir.Combine("repo"));
        await repo.CommitAsync("one", new Dictionary<string, string> { ["a"] = "a" });
        var forge = Forge();
        var header = forge.GitAuthorizationHeader!;

        var act = () => new MirrorGit(new CliWrapProcessRunner()).RunAsync(repo.Directory, ["push", server.Url, "HEAD:refs/heads/main"], forge, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(ForgeExitCodes.GitTransferFailed);
        error.Message.Should().StartWith($"git push failed in {repo.Directory}: ");
        var credential = header["Authorization: Basic ".Length..];
        foreach (var secret in new[] { header, credential, Token })
        {
            error.ToString().Should().NotContain(secret);
        }
    }

    [Fact]
    public async Task A_force_push_is_retried_when_the_ref_lock_was_lost_but_not_when_authentication_failed()
    {
        using var dir = new TempDir("mirrorgit");
        var lockLost = new RecordingProcessRunner(
            RecordingProcessRunner.Failed(" ! [remote rejected] HEAD -> mr (cannot lock ref 'refs/heads/mr': reference already exists)"),
            RecordingProcessRunner.Ok());
        var refused = new RecordingProcessRunner(RecordingProcessRunner.Failed("fatal: Authentication failed for 'http://127.0.0.1/r.git/'", 128));

        await new MirrorGit(lockLost).ForcePushAsync(dir.Path, "http://127.0.0.1/r.git", "mr", Forge(), CancellationToken.None);
        var act = () => new MirrorGit(refused).ForcePushAsync(dir.Path, "http://127.0.0.1/r.git", "mr", Forge(), CancellationToken.None);

        (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(ForgeExitCodes.GitTransferFailed);
        lockLost.Started.Should().HaveCount(2);
        refused.Started.Should().ContainSingle("an authentication failure does not pass on a second try");
        lockLost.Started.Concat(refused.Started).SelectMany(s => s.Arguments).Should().NotContain(a => a.Contains(Token, StringComparison.Ordinal));
    }
}
