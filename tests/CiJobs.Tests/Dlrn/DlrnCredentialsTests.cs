using CiJobs.Core;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Platform;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Dlrn;

public sealed class DlrnCredentialsTests
{
    [Fact]
    public async Task ResolveAsync_PasswordFromEnvironment_HiddenInToString()
    {
        var environment = new DictionaryEnvironment(new Dictionary<string, string> { ["DLRN_API_PASSWORD"] = "hunter2-env", ["DLRN_API_USER"] = "ci" });

        var credentials = await DlrnCredentials.ResolveAsync(null, null, environment, CancellationToken.None);

        credentials.User.Should().Be("ci");
        credentials.ToString().Should().NotContain("hunter2-env");
    }

    [Fact]
    public async Task ResolveAsync_PasswordFile_FirstLineWins()
    {
        using var temp = new TempDir("creds");
        var file = temp.Write("password", "from-file-pw\n");
        var environment = new DictionaryEnvironment(new Dictionary<string, string> { ["DLRN_API_PASSWORD"] = "from-env" });

        var credentials = await DlrnCredentials.ResolveAsync("ci", file, environment, CancellationToken.None);

        credentials.BasicHeaderValue().Should().Be(Convert.ToBase64String("ci:from-file-pw"u8.ToArray()));
    }

    [Fact]
    public async Task ResolveAsync_NoPassword_ThrowsCredentialsMissing()
    {
        var act = () => DlrnCredentials.ResolveAsync("ci", null, new DictionaryEnvironment(new Dictionary<string, string>()), CancellationToken.None);

        (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(DlrnExitCodes.CredentialsMissing);
    }
}
