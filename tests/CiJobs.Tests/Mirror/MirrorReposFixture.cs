using CiJobs.Core.Platform;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Mirror;

/// <summary>
/// Tiny real repositories, made once per test class by make-repos.sh (rpmbuild + createrepo_c, dpkg-deb + apt-ftparchive):
/// rpm-a (mx-alpha 1.0, mx-beta 2.0), rpm-b (mx-alpha 1.1, mx-gamma 3.0), deb-a (mx-motd 1.0, mx-extra 2.0), deb-b (mx-motd 1.1).
/// </summary>
public sealed class MirrorReposFixture : IAsyncLifetime
{
    private readonly TempDir temp = new("mirror-repos");

    public string Repos => temp.Combine("repos");

    public async Task InitializeAsync()
    {
        var script = Path.Combine(RepoPaths.Root, "tests", "CiJobs.Tests", "Mirror", "make-repos.sh");
        var result = await new CliWrapProcessRunner().RunAsync(new ProcessSpec("bash", [script, Repos]), CancellationToken.None);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"make-repos.sh failed: {result.StandardError}");
        }
    }

    public Task DisposeAsync()
    {
        temp.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A new SOURCE tree under <paramref name="folder"/>: rpm/ and deb/ copied from the named repositories (null leaves one out).</summary>
    public string Source(string folder, string? rpm, string? deb)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        if (rpm is not null)
        {
            Copy(Path.Combine(Repos, rpm), Path.Combine(folder, "rpm"));
        }

        if (deb is not null)
        {
            Copy(Path.Combine(Repos, deb), Path.Combine(folder, "deb"));
        }

        return folder;
    }

    /// <summary>A copy of the tree <paramref name="from"/> at <paramref name="to"/>, with the files' times.</summary>
    internal static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            File.Copy(file, target);
            File.SetLastWriteTimeUtc(target, File.GetLastWriteTimeUtc(file));
        }
    }
}
