using CiJobs.Core.Audit;
using FluentAssertions;
using Xunit;

namespace CiJobs.Tests.Audit;

public sealed class AuditReplayerTests
{
    private static readonly Uri Root = new("https://gitlab.example.com/");

    [Theory]
    [InlineData("https://gitlab.example.com/rpms/nova-distgit.git", "https://gitlab.example.com/", "rpms/nova-distgit")]
    [InlineData("https://gitlab.example.com/rpms/nova-distgit/", "https://gitlab.example.com/", "rpms/nova-distgit")]
    [InlineData("https://gitlab.example.com/rpms/my%20pkg", "https://gitlab.example.com/", "rpms/my pkg")]
    [InlineData("https://Gitlab.Example.com/gitlab/a/b/c", "https://gitlab.example.com/gitlab/", "a/b/c")]
    public void ProjectPath_OfAUrlOnTheServer_IsItsPathBelowTheRoot(string location, string root, string expected) =>
        AuditReplayer.ProjectPath(location, new Uri(root)).Should().Be(expected);

    [Theory]
    [InlineData("https://other.example.com/rpms/nova-distgit")]
    [InlineData("https://gitlab.example.com/")]
    [InlineData("https://gitlab.example.com/rpms/%2e%2e%2fsecret")]
    [InlineData("https://gitlab.example.com/rpms/a%0Ab")]
    [InlineData("https://gitlab.example.com/rpms//x")]
    [InlineData("not a url")]
    public void ProjectPath_OffTheServerOrHostile_IsNull(string location) =>
        AuditReplayer.ProjectPath(location, Root).Should().BeNull();
}
