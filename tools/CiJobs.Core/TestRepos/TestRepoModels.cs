namespace CiJobs.Core.TestRepos;

/// <summary>What to publish: the packages of <paramref name="ResultDirectories"/> as the test repository
/// <paramref name="Name"/> under <paramref name="Root"/>.</summary>
/// <param name="Codename">The APT distribution (Suite and Codename of the Release file) of the Debian part.</param>
/// <param name="BaseUrl">Where ROOT is served; null for its file:// URL.</param>
public sealed record TestRepoRequest(IReadOnlyList<string> ResultDirectories, string Root, string Name, string Codename)
{
    public const string DefaultComponent = "main";

    public string Component { get; init; } = DefaultComponent;

    public string? BaseUrl { get; init; }
}

/// <summary>One package of a test repository.</summary>
/// <param name="Arch">The architecture (<c>src</c> for a source RPM, <c>source</c> for a Debian source package).</param>
/// <param name="File">Its path relative to the format's URL (<c>rpm/</c> or <c>deb/</c>).</param>
public sealed record TestRepoPackage(string Name, string Version, string Arch, string File);

/// <summary>The RPM part: a createrepo_c repository and its .repo file.</summary>
public sealed record TestRepoRpm(string Url, string RepoFile, IReadOnlyList<TestRepoPackage> Packages);

/// <summary>The Debian part: an APT repository of one distribution and one component, and its .list file.</summary>
public sealed record TestRepoDeb(string Url, string ListFile, string Codename, string Component, IReadOnlyList<string> Architectures, IReadOnlyList<TestRepoPackage> Packages);

/// <summary>A published test repository: ROOT/NAME, with an RPM part, a Debian part, or both.</summary>
public sealed record TestRepoResult(string Name, string Path, TestRepoRpm? Rpm, TestRepoDeb? Deb);
