using System.Text.Json.Nodes;
using CiJobs.Core.Provenance;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Provenance;

/// <summary>docs/schemas/provenance-v1.json names exactly the members cijobs writes, all required, and no others allowed.</summary>
public sealed class ProvenanceSchemaFileTests
{
    private static readonly JsonObject Schema = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "schemas", "provenance-v1.json")))!.AsObject();

    private static JsonObject Resolve(JsonNode schema)
    {
        var node = schema.AsObject();
        if (node["$ref"] is { } reference)
        {
            return Resolve(Schema["$defs"]![reference.GetValue<string>()["#/$defs/".Length..]]!);
        }

        // anyOf [null, X]: the object form.
        return node["anyOf"] is JsonArray any ? Resolve(any.Single(a => a!["type"]?.GetValue<string>() != "null")!) : node;
    }

    private static void Compare(JsonNode? value, JsonNode schemaNode, string path, List<string> differences)
    {
        var schema = Resolve(schemaNode);
        switch (value)
        {
            case JsonObject map:
                var properties = schema["properties"]!.AsObject().Select(p => p.Key).ToHashSet();
                var required = schema["required"]!.AsArray().Select(r => r!.GetValue<string>()).ToHashSet();
                if (!properties.SetEquals(map.Select(p => p.Key)) || !required.SetEquals(properties) || schema["additionalProperties"]?.GetValue<bool>() != false)
                {
                    differences.Add($"{path}: written {string.Join(",", map.Select(p => p.Key).Order())}; schema {string.Join(",", properties.Order())}");
                }

                foreach (var (key, item) in map)
                {
                    if (schema["properties"]![key] is { } child)
                    {
                        Compare(item, child, $"{path}.{key}", differences);
                    }
                }

                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    Compare(item, schema["items"]!, path + "[]", differences);
                }

                break;
        }
    }

    [Fact]
    public void The_schema_file_describes_every_member_the_manifest_has()
    {
        var inputs = ProvenanceSamples.Inputs(artifacts: [new ProvenanceArtifact("a.rpm", 1, ProvenanceSamples.Sha("a"), "package")]) with
        {
            Patches = new ProvenanceRepository("https://example.org/p.git", "main", null, null, null),
        };
        var written = JsonNode.Parse(ProvenanceSamples.Json(ProvenanceSamples.Manifest(inputs: inputs)))!;
        var differences = new List<string>();

        Compare(written, Schema, "$", differences);

        differences.Should().BeEmpty();
        Schema["properties"]!["schema_version"]!["const"]!.GetValue<int>().Should().Be(ProvenanceManifest.CurrentSchemaVersion);
    }
}
