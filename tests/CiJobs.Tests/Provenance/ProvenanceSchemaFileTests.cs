using System.Text.Json.Nodes;
using CiJobs.Core.Provenance;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Provenance;

/// <summary>docs/schemas/provenance-v2.json (and -v1.json for version 1) names exactly the members cijobs writes, all required, and no others allowed.</summary>
public sealed class ProvenanceSchemaFileTests
{
    private static JsonObject Load(int version) => JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "schemas", $"provenance-v{version}.json")))!.AsObject();

    private static JsonObject Resolve(JsonObject root, JsonNode schema)
    {
        var node = schema.AsObject();
        if (node["$ref"] is { } reference)
        {
            return Resolve(root, root["$defs"]![reference.GetValue<string>()["#/$defs/".Length..]]!);
        }

        // anyOf [null, X]: the object form.
        return node["anyOf"] is JsonArray any ? Resolve(root, any.Single(a => a!["type"]?.GetValue<string>() != "null")!) : node;
    }

    private static void Compare(JsonObject root, JsonNode? value, JsonNode schemaNode, string path, List<string> differences)
    {
        var schema = Resolve(root, schemaNode);
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
                        Compare(root, item, child, $"{path}.{key}", differences);
                    }
                }

                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    Compare(root, item, schema["items"]!, path + "[]", differences);
                }

                break;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_schema_file_describes_every_member_the_manifest_has(int version)
    {
        var schema = Load(version);
        var inputs = ProvenanceSamples.Inputs(artifacts: [new ProvenanceArtifact("a.rpm", 1, ProvenanceSamples.Sha("a"), "package")]) with
        {
            Patches = new ProvenanceRepository("https://example.org/p.git", "main", null, null, null),
        };
        var written = JsonNode.Parse(ProvenanceSamples.Json(ProvenanceSamples.Manifest(inputs: inputs, duration: version >= 2 ? 12.5 : null)))!;
        var differences = new List<string>();

        Compare(schema, written, schema, "$", differences);

        differences.Should().BeEmpty();
        schema["properties"]!["schema_version"]!["const"]!.GetValue<int>().Should().Be(version);
    }

    [Fact]
    public void The_newest_schema_file_is_the_version_writers_write()
    {
        File.Exists(Path.Combine(RepoPaths.Root, "docs", "schemas", $"provenance-v{ProvenanceManifest.CurrentSchemaVersion}.json")).Should().BeTrue();
        File.Exists(Path.Combine(RepoPaths.Root, "docs", "schemas", $"provenance-v{ProvenanceManifest.CurrentSchemaVersion + 1}.json")).Should().BeFalse();
    }
}
