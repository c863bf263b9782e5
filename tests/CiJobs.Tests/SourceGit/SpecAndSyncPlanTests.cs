using CiJobs.Core;
using CiJobs.Core.SourceGit;

namespace CiJobs.Tests.SourceGit;

public sealed class SpecAndSyncPlanTests
{
    [Fact]
    public void AddPatches_AfterExistingPatchTags_KeepsTheRestByteIdentical()
    {
        const string spec = "Name: x\nSource0: x.tgz\nPatch1: old.patch\n\n%description\nx\n";
        var result = SpecPatchWriter.AddPatches(spec, [new SpecPatch(2, "new.patch", ["New fix", "", "# already a comment"])], 0);
        result.Should().Be("Name: x\nSource0: x.tgz\nPatch1: old.patch\n\n# New fix\n#\n# already a comment\nPatch2: new.patch\n\n%description\nx\n");
        SpecPatchWriter.ExistingPatches(result).Should().Equal((1, "old.patch"), (2, "new.patch"));
    }

    [Fact]
    public void AddPatches_NoSourceTag_GoesBeforeTheFirstSection()
    {
        var result = SpecPatchWriter.AddPatches("Name: x\n\n%prep\n", [new SpecPatch(1, "a.patch", [])], 3);
        result.Should().Be("Name: x\n\nPatch001: a.patch\n\n%prep\n");
    }

    [Fact]
    public void Config_Defaults_FollowPackitInit()
    {
        var config = SourceGitConfig.Parse("upstream_ref: v1\n", [".distro/a.spec"]);
        config.SpecfilePath.Should().Be(".distro/a.spec");
        config.PatchGenerationIgnorePaths.Should().Equal(".distro");
        config.PatchIdDigits.Should().Be(4);
        config.FilesToSync.Should().BeEquivalentTo(SourceGitConfig.DefaultFilesToSync);
    }

    [Fact]
    public void Config_WrongType_IsBadConfig()
    {
        var act = () => SourceGitConfig.Parse("files_to_sync: yes\n", [".distro/a.spec"]);
        act.Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(SourceGitExitCodes.BadConfig);
    }

    [Fact]
    public void SyncPlan_DirectoryContentsWithDelete_ProtectsAndExcludes()
    {
        var plan = FileSyncPlan.Create(
            SourceGitConfig.DefaultFilesToSync,
            [".distro/a.spec", ".distro/source-git.yaml", ".distro/.gitignore", ".distro/tests/t.yml", "src/main.c"],
            ["a.spec", "sources", ".gitignore", ".gitattributes", "old.patch", "tests/gone.yml", "source-git.yaml"]);

        plan.Copies.Should().BeEquivalentTo([new FileCopy(".distro/a.spec", "a.spec"), new FileCopy(".distro/tests/t.yml", "tests/t.yml")]);
        plan.Deletions.Should().Equal("old.patch", "tests/gone.yml");
    }

    [Fact]
    public void SyncPlan_SingleFileAndGlobs_MapLikeRsync()
    {
        var items = new[]
        {
            new FileSyncItem([".distro/a.spec"], "renamed.spec", false, false, []),
            new FileSyncItem(["docs/*.md"], "doc/", false, false, ["exclude skip.md"]),
        };
        var plan = FileSyncPlan.Create(items, [".distro/a.spec", "docs/x.md", "docs/skip.md", "docs/y.txt"], []);
        plan.Copies.Should().BeEquivalentTo([new FileCopy(".distro/a.spec", "renamed.spec"), new FileCopy("docs/x.md", "doc/x.md")]);
    }
}
