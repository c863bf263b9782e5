using CiJobs.Core;

namespace CiJobs.Tests;

public sealed class UrlCredentialsTests
{
    [Theory]
    [InlineData("https://oauth2:glpat-x@gitlab.com", true)]
    [InlineData("https://ghp_token@github.com/o/r.git", true)]
    [InlineData("HTTP://user@host:8080/path", true)]
    [InlineData("  https://u:p@h  ", true)]
    [InlineData("ftp://anonymous:x@ftp.example.org/pub", true)]
    [InlineData("https://u:p@ss@host/", true)]
    [InlineData("ssh://git:secret@review.example.org:29418/r", true)]
    [InlineData("ssh://git@review.example.org:29418/r", false)]
    [InlineData("git+ssh://git@github.com/o/r", false)]
    [InlineData("https://gitlab.com/group/@user/repo", false)]
    [InlineData("https://host/path?next=a@b", false)]
    [InlineData("https://host#frag@x", false)]
    [InlineData("git@github.com:o/r.git", false)]
    [InlineData("see https://u:p@h in the text", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Carries_finds_user_information_in_a_url(string? value, bool expected) =>
        UrlCredentials.Carries(value).Should().Be(expected);

    [Fact]
    public void EnsureNone_names_where_the_url_came_from_never_the_url()
    {
        var error = FluentActions.Invoking(() => UrlCredentials.EnsureNone("https://bot:s3cr3t@h/x", "--server-url")).Should().Throw<CiJobsException>().Which;

        error.ExitCode.Should().Be(ExitCodes.CredentialsInUrl);
        error.Message.Should().StartWith("--server-url must not carry credentials").And.NotContain("s3cr3t").And.NotContain("bot");
    }

    [Theory]
    [InlineData("GitLab at https://oauth2:tok@gitlab.com/api/v4/ cannot be reached", "GitLab at https://***@gitlab.com/api/v4/ cannot be reached")]
    [InlineData("a https://u:p@h/x and ssh://git@h/y", "a https://***@h/x and ssh://***@h/y")]
    [InlineData("no url here @all", "no url here @all")]
    [InlineData("https://host/a@b", "https://host/a@b")]
    public void Redact_masks_user_information_in_any_text(string text, string expected) =>
        UrlCredentials.Redact(text).Should().Be(expected);
}
