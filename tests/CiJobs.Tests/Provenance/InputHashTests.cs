using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CiJobs.Core.Provenance;

namespace CiJobs.Tests.Provenance;

public sealed class InputHashTests
{
    [Fact]
    public void The_hash_is_the_sha256_of_the_documented_canonical_inputs()
    {
        var inputs = ProvenanceSamples.Inputs("foo", sourceCommit: new string('1', 40));
        var expected = "{\"artifacts\":[],\"builder_image\":\"unknown\",\"buildroot\":[{\"metadata_file\":null,\"metadata_sha256\":null,\"url\":\"https://mirror.example.org/el9/BaseOS\"}]," +
            "\"cijobs_version\":\"1.2.3\"," +
            $"\"distgit\":{{\"commit\":\"{inputs.Distgit.Commit}\",\"path\":null,\"ref\":\"rpm-main\",\"tree\":\"{inputs.Distgit.Tree}\",\"url\":\"https://example.org/foo-distgit.git\"}}," +
            "\"patches\":null," +
            $"\"rdoinfo\":{{\"entry_file\":\"rdo-full.yml\",\"entry_sha256\":\"{inputs.Rdoinfo!.EntrySha256}\",\"tag\":null}}," +
            "\"settings\":{\"base_url\":null,\"codename\":\"bookworm\",\"dist\":\".el9\",\"keep_changelog\":false,\"keep_version\":false,\"repo_name\":\"delorean\"}," +
            $"\"source\":{{\"commit\":\"{new string('1', 40)}\",\"path\":null,\"ref\":\"main\",\"tree\":\"{inputs.Source.Tree}\",\"url\":\"https://example.org/foo.git\"}}}}";

        InputHash.Compute(inputs).Should().Be(InputHash.Sha256Hex(Encoding.UTF8.GetBytes(expected)));
    }

    [Fact]
    public void The_rdoinfo_commit_is_recorded_but_not_hashed()
    {
        var inputs = ProvenanceSamples.Inputs();

        InputHash.Compute(inputs with { Rdoinfo = inputs.Rdoinfo! with { Commit = new string('b', 40) } })
            .Should().Be(InputHash.Compute(inputs with { Rdoinfo = inputs.Rdoinfo! with { Commit = null } }));
    }

    [Fact]
    public void Every_other_input_changes_the_hash()
    {
        var inputs = ProvenanceSamples.Inputs();
        var variants = new[]
        {
            inputs with { Rdoinfo = inputs.Rdoinfo! with { EntrySha256 = ProvenanceSamples.Sha("other") } },
            inputs with { Rdoinfo = null },
            inputs with { Source = inputs.Source with { Commit = new string('c', 40) } },
            inputs with { Source = inputs.Source with { Tree = new string('c', 40) } },
            inputs with { Source = inputs.Source with { Url = "https://example.org/fork.git" } },
            inputs with { Distgit = inputs.Distgit with { Path = "sub" } },
            inputs with { Patches = new ProvenanceRepository("https://example.org/patches.git", null, null, null, null) },
            inputs with { Buildroot = [] },
            inputs with { Buildroot = [inputs.Buildroot[0] with { MetadataSha256 = ProvenanceSamples.Sha("repomd") }] },
            inputs with { Artifacts = [new ProvenanceArtifact("base.rpm", 3, ProvenanceSamples.Sha("base"), "buildroot")] },
            inputs with { Settings = inputs.Settings with { Dist = ".el10" } },
            inputs with { Settings = inputs.Settings with { KeepVersion = true } },
            inputs with { CijobsVersion = "1.2.4" },
            inputs with { BuilderImage = "quay.io/x/builder@sha256:" + ProvenanceSamples.Sha("image") },
        };
        var hashes = variants.Select(InputHash.Compute).Append(InputHash.Compute(inputs)).ToList();

        hashes.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void The_hash_of_the_inputs_as_read_ignores_member_order_and_white_space()
    {
        var inputs = ProvenanceSamples.Inputs();
        var node = JsonSerializer.SerializeToNode(inputs, ProvenanceJsonContext.Default.ProvenanceInputs)!.AsObject();
        var reversed = new JsonObject(node.Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        using var document = JsonDocument.Parse(reversed.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        InputHash.Compute(document.RootElement).Should().Be(InputHash.Compute(inputs));
    }
}
