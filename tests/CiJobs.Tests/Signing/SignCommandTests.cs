using System.Text;
using System.Text.Json;
using CiJobs.Core.Signing;
using CiJobs.Tests.Builds;
using CiJobs.Tests.Support;
using CiJobs.Tests.TestRepos;

namespace CiJobs.Tests.Signing;

/// <summary><c>cijobs sign</c> as a process: packages, repo and verify on a real tree, with the key and passphrase
/// from files named by environment variables, while every process's command line and environment is watched.</summary>
[Trait("Runs", "cijobs")]
public sealed class SignCommandTests(SigningKeysFixture keys, TestRepoPackagesFixture packages)
    : IClassFixture<SigningKeysFixture>, IClassFixture<TestRepoPackagesFixture>, IDisposable
{
    private readonly TempDir temp = new("sign-cli");

    /// <summary>The job's temp folder (TMPDIR of cijobs): short, so the gpg home goes there, and grepped after.</summary>
    private readonly string tmp = Directory.CreateDirectory(Path.Combine("/tmp", "csc-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    public void Dispose()
    {
        temp.Dispose();
        Directory.Delete(tmp, recursive: true);
    }

    private Dictionary<string, string?> Environment(TestKey key, bool passphrase) => new()
    {
        ["TMPDIR"] = tmp,
        ["CIJOBS_SIGN_KEY_FILE"] = key.SecretKeyFile,
        ["CIJOBS_SIGN_PASSPHRASE_FILE"] = passphrase ? keys.PassphraseFile : null,
        ["CIJOBS_SIGN_KEY_ID"] = null,
    };

    /// <summary>An RPM repository (signed packages, createrepo_c) and an APT repository (apt-ftparchive), unsigned metadata.</summary>
    private async Task<(string Tree, string[] Rpms)> TreeAsync(Dictionary<string, string?> environment)
    {
        var tree = temp.Combine("tree");
        var rpms = packages.CopyOf(packages.RpmAlpha, Path.Combine(tree, "rpm", "Packages"));
        var files = Directory.GetFiles(rpms, "*.rpm").Order(StringComparer.Ordinal).ToArray();
        var signed = await CliRunner.RunAsync(["sign", "packages", .. files], environment: environment);
        signed.ExitCode.Should().Be(0, signed.ToString());
        signed.StandardOutput.Should().Be(string.Concat(files.Select(f => $"signed {f}\n")) + $"key {keys.WithPassphrase.Fingerprint}\n");
        await BuildPaths.RunAsync("createrepo_c", ["--quiet", Path.Combine(tree, "rpm")]);

        var deb = Path.Combine(tree, "deb");
        packages.CopyOf(packages.Deb, Path.Combine(deb, "pool", "main"));
        Directory.CreateDirectory(Path.Combine(deb, "dists", "bookworm", "main", "binary-all"));
        File.WriteAllText(Path.Combine(deb, "dists", "bookworm", "main", "binary-all", "Packages"), await BuildPaths.RunAsync("apt-ftparchive", ["packages", "pool/main"], deb));
        var release = await BuildPaths.RunAsync("apt-ftparchive", ["-o", "APT::FTPArchive::Release::Codename=bookworm", "release", "dists/bookworm"], deb);
        File.WriteAllText(Path.Combine(deb, "dists", "bookworm", "Release"), release);
        return (tree, files);
    }

    [Fact]
    public async Task Neither_the_key_nor_the_passphrase_appears_in_any_command_line_environment_output_or_file_and_the_gpg_home_is_gone()
    {
        var environment = Environment(keys.WithPassphrase, passphrase: true);
        var secrets = keys.WithPassphrase.SecretLines().Append(SigningKeysFixture.Passphrase).ToList();
        secrets.Should().HaveCountGreaterThan(3);
        CliResult repo;
        CliResult verify;
        string tree;
        await using (var watcher = new ProcessWatcher(secrets))
        {
            (tree, _) = await TreeAsync(environment);
            repo = await CliRunner.RunAsync(["sign", "repo", tree], environment: environment);
            verify = await CliRunner.RunAsync(["sign", "verify", tree, "--public-key", Path.Combine(tree, "RPM-GPG-KEY-cijobs")], environment: environment);
            await Task.Delay(50);
            await watcher.DisposeAsync();

            watcher.Hits.Should().BeEmpty();
            watcher.Rounds.Should().BeGreaterThan(10);
            watcher.Seen.Should().Contain(c => c.StartsWith("rpmsign --addsign", StringComparison.Ordinal), "the watcher saw rpmsign run");
            // The watcher polls, so a process of a few milliseconds (gpg-preset-passphrase, gpg --clearsign under the Native
            // AOT build) may fall between two rounds: the throwaway home's agent lives through the signing and is always
            // seen, and at least one of the short steps must be.
            watcher.Seen.Should().Contain(c => c.StartsWith("gpg-agent", StringComparison.Ordinal) && c.Contains(tmp, StringComparison.Ordinal), "the watcher saw the throwaway home's agent");
            watcher.Seen.Should().Contain(
                c => (c.Contains("gpg-preset-passphrase", StringComparison.Ordinal) && c.Contains(tmp, StringComparison.Ordinal)) || c.Contains("--clearsign", StringComparison.Ordinal) || c.Contains("--detach-sign", StringComparison.Ordinal),
                "the watcher saw a signing step");
        }

        repo.ExitCode.Should().Be(0, repo.ToString());
        repo.StandardOutput.Should().Be(
            "signed rpm/repodata/repomd.xml.asc\nsigned deb/dists/bookworm/InRelease\nsigned deb/dists/bookworm/Release.gpg\n" +
            $"public key RPM-GPG-KEY-cijobs\npublic key archive-key.asc\nkey {keys.WithPassphrase.Fingerprint}\n");
        File.ReadAllText(Path.Combine(tree, "archive-key.asc")).Should().Be(File.ReadAllText(Path.Combine(tree, "RPM-GPG-KEY-cijobs"))).And.StartWith(SigningSecrets.PublicKeyHeader);
        verify.ExitCode.Should().Be(0, verify.ToString());
        verify.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(5).And.OnlyContain(l => l.StartsWith("OK   ", StringComparison.Ordinal));

        foreach (var secret in secrets)
        {
            (repo.StandardOutput + repo.StandardError + verify.StandardOutput + verify.StandardError).Should().NotContain(secret);
        }

        var written = Directory.GetFiles(tree, "*", SearchOption.AllDirectories).Concat(Directory.GetFiles(tmp, "*", SearchOption.AllDirectories)).ToList();
        written.Should().Contain(f => f.EndsWith("InRelease", StringComparison.Ordinal));
        foreach (var file in written)
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var secret in secrets)
            {
                bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)).Should().Be(-1, $"{file} must not hold '{secret}'");
            }
        }

        Directory.GetFileSystemEntries(tmp).Should().BeEmpty("every throwaway gpg home is deleted");
        GpgRepositorySignerTests.AgentsOf(tmp).Should().BeEmpty("no gpg-agent of a throwaway home is left running");
    }

    [Fact]
    public async Task Verify_prints_json_and_exits_with_its_own_code_naming_a_tampered_file()
    {
        var environment = Environment(keys.WithoutPassphrase, passphrase: false);
        environment["CIJOBS_SIGN_KEY_FILE"] = keys.TwoKeysFile;
        environment["CIJOBS_SIGN_KEY_ID"] = keys.WithoutPassphrase.Fingerprint;
        var rpms = packages.CopyOf(packages.RpmAlpha, temp.Combine("tree"));
        var signed = await CliRunner.RunAsync(["sign", "packages", .. Directory.GetFiles(rpms, "*.rpm")], environment: environment);
        signed.ExitCode.Should().Be(0, signed.ToString());
        var rpm = Path.Combine(rpms, "tr-alpha-1.0-1.src.rpm");
        var bytes = File.ReadAllBytes(rpm);
        bytes[^10] ^= 0x01;
        File.WriteAllBytes(rpm, bytes);

        var verify = await CliRunner.RunAsync(["sign", "verify", rpms, "--public-key", keys.WithoutPassphrase.PublicKeyFile, "--format", "json"]);

        verify.ExitCode.Should().Be(SigningExitCodes.VerificationFailed, verify.ToString());
        verify.StandardError.Should().StartWith("cijobs: error: bad signature: tr-alpha-1.0-1.src.rpm: rpmkeys:").And.Contain("NOT OK");
        using var json = JsonDocument.Parse(verify.StandardOutput);
        json.RootElement.GetProperty("valid").GetBoolean().Should().BeFalse();
        json.RootElement.GetProperty("public_key_file").GetString().Should().Be(keys.WithoutPassphrase.PublicKeyFile);
        json.RootElement.GetProperty("files").EnumerateArray().Select(f => $"{f.GetProperty("path").GetString()} {f.GetProperty("kind").GetString()} {f.GetProperty("valid").GetBoolean()}")
            .Should().Equal("tr-alpha-1.0-1.noarch.rpm rpm True", "tr-alpha-1.0-1.src.rpm rpm False");
        Directory.GetFileSystemEntries(tmp).Should().BeEmpty();
    }

    [Fact]
    public async Task Without_a_key_signing_fails_with_its_code_and_help_explains_the_options()
    {
        var tree = packages.CopyOf(packages.RpmAlpha, temp.Combine("tree"));
        var noKey = await CliRunner.RunAsync(["sign", "packages", Path.Combine(tree, "tr-alpha-1.0-1.noarch.rpm")], environment: new Dictionary<string, string?> { ["CIJOBS_SIGN_KEY_FILE"] = null });
        var help = await CliRunner.RunAsync("sign", "repo", "--help");

        noKey.ExitCode.Should().Be(SigningExitCodes.InvalidKey, noKey.ToString());
        noKey.StandardError.Should().Be("cijobs: error: no signing key: give --sign-key-file (or CIJOBS_SIGN_KEY_FILE)\n");
        help.ExitCode.Should().Be(0);
        help.StandardOutput.Should().Contain("--sign-key-file").And.Contain("--sign-passphrase-file").And.Contain("--sign-key-id")
            .And.Contain("CIJOBS_SIGN_PASSPHRASE_FILE").And.Contain("InRelease").And.Contain("repomd.xml.asc");
    }
}
