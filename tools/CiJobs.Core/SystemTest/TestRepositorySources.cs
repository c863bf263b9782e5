using System.Globalization;
using System.Text.Json;
using CiJobs.Core.Platform;
using CiJobs.Core.Text;

namespace CiJobs.Core.SystemTest;

/// <summary>
/// Reads the test repositories a system test gets from its CI system (docs/manual/systest.md):
/// Zuul's <c>zuul.artifacts</c> (the items ahead in a dependent pipeline, then this change's own builds) and
/// GitLab's dotenv report variables (<c>CIJOBS_TESTREPO_*</c>) of the job that published the repository.
/// </summary>
public static class TestRepositorySources
{
    /// <summary>The Zuul artifact <c>metadata.type</c> the build jobs return for a test repository.</summary>
    public const string ArtifactType = "cijobs_test_repo";

    /// <summary>The largest artifacts document or dotenv file read (a gate queue's artifacts fit many times over).</summary>
    public const int MaxInputBytes = 4 * 1024 * 1024;

    /// <summary>
    /// The test repositories among Zuul artifacts: a JSON list of objects with <c>url</c> and <c>metadata</c>, as Zuul
    /// passes them in <c>zuul.artifacts</c>. Other artifacts are ignored. The order is kept (Zuul lists the items ahead
    /// first) and a repeated repository (same format and URL) is kept once.
    /// </summary>
    public static IReadOnlyList<TestRepository> FromZuulArtifacts(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > MaxInputBytes)
        {
            throw TestRepository.Invalid($"the Zuul artifacts are larger than {MaxInputBytes / (1024 * 1024)} MiB");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = InputLimits.MaxDepth });
        }
        catch (JsonException e)
        {
            throw TestRepository.Invalid($"the Zuul artifacts are not JSON: {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind == JsonValueKind.Null)
            {
                return [];
            }

            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw TestRepository.Invalid("the Zuul artifacts are not a JSON list");
            }

            var found = new List<TestRepository>();
            var index = 0;
            foreach (var artifact in document.RootElement.EnumerateArray())
            {
                index++;
                if (artifact.ValueKind != JsonValueKind.Object
                    || !artifact.TryGetProperty("metadata", out var metadata)
                    || metadata.ValueKind != JsonValueKind.Object
                    || Text(metadata, "type") != ArtifactType)
                {
                    continue;
                }

                var origin = Origin(artifact, index);
                var format = Text(metadata, "format") switch
                {
                    "rpm" => TestRepositoryFormat.Rpm,
                    "deb" => TestRepositoryFormat.Deb,
                    var other => throw TestRepository.Invalid($"{origin}: metadata.format is '{other}', not rpm or deb"),
                };
                var url = Text(artifact, "url") ?? throw TestRepository.Invalid($"{origin}: the artifact has no url");
                var name = Text(metadata, "repo_name") ?? throw TestRepository.Invalid($"{origin}: metadata.repo_name is missing");
                found.Add(TestRepository.Create(name, format, url, Text(metadata, "codename"), Text(metadata, "component"), origin));
            }

            return Distinct(found);
        }
    }

    /// <summary>The test repositories of a GitLab dotenv report (<c>KEY=VALUE</c> lines) published by a testrepo job.</summary>
    public static IReadOnlyList<TestRepository> FromDotenv(string text, string origin)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxInputBytes)
        {
            throw TestRepository.Invalid($"{origin} is larger than {MaxInputBytes / (1024 * 1024)} MiB");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw TestRepository.Invalid($"{origin}:{lineNumber.ToString(CultureInfo.InvariantCulture)}: not a KEY=VALUE line");
            }

            var value = line[(equals + 1)..];
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }

            values[line[..equals].Trim()] = value;
        }

        return FromVariables(new DictionaryEnvironment(values), origin);
    }

    /// <summary>
    /// The test repository described by <c>CIJOBS_TESTREPO_NAME</c>, <c>CIJOBS_TESTREPO_RPM_URL</c>,
    /// <c>CIJOBS_TESTREPO_DEB_URL</c>, <c>CIJOBS_TESTREPO_DEB_CODENAME</c> and <c>CIJOBS_TESTREPO_DEB_COMPONENT</c>
    /// (what <c>cijobs testrepo publish --format dotenv</c> writes); none set gives none.
    /// </summary>
    public static IReadOnlyList<TestRepository> FromVariables(IEnvironment environment, string origin)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var rpm = Value(environment, "CIJOBS_TESTREPO_RPM_URL");
        var deb = Value(environment, "CIJOBS_TESTREPO_DEB_URL");
        if (rpm is null && deb is null)
        {
            return [];
        }

        var name = Value(environment, "CIJOBS_TESTREPO_NAME")
            ?? throw TestRepository.Invalid($"{origin} sets a test repository URL but not CIJOBS_TESTREPO_NAME");
        var found = new List<TestRepository>();
        if (rpm is not null)
        {
            found.Add(TestRepository.Create(name, TestRepositoryFormat.Rpm, rpm, null, null, origin));
        }

        if (deb is not null)
        {
            found.Add(TestRepository.Create(
                name, TestRepositoryFormat.Deb, deb, Value(environment, "CIJOBS_TESTREPO_DEB_CODENAME"), Value(environment, "CIJOBS_TESTREPO_DEB_COMPONENT"), origin));
        }

        return found;
    }

    /// <summary>Keeps the first of each repository (same format and URL), in order, and bounds the count.</summary>
    public static IReadOnlyList<TestRepository> Distinct(IEnumerable<TestRepository> repositories)
    {
        var seen = new HashSet<(TestRepositoryFormat, string)>();
        var kept = new List<TestRepository>();
        foreach (var repository in repositories)
        {
            if (seen.Add((repository.Format, repository.Url)))
            {
                kept.Add(repository);
                if (kept.Count > TestRepository.MaxRepositories)
                {
                    throw TestRepository.Invalid($"more than {TestRepository.MaxRepositories} test repositories");
                }
            }
        }

        return kept;
    }

    private static string? Value(IEnvironment environment, string name) =>
        environment.GetVariable(name) is { Length: > 0 } value ? value : null;

    private static string? Text(JsonElement element, string property) => JsonValues.Text(element, property);

    private static string Origin(JsonElement artifact, int index)
    {
        var project = Text(artifact, "project");
        var change = Text(artifact, "change");
        var patchset = Text(artifact, "patchset");
        var where = project is null ? "" : change is null ? $" of {project}" : $" of {project} change {change},{patchset}";
        var text = $"Zuul artifact {index.ToString(CultureInfo.InvariantCulture)}{where}";
        return new string([.. text.Take(200).Select(c => char.IsControl(c) ? '?' : c)]);
    }
}
