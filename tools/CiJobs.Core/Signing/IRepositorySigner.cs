namespace CiJobs.Core.Signing;

/// <summary>
/// Signs packages and repository metadata in place, with a key the caller never sees. The release publish calls it on
/// its staged tree before the switch; <c>cijobs sign</c> calls it on a finished tree. The gpg implementation keeps the
/// key in a throwaway GNUPGHOME and never puts the key or its passphrase on a command line. docs/manual/signing.md.
/// </summary>
public interface IRepositorySigner
{
    /// <summary>The fingerprint of the signing key (40 hex digits, upper case).</summary>
    string Fingerprint { get; }

    /// <summary>The public key, ASCII-armoured, to publish beside the repository.</summary>
    string PublicKeyArmored { get; }

    /// <summary>Signs each RPM in place (<c>rpmsign --addsign</c>); a package already signed by this key is left as is.</summary>
    Task SignRpmPackagesAsync(IReadOnlyList<string> rpmFiles, CancellationToken cancellationToken);

    /// <summary>Writes <c>repodata/repomd.xml.asc</c>, a detached armoured signature of <c>repodata/repomd.xml</c>, in <paramref name="repositoryDirectory"/>.</summary>
    Task SignRpmRepositoryAsync(string repositoryDirectory, CancellationToken cancellationToken);

    /// <summary>Writes <c>InRelease</c> (clear-signed) and <c>Release.gpg</c> (detached, armoured) beside <paramref name="releaseFile"/> (<c>dists/&lt;codename&gt;/Release</c>).</summary>
    Task SignDebReleaseAsync(string releaseFile, CancellationToken cancellationToken);
}
