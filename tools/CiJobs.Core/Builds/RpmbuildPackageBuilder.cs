using CiJobs.Core.Platform;

namespace CiJobs.Core.Builds;

/// <summary>
/// Builds with the host's rpmbuild, in two steps like DLRN's mock driver: the SRPM from the spec
/// (<c>rpmbuild -bs</c>), then the binary packages from that SRPM (<c>rpmbuild --rebuild</c>).
/// BuildRequires are not installed (there is no build root), so both steps run with <c>--nodeps</c>.
/// </summary>
public sealed class RpmbuildPackageBuilder(IProcessRunner runner) : IPackageBuilder
{
    public string Name => "rpmbuild";

    public async Task<PackageBuildOutput> BuildAsync(PackageBuildInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var srpmTop = Path.Combine(input.WorkDirectory, "srpm");
        var rpmTop = Path.Combine(input.WorkDirectory, "rpm");
        Directory.CreateDirectory(srpmTop);
        Directory.CreateDirectory(rpmTop);

        var srpmStep = await RunAsync(
            input,
            [
                "-bs", "--nodeps",
                "--define", "_topdir " + srpmTop,
                "--define", "_sourcedir " + input.SourcesDirectory,
                "--define", "dist " + input.Dist,
                input.SpecFile,
            ],
            buildLog: null,
            cancellationToken);
        var srpm = Directory.Exists(Path.Combine(srpmTop, "SRPMS"))
            ? Directory.GetFiles(Path.Combine(srpmTop, "SRPMS"), "*.src.rpm").SingleOrDefault()
            : null;
        if (srpmStep != 0 || srpm is null)
        {
            return new PackageBuildOutput(false, null, [], $"rpmbuild -bs (SRPM build) failed with exit code {srpmStep}");
        }

        await using var buildLog = new BuildLog(input.BuildLogFile);
        var rpmStep = await RunAsync(
            input,
            [
                "--rebuild", "--nodeps",
                "--define", "_topdir " + rpmTop,
                "--define", "dist " + input.Dist,
                srpm,
            ],
            buildLog,
            cancellationToken);
        var rpmsDirectory = Path.Combine(rpmTop, "RPMS");
        var rpms = Directory.Exists(rpmsDirectory)
            ? Directory.GetFiles(rpmsDirectory, "*.rpm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : [];
        if (rpmStep != 0 || rpms.Count == 0)
        {
            return new PackageBuildOutput(false, srpm, [], rpmStep != 0
                ? $"rpmbuild --rebuild (binary build) failed with exit code {rpmStep}"
                : "rpmbuild --rebuild produced no binary package");
        }

        return new PackageBuildOutput(true, srpm, rpms, "OK");
    }

    private async Task<int> RunAsync(PackageBuildInput input, IReadOnlyList<string> arguments, BuildLog? buildLog, CancellationToken cancellationToken) =>
        (await input.Log.RunToolAsync(runner, "rpmbuild", arguments, input.WorkDirectory, buildLog, cancellationToken)).ExitCode;
}
