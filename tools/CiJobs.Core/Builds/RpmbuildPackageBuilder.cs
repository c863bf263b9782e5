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
                // Relative to the work folder (rpmbuild's working directory): the source package keeps the spec's
                // expanded scripts, and a temporary folder's name in them would make every build's SRPM differ.
                "--define", "_topdir " + Path.GetRelativePath(input.WorkDirectory, srpmTop),
                "--define", "_sourcedir " + Path.GetRelativePath(input.WorkDirectory, input.SourcesDirectory),
                "--define", "dist " + input.Dist,
                .. Reproducible(input),
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
                .. Reproducible(input),
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

    /// <summary>The macros that make the same inputs build the same bits when the build time is given: the build time as
    /// BUILDTIME, file times clamped to it, a fixed build host (docs/manual/replay.md, "Reproducible RPMs").</summary>
    private static string[] Reproducible(PackageBuildInput input) => input.SourceDateEpoch is null
        ? []
        : [
            "--define", "use_source_date_epoch_as_buildtime 1",
            "--define", "clamp_mtime_to_source_date_epoch 1",
            "--define", "build_mtime_policy clamp_to_source_date_epoch",
            "--define", "_buildhost " + BuildHost,
        ];

    /// <summary>The build host recorded in the packages of a reproducible build.</summary>
    public const string BuildHost = "cijobs";

    private async Task<int> RunAsync(PackageBuildInput input, IReadOnlyList<string> arguments, BuildLog? buildLog, CancellationToken cancellationToken) =>
        (await input.Log.RunToolAsync(
            runner,
            "rpmbuild",
            arguments,
            input.WorkDirectory,
            buildLog,
            cancellationToken,
            input.SourceDateEpoch is { } epoch ? new Dictionary<string, string> { ["SOURCE_DATE_EPOCH"] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) } : null)).ExitCode;
}
