using CiJobs.Core;
using CiJobs.Core.Builds;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CiJobs.Tests.Builds;

/// <summary>Strings made of version-like pieces and the pieces an attacker would use in a tag or a branch name.</summary>
public static class HostileGitStrings
{
    private static readonly string[] Safe = ["1", "0", "2", ".", "v", "r", "a", "b", "-", "_", "+", "rc", "dev", "g", "pre", "0rc1", "0b2", "e3"];

    private static readonly string[] Hostile =
    [
        "%", "%(", "%{", "%(touch${IFS}/tmp/x)", "$(", "$", "`", "${IFS}", "\n", "\r", "\n%post\n", "\0", "\t", " ",
        "/", "/..", "../", "..", "//", "~", "^", ":", "@", "@{", ",", ";", "\\", "\"", "'", "{", "}", "(", ")", "*", "?",
        "[", "]", "!", "#", "=", "|", "&", "<", ">", "é", "\u202e",
    ];

    public static Arbitrary<string> Strings() =>
        Gen.Frequency(
                (6, Gen.Elements(Safe)),
                (1, Gen.Elements(Hostile)))
            .ArrayOf()
            .Select(parts => string.Concat(parts))
            .ToArbitrary();
}

/// <summary>
/// Issue 13 §6: no tag or branch name, however it is made, puts an rpm macro, a shell substitution, a new line or a
/// path climb into the spec, the tarball's top folder or anything recorded (docs/contracts/dlrn-build.md,
/// "Values read from git").
/// </summary>
public class GitValuesPropertyTests
{
    private const string Spec = "Name: foo\nVersion: 9\nRelease: 1%{?dist}\nSummary: foo UPSTREAMVERSION\nLicense: MIT\nSource0: foo.tar.gz\n\n%description\nfoo\n\n%changelog\n- old\n";

    /// <summary>Characters that mean something to rpm, a shell, a path, YAML or CSV, or that end a line.</summary>
    private static readonly char[] Forbidden = "%$`(){}[]/\\ \t\n\r\0:;,@\"'*?!#=|&<>".ToCharArray();

    private static (string Spec, string TopFolder) Prepare(string tag, bool pastTag)
    {
        var versions = DlrnVersioning.FromTag(new SourceTag(tag, pastTag));
        const string release = "0.20261123104500.abcdef0";
        var edited = SpecEditor.Apply(Spec, new SpecEdit(versions.Version, release, $"{versions.Version}-{release}.tar.gz", versions.UpstreamVersion, KeepChangelog: false));
        return (edited, $"foo-{versions.UpstreamVersion}/");
    }

    [Property(MaxTest = 2000, Arbitrary = new[] { typeof(HostileGitStrings) })]
    public void A_tag_is_refused_or_reaches_the_spec_and_the_tarball_without_anything_unsafe(string tag, bool pastTag)
    {
        (string Spec, string TopFolder) prepared;
        try
        {
            prepared = Prepare(tag, pastTag);
        }
        catch (CiJobsException e) when (e.ExitCode == BuildExitCodes.UnsafeGitValue)
        {
            // Refused with a clear message (a tag outside the safe characters, or one giving an unusable version).
            e.Message.Should().NotBeNullOrWhiteSpace();
            return;
        }

        var baseline = Prepare("1.0", pastTag: false);
        prepared.Spec.Split('\n').Should().HaveSameCount(baseline.Spec.Split('\n'), "a tag cannot add a line to the spec");
        foreach (var special in new[] { '%', '$', '`', '(', '{', '/', '\\', '\r', '\0', ':' })
        {
            prepared.Spec.Count(c => c == special).Should().Be(baseline.Spec.Count(c => c == special), $"a tag cannot put '{special}' into the spec (tag '{tag}')");
        }

        prepared.TopFolder.IndexOf('/', StringComparison.Ordinal).Should().Be(prepared.TopFolder.Length - 1, "the top folder is one path component");
        prepared.TopFolder.Should().NotContain("..");
        prepared.TopFolder.IndexOfAny(Forbidden.Where(c => c != '/').ToArray()).Should().Be(-1, prepared.TopFolder);
    }

    [Property(MaxTest = 2000, Arbitrary = new[] { typeof(HostileGitStrings) })]
    public void A_ref_is_refused_or_holds_nothing_unsafe(string gitRef)
    {
        if (!GitValues.IsSafeRef(gitRef))
        {
            var act = () => GitValues.Ref(gitRef, "source ref", BuildExitCodes.RefNotFound);
            act.Should().Throw<CiJobsException>().Which.ExitCode.Should().Be(BuildExitCodes.RefNotFound);
            return;
        }

        gitRef.IndexOfAny(Forbidden.Where(c => c != '/').ToArray()).Should().Be(-1, gitRef);
        gitRef.Should().NotContain("..").And.NotContain("//").And.NotStartWith("/").And.NotStartWith("-").And.NotEndWith("/");
    }

    [Property(MaxTest = 2000, Arbitrary = new[] { typeof(HostileGitStrings) })]
    public void A_word_accepted_for_a_spec_or_a_file_name_holds_nothing_unsafe(string value)
    {
        if (GitValues.IsSafeWord(value))
        {
            value.IndexOfAny(Forbidden).Should().Be(-1, value);
            value.Should().NotContain("..").And.NotStartWith(".").And.NotStartWith("-");
        }
    }
}
