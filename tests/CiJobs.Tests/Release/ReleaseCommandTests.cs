using System.Text.Json;
using CiJobs.Core.Release;
using CiJobs.Tests.Signing;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Release;

/// <summary><c>cijobs release publish</c> as a process: the JSON jobs read, the dotenv file, and the exit codes of the refusals.</summary>
[Trait("Runs", "cijobs")]
public sealed class ReleaseCommandTests(ReleasePackagesFixture packages, SigningKeysFixture keys) : IClassFixture<ReleasePackagesFixture>, IClassFixture<SigningKeysFixture>, IDisposable
{
    private readonly TempDir temp = new("release-cli");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Publish_prints_json_and_exits_115_for_an_older_and_116_for_other_bits()
    {
        var root = temp.Combine("root");
        var dotenv = temp.Combine("release.env");

        var first = await CliRunner.RunAsync(["release", "publish", packages.RpmA11, packages.DebD10, "--repo", root, "--codename", "trixie", "--format", "json", "--dotenv-file", dotenv]);

        first.ExitCode.Should().Be(0, first.ToString());
        using (var document = JsonDocument.Parse(first.StandardOutput))
        {
            var top = document.RootElement;
            top.GetProperty("root").GetString().Should().Be(root);
            top.GetProperty("rpm_repository").GetString().Should().Be(Path.Combine(root, "rpm"));
            top.GetProperty("rpm_source_repository").GetString().Should().Be(Path.Combine(root, "rpm", "Source"));
            top.GetProperty("deb_repository").GetString().Should().Be(Path.Combine(root, "deb"));
            top.GetProperty("codename").GetString().Should().Be("trixie");
            top.GetProperty("component").GetString().Should().Be("main");
            top.GetProperty("signed").GetBoolean().Should().BeFalse();
            var added = top.GetProperty("added");
            added.GetArrayLength().Should().Be(3);
            added[0].GetProperty("format").GetString().Should().Be("rpm");
            added[0].GetProperty("name").GetString().Should().Be("rel-a");
            added[0].GetProperty("version").GetString().Should().Be("1.1-1");
            added[0].GetProperty("arch").GetString().Should().Be("noarch");
            added[0].GetProperty("sha256").GetString().Should().HaveLength(64);
            added[0].GetProperty("path").GetString().Should().Be("rpm/Packages/rel-a-1.1-1.noarch.rpm");
            top.GetProperty("skipped").GetArrayLength().Should().Be(0);
        }

        File.ReadAllText(dotenv).Should().Be($"CIJOBS_RELEASE_ROOT={root}\nCIJOBS_RELEASE_ADDED=3\nCIJOBS_RELEASE_SKIPPED=0\n");

        var again = await CliRunner.RunAsync(["release", "publish", packages.RpmA11, "--repo", root, "--codename", "trixie"]);
        again.ExitCode.Should().Be(0, again.ToString());
        again.StandardOutput.Should().Contain("skipped, already published with the same bits: rel-a 1.1-1 noarch").And.Contain("nothing new");

        var older = await CliRunner.RunAsync(["release", "publish", packages.RpmA10, "--repo", root, "--codename", "trixie"]);
        older.ExitCode.Should().Be(ReleaseExitCodes.OlderVersion, older.ToString());
        older.StandardError.Should().StartWith("cijobs: error: ").And.Contain("rel-a").And.Contain("1.0-1").And.Contain("1.1-1");

        var other = await CliRunner.RunAsync(["release", "publish", packages.DebD10Other, "--repo", root, "--codename", "trixie"]);
        other.ExitCode.Should().Be(ReleaseExitCodes.ChangedBits, other.ToString());

        var wrongCodename = await CliRunner.RunAsync(["release", "publish", packages.DebD20, "--repo", root, "--codename", "bookworm"]);
        wrongCodename.ExitCode.Should().Be(ReleaseExitCodes.CannotPublish, wrongCodename.ToString());

        var badTimeout = await CliRunner.RunAsync(["release", "publish", packages.DebD20, "--repo", root, "--lock-timeout", "-1"]);
        badTimeout.ExitCode.Should().Be(1, badTimeout.ToString());
    }

    [Fact]
    public async Task Publish_with_a_key_file_signs_what_it_publishes_and_sign_verify_accepts_it()
    {
        var root = temp.Combine("signed");

        var signed = await CliRunner.RunAsync(
            ["release", "publish", packages.RpmA11, packages.DebD10, "--repo", root, "--codename", "trixie", "--format", "json"],
            environment: new Dictionary<string, string?> { ["CIJOBS_SIGN_KEY_FILE"] = keys.WithPassphrase.SecretKeyFile, ["CIJOBS_SIGN_PASSPHRASE_FILE"] = keys.PassphraseFile });
        var unsignedIntoSigned = await CliRunner.RunAsync(["release", "publish", packages.DebD20, "--repo", root, "--codename", "trixie"]);
        var rpm = await CliRunner.RunAsync(["sign", "verify", Path.Combine(root, "rpm"), "--public-key", keys.WithPassphrase.PublicKeyFile]);
        var deb = await CliRunner.RunAsync(["sign", "verify", Path.Combine(root, "deb"), "--public-key", keys.WithPassphrase.PublicKeyFile]);
        var other = await CliRunner.RunAsync(["sign", "verify", Path.Combine(root, "rpm"), "--public-key", keys.WithoutPassphrase.PublicKeyFile]);

        signed.ExitCode.Should().Be(0, signed.ToString());
        using (var document = JsonDocument.Parse(signed.StandardOutput))
        {
            document.RootElement.GetProperty("signed").GetBoolean().Should().BeTrue();
        }

        (signed.StandardOutput + signed.StandardError).Should().NotContain(SigningKeysFixture.Passphrase);
        File.Exists(Path.Combine(root, "rpm", "repodata", "repomd.xml.asc")).Should().BeTrue();
        File.Exists(Path.Combine(root, "deb", "dists", "trixie", "InRelease")).Should().BeTrue();
        unsignedIntoSigned.ExitCode.Should().Be(ReleaseExitCodes.CannotPublish, "a signed repository is not published into without the key");
        rpm.ExitCode.Should().Be(0, rpm.ToString());
        deb.ExitCode.Should().Be(0, deb.ToString());
        other.ExitCode.Should().Be(CiJobs.Core.Signing.SigningExitCodes.VerificationFailed, other.ToString());
    }
}
