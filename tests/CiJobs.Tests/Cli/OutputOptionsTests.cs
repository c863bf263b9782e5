using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CiJobs.Cli.Output;

namespace CiJobs.Tests.Cli;

public class OutputOptionsTests
{
    [Fact]
    public void Json_EveryEnumTheOutputsHold_IsWrittenAsItsSnakeCaseName()
    {
        var enums = typeof(CliJsonContext).GetProperties()
            .Select(p => p.PropertyType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(JsonTypeInfo<>))
            .Select(t => t.GetGenericArguments()[0])
            .Where(t => t.IsEnum)
            .ToList();

        enums.Should().NotBeEmpty();
        foreach (var type in enums)
        {
            foreach (var value in Enum.GetValues(type))
            {
                JsonSerializer.Serialize(value, OutputOptions.Json.GetTypeInfo(type))
                    .Should().Be($"\"{JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString()!)}\"", $"{type.Name} needs its SnakeCaseEnumConverter in CliJsonContext");
            }
        }
    }

    [Fact]
    public void Json_TypeNotInTheContext_Throws()
    {
        var write = () => OutputOptions.WriteJson(new { Anonymous = true });

        write.Should().Throw<NotSupportedException>();
    }
}
