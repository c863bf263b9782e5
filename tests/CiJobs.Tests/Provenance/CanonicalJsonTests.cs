using System.Text;
using System.Text.Json.Nodes;
using CiJobs.Core.Provenance;

namespace CiJobs.Tests.Provenance;

public sealed class CanonicalJsonTests
{
    private static string Canonical(string json) => Encoding.UTF8.GetString(CanonicalJson.ToBytes(JsonNode.Parse(json)));

    [Fact]
    public void Members_are_sorted_by_code_unit_white_space_is_dropped_and_arrays_keep_their_order() =>
        Canonical("""{ "b": [3, 1, 2], "a": { "z": null, "Z": true, "é": false }, "aa": "x" }""")
            .Should().Be("""{"a":{"Z":true,"z":null,"é":false},"aa":"x","b":[3,1,2]}""");

    [Fact]
    public void Strings_are_escaped_only_where_json_requires_it() =>
        Canonical("""{"s": "q\" b\\ \n\t\u0001 é € <>&'/ \u2028"}""")
            .Should().Be("{\"s\":\"q\\\" b\\\\ \\n\\t\\u0001 é € <>&'/ \u2028\"}");

    [Theory]
    [InlineData("1e3")]
    [InlineData("1.0")]
    [InlineData("1.50")]
    [InlineData("-1.50")]
    [InlineData("1E-7")]
    [InlineData("1.5e2")]
    [InlineData("99999999999999999999")]
    public void A_number_that_is_neither_a_64_bit_integer_nor_a_plain_fraction_is_refused(string number) =>
        FluentActions.Invoking(() => Canonical($$"""{"n": {{number}}}""")).Should().Throw<FormatException>();

    [Theory]
    [InlineData("1.5")]
    [InlineData("0.001")]
    [InlineData("-0.25")]
    [InlineData("12345.678")]
    public void A_plain_fraction_is_kept_as_written(string number) =>
        Canonical($$"""{"n": {{number}}}""").Should().Be($$"""{"n":{{number}}}""");

    [Fact]
    public void A_lone_surrogate_is_refused() =>
        FluentActions.Invoking(() => Canonical("""{"s": "\ud800"}""")).Should().Throw<FormatException>();

    [Fact]
    public void Integers_are_written_in_plain_decimal() =>
        Canonical("""[-0, 0, -12, 9223372036854775807]""").Should().Be("[0,0,-12,9223372036854775807]");
}
