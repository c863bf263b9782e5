namespace CiJobs.Core.Builds;

/// <summary>What a builder gets: a prepared spec and its sources.</summary>
/// <param name="SpecFile">The edited spec.</param>
/// <param name="SourcesDirectory">The tarball and every other file of the distgit.</param>
/// <param name="WorkDirectory">An empty folder the builder may use.</param>
/// <param name="Dist">The value of the dist macro (for example <c>.el9</c>).</param>
/// <param name="Log">The build's rpmbuild.log; the builder appends its commands and output.</param>
/// <param name="BuildLogFile">Where the binary build's own output goes (DLRN's build.log).</param>
public sealed record PackageBuildInput(string SpecFile, string SourcesDirectory, string WorkDirectory, string Dist, BuildLog Log, string BuildLogFile)
{
    /// <summary>The build time in Unix seconds, given to the builder as SOURCE_DATE_EPOCH so the same inputs build the same bits
    /// (docs/manual/replay.md, "Reproducible RPMs"); null: the builder's own clock.</summary>
    public long? SourceDateEpoch { get; init; }
}

/// <summary>What a builder produced; on failure <see cref="Message"/> says which step failed.</summary>
public sealed record PackageBuildOutput(bool Succeeded, string? SourcePackage, IReadOnlyList<string> BinaryPackages, string Message)
{
    /// <summary>The exit code of a failed build (<see cref="BuildExitCodes.BuildFailed"/> unless the builder knows better).</summary>
    public int ExitCode { get; init; } = BuildExitCodes.BuildFailed;
}

/// <summary>Builds a source package and its binary packages from a prepared spec (rpmbuild here; mock where it exists).</summary>
public interface IPackageBuilder
{
    /// <summary>A short name for logs and JSON (for example <c>rpmbuild</c>).</summary>
    string Name { get; }

    /// <summary>Runs the build; a failed build is a result, not an exception.</summary>
    Task<PackageBuildOutput> BuildAsync(PackageBuildInput input, CancellationToken cancellationToken);
}
