using CiJobs.Core;
using CiJobs.Core.Builds;
using CiJobs.Core.Platform;
using CiJobs.Core.Provenance;

namespace CiJobs.Tests.Provenance;

/// <summary>No credential given in a URL (option, rdoinfo, CI variable) ever reaches a manifest.</summary>
public sealed class ManifestCredentialsTests
{
    [Theory]
    [InlineData("https://oauth2:glpat-SECRET@gitlab.example.org/g/r.git", "https://gitlab.example.org/g/r.git")]
    [InlineData("https://ghp_SECRET@github.com/o/r", "https://github.com/o/r")]
    [InlineData("  http://u:SECRET@h:8080/p?q=a@b  ", "http://h:8080/p?q=a@b")]
    [InlineData("https://u:p@SECRET@host/", "https://host/")]
    [InlineData("ssh://git:SECRET@review.example.org:29418/r", "ssh://git@review.example.org:29418/r")]
    [InlineData("ssh://git@review.example.org:29418/r", "ssh://git@review.example.org:29418/r")]
    [InlineData("https://host/group/@user/repo", "https://host/group/@user/repo")]
    [InlineData("/srv/git/foo", "/srv/git/foo")]
    [InlineData("git@github.com:o/r.git", "git@github.com:o/r.git")]
    public void Strip_removes_the_credentials_of_a_url(string value, string expected)
    {
        var stripped = UrlCredentials.Strip(value);

        stripped.Should().Be(expected);
        stripped.Should().NotContain("SECRET");
        UrlCredentials.Carries(stripped).Should().BeFalse();
    }

    [Fact]
    public void A_manifest_made_from_urls_with_credentials_holds_none()
    {
        var target = new BuildTarget
        {
            PackageName = "foo",
            Project = "foo",
            SourceLocation = "https://bot:SECRET1@git.example.org/foo.git",
            SourceRef = "main",
            DistgitLocation = "https://SECRET2@git.example.org/foo-distgit.git",
            DistgitRef = "rpm-main",
            PatchesLocation = "https://u:SECRET3@git.example.org/foo-patches.git",
        };
        var output = new PackageBuildService.OutputSettings("/data", ".el9", false, false, "delorean", "https://u:SECRET4@repos.example.org/");
        var environment = new DictionaryEnvironment(new Dictionary<string, string>
        {
            ["CI_JOB_URL"] = "https://u:SECRET5@gitlab.example.org/g/r/-/jobs/7",
            ["CI_PIPELINE_URL"] = "https://u:SECRET6@gitlab.example.org/g/r/-/pipelines/3",
        });
        var context = new BuildProvenanceContext("1.0.0", null, [], BuildProvenanceContext.JobFrom(environment, null, null, null));

        var inputs = BuildProvenance.Inputs(
            target,
            new RepositoryState(target.SourceLocation, "main", new string('a', 40), new string('b', 40)),
            new RepositoryState(target.DistgitLocation, "rpm-main", new string('c', 40), new string('d', 40)),
            output,
            context);
        var manifest = ProvenanceSamples.Manifest(inputs: inputs) with { Job = context.Job };
        var json = ProvenanceSamples.Json(manifest);

        json.Should().NotContain("SECRET");
        inputs.Source.Url.Should().Be("https://git.example.org/foo.git");
        inputs.Patches!.Url.Should().Be("https://git.example.org/foo-patches.git");
        manifest.Job.Url.Should().Be("https://gitlab.example.org/g/r/-/jobs/7");
        ProvenanceSamples.Read(manifest).Manifest.Job.Pipeline.Should().Be("https://gitlab.example.org/g/r/-/pipelines/3");
    }

    [Fact]
    public void Options_win_over_the_ci_variables_and_cijobs_variables_over_gitlab_ones()
    {
        var environment = new DictionaryEnvironment(new Dictionary<string, string>
        {
            ["CIJOBS_JOB_URL"] = "https://zuul.example.org/build/1",
            ["CI_JOB_URL"] = "https://gitlab.example.org/jobs/2",
            ["CI_MERGE_REQUEST_IID"] = "12",
        });

        BuildProvenanceContext.JobFrom(environment, null, "check", null)
            .Should().Be(new ProvenanceJob("https://zuul.example.org/build/1", "check", "12"));
        BuildProvenanceContext.JobFrom(environment, "https://given/", null, "99")
            .Should().Be(new ProvenanceJob("https://given/", null, "99"));
    }
}
