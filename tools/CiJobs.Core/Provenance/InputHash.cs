using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CiJobs.Core.Provenance;

/// <summary>
/// The input hash of a build: the lower-case hex sha256 of the canonical JSON (<see cref="CanonicalJson"/>) of the
/// manifest's <c>inputs</c> object, every member included (nulls and empty lists too) except <c>rdoinfo.commit</c>:
/// a new rdoinfo commit that leaves the package's expanded entry alone does not change what is built. Two builds with
/// the same input hash built the same thing; a later build can be skipped. Rules: docs/manual/provenance.md, "Input hash".
/// </summary>
public static class InputHash
{
    /// <summary>The input hash of <paramref name="inputs"/>, as a build computes it before writing its manifest.</summary>
    public static string Compute(ProvenanceInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var node = JsonSerializer.SerializeToNode(inputs, ProvenanceJsonContext.Default.ProvenanceInputs);
        return Compute(node as JsonObject ?? throw new InvalidOperationException("the inputs did not serialize to an object"));
    }

    /// <summary>The input hash of a manifest's <c>inputs</c> member as read, unknown members included.</summary>
    /// <exception cref="FormatException">Not an object, or a value canonical JSON refuses.</exception>
    public static string Compute(JsonElement inputs)
    {
        if (inputs.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("inputs is not an object");
        }

        return Compute(JsonNode.Parse(inputs.GetRawText())!.AsObject());
    }

    private static string Compute(JsonObject inputs)
    {
        if (inputs["rdoinfo"] is JsonObject rdoinfo)
        {
            rdoinfo.Remove("commit");
        }

        return Sha256Hex(CanonicalJson.ToBytes(inputs));
    }

    /// <summary>Lower-case hex sha256 of <paramref name="bytes"/>.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>True for 64 lower-case hex digits.</summary>
    public static bool IsSha256(string? value) =>
        value is { Length: 64 } && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
