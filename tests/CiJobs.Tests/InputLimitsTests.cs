using CiJobs.Core;
using CiJobs.Tests.Support;

namespace CiJobs.Tests;

public sealed class InputLimitsTests : IDisposable
{
    private readonly TempDir temp = new("limits");

    [Fact]
    public async Task A_file_that_never_ends_is_refused_at_the_size_limit()
    {
        var act = () => InputLimits.ReadTextFileAsync("/dev/zero", "the input file", 73, CancellationToken.None);

        (await act.Should().ThrowAsync<CiJobsException>()).Which.Message.Should().Be("the input file /dev/zero is larger than 16 MiB");
    }

    [Fact]
    public async Task A_missing_file_or_a_folder_is_named_in_plain_words()
    {
        var missing = temp.Combine("missing.json");

        (await FluentActions.Awaiting(() => InputLimits.ReadTextFileAsync(missing, "the input file", 73, CancellationToken.None)).Should().ThrowAsync<CiJobsException>())
            .Which.Message.Should().Be($"the input file {missing} does not exist");
        (await FluentActions.Awaiting(() => InputLimits.ReadTextFileAsync(temp.Path, "the input file", 73, CancellationToken.None)).Should().ThrowAsync<CiJobsException>())
            .Which.Message.Should().Be($"the input file {temp.Path} is a directory, not a file");
    }

    [Fact]
    public async Task A_file_within_the_limit_is_read_whole()
    {
        var path = temp.Write("vars.json", "{\"a\": \"é\"}");

        (await InputLimits.ReadTextFileAsync(path, "the input file", 73, CancellationToken.None)).Should().Be("{\"a\": \"é\"}");
    }

    public void Dispose() => temp.Dispose();
}
