using System.Globalization;
using System.Text.Json;
using CiJobs.Core.Builds;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Forges;
using CiJobs.Core.Forges.GitLab;
using CiJobs.Core.Git;

namespace CiJobs.Core.Audit;

/// <summary>
/// Heads by <c>git ls-remote LOCATION REF</c>, several packages at once: the branch, else the tag (peeled), else the
/// ref as ls-remote names it; a ref that is already a full hash is its own head (docs/manual/audit.md).
/// </summary>
public sealed class GitHeadSource(GitCli git) : IHeadSource
{
    public int Parallelism { get; init; } = 8;

    public async Task<IReadOnlyList<PackageHeads>> HeadsAsync(IReadOnlyList<ExpectedPackage> packages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(packages);
        var result = new PackageHeads[packages.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, packages.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Parallelism), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var package = packages[i];
                result[i] = new PackageHeads(
                    package.Name,
                    await HeadAsync(package.Name, "source", package.SourceLocation, package.SourceRef, ct),
                    await HeadAsync(package.Name, "distgit", package.DistgitLocation, package.DistgitRef, ct));
            });
        return result;
    }

    private async Task<string> HeadAsync(string package, string what, string location, string reference, CancellationToken cancellationToken)
    {
        if (FullHash.Is(reference))
        {
            return reference;
        }

        GitValues.Ref(reference, $"{package}'s {what} ref", AuditExitCodes.InvalidInput);
        var run = await git.RunUncheckedAsync(Path.GetTempPath(), ["ls-remote", "--", location, reference], cancellationToken);
        if (!run.Succeeded)
        {
            throw new CiJobsException($"{package}: git ls-remote of its {what} {UrlCredentials.Redact(location)} failed: {UrlCredentials.Redact(FirstLine(run.StandardError))}", AuditExitCodes.HeadsUnavailable);
        }

        var refs = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t'))
            .Where(p => p.Length == 2 && FullHash.Is(p[0]))
            .ToDictionary(p => p[1], p => p[0], StringComparer.Ordinal);
        foreach (var name in new[] { $"refs/heads/{reference}", $"refs/tags/{reference}^{{}}", $"refs/tags/{reference}", reference })
        {
            if (refs.TryGetValue(name, out var hash))
            {
                return hash;
            }
        }

        throw new CiJobsException($"{package}: its {what} {UrlCredentials.Redact(location)} has no branch or tag '{reference}'", AuditExitCodes.HeadsUnavailable);
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "(no message)";
}

/// <summary>
/// Heads from a JSON file, <c>{"packages": {"NAME": {"source": HASH, "distgit": HASH, "source_time": "ISO 8601"?}}}</c>
/// (docs/manual/audit.md): for an audit of many packages, or heads gathered by another job. At most 64 MiB.
/// </summary>
public sealed class HeadsFile(IReadOnlyDictionary<string, PackageHeads> heads) : IHeadSource
{
    public const long MaxBytes = 64L << 20;

    public static async Task<HeadsFile> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new CiJobsException($"--heads {path}: no such file", AuditExitCodes.InvalidInput);
        }

        if (info.Length > MaxBytes)
        {
            throw new CiJobsException($"--heads {path}: {info.Length} bytes, more than the {MaxBytes} allowed", AuditExitCodes.InvalidInput);
        }

        var heads = new Dictionary<string, PackageHeads>(StringComparer.Ordinal);
        try
        {
            await using var stream = File.OpenRead(path);
            using var document = await JsonDocument.ParseAsync(stream, new JsonDocumentOptions { MaxDepth = 8 }, cancellationToken);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("packages", out var packages) || packages.ValueKind != JsonValueKind.Object)
            {
                throw new CiJobsException($"--heads {path}: the top level must be an object with a 'packages' object", AuditExitCodes.InvalidInput);
            }

            foreach (var entry in packages.EnumerateObject())
            {
                var name = PackageNames.IsSafe(entry.Name)
                    ? entry.Name
                    : throw new CiJobsException($"--heads {path}: '{PackageNames.Printable(entry.Name)}' is not a valid package name", AuditExitCodes.InvalidInput);
                if (entry.Value.ValueKind != JsonValueKind.Object)
                {
                    throw new CiJobsException($"--heads {path}: {name} is not an object", AuditExitCodes.InvalidInput);
                }

                string Hash(string key) => entry.Value.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String && FullHash.Is(value.GetString()!)
                    ? value.GetString()!
                    : throw new CiJobsException($"--heads {path}: {name}.{key} must be a full commit hash", AuditExitCodes.InvalidInput);
                DateTimeOffset? time = null;
                if (entry.Value.TryGetProperty("source_time", out var t) && t.ValueKind != JsonValueKind.Null)
                {
                    time = t.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                        ? parsed
                        : throw new CiJobsException($"--heads {path}: {name}.source_time must be an ISO 8601 time", AuditExitCodes.InvalidInput);
                }

                heads[name] = new PackageHeads(name, Hash("source"), Hash("distgit"), time);
            }
        }
        catch (JsonException e)
        {
            throw new CiJobsException($"--heads {path}: not JSON: {e.Message}", AuditExitCodes.InvalidInput, e);
        }

        return new HeadsFile(heads);
    }

    public Task<IReadOnlyList<PackageHeads>> HeadsAsync(IReadOnlyList<ExpectedPackage> packages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(packages);
        var missing = packages.Where(p => !heads.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        if (missing.Count > 0)
        {
            throw new CiJobsException($"--heads has no heads of {missing.Count} package(s) of the release: {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", ..." : "")}", AuditExitCodes.HeadsUnavailable);
        }

        return Task.FromResult<IReadOnlyList<PackageHeads>>([.. packages.Select(p => heads[p.Name])]);
    }
}

/// <summary>DLRN's builds of a package through GraphQL <c>commits(projectName, limit)</c>, newest first.</summary>
public sealed class DlrnBuildSource(DlrnApiClient client, int limit = 50) : IDlrnBuildSource
{
    public Task<IReadOnlyList<DlrnCommitRecord>> BuildsAsync(string package, CancellationToken cancellationToken) =>
        client.GetCommitsAsync(new DlrnCommitQuery { ProjectName = package, Limit = limit }, cancellationToken);
}

/// <summary>
/// <c>--replay</c>: DLRN's recheck and re-import through its API, and a new pipeline of the package's distgit branch through
/// GitLab's API (when a GitLab client is given; the distgit's project path is taken from its URL).
/// </summary>
public sealed class AuditReplayer(DlrnApiClient dlrn, GitLabClient? gitlab, Uri? gitlabRoot) : IAuditReplayer
{
    public async Task<ReplayOutcome> RecheckAsync(string package, CancellationToken cancellationToken)
    {
        try
        {
            await dlrn.RecheckPackageAsync(package, cancellationToken);
            return new ReplayOutcome(package, "dlrn_recheck", true, "DLRN deleted the failed build; its next run builds the commit again");
        }
        catch (DlrnApiException e)
        {
            return new ReplayOutcome(package, "dlrn_recheck", false, e.Message);
        }
    }

    public async Task<ReplayOutcome> RepublishAsync(RecordedBuild build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        if (!Uri.TryCreate(build.ResultUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || UrlCredentials.Carries(build.ResultUrl))
        {
            return new ReplayOutcome(build.Package, "republish", false, "the stored result URL is not an http(s) URL without credentials");
        }

        try
        {
            await dlrn.ImportAsync(url, cancellationToken);
            return new ReplayOutcome(build.Package, "republish", true, $"asked DLRN to import {url} again");
        }
        catch (DlrnApiException e)
        {
            return new ReplayOutcome(build.Package, "republish", false, e.Message);
        }
    }

    public async Task<ReplayOutcome> RerunAsync(ExpectedPackage package, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(package);
        if (gitlab is null || gitlabRoot is null)
        {
            return new ReplayOutcome(package.Name, "rerun_ci", false, "no CI API given (--rerun-gitlab-url): run the package's build job again by hand");
        }

        if (ProjectPath(package.DistgitLocation, gitlabRoot) is not { } project)
        {
            return new ReplayOutcome(package.Name, "rerun_ci", false, $"its distgit {UrlCredentials.Redact(package.DistgitLocation)} is not a project of {gitlabRoot}");
        }

        try
        {
            var pipeline = await gitlab.CreatePipelineAsync(project, package.DistgitRef, cancellationToken);
            return new ReplayOutcome(package.Name, "rerun_ci", true, $"GitLab pipeline {pipeline.Id} of {project} on {package.DistgitRef}");
        }
        catch (ForgeApiException e)
        {
            return new ReplayOutcome(package.Name, "rerun_ci", false, e.Message);
        }
    }

    /// <summary>The project path of a distgit URL on the GitLab server (<c>https://host/group/name(.git)</c>), else null.</summary>
    public static string? ProjectPath(string location, Uri root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!Uri.TryCreate(location, UriKind.Absolute, out var url) || !string.Equals(url.Authority, root.Authority, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var prefix = root.AbsolutePath.TrimEnd('/');
        var path = url.AbsolutePath;
        if (!path.StartsWith(prefix + "/", StringComparison.Ordinal))
        {
            return null;
        }

        path = Uri.UnescapeDataString(path[(prefix.Length + 1)..]).TrimEnd('/');
        path = path.EndsWith(".git", StringComparison.Ordinal) ? path[..^4] : path;
        return path.Length > 0 && path.Split('/').All(p => p.Length > 0 && p is not ("." or "..") && !p.Any(char.IsControl)) ? path : null;
    }
}

/// <summary>A full commit hash: 40 (SHA-1) or 64 (SHA-256) lowercase hexadecimal digits.</summary>
public static class FullHash
{
    public static bool Is(string? value) => value is { Length: 40 or 64 } && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
