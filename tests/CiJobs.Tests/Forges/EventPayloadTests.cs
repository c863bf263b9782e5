using System.Text.RegularExpressions;
using CiJobs.Core;
using CiJobs.Core.Forges;
using CiJobs.Core.Forges.Mirroring;
using CiJobs.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CiJobs.Tests.Forges;

/// <summary>The webhook/event JSON reader of <c>cijobs mr</c> on hostile payloads (docs/security.md).</summary>
public sealed partial class EventPayloadTests
{
    [Theory]
    [InlineData(100)]
    [InlineData(10_000)]
    [InlineData(100_000)]
    public void Nesting_deeper_than_the_limit_is_an_input_error_with_file_line_and_column(int depth)
    {
        var json = "{\"object_kind\": \"merge_request\",\n \"x\": " + new string('[', depth) + new string(']', depth) + "}";

        var error = Invoking(json).Which;

        error.ExitCode.Should().Be(ForgeExitCodes.InputInvalid);
        error.Message.Should().Be($"hook.json:2:{7 + InputLimits.MaxDepth - 1}: nested deeper than {InputLimits.MaxDepth} levels");
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_read()
    {
        var filler = new string('[', InputLimits.MaxDepth - 1) + new string(']', InputLimits.MaxDepth - 1);
        var input = MirrorInput.FromEventPayload($$"""{"pull_request": {"number": 4}, "repository": {"full_name": "o/r"}, "x": {{filler}}}""");

        input.Should().Be(new MirrorInput("o/r", 4, null));
    }

    [Theory]
    [InlineData("""{"object_kind":"merge_request"}""", "hook.json has no project.path_with_namespace.")]
    [InlineData("""{"object_kind":"merge_request","project":{"path_with_namespace":7}}""", "hook.json project.path_with_namespace is a number, not a string.")]
    [InlineData("""{"object_kind":"merge_request","project":{"path_with_namespace":"a/b","web_url":"https://h/a/b"},"object_attributes":{"iid":"3"}}""", "hook.json object_attributes.iid is '3', not a number.")]
    [InlineData("""{"object_kind":"merge_request","project":{"path_with_namespace":"a/b","web_url":"https://h/a/b"},"object_attributes":{"iid":2147483648}}""", "hook.json object_attributes.iid is not a merge request number (a positive integer).")]
    [InlineData("""{"object_kind":"merge_request","project":{"path_with_namespace":"a/b","web_url":"https://h/a/b"},"object_attributes":{"iid":-3}}""", "hook.json object_attributes.iid is not a merge request number (a positive integer).")]
    [InlineData("""{"object_kind":"merge_request","project":{"path_with_namespace":"a/b","web_url":"https://h/a/b"},"object_attributes":{"iid":1e400}}""", "hook.json object_attributes.iid is not a merge request number (a positive integer).")]
    [InlineData("""{"object_kind":"pipeline","merge_request":null}""", "hook.json is a GitLab pipeline event without a merge request.")]
    [InlineData("""{"object_kind":{"a":1}}""", "hook.json object_kind is an object, not a string.")]
    [InlineData("""{"object_kind":"push\nmore"}""", "hook.json is a GitLab 'push?more' event, not a merge request or pipeline event.")]
    [InlineData("""{"pull_request":{"number":4},"repository":[]}""", "hook.json has no repository.full_name.")]
    [InlineData("[1, 2]", "hook.json is not a JSON object.")]
    [InlineData("{\"a\":\n tru}", "hook.json:2:")]
    [InlineData("", "hook.json:1:")]
    public void A_payload_without_what_is_needed_names_the_field_in_plain_words(string json, string message)
    {
        var error = Invoking(json).Which;

        error.ExitCode.Should().Be(ForgeExitCodes.InputInvalid);
        error.Message.Should().StartWith(message);
        RawResourceKey().IsMatch(error.Message).Should().BeFalse(error.Message);
    }

    [Fact]
    public void A_web_url_with_credentials_is_refused_without_repeating_it()
    {
        var error = Invoking("""{"object_kind":"merge_request","project":{"path_with_namespace":"a/b","web_url":"https://bot:s3cr3t@h/a/b"},"object_attributes":{"iid":3}}""").Which;

        error.ExitCode.Should().Be(ExitCodes.CredentialsInUrl);
        error.Message.Should().StartWith("hook.json: project.web_url must not carry credentials").And.NotContain("s3cr3t");
    }

    /// <summary>Whatever the payload, the reader gives a result or a one-line input error: never another exception.</summary>
    [Property(MaxTest = 400, Arbitrary = new[] { typeof(HostileJson) })]
    public bool Any_payload_gives_a_result_or_a_clean_error(string json)
    {
        try
        {
            MirrorInput.FromEventPayload(json, "hook.json");
            return true;
        }
        catch (CiJobsException e)
        {
            return e.ExitCode is ForgeExitCodes.InputInvalid or ExitCodes.CredentialsInUrl
                && e.Message.StartsWith("hook.json", StringComparison.Ordinal)
                && !e.Message.Contains('\n', StringComparison.Ordinal)
                && !RawResourceKey().IsMatch(e.Message);
        }
    }

    [Fact]
    [Trait("Runs", "cijobs")]
    public async Task Mr_sync_with_a_hostile_event_file_exits_60_naming_the_file_and_line()
    {
        using var temp = new TempDir("hook");
        var deep = temp.Write("deep.json", "{\"object_kind\":\n" + new string('[', 100_000) + new string(']', 100_000) + "}");
        var missing = temp.Write("missing.json", """{"object_kind":"merge_request"}""");

        var deepRun = await CliRunner.RunAsync("mr", "sync", "--event-file", deep);
        var missingRun = await CliRunner.RunAsync("mr", "sync", "--event-file", missing);
        var absent = await CliRunner.RunAsync("mr", "sync", "--event-file", temp.Combine("absent.json"));

        deepRun.ExitCode.Should().Be(ForgeExitCodes.InputInvalid, deepRun.ToString());
        deepRun.StandardError.Should().Be($"cijobs: error: {deep}:2:64: nested deeper than 64 levels\n");
        missingRun.ExitCode.Should().Be(ForgeExitCodes.InputInvalid, missingRun.ToString());
        missingRun.StandardError.Should().Be($"cijobs: error: {missing} has no project.path_with_namespace.\n");
        absent.ExitCode.Should().Be(ExitCodes.Io, absent.ToString());
        absent.StandardError.Should().Contain("does not exist");
        foreach (var run in new[] { deepRun, missingRun, absent })
        {
            RawResourceKey().IsMatch(run.StandardError).Should().BeFalse(run.StandardError);
        }
    }

    private static FluentAssertions.Specialized.ExceptionAssertions<CiJobsException> Invoking(string json) =>
        FluentActions.Invoking(() => MirrorInput.FromEventPayload(json, "hook.json")).Should().Throw<CiJobsException>();

    /// <summary>A .NET resource key printed instead of its text, such as Arg_KeyNotFound or IO_FileNotFound_FileName.</summary>
    [GeneratedRegex(@"\b[A-Z][A-Za-z]*_[A-Z][A-Za-z_]*\b")]
    internal static partial Regex RawResourceKey();

    /// <summary>Payload-shaped text: valid JSON trees built from the fields the reader looks at, and token soup.</summary>
    public static class HostileJson
    {
        private static readonly string[] Keys =
        [
            "object_kind", "merge_request", "pipeline", "project", "path_with_namespace", "web_url", "object_attributes", "iid", "url",
            "pull_request", "repository", "full_name", "number", "x",
        ];

        private static readonly string[] Scalars =
        [
            "\"merge_request\"", "\"pipeline\"", "\"push\"", "\"a/b\"", "\"https://h/a/b\"", "\"https://u:p@h/a/b\"", "\"https://h/a/b/-/merge_requests/3\"",
            "\"\"", "\"\\u0000\\n\"", "0", "-1", "1", "3", "2147483647", "2147483648", "1e400", "1.5", "-0", "true", "false", "null",
        ];

        private static readonly string[] Tokens = ["{", "}", "[", "]", ",", ":", " ", "\n", "\"", "\\", "\"object_kind\"", "\"iid\"", "nul", "1e", "\u00e9", "\ud800"];

        public static Arbitrary<string> Payloads() => Arb.From(Gen.Frequency(
                (3, Value(4)),
                (1, Gen.ListOf(Gen.Elements(Tokens).Or(Gen.Elements(Scalars))).Select(parts => string.Concat(parts))),
                (1, Gen.Choose(50, 80).Select(depth => "{\"object_kind\":\"merge_request\",\"x\":" + new string('[', depth) + new string(']', depth) + "}"))));

        private static Gen<string> Value(int depth) => depth == 0
            ? Gen.Elements(Scalars)
            : Gen.Frequency(
                (3, Gen.Elements(Scalars)),
                (3, Gen.Choose(0, 5).SelectMany(n => Gen.ListOf(Gen.Zip(Gen.Elements(Keys), Value(depth - 1)), n))
                    .Select(members => "{" + string.Join(",", members.Select(m => $"\"{m.Item1}\":{m.Item2}")) + "}")),
                (1, Gen.Choose(0, 3).SelectMany(n => Gen.ListOf(Value(depth - 1), n)).Select(items => "[" + string.Join(",", items) + "]")));
    }
}
