using System.Text;
using System.Text.Json;
using CiJobs.Core.Truth;

namespace CiJobs.Core.Provenance;

/// <summary>A manifest as read and checked: the record, its build id and its canonical JSON text.</summary>
/// <param name="BuildId">The lower-case hex sha256 of the whole manifest's canonical JSON: the same manifest gives the same id.</param>
/// <param name="Canonical">The canonical JSON text of the whole manifest, as stored.</param>
public sealed record ReadManifest(ProvenanceManifest Manifest, string BuildId, string Canonical, string Origin);

/// <summary>
/// Reads provenance manifests: bounded size, schema version checked first (1 or 2), every member of that version
/// required and no other (version 2 adds <c>build</c>, with a duration not negative),
/// hashes well formed, the input hash recomputed from the inputs as written, no URL carrying credentials
/// (docs/manual/provenance.md, "Reading a manifest"). Every refusal is a <see cref="CiJobsException"/> naming the file.
/// </summary>
public static class ProvenanceReader
{
    /// <summary>The largest manifest read (1 MiB): a build with thousands of files stays far below.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>Reads the manifest file at <paramref name="path"/>.</summary>
    public static async Task<ReadManifest> ReadFileAsync(string path, CancellationToken cancellationToken) =>
        Read(await ReadBytesAsync(path, cancellationToken), path);

    /// <summary>The bytes of the manifest file at <paramref name="path"/>, at most <see cref="MaxBytes"/> (else exit 135;
    /// exit 4 when it cannot be read).</summary>
    public static async Task<byte[]> ReadBytesAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
            if (stream.Length > MaxBytes)
            {
                throw Invalid(path, $"it is larger than {MaxBytes} bytes");
            }

            bytes = new byte[stream.Length];
            await stream.ReadExactlyAsync(bytes, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CiJobsException($"cannot read the manifest {path}: {e.Message}", ExitCodes.Io, e);
        }

        return bytes;
    }

    /// <summary>Reads a manifest's bytes; <paramref name="origin"/> names it in messages.</summary>
    public static ReadManifest Read(ReadOnlySpan<byte> bytes, string origin)
    {
        if (bytes.Length > MaxBytes)
        {
            throw Invalid(origin, $"it is larger than {MaxBytes} bytes");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw Invalid(origin, $"not JSON ({e.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(origin, "not a JSON object");
            }

            if (!root.TryGetProperty("schema_version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number))
            {
                throw new CiJobsException($"the manifest {origin} has no integer schema_version", TruthExitCodes.UnknownSchemaVersion);
            }

            if (number is < ProvenanceManifest.OldestSchemaVersion or > ProvenanceManifest.CurrentSchemaVersion)
            {
                throw new CiJobsException(
                    $"the manifest {origin} has schema_version {number}; this cijobs reads {ProvenanceManifest.OldestSchemaVersion} to {ProvenanceManifest.CurrentSchemaVersion} (a newer manifest needs a newer cijobs)",
                    TruthExitCodes.UnknownSchemaVersion);
            }

            ProvenanceManifest manifest;
            try
            {
                manifest = root.Deserialize(ProvenanceJsonContext.Default.ProvenanceManifest)
                    ?? throw Invalid(origin, "null");
            }
            catch (JsonException e)
            {
                throw Invalid(origin, e.Message);
            }

            Check(manifest, origin);
            string computed;
            byte[] canonical;
            try
            {
                computed = InputHash.Compute(root.GetProperty("inputs"));
                canonical = CanonicalJson.ToBytes(root);
            }
            catch (FormatException e)
            {
                throw Invalid(origin, e.Message);
            }

            if (computed != manifest.InputHash)
            {
                throw Invalid(origin, $"its input_hash {manifest.InputHash} is not the hash of its inputs ({computed})");
            }

            return new ReadManifest(manifest, InputHash.Sha256Hex(canonical), Encoding.UTF8.GetString(canonical), origin);
        }
    }

    private static void Check(ProvenanceManifest manifest, string origin)
    {
        if (manifest.Kind != ProvenanceManifest.PackageBuildKind)
        {
            throw Invalid(origin, $"unknown kind '{Printable(manifest.Kind)}'");
        }

        Sha(manifest.InputHash, "input_hash", origin);
        switch (manifest.Build)
        {
            case null when manifest.SchemaVersion >= 2:
                throw Invalid(origin, $"a version {manifest.SchemaVersion} manifest needs a build member (started_at, duration_seconds)");
            case not null when manifest.SchemaVersion < 2:
                throw Invalid(origin, "a version 1 manifest has no build member");
            case { } build when build.StartedAt < 0:
                throw Invalid(origin, "build.started_at is negative");
            case { } build when !double.IsFinite(build.DurationSeconds) || build.DurationSeconds < 0:
                throw Invalid(origin, "build.duration_seconds is negative");
        }

        var inputs = manifest.Inputs;
        if (inputs.Rdoinfo is { } rdoinfo)
        {
            Sha(rdoinfo.EntrySha256, "inputs.rdoinfo.entry_sha256", origin);
        }

        foreach (var (artifact, i) in inputs.Artifacts.Select((a, i) => (a, i)))
        {
            Sha(artifact.Sha256, $"inputs.artifacts[{i}].sha256", origin);
            Size(artifact.Size, $"inputs.artifacts[{i}].size", origin);
        }

        foreach (var (repo, i) in inputs.Buildroot.Select((r, i) => (r, i)))
        {
            if (repo.MetadataSha256 is { } sha)
            {
                Sha(sha, $"inputs.buildroot[{i}].metadata_sha256", origin);
            }
        }

        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (file, i) in manifest.Outputs.Files.Select((f, i) => (f, i)))
        {
            Sha(file.Sha256, $"outputs.files[{i}].sha256", origin);
            Size(file.Size, $"outputs.files[{i}].size", origin);
            if (file.Name.Length == 0 || !files.Add(file.Name))
            {
                throw Invalid(origin, $"outputs.files[{i}].name is empty or repeated");
            }
        }

        var urls = new[] { inputs.Source.Url, inputs.Distgit.Url, inputs.Patches?.Url, inputs.Settings.BaseUrl, manifest.Job.Url, manifest.Job.Pipeline }
            .Concat(inputs.Buildroot.Select(r => r.Url));
        if (urls.Any(UrlCredentials.Carries))
        {
            throw Invalid(origin, "a URL in it carries credentials; a manifest must never hold any");
        }
    }

    private static void Sha(string value, string field, string origin)
    {
        if (!InputHash.IsSha256(value))
        {
            throw Invalid(origin, $"{field} is not 64 lower-case hex digits");
        }
    }

    private static void Size(long value, string field, string origin)
    {
        if (value < 0)
        {
            throw Invalid(origin, $"{field} is negative");
        }
    }

    private static string Printable(string value) => new([.. value.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);

    private static CiJobsException Invalid(string origin, string why) =>
        new($"the manifest {origin} is not a valid provenance manifest: {why}", TruthExitCodes.ManifestInvalid);
}
