using CiJobs.Core.Mirror;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Mirror;

/// <summary>FolderRemover: a snapshot deleted entry by entry relative to folder descriptors, never through a link.</summary>
public sealed class FolderRemoverTests : IDisposable
{
    private readonly TempDir temp = new("remover");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task A_tree_with_files_empty_folders_and_links_is_deleted_and_nothing_a_link_leads_to_is_touched()
    {
        var outside = temp.Write("outside/keep.txt", "kept");
        var tree = temp.Combine("tree");
        temp.Write("tree/a.txt", "a");
        temp.Write("tree/Packages/x-1.0.rpm", "x");
        temp.Write("tree/repodata/repomd.xml", "<repomd/>");
        Directory.CreateDirectory(temp.Combine("tree", "empty", "deeper"));
        File.CreateSymbolicLink(temp.Combine("tree", "to-outside"), temp.Combine("outside"));
        File.CreateSymbolicLink(temp.Combine("tree", "Packages", "to-file"), outside);
        File.CreateSymbolicLink(temp.Combine("tree", "dangling"), temp.Combine("missing"));
        var fifo = temp.Combine("tree", "fifo");
        (await global::CliWrap.Cli.Wrap("mkfifo").WithArguments([fifo]).ExecuteAsync()).ExitCode.Should().Be(0);

        FolderRemover.Delete(tree);

        Directory.Exists(tree).Should().BeFalse();
        File.ReadAllText(outside).Should().Be("kept");
    }

    [Fact]
    public void A_tree_deeper_than_the_limit_is_deleted_too()
    {
        var path = temp.Combine("deep");
        var current = path;
        for (var i = 0; i < FolderRemover.MaxDepth + 5; i++)
        {
            current = Path.Combine(current, "d");
        }

        Directory.CreateDirectory(current);
        File.WriteAllText(Path.Combine(current, "f"), "f");

        FolderRemover.Delete(path);

        Directory.Exists(path).Should().BeFalse();
    }

    [Fact]
    public void A_missing_folder_is_an_error_naming_it()
    {
        var missing = temp.Combine("missing");

        FluentActions.Invoking(() => FolderRemover.Delete(missing)).Should().Throw<IOException>().WithMessage($"cannot open {missing}:*");
    }
}
