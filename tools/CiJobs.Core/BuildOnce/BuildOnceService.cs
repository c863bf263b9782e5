using System.Security.Cryptography;
using System.Text.Json;
using CiJobs.Core.Builds;
using CiJobs.Core.Platform;

namespace CiJobs.Core.BuildOnce;

/// <summary>What the post job asks: reuse the gate's result of <see cref="Package"/> when it was built from these trees.</summary>
/// <param name="SourceTree">The merged source commit's root tree.</param>
/// <param name="DistgitTree">The merged distgit commit's root tree.</param>
/// <param name="Destination">The folder the reused files go to (must not exist, or be empty).</param>
/// <param name="Require">Fail (exit 119) instead of asking for a rebuild.</param>
public sealed record BuildOnceRequest(string Package, string SourceTree, string DistgitTree, string Destination, bool Require);

/// <summary>What happened: <c>reused</c> (the files are in <see cref="Destination"/>) or <c>rebuild</c>, and why.</summary>
public sealed record BuildOnceResult(string Outcome, string Reason, string Package, string? Destination, GateBuild? Build, string? Url, IReadOnlyList<ResultFile> Files)
{
    public const string Reused = "reused";
    public const string Rebuild = "rebuild";
}

/// <summary>
/// Build once: the post job reuses the result that the gate built and tested when the merged commits' trees equal the
/// gated ones, and asks for a rebuild otherwise, saying why. Every downloaded file is checked against the size and
/// sha256 that the gate build recorded; the files land in a staging folder renamed into place, so the destination holds
/// a whole result or nothing. docs/manual/build-once.md.
/// </summary>
public sealed class BuildOnceService(HttpClient http)
{
    public async Task<BuildOnceResult> RunAsync(BuildOnceRequest request, IGateArtifactSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(source);
        var destination = Path.GetFullPath(request.Destination);
        var parent = PrepareDestination(destination);

        GateSearch search;
        try
        {
            search = await source.FindAsync(cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Rebuild(request, $"the CI system's API could not be read: {UrlCredentials.Redact(e.Message)}", null);
        }

        if (search.Artifacts.Count == 0)
        {
            return Rebuild(request, $"no artifact of {request.Package} in the {search.Query}", null);
        }

        var match = search.Artifacts.FirstOrDefault(a => a.SourceTree == request.SourceTree && a.DistgitTree == request.DistgitTree && a.Files.Count > 0);
        if (match is null)
        {
            var newest = search.Artifacts[0];
            return Rebuild(
                request,
                newest.SourceTree is null || newest.DistgitTree is null
                    ? $"gate build {newest.Build.Id} recorded no trees (an older cijobs built it)"
                    : $"the merged trees (source {Short(request.SourceTree)}, distgit {Short(request.DistgitTree)}) differ from what gate build {newest.Build.Id} built (source {Short(newest.SourceTree)}, distgit {Short(newest.DistgitTree)})",
                newest.Build);
        }

        using var staging = CreateStaging(parent, destination);
        foreach (var file in match.Provenance is { } manifest ? match.Files.Append(manifest) : match.Files)
        {
            var url = new Uri(match.BaseUrl, Uri.EscapeDataString(file.Name));
            var problem = await DownloadAsync(url, file, Path.Combine(staging.Path, file.Name), cancellationToken);
            if (problem is not null)
            {
                return Rebuild(request, $"{file.Name} of gate build {match.Build.Id} failed its check: {problem}", match.Build);
            }
        }

        try
        {
            if (Directory.Exists(destination))
            {
                Directory.Delete(destination);
            }

            Directory.Move(staging.Path, destination);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot write '{destination}': {e.Message}", BuildOnceExitCodes.InvalidInput, e);
        }

        return new BuildOnceResult(
            BuildOnceResult.Reused,
            $"gate build {match.Build.Id} built the same trees (source {Short(request.SourceTree)}, distgit {Short(request.DistgitTree)}); its {match.Files.Count} files{(match.Provenance is null ? "" : " and its provenance.json")} passed their size and sha256 checks",
            request.Package,
            destination,
            match.Build,
            UrlCredentials.Redact(match.BaseUrl.AbsoluteUri),
            match.Files);
    }

    /// <summary>Downloads one file, bounded by its recorded size; returns what is wrong, or null.</summary>
    private async Task<string?> DownloadAsync(Uri url, ResultFile file, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            BoundedHttp.EnsureSuccess(response, "the download");
            await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite);
            var size = await BoundedHttp.CopyBoundedAsync(response, target, file.Size, "the download", cancellationToken);
            if (size != file.Size)
            {
                return $"{GateJson.Size(size)} bytes where the gate build recorded {GateJson.Size(file.Size)}";
            }

            target.Position = 0;
            var digest = Convert.ToHexStringLower(await SHA256.HashDataAsync(target, cancellationToken));
            return digest == file.Sha256 ? null : $"sha256 {digest} where the gate build recorded {file.Sha256}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return UrlCredentials.Redact(e.Message);
        }
    }

    private static string PrepareDestination(string destination)
    {
        var parent = Path.GetDirectoryName(destination) ?? throw new CiJobsException($"'{destination}' has no parent folder", BuildOnceExitCodes.InvalidInput);
        try
        {
            if (File.Exists(destination) || (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any()))
            {
                throw new CiJobsException($"'{destination}' exists and is not an empty folder", BuildOnceExitCodes.InvalidInput);
            }

            Directory.CreateDirectory(parent);
            OwnedDirectory.CleanStale(parent, $".{Path.GetFileName(destination)}.tmp-");
            return parent;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot write '{destination}': {e.Message}", BuildOnceExitCodes.InvalidInput, e);
        }
    }

    private static OwnedDirectory CreateStaging(string parent, string destination)
    {
        try
        {
            return OwnedDirectory.Create(parent, $".{Path.GetFileName(destination)}.tmp-");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot write '{destination}': {e.Message}", BuildOnceExitCodes.InvalidInput, e);
        }
    }

    private static BuildOnceResult Rebuild(BuildOnceRequest request, string reason, GateBuild? build) =>
        request.Require
            ? throw new CiJobsException($"nothing to reuse for {request.Package}: {reason}", BuildOnceExitCodes.NothingToReuse)
            : new BuildOnceResult(BuildOnceResult.Rebuild, reason, request.Package, null, build, null, []);

    private static string Short(string? tree) => tree is null ? "none" : tree[..Math.Min(12, tree.Length)];
}
