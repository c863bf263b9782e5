using CiJobs.Tests.Support;
using CliWrap;
using CliWrap.Buffered;

namespace CiJobs.Tests.Signing;

/// <summary>
/// Throwaway OpenPGP keys, made once per test class with the real gpg (ed25519, fast): one protected by a passphrase,
/// one without, one expired (made with a faked clock in 2020, valid one day), a file holding two secret keys and a
/// file holding only a public key. Key generation runs in a gpg home of its own with a short path, deleted after.
/// </summary>
public sealed class SigningKeysFixture : IAsyncLifetime
{
    public const string Passphrase = "correct horse 7 battery staple";

    private readonly TempDir temp = new("signing-keys");
    private readonly string home = Path.Combine("/tmp", "cst-" + Guid.NewGuid().ToString("N")[..8]);

    public TestKey WithPassphrase { get; private set; } = null!;

    public TestKey WithoutPassphrase { get; private set; } = null!;

    public TestKey Expired { get; private set; } = null!;

    /// <summary>The passphrase, in a file with a final line break (as a secret file usually has).</summary>
    public string PassphraseFile => temp.Combine("passphrase");

    /// <summary>A key file holding the secret keys of <see cref="WithPassphrase"/> and <see cref="WithoutPassphrase"/>.</summary>
    public string TwoKeysFile => temp.Combine("two-keys.asc");

    public string Combine(params string[] parts) => temp.Combine(parts);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(home);
        File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(PassphraseFile, Passphrase + "\n");
        WithPassphrase = await GenerateAsync("pass", "CiJobs Test Pass <pass@example.org>", Passphrase, []);
        WithoutPassphrase = await GenerateAsync("plain", "CiJobs Test Plain <plain@example.org>", string.Empty, []);
        Expired = await GenerateAsync("expired", "CiJobs Test Expired <expired@example.org>", string.Empty, ["--faked-system-time", "20200101T000000"], "1d");
        File.WriteAllText(TwoKeysFile, File.ReadAllText(WithPassphrase.SecretKeyFile) + File.ReadAllText(WithoutPassphrase.SecretKeyFile));
    }

    public async Task DisposeAsync()
    {
        await global::CliWrap.Cli.Wrap("gpgconf").WithArguments(["--homedir", home, "--kill", "all"]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        Directory.Delete(home, recursive: true);
        temp.Dispose();
    }

    private async Task<TestKey> GenerateAsync(string name, string uid, string passphrase, string[] extra, string expire = "0")
    {
        await GpgAsync(passphrase, [.. extra, "--pinentry-mode", "loopback", "--passphrase-fd", "0", "--quick-gen-key", uid, "ed25519", "sign", expire]);
        var listing = await GpgAsync(null, ["--with-colons", "--list-secret-keys", uid]);
        var fingerprint = listing.Split('\n').First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
        var secret = temp.Write($"{name}.secret.asc", await GpgAsync(passphrase, ["--pinentry-mode", "loopback", "--passphrase-fd", "0", "--armor", "--export-secret-keys", fingerprint]));
        var publicKey = temp.Write($"{name}.public.asc", await GpgAsync(null, ["--armor", "--export", fingerprint]));
        return new TestKey(fingerprint, secret, publicKey);
    }

    private async Task<string> GpgAsync(string? standardInput, string[] arguments)
    {
        var command = global::CliWrap.Cli.Wrap("gpg").WithArguments(["--homedir", home, "--batch", "--no-tty", .. arguments]).WithValidation(CommandResultValidation.None);
        if (standardInput is not null)
        {
            command = command.WithStandardInputPipe(PipeSource.FromString(standardInput + "\n"));
        }

        var result = await command.ExecuteBufferedAsync();
        return result.ExitCode == 0 ? result.StandardOutput
            : throw new InvalidOperationException($"gpg {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.StandardError}");
    }
}

/// <summary>A generated key: its fingerprint and its armoured secret and public key files.</summary>
public sealed record TestKey(string Fingerprint, string SecretKeyFile, string PublicKeyFile)
{
    /// <summary>The base64 lines of the armoured secret key that are secret: a line of the public key (the secret key
    /// packet starts with the public key) is published on purpose and left out; so are the checksum and short lines.</summary>
    public IReadOnlyList<string> SecretLines()
    {
        var publicText = File.ReadAllText(PublicKeyFile);
        return [.. File.ReadAllLines(SecretKeyFile)
            .Where(l => l.Length >= 40 && !l.StartsWith("-----", StringComparison.Ordinal) && !l.StartsWith('='))
            .Where(l => !publicText.Contains(l[4..^4], StringComparison.Ordinal))];
    }
}
