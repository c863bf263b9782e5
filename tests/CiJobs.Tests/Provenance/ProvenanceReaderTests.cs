using System.Text;
using System.Text.Json.Nodes;
using CiJobs.Core;
using CiJobs.Core.Provenance;
using CiJobs.Core.Truth;

namespace CiJobs.Tests.Provenance;

public sealed class ProvenanceReaderTests
{
    private static ReadManifest Read(string json) => ProvenanceReader.Read(Encoding.UTF8.GetBytes(json), "m.json");

    private static string Edited(Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(ProvenanceSamples.Json(ProvenanceSamples.Manifest()))!.AsObject();
        edit(node);
        return node.ToJsonString();
    }

    private static CiJobsException Refused(string json) =>
        FluentActions.Invoking(() => Read(json)).Should().Throw<CiJobsException>().Which;

    [Fact]
    public void A_written_manifest_reads_back_equal_with_a_stable_build_id()
    {
        var manifest = ProvenanceSamples.Manifest();
        var json = ProvenanceSamples.Json(manifest);

        var read = Read(json);

        read.Manifest.Should().BeEquivalentTo(manifest);
        read.BuildId.Should().Be(InputHash.Sha256Hex(Encoding.UTF8.GetBytes(read.Canonical)));
        Read(JsonNode.Parse(json)!.ToJsonString()).BuildId.Should().Be(read.BuildId, "white space does not change the id");
        ProvenanceSamples.Read(ProvenanceSamples.Manifest(dtBuild: 1)).BuildId.Should().NotBe(read.BuildId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[1]")]
    [InlineData("{\"schema_version\": 1, \"kind\": \"package-build\"")]
    public void Corrupt_json_is_refused_with_135(string json)
    {
        var error = Refused(json);

        error.ExitCode.Should().BeOneOf(TruthExitCodes.ManifestInvalid, TruthExitCodes.UnknownSchemaVersion);
        error.Message.Should().Contain("m.json");
    }

    [Fact]
    public void A_truncated_manifest_is_refused_with_135()
    {
        var json = ProvenanceSamples.Json(ProvenanceSamples.Manifest());

        Refused(json[..(json.Length / 2)]).ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    public void Another_schema_version_is_refused_with_136(int version)
    {
        var error = Refused(Edited(m => m["schema_version"] = version));

        error.ExitCode.Should().Be(TruthExitCodes.UnknownSchemaVersion);
        error.Message.Should().Contain($"schema_version {version}").And.Contain("reads 1 to 2");
    }

    private static string EditedV2(Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(ProvenanceSamples.Json(ProvenanceSamples.Manifest(duration: 12.345)))!.AsObject();
        edit(node);
        return node.ToJsonString();
    }

    [Fact]
    public void A_version_2_manifest_reads_back_with_its_build_and_a_version_1_manifest_without()
    {
        var v2 = ProvenanceSamples.Manifest(duration: 12.345);
        var json = ProvenanceSamples.Json(v2);

        json.Should().Contain("\"duration_seconds\": 12.345");
        var read = Read(json);
        read.Manifest.Should().BeEquivalentTo(v2);
        read.Manifest.Build.Should().Be(new ProvenanceBuild(1_764_000_000 - 10, 12.345));
        read.Canonical.Should().Contain("\"build\":{\"duration_seconds\":12.345,\"started_at\":1763999990}");
        read.Manifest.InputHash.Should().Be(ProvenanceSamples.Manifest().InputHash, "the build's run is not an input");
        ProvenanceSamples.Read(ProvenanceSamples.Manifest(duration: 99)).BuildId.Should().NotBe(read.BuildId);

        var v1 = ProvenanceSamples.Manifest();
        ProvenanceSamples.Json(v1).Should().NotContain("\"build\"");
        Read(ProvenanceSamples.Json(v1)).Manifest.Build.Should().BeNull();
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("-0.5")]
    [InlineData("\"12\"")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("1e3")]
    public void A_version_2_duration_that_is_negative_or_not_a_plain_number_is_refused_with_135(string duration)
    {
        var error = Refused(EditedV2(m => m["build"]!["duration_seconds"] = JsonNode.Parse(duration)));

        error.ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);
        error.Message.Should().Contain("m.json");
    }

    [Fact]
    public void The_build_member_is_required_in_version_2_and_refused_in_version_1()
    {
        Refused(EditedV2(m => m.Remove("build"))).Message.Should().Contain("needs a build member");
        Refused(EditedV2(m => m["build"] = null)).ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);
        Refused(EditedV2(m => m["build"]!.AsObject().Remove("started_at"))).ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);
        Refused(EditedV2(m => m["build"]!["started_at"] = -5)).Message.Should().Contain("started_at is negative");
        Refused(EditedV2(m => m["build"]!["extra"] = 1)).ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);
        Refused(EditedV2(m => m["schema_version"] = 1)).Message.Should().Contain("a version 1 manifest has no build member");
        Refused(Edited(m => m["schema_version"] = 2)).Message.Should().Contain("needs a build member");
    }

    [Fact]
    public void A_manifest_without_schema_version_is_refused_with_136() =>
        Refused(Edited(m => m.Remove("schema_version"))).ExitCode.Should().Be(TruthExitCodes.UnknownSchemaVersion);

    [Fact]
    public void A_missing_member_is_refused() =>
        Refused(Edited(m => m["outputs"]!.AsObject().Remove("files"))).ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);

    [Fact]
    public void An_unknown_member_is_refused() =>
        Refused(Edited(m => m["extra"] = 1)).ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);

    [Fact]
    public void A_null_where_a_value_is_required_is_refused() =>
        Refused(Edited(m => m["package"] = null)).ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);

    [Fact]
    public void An_input_hash_that_is_not_the_hash_of_the_inputs_is_refused()
    {
        var error = Refused(Edited(m => m["inputs"]!["cijobs_version"] = "6.6.6"));

        error.ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);
        error.Message.Should().Contain("is not the hash of its inputs");
    }

    [Theory]
    [InlineData("ABC")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000x")]
    [InlineData("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    public void A_malformed_output_sha256_is_refused(string sha) =>
        Refused(Edited(m => m["outputs"]!["files"]![0]!["sha256"] = sha)).ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);

    [Fact]
    public void A_negative_size_or_a_repeated_file_name_is_refused()
    {
        Refused(Edited(m => m["outputs"]!["files"]![0]!["size"] = -1)).ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);
        Refused(Edited(m => m["outputs"]!["files"]![1]!["name"] = m["outputs"]!["files"]![0]!["name"]!.GetValue<string>())).ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);
    }

    [Fact]
    public void A_manifest_holding_credentials_in_a_url_is_refused_without_repeating_them()
    {
        var error = Refused(Edited(m => m["job"]!["url"] = "https://bot:hunter2@ci.example.org/job/1"));

        error.ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);
        error.Message.Should().NotContain("hunter2");
    }

    [Fact]
    public void A_manifest_over_the_size_limit_is_refused_before_it_is_parsed()
    {
        var json = Edited(m => m["notes"] = new string('x', ProvenanceReader.MaxBytes));

        Refused(json).ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);
    }

    [Fact]
    public void A_deeply_nested_document_is_refused() =>
        Refused("{\"schema_version\":1,\"x\":" + new string('[', 5000) + new string(']', 5000) + "}").ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);

    [Fact]
    public void A_lone_surrogate_in_a_string_is_refused_with_135()
    {
        var json = ProvenanceSamples.Json(ProvenanceSamples.Manifest()).Replace("\"notes\": \"OK\"", "\"notes\": \"\\ud800\"", StringComparison.Ordinal);

        json.Should().Contain("\\ud800");
        Refused(json).ExitCode.Should().Be(TruthExitCodes.ManifestInvalid);
    }
}
