using CiJobs.Core;
using CiJobs.Tests.Forges;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Cli;

/// <summary>Errors that pass on a .NET message print its text, never the bare resource key (docs/security.md).</summary>
[Trait("Runs", "cijobs")]
public sealed class ErrorMessageTests
{
    [Fact]
    public async Task A_runtime_message_is_printed_as_text_not_as_its_resource_key()
    {
        using var temp = new TempDir("messages");
        var missing = temp.Combine("no-such-token");

        var result = await CliRunner.RunAsync(
            ["mr", "sync", "--mr", "1", "--source-git-project", "a/b", "--dist-git-project", "c/d", "--server-url", "http://127.0.0.1:9"],
            environment: new Dictionary<string, string?> { ["CIJOBS_SOURCE_GIT_TOKEN_FILE"] = missing });

        result.ExitCode.Should().Be(ExitCodes.Io, result.ToString());
        var message = result.StandardError.Replace("CIJOBS_SOURCE_GIT_TOKEN_FILE", "the variable", StringComparison.Ordinal);
        message.Should().Contain("Could not find file").And.Contain(missing);
        EventPayloadTests.RawResourceKey().IsMatch(message).Should().BeFalse(message);
    }
}
