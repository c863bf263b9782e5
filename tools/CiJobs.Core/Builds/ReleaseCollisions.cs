using System.Globalization;
using System.Text.RegularExpressions;
using CiJobs.Core.Truth;

namespace CiJobs.Core.Builds;

/// <summary>A release bump: the Release a build would have had, the one it gets, and the published build it must sort above.</summary>
public sealed record ReleaseBump(DateTimeOffset BuildTime, string PublishedNvr, DateTimeOffset PublishedAt);

/// <summary>
/// Keeps a rebuild's NVR above the NVRs already published from other inputs (docs/manual/mass-rebuild.md, "Release
/// bumps"): DLRN's Release is <c>0.&lt;build time&gt;.&lt;short hash&gt;</c>, so a node whose clock is behind, or two
/// builds of other inputs in the same second, would give an NVR at or below a published one. Reads the store's successful
/// builds of the package through <see cref="ITruthQueries"/>.
/// </summary>
public sealed partial class ReleaseCollisions(ITruthQueries store)
{
    /// <summary>How many of a package's newest builds are read: the colliding ones are the newest.</summary>
    public const int Limit = 1000;

    /// <summary>
    /// The bump a build of <paramref name="package"/> at <paramref name="version"/> and <paramref name="buildTime"/>
    /// needs, or null: when a stored successful build with another input hash has the same Version and a Release date at
    /// or after this build's (to the second), the build time becomes the newest such date + 1 s.
    /// </summary>
    public async Task<ReleaseBump?> CheckAsync(string package, string format, string version, string inputHash, DateTimeOffset buildTime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        var seconds = buildTime.ToUnixTimeSeconds();
        (long At, string Nvr)? newest = null;
        foreach (var build in await store.PublishedOfPackageAsync(package, format, Limit, cancellationToken))
        {
            if (build.InputHash == inputHash || build.SourceNvr is null || Parse(build.SourceNvr, format) is not { } published || published.Version != version)
            {
                continue;
            }

            var at = published.ReleaseTime ?? build.DtBuild;
            if (at >= seconds && (newest is null || at > newest.Value.At))
            {
                newest = (at, build.SourceNvr);
            }
        }

        return newest is { } found
            ? new ReleaseBump(DateTimeOffset.FromUnixTimeSeconds(found.At + 1), found.Nvr, DateTimeOffset.FromUnixTimeSeconds(found.At))
            : null;
    }

    /// <summary>The Version and the Release date (unix seconds; null when the Release is not DLRN's) of a source NVR:
    /// <c>name-version-0.yyyyMMddHHmmss.hash…</c> (RPM) or <c>name_version-0.yyyyMMddHHmmss.hash…</c> (a .dsc; the
    /// release may follow a <c>+</c> for a native version).</summary>
    public static (string Version, long? ReleaseTime)? Parse(string sourceNvr, string format)
    {
        ArgumentNullException.ThrowIfNull(sourceNvr);
        var match = (format == "deb" ? DebNvr() : RpmNvr()).Match(sourceNvr);
        if (!match.Success)
        {
            return null;
        }

        var date = match.Groups["date"];
        long? time = date.Success && DateTime.TryParseExact(date.Value, "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed)
            ? new DateTimeOffset(parsed, TimeSpan.Zero).ToUnixTimeSeconds()
            : null;
        return (match.Groups["version"].Value, time);
    }

    [GeneratedRegex(@"^.+-(?<version>[^-]+)-(?:0\.(?<date>[0-9]{14})\.[^-]*|[^-]+)$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex RpmNvr();

    [GeneratedRegex(@"^[^_]+_(?:[0-9]+:)?(?<version>.+?)(?:[-+](?:0\.(?<date>[0-9]{14})\.[^-+]*|[^-+]+))$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex DebNvr();
}
