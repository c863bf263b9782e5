using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CiJobs.Core.Truth;

/// <summary>
/// The answer of <c>truth query build-times</c> and <c>/api/build-times</c> in the two forms <c>plan --build-times</c>
/// reads (docs/manual/graph-and-partitions.md, "Build times"): CSV lines <c>name,seconds</c> under a header, or a JSON
/// object <c>{"name": seconds}</c>; seconds rounded to milliseconds.
/// </summary>
public static class BuildTimesOutput
{
    /// <summary>The number of builds a median is taken of when not given.</summary>
    public const int DefaultLast = 5;

    public static string Csv(IReadOnlyList<PackageBuildTime> times)
    {
        ArgumentNullException.ThrowIfNull(times);
        var text = new StringBuilder("name,seconds\n");
        foreach (var time in times)
        {
            text.Append(time.Package).Append(',').Append(Seconds(time).ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    public static byte[] Json(IReadOnlyList<PackageBuildTime> times)
    {
        ArgumentNullException.ThrowIfNull(times);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var time in times)
            {
                writer.WriteNumber(time.Package, Seconds(time));
            }

            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static double Seconds(PackageBuildTime time) => Math.Round(time.Seconds, 3);
}
