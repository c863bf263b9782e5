using System.CommandLine;
using CiJobs.Core;
using CiJobs.Core.Platform;
using CiJobs.Core.Signing;

namespace CiJobs.Cli.Commands;

/// <summary>
/// The options that give a signing key, for any verb that signs (<c>cijobs sign</c>, and <c>cijobs release publish</c>):
/// <c>--sign-key-file</c>, <c>--sign-passphrase-file</c> and <c>--sign-key-id</c>, each also read from its environment
/// variable (CIJOBS_SIGN_KEY_FILE, CIJOBS_SIGN_PASSPHRASE_FILE, CIJOBS_SIGN_KEY_ID) when the option is not given. Only
/// file paths are taken, never a key or passphrase itself. docs/manual/signing.md.
/// </summary>
internal sealed class SigningOptions
{
    public const string KeyFileVariable = "CIJOBS_SIGN_KEY_FILE";
    public const string PassphraseFileVariable = "CIJOBS_SIGN_PASSPHRASE_FILE";
    public const string KeyIdVariable = "CIJOBS_SIGN_KEY_ID";

    public Option<string?> KeyFile { get; } = new("--sign-key-file")
    {
        Description = $"The ASCII-armoured secret key to sign with, a file (a Zuul secret written to a 0600 file, a GitLab CI variable of type File); at most 1 MiB. Default: ${KeyFileVariable}.",
    };

    public Option<string?> PassphraseFile { get; } = new("--sign-passphrase-file")
    {
        Description = $"A file holding the key's passphrase (one line; a final line break is dropped); at most 64 KiB. Default: ${PassphraseFileVariable}. Without it the key must have no passphrase.",
    };

    public Option<string?> KeyId { get; } = new("--sign-key-id")
    {
        Description = $"The fingerprint or long key id of the key to use when the key file holds several secret keys. Default: ${KeyIdVariable}.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(KeyFile);
        command.Options.Add(PassphraseFile);
        command.Options.Add(KeyId);
    }

    /// <summary>The key source the options and variables give, or null when no key file is given (signing is off).</summary>
    public SigningKeySource? Resolve(ParseResult parseResult, IEnvironment environment)
    {
        var keyFile = Given(parseResult.GetValue(KeyFile)) ?? Given(environment.GetVariable(KeyFileVariable));
        var passphraseFile = Given(parseResult.GetValue(PassphraseFile)) ?? Given(environment.GetVariable(PassphraseFileVariable));
        var keyId = Given(parseResult.GetValue(KeyId)) ?? Given(environment.GetVariable(KeyIdVariable));
        if (keyFile is null)
        {
            return passphraseFile is null && keyId is null ? null
                : throw new CiJobsException($"a passphrase file or key id is given but no key: give --sign-key-file (or {KeyFileVariable})", SigningExitCodes.InvalidKey);
        }

        return new SigningKeySource(keyFile) { PassphraseFile = passphraseFile, KeyId = keyId };
    }

    /// <summary>The signer of the given key, or null when none is given. Dispose it to delete its throwaway gpg home.</summary>
    public async Task<GpgRepositorySigner?> CreateSignerAsync(ParseResult parseResult, IEnvironment environment, IProcessRunner runner, CancellationToken cancellationToken) =>
        Resolve(parseResult, environment) is { } source ? await GpgRepositorySigner.CreateAsync(source, runner, environment, cancellationToken) : null;

    /// <summary>As <see cref="CreateSignerAsync"/>, for verbs that cannot work without a key.</summary>
    public async Task<GpgRepositorySigner> CreateRequiredSignerAsync(ParseResult parseResult, IEnvironment environment, IProcessRunner runner, CancellationToken cancellationToken) =>
        await CreateSignerAsync(parseResult, environment, runner, cancellationToken)
        ?? throw new CiJobsException($"no signing key: give --sign-key-file (or {KeyFileVariable})", SigningExitCodes.InvalidKey);

    private static string? Given(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
