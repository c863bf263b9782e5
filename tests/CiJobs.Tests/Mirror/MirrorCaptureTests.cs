using CiJobs.Core;
using CiJobs.Core.Mirror;
using CiJobs.Core.Platform;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Mirror;

/// <summary>
/// The local copy reads SOURCE's package lists while it copies (LocalMirrorTarget.TransferAsync): the copy's check takes
/// them only when the copy's metadata lists the same lists with the SHA-256 of the bytes read, and then looks for every
/// package they name in the copy; otherwise it reads the copy's lists itself, as before.
/// </summary>
public sealed class MirrorCaptureTests(MirrorReposFixture repos) : IClassFixture<MirrorReposFixture>, IDisposable
{
    private readonly TempDir temp = new("mirror-capture");
    private readonly CliWrapProcessRunner runner = new();

    public void Dispose() => temp.Dispose();

    private async Task<(LocalMirrorTarget Target, string Source, IReadOnlyList<FoundRepository> Found, string Copy)> TransferAsync(string rpm, string deb, string partial = "partial")
    {
        var source = repos.Source(temp.Combine("src-" + partial), rpm, deb);
        var destination = MirrorDestination.Parse(temp.Combine("pub", "repo"));
        var target = new LocalMirrorTarget(runner, destination);
        await target.InspectAsync(CancellationToken.None);
        var found = new RepositoryTree(runner, source).Find();
        await target.TransferAsync(source, found, partial, null, CancellationToken.None);
        return (target, source, found, Path.Combine(destination.SnapshotsFolder, partial));
    }

    /// <summary>The package list a full check of <paramref name="tree"/> writes, made in a folder of its own.</summary>
    private async Task<string> FullCheckListAsync(string tree)
    {
        var folder = temp.Combine("full-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var repository = new RepositoryTree(runner, tree);
        var list = new PackageListWriter(folder);
        await repository.CheckAsync(repository.Find(), MirrorExitCodes.SyncFailed, list, CancellationToken.None);
        list.Complete();
        return await File.ReadAllTextAsync(list.Path);
    }

    [Fact]
    public async Task The_lists_read_during_the_copy_are_taken_when_the_copy_has_them_and_give_the_list_a_full_check_gives()
    {
        var (target, source, found, copy) = await TransferAsync("rpm-a", "deb-a");
        Directory.Exists(LocalMirrorTarget.CaptureFolder(copy)).Should().BeTrue();

        await target.CheckAsync(source, found, "partial", CancellationToken.None);

        target.AdoptedCapture.Should().BeTrue();
        Directory.Exists(LocalMirrorTarget.CaptureFolder(copy)).Should().BeFalse();
        var list = await File.ReadAllTextAsync(Path.Combine(copy, PackageListFile.Name));
        list.Should().Be(await FullCheckListAsync(copy)).And.Contain("mx-alpha").And.Contain("mx-motd");
    }

    [Fact]
    public async Task A_list_decompressed_by_a_program_is_captured_from_a_hashed_copy_of_it()
    {
        // rpm-a again, its metadata made by createrepo_c with xz: primary.xml.xz is decompressed by xz.
        var source = repos.Source(temp.Combine("src-xz"), "rpm-a", null);
        var rpm = Path.Combine(source, "rpm");
        Directory.Delete(Path.Combine(rpm, "repodata"), recursive: true);
        var made = await runner.RunAsync(new ProcessSpec("createrepo_c", ["-q", "--general-compress-type=xz", rpm]), CancellationToken.None);
        made.ExitCode.Should().Be(0, made.StandardError);
        Directory.GetFiles(Path.Combine(rpm, "repodata"), "*primary.xml.xz").Should().ContainSingle();
        var destination = MirrorDestination.Parse(temp.Combine("pub-xz", "repo"));
        var target = new LocalMirrorTarget(runner, destination);
        await target.InspectAsync(CancellationToken.None);
        var found = new RepositoryTree(runner, source).Find();

        await target.TransferAsync(source, found, "xz", null, CancellationToken.None);
        await target.CheckAsync(source, found, "xz", CancellationToken.None);

        target.AdoptedCapture.Should().BeTrue();
        var copy = Path.Combine(destination.SnapshotsFolder, "xz");
        (await File.ReadAllTextAsync(Path.Combine(copy, PackageListFile.Name))).Should().Be(await FullCheckListAsync(copy)).And.Contain("mx-beta");
    }

    [Fact]
    public async Task A_copy_whose_lists_differ_from_those_read_is_checked_by_reading_its_own()
    {
        // As if SOURCE changed between the reading of its lists and the copy: SOURCE and the copy now hold another repository.
        var (target, source, found, copy) = await TransferAsync("rpm-a", "deb-a");
        repos.Source(temp.Combine("other"), "rpm-b", null);
        foreach (var tree in new[] { source, copy })
        {
            Directory.Delete(Path.Combine(tree, "rpm"), recursive: true);
            MirrorReposFixture.Copy(temp.Combine("other", "rpm"), Path.Combine(tree, "rpm"));
        }

        await target.CheckAsync(source, found, "partial", CancellationToken.None);

        target.AdoptedCapture.Should().BeFalse();
        Directory.Exists(LocalMirrorTarget.CaptureFolder(copy)).Should().BeFalse();
        var list = await File.ReadAllTextAsync(Path.Combine(copy, PackageListFile.Name));
        list.Should().Be(await FullCheckListAsync(copy)).And.Contain("mx-gamma").And.NotContain("mx-beta");
    }

    [Fact]
    public async Task A_package_missing_from_the_copy_or_of_another_size_fails_the_check_as_a_full_check_does()
    {
        var (target, source, found, copy) = await TransferAsync("rpm-a", "deb-a");
        var package = Directory.GetFiles(Path.Combine(copy, "rpm", "Packages"), "mx-beta*.rpm").Single();
        File.Delete(package);

        var missing = await FluentActions.Awaiting(() => target.CheckAsync(source, found, "partial", CancellationToken.None)).Should().ThrowAsync<CiJobsException>();
        missing.Which.ExitCode.Should().Be(MirrorExitCodes.NotARepository);
        missing.Which.Message.Should().Contain("is not a sound repository tree (seen in its copy; nothing published)")
            .And.Contain($"rpm/Packages/{Path.GetFileName(package)}, listed in rpm/repodata/").And.Contain("is missing");
        Directory.Exists(LocalMirrorTarget.CaptureFolder(copy)).Should().BeFalse();

        (target, source, found, copy) = await TransferAsync("rpm-a", "deb-a", "second");
        var deb = Directory.GetFiles(Path.Combine(copy, "deb", "pool", "main", "m"), "mx-extra*.deb").Single();
        File.Delete(deb);
        File.WriteAllText(deb, "shorter");

        var resized = await FluentActions.Awaiting(() => target.CheckAsync(source, found, "second", CancellationToken.None)).Should().ThrowAsync<CiJobsException>();
        resized.Which.Message.Should().Contain("has 7 bytes").And.Contain("dists/stable/main/binary-all/Packages says");
    }
}
