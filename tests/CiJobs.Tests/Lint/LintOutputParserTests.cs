using CiJobs.Core.Lint;
using FsCheck;
using FsCheck.Xunit;

namespace CiJobs.Tests.Lint;

/// <summary>The parsers on output captured from rpmlint 2.4 and lintian 2.116 (Debian 12), and on garbage.</summary>
public sealed class LintOutputParserTests
{
    private const string RpmlintReport = """
        ============================ rpmlint session starts ============================
        rpmlint: 2.4.0
        configuration:
            /usr/lib/python3/dist-packages/rpmlint/configdefaults.toml
            /tmp/cijobs-lint-x/config/10-cijobs.toml
        rpmlintrc: /tmp/cijobs-lint-x/cijobs.rpmlintrc
        checks: 26, packages: 2

        lintbad.noarch: E: non-executable-script /usr/bin/lintbad 644 /bin/sh
        lintbad.noarch: W: non-executable-in-bin /usr/bin/lintbad 644
        lintbad.src:12: W: macro-in-comment %{name}
        lintbad.spec: W: no-%build-section
        lintbad.noarch: E: explicit-lib-dependency (Badness: 5) libfoo
        lintbad.src: I: checking-url https://example.org (timeout 10 seconds)
         2 packages and 0 specfiles checked; 2 errors, 3 warnings, 7 badness; has taken 0.7 s 
        """;

    [Fact]
    public void Rpmlint_messages_are_read_with_their_level_id_detail_and_spec_line_and_the_frame_is_skipped()
    {
        var parsed = RpmlintOutputParser.Parse(RpmlintReport);

        parsed.Notes.Should().BeEmpty();
        parsed.Lines.Should().Equal(
            new LintLine("lintbad.noarch", "binary", new LintMessage(LintSeverity.Error, "non-executable-script", "/usr/bin/lintbad 644 /bin/sh", null, null, false)),
            new LintLine("lintbad.noarch", "binary", new LintMessage(LintSeverity.Warning, "non-executable-in-bin", "/usr/bin/lintbad 644", null, null, false)),
            new LintLine("lintbad.src", "source", new LintMessage(LintSeverity.Warning, "macro-in-comment", "%{name}", null, 12, false)),
            new LintLine("lintbad.spec", "spec", new LintMessage(LintSeverity.Warning, "no-%build-section", null, null, null, false)),
            new LintLine("lintbad.noarch", "binary", new LintMessage(LintSeverity.Error, "explicit-lib-dependency", "libfoo", null, null, false)),
            new LintLine("lintbad.src", "source", new LintMessage(LintSeverity.Info, "checking-url", "https://example.org (timeout 10 seconds)", null, null, false)));
    }

    [Fact]
    public void Rpmlint_lines_it_does_not_know_are_kept_as_notes_colours_removed()
    {
        var parsed = RpmlintOutputParser.Parse(
            "\u001b[1mfoo.noarch:\u001b[0m \u001b[31mE: no-signature\u001b[0m\r\nTraceback (most recent call last):\n  x\nfoo.noarch: Q: what\n\0\u0001garbage");

        parsed.Lines.Should().ContainSingle().Which.Message.Check.Should().Be("no-signature");
        parsed.Notes.Should().Equal("Traceback (most recent call last):", "  x", "foo.noarch: Q: what", "\0\u0001garbage");
    }

    private const string LintianReport = """
        E: lintbad: no-copyright-file
        W: lintbad: no-manual-page [usr/bin/lintbad]
        W: lintgood: initial-upload-closes-no-bugs [usr/share/doc/lintgood/changelog.Debian.gz:1]
        W: example-motd source: maintainer-upload-has-incorrect-version-number 1.0.1-0.2026 [debian/changelog:1]
        I: example-motd source: debian-watch-file-is-missing
        E: lintbad: no-changelog usr/share/doc/lintbad/changelog.Debian.gz (non-native package)
        P: lintbad changes: pedantic-thing
        X: lintbad buildinfo: experimental-thing [a [b]]
        N:
        N:   The manual page comes with the next release.
        O: lintgood: no-manual-page [usr/bin/lintgood]
        M: lintgood udeb: masked-tag
        """;

    [Fact]
    public void Lintian_tags_are_read_with_package_type_context_and_pointer()
    {
        var parsed = LintianOutputParser.Parse(LintianReport);

        parsed.Lines.Should().Equal(
            new LintLine("lintbad", "binary", new LintMessage(LintSeverity.Error, "no-copyright-file", null, null, null, false)),
            new LintLine("lintbad", "binary", new LintMessage(LintSeverity.Warning, "no-manual-page", null, "usr/bin/lintbad", null, false)),
            new LintLine("lintgood", "binary", new LintMessage(LintSeverity.Warning, "initial-upload-closes-no-bugs", null, "usr/share/doc/lintgood/changelog.Debian.gz", 1, false)),
            new LintLine("example-motd", "source", new LintMessage(LintSeverity.Warning, "maintainer-upload-has-incorrect-version-number", "1.0.1-0.2026", "debian/changelog", 1, false)),
            new LintLine("example-motd", "source", new LintMessage(LintSeverity.Info, "debian-watch-file-is-missing", null, null, null, false)),
            new LintLine("lintbad", "binary", new LintMessage(LintSeverity.Error, "no-changelog", "usr/share/doc/lintbad/changelog.Debian.gz (non-native package)", null, null, false)),
            new LintLine("lintbad", "changes", new LintMessage(LintSeverity.Info, "pedantic-thing", null, null, null, false)),
            new LintLine("lintbad", "buildinfo", new LintMessage(LintSeverity.Info, "experimental-thing", "[a [b]]", null, null, false)),
            new LintLine("lintgood", "binary", new LintMessage(LintSeverity.Info, "no-manual-page", null, "usr/bin/lintgood", null, true)),
            new LintLine("lintgood", "udeb", new LintMessage(LintSeverity.Info, "masked-tag", null, null, null, true)));
        parsed.Notes.Should().Equal("N:   The manual page comes with the next release.");
    }

    [Fact]
    public void Lintian_garbage_becomes_notes()
    {
        var parsed = LintianOutputParser.Parse("Skipping g.deb: Non-zero status 2 from tar\nE:no-space\nE: : empty\nZ: pkg: tag\n\n");

        parsed.Lines.Should().BeEmpty();
        parsed.Notes.Should().Equal("Skipping g.deb: Non-zero status 2 from tar", "E:no-space", "E: : empty", "Z: pkg: tag");
    }

    [Fact]
    public void Long_lines_are_cut_and_notes_are_bounded()
    {
        var longMessage = "foo.noarch: E: x " + new string('a', LintOutputLimits.MaxLineChars * 2);
        var many = string.Join('\n', Enumerable.Range(0, LintOutputLimits.MaxNotes + 5).Select(i => $"garbage {i}"));

        var parsed = RpmlintOutputParser.Parse(longMessage + "\n" + many);
        var lintian = LintianOutputParser.Parse(many);

        parsed.Lines.Should().BeEmpty();
        parsed.Notes[0].Should().HaveLength(LintOutputLimits.MaxLineChars + " [cut]".Length).And.EndWith(" [cut]");
        parsed.Notes.Should().HaveCount(LintOutputLimits.MaxNotes + 1);
        parsed.Notes[^1].Should().Be("[6 more unrecognised lines not kept]");
        lintian.Notes.Should().HaveCount(LintOutputLimits.MaxNotes + 1);
        lintian.Notes[^1].Should().Be("[5 more unrecognised lines not kept]");
    }

    [Property(MaxTest = 300)]
    public void Any_text_parses_without_throwing_and_every_line_is_a_message_a_note_or_frame(NonNull<string> text)
    {
        var rpm = RpmlintOutputParser.Parse(text.Get);
        var deb = LintianOutputParser.Parse(text.Get);
        var lines = text.Get.Split('\n').Length;

        (rpm.Lines.Count + rpm.Notes.Count).Should().BeLessThanOrEqualTo(lines + 1);
        (deb.Lines.Count + deb.Notes.Count).Should().BeLessThanOrEqualTo(lines + 1);
        deb.Lines.Concat(rpm.Lines).Where(l => l.Message.Check.Length == 0 || l.Package.Length == 0).Should().BeEmpty();
    }
}
