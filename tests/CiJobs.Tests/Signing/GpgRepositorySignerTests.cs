using CiJobs.Cli.Serving;
using CiJobs.Core;
using CiJobs.Core.Platform;
using CiJobs.Core.Signing;
using CiJobs.Core.TestRepos;
using CiJobs.Tests.Support;
using CiJobs.Tests.TestRepos;
using CliWrap;
using CliWrap.Buffered;

namespace CiJobs.Tests.Signing;

/// <summary><see cref="GpgRepositorySigner"/> and <see cref="SignatureVerifier"/> with the real gpg, gpg-agent, rpmsign,
/// rpmkeys and gpgv, on real packages and repositories (createrepo_c, apt-ftparchive), read back by apt-get over HTTP.</summary>
public sealed class GpgRepositorySignerTests(SigningKeysFixture keys, TestRepoPackagesFixture packages)
    : IClassFixture<SigningKeysFixture>, IClassFixture<TestRepoPackagesFixture>, IDisposable
{
    private readonly TempDir temp = new("signing");

    /// <summary>The temp folder the signer makes its gpg home in: short, and checked empty after each test.</summary>
    private readonly string tmp = Directory.CreateDirectory(Path.Combine("/tmp", "csg-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    public void Dispose()
    {
        temp.Dispose();
        Directory.Delete(tmp, recursive: true);
    }

    private IEnvironment Environment => new DictionaryEnvironment(new Dictionary<string, string>
    {
        ["TMPDIR"] = tmp,
        ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
    });

    private Task<GpgRepositorySigner> SignerAsync(string keyFile, string? passphraseFile = null, string? keyId = null) =>
        GpgRepositorySigner.CreateAsync(new SigningKeySource(keyFile) { PassphraseFile = passphraseFile, KeyId = keyId }, new CliWrapProcessRunner(), Environment, CancellationToken.None);

    private Task<SignatureReport> VerifyAsync(string tree, string publicKey) =>
        new SignatureVerifier(new CliWrapProcessRunner(), Environment).VerifyTreeAsync(tree, publicKey, CancellationToken.None);

    /// <summary>Signs copies of the RPMs, publishes them and the Debian package as a test repository, signs its metadata.</summary>
    private async Task<(TestRepoResult Repo, string Fingerprint)> SignedRepositoryAsync(string? baseUrl = null)
    {
        var rpms = packages.CopyOf(packages.RpmAlpha, temp.Combine("rpms"));
        packages.CopyOf(packages.RpmBeta, rpms);
        var repo = temp.Combine("root");
        await using var signer = await SignerAsync(keys.WithPassphrase.SecretKeyFile, keys.PassphraseFile);
        await signer.SignRpmPackagesAsync(Directory.GetFiles(rpms, "*.rpm"), CancellationToken.None);
        var result = await new TestRepoPublisher(new CliWrapProcessRunner())
            .PublishAsync(new TestRepoRequest([rpms, packages.Deb], repo, "signed", "bookworm") { BaseUrl = baseUrl }, CancellationToken.None);
        await signer.SignRpmRepositoryAsync(Path.Combine(result.Path, "rpm"), CancellationToken.None);
        await signer.SignDebReleaseAsync(Path.Combine(result.Path, "deb", "dists", "bookworm", "Release"), CancellationToken.None);
        File.WriteAllText(Path.Combine(result.Path, "rpm", "RPM-GPG-KEY-cijobs"), signer.PublicKeyArmored);
        File.WriteAllText(Path.Combine(result.Path, "deb", "archive-key.asc"), signer.PublicKeyArmored);
        return (result, signer.Fingerprint);
    }

    [Fact]
    public async Task Packages_repomd_and_a_Release_signed_with_a_protected_key_verify_and_apt_get_reads_the_repository_with_signed_by()
    {
        await using var server = ResultDirectoryServer.Start(Directory.CreateDirectory(temp.Combine("root")).FullName, 0);

        var (repo, fingerprint) = await SignedRepositoryAsync(server.Url);

        fingerprint.Should().Be(keys.WithPassphrase.Fingerprint);
        Directory.GetFileSystemEntries(tmp).Should().BeEmpty("the throwaway gpg home is deleted with the signer");
        var report = await VerifyAsync(repo.Path, keys.WithPassphrase.PublicKeyFile);
        report.Files.Select(f => $"{f.Kind} {f.Path} {f.Valid}").Should().Equal(
            "rpm rpm/tr-alpha-1.0-1.noarch.rpm True", "rpm rpm/tr-alpha-1.0-1.src.rpm True", "rpm rpm/tr-beta-2.0-3.noarch.rpm True", "rpm rpm/tr-beta-2.0-3.src.rpm True",
            "repomd rpm/repodata/repomd.xml.asc True", "inrelease deb/dists/bookworm/InRelease True", "release-gpg deb/dists/bookworm/Release.gpg True");
        report.Valid.Should().BeTrue();
        var inRelease = File.ReadAllText(Path.Combine(repo.Path, "deb", "dists", "bookworm", "InRelease"));
        inRelease.Should().StartWith("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n");
        File.ReadAllText(Path.Combine(repo.Path, "deb", "dists", "bookworm", "Release.gpg")).Should().StartWith("-----BEGIN PGP SIGNATURE-----");
        File.ReadAllText(Path.Combine(repo.Path, "rpm", "repodata", "repomd.xml.asc")).Should().StartWith("-----BEGIN PGP SIGNATURE-----");

        // Against another key, everything fails.
        (await VerifyAsync(repo.Path, keys.WithoutPassphrase.PublicKeyFile)).Files.Should().OnlyContain(f => !f.Valid);

        // apt, with private state and only this source, trusts the repository through signed-by alone; with another key it refuses it.
        var url = server.Url + "signed/deb";
        var good = await AptUpdateAsync("good", $"deb [signed-by={Path.Combine(repo.Path, "deb", "archive-key.asc")}] {url} bookworm main\n");
        good.ExitCode.Should().Be(0, good.StandardOutput + good.StandardError);
        good.StandardError.Should().NotContain("W: ").And.NotContain("E: ");
        var bad = await AptUpdateAsync("bad", $"deb [signed-by={keys.WithoutPassphrase.PublicKeyFile}] {url} bookworm main\n");
        (bad.StandardOutput + bad.StandardError).Should().Contain("NO_PUBKEY").And.Contain("is not signed");

        // dnf, in an install root of its own, checks repomd.xml.asc and the package signature with the published key; with another key it refuses.
        var installed = await DnfInstallAsync("good", server.Url + "signed/rpm/", Path.Combine(repo.Path, "rpm", "RPM-GPG-KEY-cijobs"));
        installed.ExitCode.Should().Be(0, installed.StandardOutput + installed.StandardError);
        File.ReadAllText(temp.Combine("dnf-good", "root", "usr", "share", "tr-alpha", "hello")).Should().Be("tr-alpha\n");
        var refused = await DnfInstallAsync("bad", server.Url + "signed/rpm/", keys.WithoutPassphrase.PublicKeyFile);
        refused.ExitCode.Should().NotBe(0, refused.StandardOutput + refused.StandardError);
        File.Exists(temp.Combine("dnf-bad", "root", "usr", "share", "tr-alpha", "hello")).Should().BeFalse();
    }

    private async Task<BufferedCommandResult> DnfInstallAsync(string name, string url, string key)
    {
        var folder = temp.Combine("dnf-" + name);
        var repos = Path.Combine(folder, "repos.d");
        Directory.CreateDirectory(repos);
        File.WriteAllText(Path.Combine(repos, "signed.repo"), $"[signed]\nname=signed\nbaseurl={url}\ngpgcheck=1\nrepo_gpgcheck=1\ngpgkey=file://{key}\n");
        return await global::CliWrap.Cli.Wrap("dnf").WithArguments(
            ["-y", "-q", $"--installroot={Path.Combine(folder, "root")}", $"--setopt=reposdir={repos}", "--releasever=9", "--repo=signed", "install", "tr-alpha"])
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
    }

    [Fact]
    public async Task A_package_signed_again_by_the_same_key_is_left_as_is()
    {
        var rpms = packages.CopyOf(packages.RpmAlpha, temp.Combine("rpms"));
        var rpm = Path.Combine(rpms, "tr-alpha-1.0-1.noarch.rpm");
        var unsigned = File.ReadAllBytes(rpm);
        await using var signer = await SignerAsync(keys.WithoutPassphrase.SecretKeyFile);

        await signer.SignRpmPackagesAsync([rpm], CancellationToken.None);
        var signed = File.ReadAllBytes(rpm);
        await signer.SignRpmPackagesAsync([rpm], CancellationToken.None);

        signed.Should().NotEqual(unsigned);
        File.ReadAllBytes(rpm).Should().Equal(signed);
        var home = signer.HomeDirectory;
        Directory.Exists(home).Should().BeTrue();
        await signer.DisposeAsync();
        Directory.Exists(home).Should().BeFalse();
        AgentsOf(home).Should().BeEmpty("gpgconf --kill all stops the agent of the throwaway home");
    }

    [Fact]
    public async Task A_byte_changed_in_a_signed_RPM_an_edited_Release_an_edited_repomd_or_a_missing_signature_fails_naming_the_file()
    {
        var (repo, _) = await SignedRepositoryAsync();
        var rpm = Path.Combine(repo.Path, "rpm", "tr-beta-2.0-3.noarch.rpm");
        var bytes = File.ReadAllBytes(rpm);
        bytes[^20] ^= 0x55;
        File.WriteAllBytes(rpm, bytes);
        File.AppendAllText(Path.Combine(repo.Path, "deb", "dists", "bookworm", "Release"), "Extra: field\n");
        var repomd = Path.Combine(repo.Path, "rpm", "repodata", "repomd.xml");
        File.WriteAllText(repomd, File.ReadAllText(repomd).Replace("<revision>", "<revision>1", StringComparison.Ordinal));

        var report = await VerifyAsync(repo.Path, keys.WithPassphrase.PublicKeyFile);

        report.Valid.Should().BeFalse();
        report.Failures.Select(f => f.Path).Should().Equal(
            "rpm/tr-beta-2.0-3.noarch.rpm", "rpm/repodata/repomd.xml.asc", "deb/dists/bookworm/InRelease", "deb/dists/bookworm/Release.gpg");
        report.Failures.First().Detail.Should().Contain("NOT OK");
        report.Failures.Single(f => f.Kind == "repomd").Detail.Should().Contain("BAD signature");
        report.Failures.Single(f => f.Kind == "inrelease").Detail.Should().Contain("differs from the Release");
        report.Failures.Single(f => f.Kind == "release-gpg").Detail.Should().Contain("BAD signature");

        File.Delete(repomd + ".asc");
        File.Delete(Path.Combine(repo.Path, "deb", "dists", "bookworm", "InRelease"));
        File.Delete(Path.Combine(repo.Path, "deb", "dists", "bookworm", "Release.gpg"));
        var unsigned = await VerifyAsync(repo.Path, keys.WithPassphrase.PublicKeyFile);
        unsigned.Failures.Where(f => f.Kind != "rpm").Select(f => $"{f.Path}: {f.Detail}").Should().Equal(
            "rpm/repodata/repomd.xml.asc: not signed: repomd.xml.asc is missing",
            "deb/dists/bookworm/Release: not signed: neither InRelease nor Release.gpg beside it");
    }

    [Fact]
    public async Task A_package_without_a_signature_fails_verification()
    {
        var tree = packages.CopyOf(packages.RpmAlpha, temp.Combine("tree"));

        var report = await VerifyAsync(tree, keys.WithPassphrase.PublicKeyFile);

        report.Failures.Select(f => f.Path).Should().Equal("tr-alpha-1.0-1.noarch.rpm", "tr-alpha-1.0-1.src.rpm");
        report.Failures.First().Detail.Should().StartWith("not signed");
    }

    [Fact]
    public async Task A_wrong_or_missing_passphrase_is_a_clear_error_and_leaves_no_gpg_home()
    {
        var wrong = temp.Write("wrong", "not the passphrase\n");

        var wrongError = await FailsAsync(() => SignerAsync(keys.WithPassphrase.SecretKeyFile, wrong), SigningExitCodes.Passphrase);
        var missingError = await FailsAsync(() => SignerAsync(keys.WithPassphrase.SecretKeyFile), SigningExitCodes.Passphrase);

        wrongError.Should().Contain("wrong passphrase").And.Contain(keys.WithPassphrase.Fingerprint);
        missingError.Should().Contain("protected by a passphrase").And.Contain("--sign-passphrase-file");
        Directory.GetFileSystemEntries(tmp).Should().BeEmpty();
        AgentsOf(tmp).Should().BeEmpty();

        // A passphrase given for a key without one does no harm.
        await using var signer = await SignerAsync(keys.WithoutPassphrase.SecretKeyFile, keys.PassphraseFile);
        signer.Fingerprint.Should().Be(keys.WithoutPassphrase.Fingerprint);
    }

    [Fact]
    public async Task A_key_file_without_a_secret_key_with_two_or_with_an_expired_one_is_refused()
    {
        var garbage = temp.Write("garbage.asc", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nAAAA\n-----END PGP PRIVATE KEY BLOCK-----\n");

        (await FailsAsync(() => SignerAsync(keys.WithPassphrase.PublicKeyFile), SigningExitCodes.InvalidKey)).Should().Contain("holds no ASCII-armoured secret key");
        (await FailsAsync(() => SignerAsync(garbage), SigningExitCodes.InvalidKey)).Should().Contain("holds no secret key");
        (await FailsAsync(() => SignerAsync(keys.TwoKeysFile, keys.PassphraseFile), SigningExitCodes.InvalidKey)).Should().Contain("holds 2 secret keys")
            .And.Contain(keys.WithPassphrase.Fingerprint).And.Contain(keys.WithoutPassphrase.Fingerprint).And.Contain("--sign-key-id");
        (await FailsAsync(() => SignerAsync(keys.Expired.SecretKeyFile), SigningExitCodes.InvalidKey)).Should().Contain("is expired");
        (await FailsAsync(() => SignerAsync(keys.TwoKeysFile, null, "0123456789ABCDEF"), SigningExitCodes.InvalidKey)).Should().Contain("matches 0 of the secret keys");
        (await FailsAsync(() => SignerAsync(keys.TwoKeysFile, null, "not-hex"), SigningExitCodes.InvalidKey)).Should().Contain("invalid --sign-key-id");
        Directory.GetFileSystemEntries(tmp).Should().BeEmpty();

        await using var chosen = await SignerAsync(keys.TwoKeysFile, null, "0x" + keys.WithoutPassphrase.Fingerprint[^16..].ToLowerInvariant());
        chosen.Fingerprint.Should().Be(keys.WithoutPassphrase.Fingerprint);
    }

    [Fact]
    public async Task Key_and_passphrase_files_must_be_regular_files_of_a_bounded_size()
    {
        var fifo = temp.Combine("fifo");
        (await global::CliWrap.Cli.Wrap("mkfifo").WithArguments([fifo]).ExecuteBufferedAsync()).ExitCode.Should().Be(0);
        var large = temp.Write("large.asc", SigningSecrets.SecretKeyHeader + "\n" + new string('A', SigningSecrets.MaxKeyFileBytes));
        var link = temp.Combine("link.asc");
        File.CreateSymbolicLink(link, keys.WithoutPassphrase.SecretKeyFile);
        var twoLines = temp.Write("two-lines", "one\ntwo\n");
        var longPassphrase = temp.Write("long", new string('p', SigningSecrets.MaxPassphraseBytes + 1) + "\n");

        (await FailsAsync(() => SignerAsync(fifo), SigningExitCodes.InvalidKey)).Should().Contain("is not a regular file");
        (await FailsAsync(() => SignerAsync(temp.Path), SigningExitCodes.InvalidKey)).Should().Contain("is not a regular file");
        (await FailsAsync(() => SignerAsync(temp.Combine("missing")), SigningExitCodes.InvalidKey)).Should().Contain("does not exist");
        (await FailsAsync(() => SignerAsync(large), SigningExitCodes.InvalidKey)).Should().Contain("is larger than 1024 KiB");
        (await FailsAsync(() => SignerAsync(keys.WithPassphrase.SecretKeyFile, fifo), SigningExitCodes.Passphrase)).Should().Contain("is not a regular file");
        (await FailsAsync(() => SignerAsync(keys.WithPassphrase.SecretKeyFile, twoLines), SigningExitCodes.Passphrase)).Should().Contain("more than one line");
        (await FailsAsync(() => SignerAsync(keys.WithPassphrase.SecretKeyFile, longPassphrase), SigningExitCodes.Passphrase)).Should().Contain("longer than 499 bytes");
        Directory.GetFileSystemEntries(tmp).Should().BeEmpty();

        await using var signer = await SignerAsync(link);
        signer.Fingerprint.Should().Be(keys.WithoutPassphrase.Fingerprint, "a link to a regular file is read (a GitLab File variable may be one)");
    }

    [Fact]
    public async Task A_link_leading_out_of_the_tree_and_a_control_character_in_a_name_are_refused_and_a_link_inside_is_skipped()
    {
        var tree = packages.CopyOf(packages.RpmAlpha, temp.Combine("tree"));
        await using (var signer = await SignerAsync(keys.WithoutPassphrase.SecretKeyFile))
        {
            await signer.SignRpmPackagesAsync(Directory.GetFiles(tree), CancellationToken.None);
        }

        File.CreateSymbolicLink(Path.Combine(tree, "inside.rpm"), "tr-alpha-1.0-1.noarch.rpm");
        (await VerifyAsync(tree, keys.WithoutPassphrase.PublicKeyFile)).Files.Select(f => f.Path).Should().Equal("tr-alpha-1.0-1.noarch.rpm", "tr-alpha-1.0-1.src.rpm");

        File.CreateSymbolicLink(Path.Combine(tree, "outside"), packages.RpmBeta);
        (await FailsAsync(() => VerifyAsync(tree, keys.WithoutPassphrase.PublicKeyFile), SigningExitCodes.UnsafeInput)).Should().Contain("outside is a symbolic link leading outside the tree");
        File.Delete(Path.Combine(tree, "outside"));

        File.WriteAllText(Path.Combine(tree, "bad\nname.rpm"), "x");
        (await FailsAsync(() => VerifyAsync(tree, keys.WithoutPassphrase.PublicKeyFile), SigningExitCodes.UnsafeInput)).Should().Contain("unsafe file name").And.Contain("bad\\x0aname.rpm");
        await using var again = await SignerAsync(keys.WithoutPassphrase.SecretKeyFile);
        (await FailsAsync(() => again.SignRpmPackagesAsync([Path.Combine(tree, "inside.rpm")], CancellationToken.None), SigningExitCodes.UnsafeInput)).Should().Contain("is not a regular file");
        (await FailsAsync(() => again.SignRpmPackagesAsync([Path.Combine(tree, "missing.rpm")], CancellationToken.None), SigningExitCodes.UnsafeInput)).Should().Contain("does not exist");
    }

    private static async Task<string> FailsAsync(Func<Task> action, int exitCode)
    {
        var error = (await action.Should().ThrowAsync<CiJobsException>()).Which;
        error.ExitCode.Should().Be(exitCode, error.Message);
        return error.Message;
    }

    /// <summary>The gpg-agent processes whose command line names <paramref name="path"/> (their home or a parent of it).</summary>
    internal static IReadOnlyList<string> AgentsOf(string path) =>
        [.. ProcessWatcher.CommandLines().Where(c => c.Contains("gpg-agent", StringComparison.Ordinal) && c.Contains(path, StringComparison.Ordinal))];

    private async Task<BufferedCommandResult> AptUpdateAsync(string name, string sources)
    {
        var state = temp.Combine("apt-" + name);
        foreach (var folder in new[] { "lists/partial", "cache/archives/partial", "etc/preferences.d", "etc/sources.list.d", "etc/trusted.gpg.d" })
        {
            Directory.CreateDirectory(Path.Combine(state, folder));
        }

        var list = Path.Combine(state, "sources.list");
        File.WriteAllText(list, sources);
        return await global::CliWrap.Cli.Wrap("apt-get").WithArguments(
        [
            "-o", $"Dir::Etc::SourceList={list}", "-o", $"Dir::Etc::SourceParts={state}/etc/sources.list.d",
            "-o", $"Dir::State::Lists={state}/lists", "-o", $"Dir::Cache={state}/cache", "-o", $"Dir::Etc::PreferencesParts={state}/etc/preferences.d",
            "-o", $"Dir::Etc::Trusted={state}/etc/trusted.gpg", "-o", $"Dir::Etc::TrustedParts={state}/etc/trusted.gpg.d",
            "-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root", "update",
        ]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
    }
}
