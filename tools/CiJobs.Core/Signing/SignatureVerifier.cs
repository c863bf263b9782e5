using System.Text;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Signing;

/// <summary>The check of one signed file: its path relative to the tree, its kind (<c>rpm</c>, <c>repomd</c>,
/// <c>inrelease</c>, <c>release-gpg</c>), whether the signature is good, and why not.</summary>
public sealed record SignatureCheck(string Path, string Kind, bool Valid, string Detail);

/// <summary>Everything <c>cijobs sign verify</c> checked in a tree, and the key it checked against.</summary>
public sealed record SignatureReport(string Tree, string PublicKeyFile, bool Valid, IReadOnlyList<SignatureCheck> Files)
{
    public IEnumerable<SignatureCheck> Failures => Files.Where(f => !f.Valid);
}

/// <summary>
/// Verifies a signed tree with the real tools and one public key: every RPM with <c>rpmkeys --checksig</c> against a
/// throwaway rpm database holding only that key (never the system one), every <c>repodata/repomd.xml</c> with its
/// <c>repomd.xml.asc</c>, and every <c>dists/*/Release</c> with its <c>InRelease</c> and <c>Release.gpg</c>, with
/// <c>gpgv</c> and a keyring of only that key. A file that should be signed and is not fails too. docs/manual/signing.md.
/// </summary>
public sealed class SignatureVerifier(IProcessRunner runner, IEnvironment environment)
{
    public async Task<SignatureReport> VerifyTreeAsync(string tree, string publicKeyFile, CancellationToken cancellationToken)
    {
        var key = await SigningSecrets.ReadPublicKeyAsync(publicKeyFile, cancellationToken);
        var scanned = SignedTree.Scan(tree);
        if (scanned.IsEmpty)
        {
            throw new CiJobsException($"the tree {tree} holds no RPM package, repodata/repomd.xml or dists/*/Release to verify", SigningExitCodes.UnsafeInput);
        }

        await using var home = GpgHome.Create(runner, environment, null);
        var keyFile = Path.Combine(home.Path, "key");
        await File.WriteAllBytesAsync(keyFile, key, cancellationToken);
        var keyring = Path.Combine(home.Path, "keyring.gpg");
        var dearmor = await runner.RunAsync(home.Spec("gpg", ["--batch", "--no-tty", "--yes", "--output", keyring, "--dearmor", keyFile]), cancellationToken);
        var armoured = Encoding.UTF8.GetString(key).Contains(SigningSecrets.PublicKeyHeader, StringComparison.Ordinal);
        if (!armoured)
        {
            File.Copy(keyFile, keyring, overwrite: true);
        }
        else if (!dearmor.Succeeded)
        {
            throw new CiJobsException($"the public key file {publicKeyFile} is not an OpenPGP public key", SigningExitCodes.InvalidKey);
        }

        var checks = new List<SignatureCheck>();
        if (scanned.Rpms.Count > 0)
        {
            var rpmdb = Path.Combine(home.Path, "rpmdb");
            Directory.CreateDirectory(rpmdb);
            var import = await runner.RunAsync(home.Spec("rpmkeys", ["--dbpath", rpmdb, "--import", keyFile]), cancellationToken);
            if (!import.Succeeded)
            {
                throw new CiJobsException($"rpmkeys cannot import the public key file {publicKeyFile}: {import.StandardError.Trim()}", SigningExitCodes.InvalidKey);
            }

            foreach (var rpm in scanned.Rpms)
            {
                var result = await runner.RunAsync(home.Spec("rpmkeys", ["--dbpath", rpmdb, "--checksig", rpm]), cancellationToken);
                var line = result.StandardOutput.Trim();
                var verdict = line.StartsWith(rpm + ":", StringComparison.Ordinal) ? line[(rpm.Length + 1)..].Trim() : line;
                var ok = result.Succeeded && verdict.Contains("signatures OK", StringComparison.Ordinal) && !verdict.Contains("NOT OK", StringComparison.Ordinal);
                checks.Add(new SignatureCheck(scanned.Relative(rpm), "rpm", ok, ok ? "signature OK" : verdict.Contains("signatures", StringComparison.OrdinalIgnoreCase) ? $"rpmkeys: {verdict}" : $"not signed (rpmkeys: {verdict})"));
            }
        }

        foreach (var repomd in scanned.RepomdFiles)
        {
            checks.Add(await DetachedAsync(home, keyring, scanned, repomd, repomd + ".asc", "repomd", cancellationToken));
        }

        foreach (var release in scanned.ReleaseFiles)
        {
            var folder = Path.GetDirectoryName(release)!;
            var inRelease = Path.Combine(folder, "InRelease");
            var detached = Path.Combine(folder, "Release.gpg");
            if (!File.Exists(inRelease) && !File.Exists(detached))
            {
                checks.Add(new SignatureCheck(scanned.Relative(release), "release", false, "not signed: neither InRelease nor Release.gpg beside it"));
                continue;
            }

            if (File.Exists(inRelease))
            {
                checks.Add(await ClearSignedAsync(home, keyring, scanned, inRelease, release, cancellationToken));
            }

            if (File.Exists(detached))
            {
                checks.Add(await DetachedAsync(home, keyring, scanned, release, detached, "release-gpg", cancellationToken));
            }
        }

        return new SignatureReport(scanned.Root, Path.GetFullPath(publicKeyFile), checks.All(c => c.Valid), checks);
    }

    private async Task<SignatureCheck> DetachedAsync(GpgHome home, string keyring, SignedTree tree, string data, string signature, string kind, CancellationToken cancellationToken)
    {
        if (!File.Exists(signature) || new FileInfo(signature).LinkTarget is not null)
        {
            return new SignatureCheck(tree.Relative(signature), kind, false, $"not signed: {Path.GetFileName(signature)} is missing");
        }

        var result = await runner.RunAsync(home.Spec("gpgv", ["--homedir", home.Path, "--keyring", keyring, signature, data]), cancellationToken);
        return new SignatureCheck(tree.Relative(signature), kind, result.Succeeded, result.Succeeded ? "signature OK" : $"gpgv: {Verdict(result)}");
    }

    /// <summary>InRelease must carry a good signature and the very text of the Release beside it (apt reads InRelease only).</summary>
    private async Task<SignatureCheck> ClearSignedAsync(GpgHome home, string keyring, SignedTree tree, string inRelease, string release, CancellationToken cancellationToken)
    {
        var text = Path.Combine(home.Path, "inrelease-text");
        File.Delete(text);
        var result = await runner.RunAsync(home.Spec("gpgv", ["--homedir", home.Path, "--keyring", keyring, "--output", text, inRelease]), cancellationToken);
        if (!result.Succeeded)
        {
            return new SignatureCheck(tree.Relative(inRelease), "inrelease", false, $"gpgv: {Verdict(result)}");
        }

        var signed = File.Exists(text) ? await File.ReadAllBytesAsync(text, cancellationToken) : null;
        var original = await File.ReadAllBytesAsync(release, cancellationToken);
        var same = signed is not null && SameBytes(signed, original);
        return new SignatureCheck(tree.Relative(inRelease), "inrelease", same, same ? "signature OK" : "the signed text differs from the Release beside it");
    }

    private static bool SameBytes(byte[] left, byte[] right) => left.AsSpan().SequenceEqual(right);

    private static string Verdict(ProcessResult result)
    {
        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var bad = lines.FirstOrDefault(l => l.Contains("BAD signature", StringComparison.Ordinal) || l.Contains("Can't check signature", StringComparison.Ordinal)
            || l.Contains("no valid OpenPGP data", StringComparison.Ordinal) || l.Contains("not a detached signature", StringComparison.Ordinal));
        return SignedTree.Printable(bad ?? lines.LastOrDefault() ?? $"exit {GpgHome.Code(result.ExitCode)}");
    }
}
