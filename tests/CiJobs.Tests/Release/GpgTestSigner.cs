using CiJobs.Core.Signing;
using CiJobs.Tests.Builds;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Release;

/// <summary>A test-only <see cref="IRepositorySigner"/>: the real gpg and rpmsign with a throwaway key in a temporary GNUPGHOME.</summary>
public sealed class GpgTestSigner : IDisposable
{
    private readonly TempDir home = new("release-gnupg");

    private GpgTestSigner()
    {
    }

    public string Home => home.Path;

    public string Fingerprint { get; private set; } = "";

    public string PublicKeyArmored { get; private set; } = "";

    /// <summary>Every RPM given to <see cref="IRepositorySigner.SignRpmPackagesAsync"/>, by file name.</summary>
    public List<string> SignedRpms { get; } = [];

    public IRepositorySigner Signer => new Implementation(this);

    public static async Task<GpgTestSigner> CreateAsync()
    {
        var signer = new GpgTestSigner();
        await signer.GpgAsync("--quick-generate-key", "--passphrase", "", "cijobs test <test@example.org>", "rsa2048", "sign", "never");
        var colons = await signer.GpgAsync("--with-colons", "--list-secret-keys");
        signer.Fingerprint = colons.Split('\n').First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
        signer.PublicKeyArmored = await signer.GpgAsync("--armor", "--export", signer.Fingerprint);
        return signer;
    }

    public Task<string> GpgAsync(params string[] arguments) =>
        BuildPaths.RunAsync("gpg", ["--homedir", Home, "--batch", "--pinentry-mode", "loopback", .. arguments]);

    public void Dispose()
    {
        try
        {
            BuildPaths.RunAsync("gpgconf", ["--homedir", Home, "--kill", "gpg-agent"]).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            // No agent left to stop.
        }

        home.Dispose();
    }

    private sealed class Implementation(GpgTestSigner owner) : IRepositorySigner
    {
        public string Fingerprint => owner.Fingerprint;

        public string PublicKeyArmored => owner.PublicKeyArmored;

        public async Task SignRpmPackagesAsync(IReadOnlyList<string> rpmFiles, CancellationToken cancellationToken)
        {
            owner.SignedRpms.AddRange(rpmFiles.Select(Path.GetFileName)!);
            await BuildPaths.RunAsync("rpmsign", ["--addsign", "--define", $"_gpg_name {owner.Fingerprint}", "--define", $"_gpg_path {owner.Home}", "--define", "__gpg /usr/bin/gpg", .. rpmFiles]);
        }

        public Task SignRpmRepositoryAsync(string repositoryDirectory, CancellationToken cancellationToken)
        {
            var repomd = Path.Combine(repositoryDirectory, "repodata", "repomd.xml");
            return owner.GpgAsync("--yes", "--local-user", owner.Fingerprint, "--armor", "--detach-sign", "--output", repomd + ".asc", repomd);
        }

        public async Task SignDebReleaseAsync(string releaseFile, CancellationToken cancellationToken)
        {
            var folder = Path.GetDirectoryName(releaseFile)!;
            await owner.GpgAsync("--yes", "--local-user", owner.Fingerprint, "--clearsign", "--output", Path.Combine(folder, "InRelease"), releaseFile);
            await owner.GpgAsync("--yes", "--local-user", owner.Fingerprint, "--armor", "--detach-sign", "--output", Path.Combine(folder, "Release.gpg"), releaseFile);
        }
    }
}
