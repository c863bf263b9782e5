using System.Text;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Signing;

/// <summary>
/// The gpg implementation of <see cref="IRepositorySigner"/>. The secret key is imported into a throwaway GNUPGHOME
/// (<see cref="GpgHome"/>) on standard input; its passphrase, if any, is handed to that home's gpg-agent with
/// gpg-preset-passphrase on standard input. Every later gpg run, rpmsign's included, signs through the agent with
/// <c>--pinentry-mode error</c>, so neither the key nor the passphrase is ever on a command line, in an environment
/// variable or in a file outside the home. Dispose to kill the agent and delete the home. docs/manual/signing.md.
/// </summary>
public sealed class GpgRepositorySigner : IRepositorySigner, IAsyncDisposable
{
    private static readonly string AgentConfiguration =
        "allow-preset-passphrase\nmax-cache-ttl 86400\ndefault-cache-ttl 86400\nno-allow-external-cache\n";

    private readonly IProcessRunner runner;
    private readonly GpgHome home;

    private readonly string gpgProgram;

    private GpgRepositorySigner(IProcessRunner runner, GpgHome home, string gpgProgram, string fingerprint, string publicKey)
    {
        this.runner = runner;
        this.home = home;
        this.gpgProgram = gpgProgram;
        Fingerprint = fingerprint;
        PublicKeyArmored = publicKey;
    }

    public string Fingerprint { get; }

    public string PublicKeyArmored { get; }

    /// <summary>The throwaway GNUPGHOME, for rpm macros and tests; gone after dispose.</summary>
    public string HomeDirectory => home.Path;

    /// <summary>Reads the key (and passphrase) files, imports the key into a throwaway home and checks that it signs.</summary>
    public static async Task<GpgRepositorySigner> CreateAsync(SigningKeySource source, IProcessRunner runner, IEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var key = await SigningSecrets.ReadKeyAsync(source.KeyFile, cancellationToken);
        var passphrase = source.PassphraseFile is null ? null : await SigningSecrets.ReadPassphraseAsync(source.PassphraseFile, cancellationToken);
        var wanted = source.KeyId is null ? null : NormalizeKeyId(source.KeyId);
        var home = GpgHome.Create(runner, environment, AgentConfiguration);
        try
        {
            return await ImportAsync(runner, home, FindProgram("gpg", environment), source.KeyFile, key, passphrase, wanted, cancellationToken);
        }
        catch
        {
            await home.DisposeAsync();
            throw;
        }
    }

    /// <summary>The full path of a program on PATH: rpm runs its gpg command without a PATH lookup.</summary>
    private static string FindProgram(string name, IEnvironment environment)
    {
        var path = environment.GetVariable("PATH") is { Length: > 0 } value ? value : "/usr/local/bin:/usr/bin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Where(d => d.StartsWith('/')).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
            ?? throw new CiJobsException($"cannot run '{name}': it is not on PATH (is gnupg installed?)", ExitCodes.ToolMissing);
    }

    private static async Task<GpgRepositorySigner> ImportAsync(IProcessRunner runner, GpgHome home, string gpgProgram, string keyFile, string key, string? passphrase, string? wanted, CancellationToken cancellationToken)
    {
        var import = await runner.RunAsync(home.Spec("gpg", ["--batch", "--no-tty", "--import"], key), cancellationToken);
        var keys = GpgKeyListing.Parse((await runner.RunAsync(
            home.Spec("gpg", ["--batch", "--no-tty", "--with-colons", "--fixed-list-mode", "--with-keygrip", "--list-secret-keys"]), cancellationToken)).StandardOutput);
        if (keys.Count == 0)
        {
            // gpg's own words stay out: they could quote the file.
            throw new CiJobsException($"the signing key file {keyFile} holds no secret key gpg can import (gpg exit {GpgHome.Code(import.ExitCode)})", SigningExitCodes.InvalidKey);
        }

        var chosen = Choose(keys, wanted, keyFile);
        if (chosen.Validity is 'r')
        {
            throw new CiJobsException($"the signing key {chosen.Fingerprint} is revoked", SigningExitCodes.InvalidKey);
        }

        if (chosen.Validity is 'e')
        {
            throw new CiJobsException($"the signing key {chosen.Fingerprint} is expired", SigningExitCodes.InvalidKey);
        }

        if (!chosen.CanSign)
        {
            throw new CiJobsException($"the signing key {chosen.Fingerprint} has no usable signing key or subkey (expired, revoked or none)", SigningExitCodes.InvalidKey);
        }

        if (passphrase is not null)
        {
            await PresetAsync(runner, home, chosen, passphrase, cancellationToken);
        }

        // One signature of a fixed text: proves the key signs, without a prompt, before anything is touched.
        var probe = await runner.RunAsync(
            home.Spec("gpg", [.. GpgSign(chosen.Fingerprint), "--armor", "--detach-sign"], "cijobs signing probe\n"), cancellationToken);
        if (!probe.Succeeded || !probe.StandardOutput.Contains("-----BEGIN PGP SIGNATURE-----", StringComparison.Ordinal))
        {
            throw passphrase is null
                ? new CiJobsException($"the signing key {chosen.Fingerprint} is protected by a passphrase: give it with --sign-passphrase-file (or CIJOBS_SIGN_PASSPHRASE_FILE)", SigningExitCodes.Passphrase)
                : new CiJobsException($"the passphrase does not unlock the signing key {chosen.Fingerprint} (wrong passphrase)", SigningExitCodes.Passphrase);
        }

        var export = await runner.RunAsync(home.Spec("gpg", ["--batch", "--no-tty", "--armor", "--export", chosen.Fingerprint]), cancellationToken);
        if (!export.Succeeded || !export.StandardOutput.Contains(SigningSecrets.PublicKeyHeader, StringComparison.Ordinal))
        {
            throw new CiJobsException($"gpg could not export the public key of {chosen.Fingerprint} (exit {GpgHome.Code(export.ExitCode)})", SigningExitCodes.SigningFailed);
        }

        return new GpgRepositorySigner(runner, home, gpgProgram, chosen.Fingerprint, export.StandardOutput);
    }

    /// <summary>Hands the passphrase to the home's gpg-agent for each keygrip of the key, on standard input only.</summary>
    private static async Task PresetAsync(IProcessRunner runner, GpgHome home, GpgKey key, string passphrase, CancellationToken cancellationToken)
    {
        var launch = await runner.RunAsync(home.Spec("gpgconf", ["--homedir", home.Path, "--launch", "gpg-agent"]), cancellationToken);
        var dirs = await runner.RunAsync(home.Spec("gpgconf", ["--list-dirs", "libexecdir"]), cancellationToken);
        if (!launch.Succeeded || !dirs.Succeeded)
        {
            throw new CiJobsException($"gpg-agent could not be started in the throwaway gpg home: {launch.StandardError.Trim()}", SigningExitCodes.SigningFailed);
        }

        var preset = Path.Combine(dirs.StandardOutput.Trim(), "gpg-preset-passphrase");
        foreach (var keygrip in key.Keygrips)
        {
            var result = await runner.RunAsync(home.Spec(preset, ["--homedir", home.Path, "--preset", keygrip], passphrase), cancellationToken);
            if (!result.Succeeded)
            {
                throw new CiJobsException($"gpg-preset-passphrase could not hand the passphrase to gpg-agent (exit {GpgHome.Code(result.ExitCode)})", SigningExitCodes.SigningFailed);
            }
        }
    }

    private static GpgKey Choose(IReadOnlyList<GpgKey> keys, string? wanted, string keyFile)
    {
        if (wanted is not null)
        {
            var matches = keys.Where(k => k.Fingerprint.EndsWith(wanted, StringComparison.Ordinal)).ToList();
            return matches.Count == 1 ? matches[0]
                : throw new CiJobsException(
                    $"--sign-key-id {wanted} matches {matches.Count} of the secret keys in {keyFile} ({string.Join(", ", keys.Select(k => k.Fingerprint))})",
                    SigningExitCodes.InvalidKey);
        }

        return keys.Count == 1 ? keys[0]
            : throw new CiJobsException(
                $"the signing key file {keyFile} holds {keys.Count} secret keys ({string.Join(", ", keys.Select(k => k.Fingerprint))}): choose one with --sign-key-id",
                SigningExitCodes.InvalidKey);
    }

    /// <summary>A fingerprint or long key id (16 or 40 hex digits, an optional 0x), upper case.</summary>
    public static string NormalizeKeyId(string keyId)
    {
        var id = keyId.Trim().Replace(" ", string.Empty, StringComparison.Ordinal);
        if (id.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            id = id[2..];
        }

        return id.Length is 16 or 40 && id.All(char.IsAsciiHexDigit)
            ? id.ToUpperInvariant()
            : throw new CiJobsException($"invalid --sign-key-id '{SignedTree.Printable(keyId)}': give the key's fingerprint (40 hex digits) or long key id (16)", SigningExitCodes.InvalidKey);
    }

    /// <summary>The arguments of every signing gpg run: batch, never a prompt, this key.</summary>
    private static string[] GpgSign(string fingerprint) =>
        ["--batch", "--no-tty", "--pinentry-mode", "error", "--local-user", fingerprint, "--digest-algo", "SHA512"];

    public async Task SignRpmPackagesAsync(IReadOnlyList<string> rpmFiles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rpmFiles);
        var files = rpmFiles.Select(f => CheckFile(f, name => name.EndsWith(".rpm", StringComparison.Ordinal), "an RPM package (*.rpm)")).ToList();

        // rpmsign runs gpg itself: the macros point it at this home and this key, and the agent holds the passphrase.
        foreach (var batch in files.Chunk(64))
        {
            var result = await runner.RunAsync(
                home.Spec("rpmsign",
                [
                    "--addsign",
                    "--define", $"__gpg {gpgProgram}",
                    "--define", $"_gpg_name {Fingerprint}",
                    "--define", $"_gpg_path {home.Path}",
                    "--define", "_gpg_digest_algo sha512",
                    "--define", "_gpg_sign_cmd_extra_args --batch --no-tty --pinentry-mode error",
                    .. batch,
                ]),
                cancellationToken);
            if (!result.Succeeded)
            {
                throw new CiJobsException($"rpmsign failed (exit {GpgHome.Code(result.ExitCode)}): {Clean(result.StandardError)}", SigningExitCodes.SigningFailed);
            }
        }
    }

    public async Task SignRpmRepositoryAsync(string repositoryDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repositoryDirectory);
        var repomd = CheckFile(Path.Combine(repositoryDirectory, "repodata", "repomd.xml"), name => name == "repomd.xml", "repodata/repomd.xml");
        await SignToAsync(repomd, repomd + ".asc", ["--armor", "--detach-sign"], cancellationToken);
    }

    public async Task SignDebReleaseAsync(string releaseFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(releaseFile);
        var release = CheckFile(releaseFile, name => name == "Release", "a Release file");
        var folder = Path.GetDirectoryName(release)!;
        await SignToAsync(release, Path.Combine(folder, "InRelease"), ["--clearsign"], cancellationToken);
        await SignToAsync(release, Path.Combine(folder, "Release.gpg"), ["--armor", "--detach-sign"], cancellationToken);
    }

    /// <summary>Signs <paramref name="input"/> into a file beside <paramref name="output"/>, then renames it over: never half-written.</summary>
    private async Task SignToAsync(string input, string output, string[] mode, CancellationToken cancellationToken)
    {
        var temporary = output + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            var result = await runner.RunAsync(home.Spec("gpg", [.. GpgSign(Fingerprint), .. mode, "--output", temporary, input]), cancellationToken);
            if (!result.Succeeded || !File.Exists(temporary))
            {
                throw new CiJobsException($"gpg could not sign {input} (exit {GpgHome.Code(result.ExitCode)}): {Clean(result.StandardError)}", SigningExitCodes.SigningFailed);
            }

            File.Move(temporary, output, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot write {output}: {e.Message}", SigningExitCodes.SigningFailed, e);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>An absolute path to a regular file (not a link) of the expected name; absolute, so no name reads as an option.</summary>
    private static string CheckFile(string path, Func<string, bool> nameOk, string what)
    {
        var full = Path.GetFullPath(path);
        var name = Path.GetFileName(full);
        SignedTree.CheckName(full, name);
        if (!nameOk(name))
        {
            throw new CiJobsException($"{full} is not {what}", SigningExitCodes.UnsafeInput);
        }

        var info = new FileInfo(full);
        if (info.LinkTarget is not null || Rdoinfo.RealPath.KindOf(full) != Rdoinfo.RealPath.FileKind.Regular)
        {
            throw new CiJobsException(info.Exists || info.LinkTarget is not null ? $"{full} is not a regular file" : $"{full} does not exist", SigningExitCodes.UnsafeInput);
        }

        return full;
    }

    /// <summary>A tool's error output as one line, without its warnings about the terminal.</summary>
    private static string Clean(string text) =>
        string.Join("; ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.Contains("GPG_TTY", StringComparison.Ordinal)).Take(5));

    public ValueTask DisposeAsync() => home.DisposeAsync();
}

/// <summary>One secret key of <c>gpg --with-colons --list-secret-keys</c>: its fingerprint, validity, whether it can sign
/// as a whole (capital S), and the keygrips of it and its subkeys.</summary>
internal sealed record GpgKey(string Fingerprint, char Validity, bool CanSign, IReadOnlyList<string> Keygrips);

internal static class GpgKeyListing
{
    /// <summary>Parses the colon listing (https://github.com/gpg/gnupg/blob/master/doc/DETAILS): <c>sec</c> starts a key,
    /// <c>ssb</c> a subkey, <c>fpr</c> and <c>grp</c> follow the key they belong to.</summary>
    public static IReadOnlyList<GpgKey> Parse(string listing)
    {
        var keys = new List<GpgKey>();
        string? fingerprint = null;
        var validity = '-';
        var canSign = false;
        var keygrips = new List<string>();
        var inPrimary = false;

        void Flush()
        {
            if (fingerprint is not null)
            {
                keys.Add(new GpgKey(fingerprint, validity, canSign, [.. keygrips]));
            }

            fingerprint = null;
            keygrips.Clear();
        }

        foreach (var line in listing.Split('\n'))
        {
            var fields = line.TrimEnd('\r').Split(':');
            switch (fields[0])
            {
                case "sec":
                    Flush();
                    validity = fields.Length > 1 && fields[1].Length > 0 ? fields[1][0] : '-';
                    canSign = fields.Length > 11 && fields[11].Contains('S', StringComparison.Ordinal);
                    inPrimary = true;
                    break;
                case "ssb":
                    inPrimary = false;
                    break;
                case "fpr" when inPrimary && fingerprint is null && fields.Length > 9:
                    fingerprint = fields[9].ToUpperInvariant();
                    break;
                case "grp" when fields.Length > 9 && fields[9].Length > 0:
                    keygrips.Add(fields[9]);
                    break;
                default:
                    break;
            }
        }

        Flush();
        return keys;
    }
}
