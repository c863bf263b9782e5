using System.Text;
using CiJobs.Core.Platform;
using CiJobs.Core.Rdoinfo;

namespace CiJobs.Core.Signing;

/// <summary>Where the signing key comes from: an ASCII-armoured secret key file, an optional passphrase file and an
/// optional key id (fingerprint or long key id) choosing among several secret keys. docs/manual/signing.md.</summary>
public sealed record SigningKeySource(string KeyFile)
{
    public string? PassphraseFile { get; init; }

    public string? KeyId { get; init; }
}

/// <summary>Reads the secret files: regular files (through symlinks), bounded in size, read once and never echoed.</summary>
public static class SigningSecrets
{
    /// <summary>Largest key file read (1 MiB): an armoured key is a few KiB.</summary>
    public const int MaxKeyFileBytes = 1024 * 1024;

    /// <summary>Largest passphrase file read (64 KiB).</summary>
    public const int MaxPassphraseFileBytes = 64 * 1024;

    /// <summary>Longest passphrase, in UTF-8 bytes: gpg-preset-passphrase reads at most 499 bytes from standard input and
    /// would cut a longer one silently (docs/manual/signing.md, "The passphrase").</summary>
    public const int MaxPassphraseBytes = 499;

    public const string SecretKeyHeader = "-----BEGIN PGP PRIVATE KEY BLOCK-----";

    public const string PublicKeyHeader = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

    public static async Task<string> ReadKeyAsync(string path, CancellationToken cancellationToken)
    {
        var text = await ReadBoundedAsync(path, "the signing key file", MaxKeyFileBytes, SigningExitCodes.InvalidKey, cancellationToken);
        return text.Contains(SecretKeyHeader, StringComparison.Ordinal)
            ? text
            : throw new CiJobsException($"the signing key file {path} holds no ASCII-armoured secret key ({SecretKeyHeader})", SigningExitCodes.InvalidKey);
    }

    /// <summary>The passphrase: the file's text without one final line break; it must be one line.</summary>
    public static async Task<string> ReadPassphraseAsync(string path, CancellationToken cancellationToken)
    {
        var text = await ReadBoundedAsync(path, "the passphrase file", MaxPassphraseFileBytes, SigningExitCodes.Passphrase, cancellationToken);
        if (text.EndsWith("\r\n", StringComparison.Ordinal))
        {
            text = text[..^2];
        }
        else if (text.EndsWith('\n'))
        {
            text = text[..^1];
        }

        if (text.Length == 0)
        {
            throw new CiJobsException($"the passphrase file {path} is empty", SigningExitCodes.Passphrase);
        }

        if (text.Any(c => c is '\n' or '\r' or '\0'))
        {
            throw new CiJobsException($"the passphrase file {path} holds more than one line", SigningExitCodes.Passphrase);
        }

        return Encoding.UTF8.GetByteCount(text) <= MaxPassphraseBytes ? text
            : throw new CiJobsException($"the passphrase in {path} is longer than {MaxPassphraseBytes} bytes, more than gpg-preset-passphrase takes", SigningExitCodes.Passphrase);
    }

    /// <summary>The public key to verify with, armoured or binary, as bytes.</summary>
    public static async Task<byte[]> ReadPublicKeyAsync(string path, CancellationToken cancellationToken)
    {
        var bytes = await ReadBoundedBytesAsync(path, "the public key file", MaxKeyFileBytes, SigningExitCodes.InvalidKey, cancellationToken);
        var text = Encoding.UTF8.GetString(bytes);
        if (text.Contains(SecretKeyHeader, StringComparison.Ordinal))
        {
            throw new CiJobsException($"the public key file {path} holds a secret key; give the public key only", SigningExitCodes.InvalidKey);
        }

        return bytes;
    }

    private static async Task<string> ReadBoundedAsync(string path, string what, int limit, int exitCode, CancellationToken cancellationToken)
    {
        var bytes = await ReadBoundedBytesAsync(path, what, limit, exitCode, cancellationToken);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new CiJobsException($"{what} {path} is not UTF-8 text", exitCode, e);
        }
    }

    /// <summary>Refuses what is not a regular file (after symlinks) before opening it, so a FIFO or a device never blocks a read.</summary>
    private static async Task<byte[]> ReadBoundedBytesAsync(string path, string what, int limit, int exitCode, CancellationToken cancellationToken)
    {
        var resolved = RealPaths.Resolve(path);
        if (resolved is null)
        {
            throw new CiJobsException($"{what} {path} does not exist", exitCode);
        }

        if (RealPath.KindOf(resolved) != RealPath.FileKind.Regular)
        {
            throw new CiJobsException($"{what} {path} is not a regular file", exitCode);
        }

        try
        {
            await using var stream = new FileStream(resolved, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 14, useAsync: true);
            var buffer = new byte[limit + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
            {
                total += read;
            }

            if (total > limit)
            {
                throw new CiJobsException($"{what} {path} is larger than {limit / 1024} KiB", exitCode);
            }

            return buffer[..total];
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CiJobsException($"{what} {path} cannot be read: permission denied", exitCode, e);
        }
        catch (IOException e)
        {
            throw new CiJobsException($"{what} {path} cannot be read: {e.Message}", exitCode, e);
        }
    }
}
