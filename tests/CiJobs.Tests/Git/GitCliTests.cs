using System.Text;
using CiJobs.Core.Git;
using CiJobs.Core.Platform;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Git;

public sealed class GitCliTests
{
    private const string Token = "glpat-s3cret-git-cli-token";
    private static readonly string Credential = Convert.ToBase64String(Encoding.UTF8.GetBytes("oauth2:" + Token));
    private static readonly string Header = "Authorization: Basic " + Credential;
    private static readonly DateTimeOffset Date = new(2026, 3, 14, 15, 9, 26, TimeSpan.Zero);

    private static readonly string[] SecretForms = [Header, "Basic " + Credential, Credential, "oauth2:" + Token, Token];

    [Fact]
    public async Task A_failing_push_to_a_server_that_echoes_the_header_reports_neither_header_nor_token()
    {
        await using var server = new EchoingGitServer();
        using var dir = new TempDir("gitcli");
        var repo = await TestGit.InitAsync(dir.Combine("repo"));
        await repo.CommitAsync("one", new Dictionary<string, string> { ["a"] = "a" });
        var git = new GitCli(new CliWrapProcessRunner(), new GitSession { AuthorizationHeader = Header });

        var act = () => git.RunAsync(repo.Directory, ["push", server.Url, "HEAD:refs/heads/main"], CancellationToken.None);

        var error = (await act.Should().ThrowAsync<GitCommandException>()).Which;
        server.Requests.Should().BePositive();
        error.StandardError.Should().Contain("you sent ***", "git printed what the server echoed, redacted");
        foreach (var secret in SecretForms)
        {
            error.Message.Should().NotContain(secret);
            error.StandardError.Should().NotContain(secret);
            error.ToString().Should().NotContain(secret);
        }

        var unchecked_ = await git.RunUncheckedAsync(repo.Directory, ["push", server.Url, "HEAD:refs/heads/main"], CancellationToken.None);
        unchecked_.Succeeded.Should().BeFalse();
        foreach (var secret in SecretForms)
        {
            (unchecked_.StandardError + unchecked_.StandardOutput).Should().NotContain(secret);
        }
    }

    [Fact]
    public async Task The_header_reaches_git_only_through_GIT_CONFIG_variables_never_the_command_line()
    {
        var runner = new RecordingProcessRunner(RecordingProcessRunner.Failed($"fatal: unable to access: {Header} {Token}", 128));
        var git = new GitCli(runner, new GitSession { AuthorizationHeader = Header });

        var act = () => git.RunAsync("/tmp", ["push", "http://127.0.0.1:9/x.git", "HEAD:refs/heads/main"], CancellationToken.None);

        var error = (await act.Should().ThrowAsync<GitCommandException>()).Which;
        error.GitExitCode.Should().Be(128);
        var spec = runner.Started.Should().ContainSingle().Subject;
        spec.FileName.Should().Be("git");
        spec.Arguments.Should().NotContain(a => SecretForms.Any(s => a.Contains(s, StringComparison.Ordinal)));
        spec.Environment["GIT_CONFIG_COUNT"].Should().Be("1");
        spec.Environment["GIT_CONFIG_KEY_0"].Should().Be("http.extraHeader");
        spec.Environment["GIT_CONFIG_VALUE_0"].Should().Be(Header);
        spec.Environment.Where(e => e.Key != "GIT_CONFIG_VALUE_0").Should().NotContain(e => e.Value != null && e.Value.Contains(Token, StringComparison.Ordinal));
        foreach (var secret in SecretForms)
        {
            error.Message.Should().NotContain(secret);
            error.StandardError.Should().NotContain(secret);
        }
    }

    [Fact]
    public async Task An_argument_holding_the_token_is_refused_before_git_starts()
    {
        var runner = new RecordingProcessRunner();
        var git = new GitCli(runner, new GitSession { AuthorizationHeader = Header });

        var act = () => git.RunAsync("/tmp", ["push", $"https://oauth2:{Token}@127.0.0.1/x.git"], CancellationToken.None);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().NotContain(Token);
        runner.Started.Should().BeEmpty();
    }

    [Fact]
    public async Task The_session_sets_identity_date_and_ssh_command_on_top_of_the_quiet_environment()
    {
        var runner = new RecordingProcessRunner();
        var git = new GitCli(runner, new GitSession
        {
            Identity = new GitIdentity("Config Bot", "bot@example.org"),
            CommitDate = Date,
            SshKeyFile = "/home/bot/.ssh/id_ed25519",
        });

        await git.RunAsync("/tmp", ["commit", "-m", "x"], CancellationToken.None);

        var environment = runner.Started.Should().ContainSingle().Subject.Environment;
        environment["GIT_TERMINAL_PROMPT"].Should().Be("0");
        environment["GIT_CONFIG_NOSYSTEM"].Should().Be("1");
        environment["LC_ALL"].Should().Be("C");
        environment["GIT_AUTHOR_NAME"].Should().Be("Config Bot");
        environment["GIT_COMMITTER_NAME"].Should().Be("Config Bot");
        environment["GIT_AUTHOR_EMAIL"].Should().Be("bot@example.org");
        environment["GIT_COMMITTER_EMAIL"].Should().Be("bot@example.org");
        environment["GIT_AUTHOR_DATE"].Should().Be($"{Date.ToUnixTimeSeconds()} +0000");
        environment["GIT_COMMITTER_DATE"].Should().Be($"{Date.ToUnixTimeSeconds()} +0000");
        environment["GIT_SSH_COMMAND"].Should().Be("ssh -i '/home/bot/.ssh/id_ed25519' -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new");
        environment.Should().NotContainKey("GIT_CONFIG_COUNT");
    }

    [Fact]
    public async Task Without_options_git_gets_only_the_quiet_environment()
    {
        var runner = new RecordingProcessRunner();

        await new GitCli(runner).RunAsync("/tmp", ["status"], CancellationToken.None);

        runner.Started.Single().Environment.Keys.Should().BeEquivalentTo("GIT_TERMINAL_PROMPT", "GIT_CONFIG_NOSYSTEM", "LC_ALL");
    }

    [Fact]
    public async Task A_commit_in_a_real_repository_carries_the_session_identity_and_date()
    {
        using var dir = new TempDir("gitcli");
        var repo = await TestGit.InitAsync(dir.Combine("repo"));
        await File.WriteAllTextAsync(Path.Combine(repo.Directory, "file"), "content\n");
        var git = new GitCli(new CliWrapProcessRunner(), new GitSession { Identity = new GitIdentity("Config Bot", "bot@example.org"), CommitDate = Date });

        await git.RunAsync(repo.Directory, ["add", "file"], CancellationToken.None);
        await git.RunAsync(repo.Directory, ["commit", "--quiet", "-F", "-"], CancellationToken.None, standardInput: "Fixed\n");

        var log = await repo.RunAsync("log", "-1", "--format=%an|%ae|%cn|%ce|%at|%ct|%s");
        log.Should().Be($"Config Bot|bot@example.org|Config Bot|bot@example.org|{Date.ToUnixTimeSeconds()}|{Date.ToUnixTimeSeconds()}|Fixed");
    }

    [Theory]
    [InlineData("/keys/it's")]
    [InlineData("/keys/\"id\"")]
    [InlineData("/keys/id\n-o ProxyCommand=x")]
    [InlineData("/keys/id\r")]
    [InlineData("/keys/`id`")]
    [InlineData("/keys/a\\b")]
    [InlineData("")]
    public void An_ssh_key_path_with_quotes_or_line_breaks_is_refused_not_stripped(string path)
    {
        GitSession.IsSafeSshKeyFile(path).Should().BeFalse();
        FluentActions.Invoking(() => new GitSession { SshKeyFile = path }).Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("error: cannot lock ref 'refs/heads/mr-1': is at 1234 but expected 5678")]
    [InlineData("To http://h/r.git\n ! [remote rejected] HEAD -> mr-1 (failed to update ref)\nerror: failed to push some refs")]
    [InlineData("error: Unable to lock ref 'refs/heads/x'")]
    [InlineData("fatal: the remote end hung up unexpectedly")]
    public async Task A_transient_failure_is_retried_until_it_passes(string standardError)
    {
        var runner = new RecordingProcessRunner(RecordingProcessRunner.Failed(standardError), RecordingProcessRunner.Failed(standardError), RecordingProcessRunner.Ok("done"));
        var git = new GitCli(runner, new GitSession { Retry = new GitRetry(5, TimeSpan.Zero) });

        (await git.RunAsync("/tmp", ["push", "origin", "HEAD"], CancellationToken.None)).Should().Be("done");

        runner.Started.Should().HaveCount(3);
    }

    [Theory]
    [InlineData("remote: HTTP Basic: Access denied\nfatal: Authentication failed for 'http://127.0.0.1/r.git/'")]
    [InlineData("fatal: unable to access 'http://127.0.0.1/r.git/': The requested URL returned error: 403")]
    [InlineData(" ! [rejected]        HEAD -> main (non-fast-forward)\nerror: failed to push some refs")]
    [InlineData(" ! [rejected]        HEAD -> main (fetch first)\nerror: failed to push some refs")]
    [InlineData("error: RPC failed; HTTP 401 curl 22\nfatal: the remote end hung up unexpectedly")]
    [InlineData("fatal: could not read Username for 'https://h': terminal prompts disabled")]
    [InlineData("fatal: repository 'http://127.0.0.1/r.git/' not found")]
    public async Task A_permanent_failure_is_not_retried(string standardError)
    {
        var runner = new RecordingProcessRunner(RecordingProcessRunner.Failed(standardError, 128), RecordingProcessRunner.Ok());
        var git = new GitCli(runner, new GitSession { Retry = new GitRetry(5, TimeSpan.Zero) });

        var act = () => git.RunAsync("/tmp", ["push", "origin", "HEAD"], CancellationToken.None);

        (await act.Should().ThrowAsync<GitCommandException>()).Which.GitExitCode.Should().Be(128);
        runner.Started.Should().ContainSingle();
    }

    [Fact]
    public async Task Retries_stop_after_the_attempts_and_without_a_retry_option_there_are_none()
    {
        var lockLost = RecordingProcessRunner.Failed("error: cannot lock ref 'refs/heads/x'");
        var retried = new RecordingProcessRunner(lockLost);
        var once = new RecordingProcessRunner(lockLost);

        var retrying = () => new GitCli(retried, new GitSession { Retry = new GitRetry(3, TimeSpan.Zero) }).RunAsync("/tmp", ["push"], CancellationToken.None);
        var plain = () => new GitCli(once).RunAsync("/tmp", ["push"], CancellationToken.None);

        (await retrying.Should().ThrowAsync<GitCommandException>()).Which.Message.Should().Contain("cannot lock ref");
        await plain.Should().ThrowAsync<GitCommandException>();
        retried.Started.Should().HaveCount(3);
        once.Started.Should().ContainSingle();
    }
}
