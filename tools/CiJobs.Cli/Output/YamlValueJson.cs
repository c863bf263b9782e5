using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using CiJobs.Core.Rdoinfo;

namespace CiJobs.Cli.Output;

/// <summary>
/// Writes expanded rdoinfo packages as JSON directly: the values are only strings, nulls, lists and maps,
/// and a reflection-based serializer of <c>object</c> values costs more than the whole database load.
/// </summary>
internal static class YamlValueJson
{
    public static void WritePackages(IEnumerable<RdoPackage> packages, Stream output)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartArray();
        foreach (var package in packages)
        {
            writer.WriteStartObject();
            writer.WriteString("project", package.Project);
            writer.WriteString("name", package.Name);
            writer.WriteString("applied_tag", package.AppliedTag);
            writer.WriteBoolean("under_review", package.IsUnderReview);
            writer.WritePropertyName("fields");
            WriteValue(writer, package.Fields);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.Flush();
        output.WriteByte((byte)'\n');
    }

    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case IReadOnlyDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item);
                }

                writer.WriteEndObject();
                break;
            case IReadOnlyList<object?> list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }
}

/// <summary>
/// The rdoinfo values that output records hold as <c>object</c> (field values, field changes), written as
/// <see cref="YamlValueJson"/> writes them: source-generated metadata knows no runtime type behind <c>object</c>.
/// </summary>
internal sealed class YamlValueJsonConverter : JsonConverter<object>
{
    public override object Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("rdoinfo values are written, never read");

    public override void Write(Utf8JsonWriter writer, object value, JsonSerializerOptions options) => YamlValueJson.WriteValue(writer, value);
}
