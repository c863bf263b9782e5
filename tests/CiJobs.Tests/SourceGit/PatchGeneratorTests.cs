using System.Text;
using CiJobs.Core.Git;
using CiJobs.Core.Platform;
using CiJobs.Core.SourceGit;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.SourceGit;

/// <summary>
/// format-patch writes one stream that is cut into patches and named as <c>git format-patch -o</c>
/// names its files: both must give the same files, byte for byte, on a history with the awkward cases
/// (and update-dist-git the same files once the trailers are applied).
/// </summary>
public sealed class PatchGeneratorTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDir temp = new("patches");
    private int tick;

    [Fact]
    public async Task One_format_patch_stream_gives_the_files_of_format_patch_into_a_directory()
    {
        var repo = await CreateHistoryAsync();

        var patches = await FormatPatchAsync(repo);

        var expected = await FormatPatchIntoDirectoryAsync(repo);
        patches.Select(p => p.FileName).Should().Equal(expected.Keys);
        foreach (var patch in patches)
        {
            Encoding.Latin1.GetBytes(patch.Text).Should().Equal(expected[patch.FileName], $"{patch.FileName} is byte-identical");
        }

        patches.Should().HaveCountGreaterThan(50);
        patches.Select(p => p.FileName).Should().Contain(n => n.Length == 63, "long subjects are cut like format-patch cuts them");
    }

    [Fact]
    public async Task The_users_file_name_length_is_honoured_as_format_patch_honours_it()
    {
        var repo = await CreateHistoryAsync(commits: 12);
        await repo.RunAsync("config", "format.filenameMaxLength", "20");

        var patches = await FormatPatchAsync(repo);

        patches.Select(p => p.FileName).Should().Equal((await FormatPatchIntoDirectoryAsync(repo)).Keys);
        patches.Should().OnlyContain(p => p.FileName.Length <= 20);
    }

    [Fact]
    public void Split_WithoutTheEmptyLineBetweenPatches_Throws()
    {
        CommitInfo Commit(string hash) => new(hash, [], "A", "a@example.org", "2026-11-01T12:00:00+00:00", $"Change-{hash[0]}", "Change\n");
        var a = new string('a', 40);
        var b = new string('b', 40);
        var stream = $"From {a} Mon Sep 17 00:00:00 2001\nSubject: [PATCH 1/2] A\n\nFrom {b} Mon Sep 17 00:00:00 2001\nSubject: [PATCH 2/2] B\n";

        PatchGenerator.Split(new FormatPatchStream(stream, 64), [Commit(a), Commit(b)]).Select(p => p.FileName)
            .Should().Equal("0001-Change-a.patch", "0002-Change-b.patch");
        var glued = () => PatchGenerator.Split(new FormatPatchStream(stream.Replace("\n\nFrom", "\nFrom", StringComparison.Ordinal), 64), [Commit(a), Commit(b)]);
        glued.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public async Task No_downstream_commit_gives_no_patch()
    {
        var repo = await CreateHistoryAsync(commits: 0);

        (await FormatPatchAsync(repo)).Should().BeEmpty();
    }

    [Fact]
    public async Task Update_dist_git_writes_the_files_of_format_patch_with_the_trailers_applied()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        var repo = f.Src;
        for (var n = 0; n < 40; n++)
        {
            var trailers = (n % 10) switch
            {
                0 => $"\n\nPatch-name: named-{n}.patch",
                5 => "\n\nIgnore-patch: true",
                7 => "\n\nNo-prefix: true",
                _ => string.Empty,
            };
            var path = n % 13 == 12 ? ".distro/tests/tests.yml" : $"src/file{n % 6}.c";
            await f.CommitSrcAsync($"Downstream change {n}\n\nWhy {n}.{trailers}", new Dictionary<string, string> { [path] = $"int v{n} = {n};\n" });
        }

        await f.UpdateDistGitAsync();

        var expected = await FormatPatchIntoDirectoryAsync(repo);
        var written = Directory.GetFiles(f.Dist.Directory, "*.patch").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var messages = (await repo.RunAsync("log", "--reverse", "--format=%s", "v1.0..HEAD", "--", ".", ":(exclude).distro")).Split('\n');
        var wanted = new List<string>();
        foreach (var (name, bytes) in expected)
        {
            var n = int.Parse(messages[int.Parse(name[..4], System.Globalization.CultureInfo.InvariantCulture) - 1].Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
            var text = Encoding.Latin1.GetString(bytes);
            switch (n % 10)
            {
                case 0:
                    wanted.Add($"named-{n}.patch");
                    (await File.ReadAllBytesAsync(f.DistPath($"named-{n}.patch"))).Should().Equal(bytes);
                    break;
                case 5:
                    break;
                case 7:
                    wanted.Add(name);
                    Encoding.Latin1.GetString(await File.ReadAllBytesAsync(f.DistPath(name))).Should().Be(PatchGenerator.StripPrefixes(text));
                    break;
                default:
                    wanted.Add(name);
                    (await File.ReadAllBytesAsync(f.DistPath(name))).Should().Equal(bytes);
                    break;
            }
        }

        written.Should().BeEquivalentTo(wanted);
    }

    public void Dispose() => temp.Dispose();

    private static async Task<IReadOnlyList<FormattedPatch>> FormatPatchAsync(TestGit repo)
    {
        var git = new GitCli(new CliWrapProcessRunner());
        var source = await GitRepo.OpenAsync(git, repo.Directory, "SRC", CancellationToken.None);
        var output = Path.Combine(source.GitDirectory, "test.patches");
        var stream = await PatchGenerator.FormatPatchAsync(source, "v1.0", source.InitialHead, [".distro"], output, CancellationToken.None);
        return PatchGenerator.Split(stream, await source.LogAsync(["v1.0..HEAD"], CancellationToken.None));
    }

    /// <summary>What a plain <c>git format-patch -o</c> of the same range writes: file name → bytes, in order.</summary>
    private async Task<SortedDictionary<string, byte[]>> FormatPatchIntoDirectoryAsync(TestGit repo)
    {
        var directory = temp.Combine($"expected-{Guid.NewGuid():N}");
        await repo.RunAsync("format-patch", "-q", "--no-signature", "-o", directory, "v1.0..HEAD", "--", ".", ":(exclude).distro");
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in Directory.Exists(directory) ? Directory.GetFiles(directory) : [])
        {
            files[Path.GetFileName(file)] = await File.ReadAllBytesAsync(file);
        }

        return files;
    }

    /// <summary>
    /// An upstream tagged v1.0, then downstream commits with what makes patches awkward: long, dotted and
    /// non-ASCII subjects (cut and folded Subject lines, RFC 2047), Latin-1 and Shift_JIS encoded messages,
    /// a message quoting a patch's From line, binary files, renames, mode changes, deletions, a file without
    /// a final newline, and .distro-only commits that format-patch leaves out.
    /// </summary>
    private async Task<TestGit> CreateHistoryAsync(int commits = 60)
    {
        var repo = await TestGit.InitAsync(temp.Combine($"src-{Guid.NewGuid():N}"));
        await repo.CommitAsync("Upstream", new Dictionary<string, string> { ["src/a.c"] = "a\n", ["src/b.c"] = "b\n", ["README"] = "r\n" }, Next());
        await repo.RunAsync("tag", "v1.0");
        string? previous = null;
        for (var n = 0; n < commits; n++)
        {
            var subject = (n % 12) switch
            {
                0 => $"Fix {n}: a very long subject line that format-patch has to fold in the Subject header and cut in the file name",
                1 => $"Ünïcödé sübject {n} — with “quotes”",
                2 => $"...dots... {n} [and] (brackets) !!",
                3 => $"Subject {n}",
                _ => $"Downstream change {n}",
            };
            var body = n % 7 == 3 && previous is not null
                ? $"Quoting a patch:\n\nFrom {previous} Mon Sep 17 00:00:00 2001\nFrom: Someone <someone@example.org>\n"
                : $"Why change {n} is needed.";
            var files = new Dictionary<string, string>();
            switch (n % 9)
            {
                case 4:
                    await File.WriteAllBytesAsync(Path.Combine(repo.Directory, $"bin{n}.dat"), [0, 1, 2, (byte)n, 0xFF, 0]);
                    break;
                case 5 when File.Exists(Path.Combine(repo.Directory, "README")):
                    await repo.RunAsync("mv", "README", "README.md");
                    break;
                case 6:
                    File.SetUnixFileMode(Path.Combine(repo.Directory, "src/a.c"), File.GetUnixFileMode(Path.Combine(repo.Directory, "src/a.c")) ^ UnixFileMode.UserExecute);
                    break;
                case 7:
                    files[".distro/only.txt"] = $"{n}\n";
                    break;
                case 8 when File.Exists(Path.Combine(repo.Directory, "src/b.c")):
                    await repo.RunAsync("rm", "-q", "src/b.c");
                    break;
                default:
                    files[$"src/file{n % 5}.c"] = n % 2 == 0 ? $"int v = {n};\n" : $"int v = {n}; /* no newline */";
                    files[".distro/both.spec"] = $"Release: {n}\n";
                    break;
            }

            previous = n % 11 == 10
                ? await CommitEncodedAsync(repo, n % 2 == 0 ? "ISO-8859-1" : "SHIFT_JIS", files, n)
                : await repo.CommitAsync($"{subject}\n\n{body}", files, Next());
        }

        return repo;
    }

    /// <summary>A commit whose message is stored in a legacy encoding (i18n.commitEncoding): é in Latin-1, ア (0x83 0x41) in Shift_JIS.</summary>
    private async Task<string> CommitEncodedAsync(TestGit repo, string encoding, IReadOnlyDictionary<string, string> files, int n)
    {
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(repo.Directory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(full, content);
        }

        byte[] word = encoding == "SHIFT_JIS" ? [0x83, 0x41, 0x83, 0x41] : [0x63, 0x61, 0x66, 0xE9];
        var message = temp.Combine($"message-{n}");
        await File.WriteAllBytesAsync(message, [.. Encoding.ASCII.GetBytes($"Encoded {n} "), .. word, .. "\n\nBody "u8, .. word, 0x0A]);
        await repo.RunAsync("add", "--all");
        var when = Next().ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
        await repo.RunWithEnvironmentAsync(
            new Dictionary<string, string?> { ["GIT_AUTHOR_DATE"] = when, ["GIT_COMMITTER_DATE"] = when },
            "-c", $"i18n.commitEncoding={encoding}", "commit", "--quiet", "--allow-empty", "-F", message);
        return await repo.RunAsync("rev-parse", "HEAD");
    }

    private DateTimeOffset Next() => Start.AddMinutes(++tick);
}
