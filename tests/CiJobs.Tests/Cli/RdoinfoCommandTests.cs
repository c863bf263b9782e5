using System.Text.Json;
using CiJobs.Core.Rdoinfo;
using CiJobs.Tests.Rdoinfo;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Cli;

[Trait("Runs", "cijobs")]
public class RdoinfoCommandTests
{
    [Fact]
    public async Task Packages_as_json_lists_every_expanded_package_of_the_real_database()
    {
        var result = await CliRunner.RunAsync("rdoinfo", "packages", "--rdoinfo", RepoPaths.RealRdoinfo, "--format", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        json.RootElement.GetArrayLength().Should().Be(1369);
        var nova = json.RootElement.EnumerateArray().Single(p => p.GetProperty("project").GetString() == "nova");
        nova.GetProperty("name").GetString().Should().Be("openstack-nova");
        nova.GetProperty("fields").GetProperty("upstream").GetString().Should().Be("https://opendev.org/openstack/nova");
    }

    [Fact]
    public async Task Packages_for_a_release_and_tag_filters_and_applies_the_release_pin()
    {
        using var fixture = new RdoinfoFixture();

        var result = await CliRunner.RunAsync("rdoinfo", "packages", "--rdoinfo", fixture.Path, "--release", "dalmatian", "--format", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var client = json.RootElement.EnumerateArray().Single(p => p.GetProperty("project").GetString() == "glanceclient");
        client.GetProperty("applied_tag").GetString().Should().Be("dalmatian");
        client.GetProperty("fields").GetProperty("source-branch").GetString().Should().Be("4.6.0");
    }

    [Fact]
    public async Task Show_for_a_release_gives_the_source_branch_that_applies()
    {
        var result = await CliRunner.RunAsync("rdoinfo", "show", "aodhclient", "--rdoinfo", RepoPaths.RealRdoinfo, "--release", "epoxy", "--format", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        json.RootElement.GetProperty("name").GetString().Should().Be("python-aodhclient");
        json.RootElement.GetProperty("source_branch").GetString().Should().Be("3.7.1");
        json.RootElement.GetProperty("source_branch_pinned").GetBoolean().Should().BeTrue();
        json.RootElement.GetProperty("distro_branch").GetString().Should().Be("epoxy-rdo");
    }

    [Fact]
    public async Task Show_without_a_pin_falls_back_to_the_release_upstream_branch()
    {
        var result = await CliRunner.RunAsync("rdoinfo", "show", "openstack-nova", "--rdoinfo", RepoPaths.RealRdoinfo, "--release", "epoxy");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Contain("source-branch: stable/2025.1 (release default)");
    }

    [Fact]
    public async Task Releases_lists_branches_and_repos()
    {
        var result = await CliRunner.RunAsync("rdoinfo", "releases", "--rdoinfo", RepoPaths.RealRdoinfo, "--format", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        json.RootElement.GetArrayLength().Should().Be(13);
        var epoxy = json.RootElement.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "epoxy");
        epoxy.GetProperty("branch").GetString().Should().Be("epoxy-rdo");
        epoxy.GetProperty("repos")[0].GetProperty("name").GetString().Should().Be("el9s");
    }

    [Fact]
    public async Task Diff_between_two_folders_reports_the_pin_change()
    {
        using var before = new RdoinfoFixture();
        using var after = new RdoinfoFixture();
        after.Write("tags/epoxy.yml", RdoinfoFixture.EpoxyTags.Replace("4.7.0", "4.8.0", StringComparison.Ordinal));

        var result = await CliRunner.RunAsync("rdoinfo", "diff", before.Path, after.Path, "--format", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var changed = json.RootElement.GetProperty("changed");
        changed.GetArrayLength().Should().Be(1);
        changed[0].GetProperty("releases")[0].GetProperty("new_source_branch").GetString().Should().Be("4.8.0");
    }

    [Fact]
    public async Task Diff_between_two_revisions_of_a_repository()
    {
        using var fixture = new RdoinfoFixture();
        var git = new TestGit(fixture.Path);
        await git.RunAsync("init", "--quiet");
        await git.CommitAsync("initial", new Dictionary<string, string>());
        await git.CommitAsync("drop glance", new Dictionary<string, string>
        {
            ["rdo.yml"] = RdoinfoFixture.Main.Replace("- project: glance\n  conf: core\n  maintainers:\n  - alice@example.org\n", "", StringComparison.Ordinal) + "\n",
            ["tags/epoxy.yml"] = "packages: []\n",
            ["tags/dalmatian.yml"] = "packages: []\n",
        });

        var result = await CliRunner.RunAsync("rdoinfo", "diff", "HEAD~1", "HEAD", "--repo", fixture.Path);

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Contain("- openstack-glance (project glance)");
        result.StandardError.Should().Contain("0 added, 1 removed, 1 changed");
    }

    public static TheoryData<string, string, string, int> BadTrees => new()
    {
        { "rdo-full.yml", "import:\n- rdo.yml\n- gone.yml\n", "rdo-full.yml:3: imported file 'gone.yml' not found", RdoinfoExitCodes.MissingFile },
        { "rdo-full.yml", "import:\n- rdo.yml\nreleases: [\n", "rdo-full.yml:5: YAML syntax error", RdoinfoExitCodes.Syntax },
        { "tags/epoxy.yml", "packages:\n- project: glance\n  tags: {}\n  tags: {epoxy: {<<: 1}}\n", "tags/epoxy.yml:4: a merge key '<<' takes a mapping", RdoinfoExitCodes.Syntax },
        { "tags/epoxy.yml", "packages:\n- project: glance\n  tags: " + new string('[', 300) + "\n", "tags/epoxy.yml:3: mappings and sequences nest more than 256 deep: the YAML nesting depth limit (256, --yaml-max-depth)", RdoinfoExitCodes.Limit },
        { "tags.yml", "import:\n- /dev/zero\n", "/dev/zero: resolves to /dev/zero, outside the rdoinfo folder", RdoinfoExitCodes.Invalid },
        { "tags/epoxy.yml", "packages:\n- tags:\n    epoxy:\n", "tags/epoxy.yml:2: package entry without 'project'", RdoinfoExitCodes.Invalid },
        { "tags/epoxy.yml", "packages:\n- project: glance\n  conf: nosuch\n", "tags/epoxy.yml:3: package 'glance' uses unknown conf template 'nosuch'", RdoinfoExitCodes.Invalid },
        { "tags/epoxy.yml", "import:\n- tags.yml\n", "tags/epoxy.yml:2: import cycle: tags.yml -> tags/epoxy.yml -> tags.yml", RdoinfoExitCodes.ImportCycle },
    };

    [Theory]
    [MemberData(nameof(BadTrees))]
    public async Task A_bad_database_is_one_error_naming_file_and_line_with_nothing_on_stdout(string file, string content, string message, int exitCode)
    {
        using var fixture = new RdoinfoFixture().Write(file, content);

        var result = await CliRunner.RunAsync("rdoinfo", "packages", "--rdoinfo", fixture.Path, "--format", "json");

        result.ExitCode.Should().Be(exitCode, result.ToString());
        result.StandardOutput.Should().BeEmpty();
        result.StandardError.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain(message).And.StartWith("cijobs: error: ");
    }

    [Fact]
    public async Task A_package_without_maintainers_is_an_error()
    {
        using var fixture = new RdoinfoFixture().Write("rdo.yml", RdoinfoFixture.Main.Replace("  maintainers:\n  - packagers@example.org\n", "", StringComparison.Ordinal));

        var result = await CliRunner.RunAsync("rdoinfo", "releases", "--rdoinfo", fixture.Path);

        result.ExitCode.Should().Be(RdoinfoExitCodes.Invalid, result.ToString());
        result.StandardError.Should().Contain("package 'glanceclient' has no maintainers");
        result.StandardOutput.Should().BeEmpty();
    }

    [Fact]
    public async Task An_unknown_package_suggests_close_names()
    {
        var result = await CliRunner.RunAsync("rdoinfo", "show", "openstack-novaa", "--rdoinfo", RepoPaths.RealRdoinfo);

        result.ExitCode.Should().Be(RdoinfoExitCodes.NotFound, result.ToString());
        result.StandardError.Should().Contain("unknown package 'openstack-novaa'; did you mean 'openstack-nova'");
    }

    [Fact]
    public async Task Packages_and_show_for_a_release_count_tags_from_package_default_and_templates()
    {
        var packages = await CliRunner.RunAsync("rdoinfo", "packages", "--rdoinfo", RepoPaths.RealRdoinfo, "--release", "train", "--format", "json");
        var show = await CliRunner.RunAsync("rdoinfo", "show", "instack", "--rdoinfo", RepoPaths.RealRdoinfo, "--release", "ussuri", "--format", "json");

        packages.ExitCode.Should().Be(0, packages.ToString());
        using var list = JsonDocument.Parse(packages.StandardOutput);
        list.RootElement.EnumerateArray().Select(p => p.GetProperty("project").GetString()).Should()
            .HaveCount(361, "distroinfo + DLRN's tag filter keep 361 packages in train")
            .And.Contain(["instack", "tripleo-ui", "networking-fujitsu", "tripleo-common-tempest-plugin"]);
        show.ExitCode.Should().Be(0, show.ToString());
        using var json = JsonDocument.Parse(show.StandardOutput);
        json.RootElement.GetProperty("applied_tag").GetString().Should().Be("ussuri");
    }

    [Fact]
    public async Task A_package_outside_the_release_is_an_error()
    {
        using var fixture = new RdoinfoFixture().Write("tags/dalmatian.yml", "packages: []\n");

        var result = await CliRunner.RunAsync("rdoinfo", "show", "glance", "--rdoinfo", fixture.Path, "--release", "dalmatian");

        result.ExitCode.Should().Be(RdoinfoExitCodes.NotFound, result.ToString());
        result.StandardError.Should().Contain("package 'openstack-glance' is not in release 'dalmatian'");
    }

    [Fact]
    public async Task A_missing_folder_and_a_missing_required_option_fail_clearly()
    {
        var missing = await CliRunner.RunAsync("rdoinfo", "releases", "--rdoinfo", "/nonexistent/rdoinfo");
        var usage = await CliRunner.RunAsync("rdoinfo", "releases");

        missing.ExitCode.Should().Be(RdoinfoExitCodes.MissingFile, missing.ToString());
        missing.StandardError.Should().Contain("rdoinfo folder '/nonexistent/rdoinfo' does not exist");
        usage.ExitCode.Should().Be(1, usage.ToString());
        usage.StandardError.Should().Contain("--rdoinfo");
    }
}
