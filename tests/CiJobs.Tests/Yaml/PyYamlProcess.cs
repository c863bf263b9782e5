using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CiJobs.Core.Rdoinfo;
using CliWrap;

namespace CiJobs.Tests.Yaml;

/// <summary>
/// Loads YAML documents with the real PyYAML the way distroinfo does (<c>yaml.load</c> with <c>CLoader</c>, else
/// <c>Loader</c>) in one <c>python3</c> process (python3-yaml is installed by .ci/setup), and gives each result in
/// the shape <see cref="Shape"/> gives a tree of this project: mappings as <c>{"m": [[key, value], ...]}</c> in
/// order, lists as <c>{"l": [...]}</c>, scalars as Python's <c>str()</c>, None as null, and
/// <c>{"error": ...}</c> where PyYAML raises (or where two keys print the same, which this project refuses).
/// </summary>
internal static class PyYamlProcess
{
    private const string Script = """
        import json, sys, yaml
        Loader = getattr(yaml, 'CLoader', yaml.Loader)
        class Collision(Exception):
            pass
        def shape(x):
            if isinstance(x, dict):
                keys = [str(k) for k in x]
                if len(set(keys)) != len(keys):
                    raise Collision('two keys print the same')
                return {'m': [[str(k), shape(v)] for k, v in x.items()]}
            if isinstance(x, list):
                return {'l': [shape(v) for v in x]}
            return None if x is None else str(x)
        out = []
        for doc in json.load(sys.stdin):
            try:
                out.append({'ok': shape(yaml.load(doc, Loader=Loader))})
            except Exception as e:
                out.append({'error': type(e).__name__ + ': ' + (str(e).splitlines() or [''])[0]})
        json.dump(out, sys.stdout)
        """;

    public static async Task<IReadOnlyList<JsonObject>> LoadAsync(IReadOnlyList<string> documents)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var input = new JsonArray(documents.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()).ToJsonString();
        var result = await global::CliWrap.Cli.Wrap("python3")
            .WithArguments(["-c", Script])
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["PYTHONIOENCODING"] = "utf-8" })
            .WithStandardInputPipe(PipeSource.FromString(input))
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(stdout))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"python3 with PyYAML failed (is python3-yaml installed? .ci/setup installs it): {stderr}");
        }

        return JsonNode.Parse(stdout.ToString())!.AsArray().Select(n => n!.AsObject()).ToList();
    }

    /// <summary>A tree of this project (or its error) in the shape the script gives PyYAML's result.</summary>
    public static JsonObject Shape(Func<object?> read)
    {
        try
        {
            return new JsonObject { ["ok"] = Shape(read()) };
        }
        catch (RdoinfoException e)
        {
            return new JsonObject { ["error"] = e.Message };
        }
    }

    private static JsonNode? Shape(object? node) => node switch
    {
        null => null,
        string s => JsonValue.Create(s),
        YamlMap map => new JsonObject
        {
            ["m"] = new JsonArray(map.Select(kv => (JsonNode?)new JsonArray(JsonValue.Create(kv.Key), Shape(kv.Value))).ToArray()),
        },
        YamlList list => new JsonObject { ["l"] = new JsonArray(list.Select(Shape).ToArray()) },
        _ => throw new InvalidOperationException(node.GetType().Name),
    };

    /// <summary>Both read the document, or both refuse it; and what they read is the same.</summary>
    public static bool Agree(JsonObject python, JsonObject ours) =>
        python.ContainsKey("error") ? ours.ContainsKey("error") : JsonNode.DeepEquals(python, ours);

    public static string Show(JsonObject node) => node.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
