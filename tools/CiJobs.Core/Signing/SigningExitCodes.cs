namespace CiJobs.Core.Signing;

/// <summary>Exit codes of signing and of <c>cijobs sign</c> (range 120-124); docs/exit-codes.md lists them, docs/manual/signing.md explains them.</summary>
public static class SigningExitCodes
{
    /// <summary>No usable signing key: none given, a key file that is missing, not a regular file, too large, holds no
    /// secret key or several (without <c>--sign-key-id</c>), or a key that is expired, revoked or cannot sign; a public key
    /// file for verification that cannot be read.</summary>
    public const int InvalidKey = 120;

    /// <summary>The key is protected and no passphrase was given, the passphrase is wrong, or the passphrase file is unusable.</summary>
    public const int Passphrase = 121;

    /// <summary>gpg or rpmsign failed to sign a file, or the throwaway gpg home could not be made.</summary>
    public const int SigningFailed = 122;

    /// <summary>Verification found a bad or missing signature; the message names the file.</summary>
    public const int VerificationFailed = 123;

    /// <summary>Refused input: a tree or package that is not there or not a regular file, a file name with control
    /// characters, a symbolic link leading outside the tree, a tree with nothing to sign or verify.</summary>
    public const int UnsafeInput = 124;
}
