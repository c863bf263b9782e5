using CiJobs.Core.Provenance;
using CiJobs.Core.Replay;
using CiJobs.Tests.Provenance;

namespace CiJobs.Tests.Replay;

public sealed class ReplayComparisonTests
{
    private static readonly ProvenanceManifest Recorded = ProvenanceSamples.Manifest("foo");

    [Fact]
    public void The_same_files_bit_for_bit_are_identical()
    {
        var comparison = ReplayComparison.Compare(Recorded, Recorded);

        comparison.Verdict.Should().Be(ReplayVerdict.Identical);
        comparison.SameInputHash.Should().BeTrue();
        comparison.Inputs.Should().BeEmpty();
        comparison.Files.Select(f => f.State).Should().OnlyContain(s => s == "same");
    }

    [Fact]
    public void The_build_start_and_duration_are_not_compared()
    {
        var replayed = ProvenanceSamples.Manifest("foo", duration: 999.5) with { Build = new ProvenanceBuild(5, 999.5) };

        var comparison = ReplayComparison.Compare(ProvenanceSamples.Manifest("foo", duration: 1), replayed);

        comparison.Verdict.Should().Be(ReplayVerdict.Identical);
        comparison.SameInputHash.Should().BeTrue();
        comparison.Inputs.Should().BeEmpty();
        ReplayComparison.Compare(Recorded, replayed).Verdict.Should().Be(ReplayVerdict.Identical, "a version 1 recording compares with a version 2 replay");
    }

    [Fact]
    public void The_same_names_with_other_bits_are_equivalent()
    {
        var replayed = Recorded with
        {
            Outputs = Recorded.Outputs with { Files = [ProvenanceSamples.File("foo-1.0-1.el9.noarch.rpm", "other bits"), Recorded.Outputs.Files[1]] },
        };

        var comparison = ReplayComparison.Compare(Recorded, replayed);

        comparison.Verdict.Should().Be(ReplayVerdict.Equivalent);
        comparison.Files.Should().ContainSingle(f => f.State == "differs").Which.Name.Should().Be("foo-1.0-1.el9.noarch.rpm");
    }

    [Fact]
    public void Another_file_list_status_or_nvr_is_different()
    {
        var fewer = Recorded with { Outputs = Recorded.Outputs with { Files = [Recorded.Outputs.Files[0]] } };
        var failed = Recorded with { Status = "FAILED" };
        var otherNvr = Recorded with { Outputs = Recorded.Outputs with { Nvrs = ["foo-1.0-2.el9.noarch"] } };

        ReplayComparison.Compare(Recorded, fewer).Files.Should().ContainSingle(f => f.State == "missing");
        ReplayComparison.Compare(Recorded, fewer).Verdict.Should().Be(ReplayVerdict.Different);
        ReplayComparison.Compare(Recorded, failed).Verdict.Should().Be(ReplayVerdict.Different);
        var nvr = ReplayComparison.Compare(Recorded, otherNvr);
        nvr.Verdict.Should().Be(ReplayVerdict.Different);
        nvr.MissingNvrs.Should().Equal("foo-1.0-1.el9.noarch");
        nvr.ExtraNvrs.Should().Equal("foo-1.0-2.el9.noarch");
    }

    [Fact]
    public void A_debian_build_record_may_differ_in_an_identical_replay_but_a_package_may_not()
    {
        var files = new[]
        {
            ProvenanceSamples.File("foo_1.0-1_all.deb", "deb"),
            ProvenanceSamples.File("foo_1.0-1_amd64.buildinfo", "Build-Date: Sun, 06 Dec 2026 14:40:27 +0000"),
            ProvenanceSamples.File("foo_1.0-1_amd64.changes", "changes listing the buildinfo's sha256"),
        };
        var recorded = ProvenanceSamples.Manifest("foo", files);
        var replayed = recorded with
        {
            Outputs = recorded.Outputs with { Files = [files[0], ProvenanceSamples.File(files[1].Name, "Build-Date: later"), ProvenanceSamples.File(files[2].Name, "other sha256")] },
        };
        var otherDeb = recorded with { Outputs = recorded.Outputs with { Files = [ProvenanceSamples.File(files[0].Name, "other deb"), files[1], files[2]] } };

        ReplayComparison.Compare(recorded, replayed).Verdict.Should().Be(ReplayVerdict.Identical);
        ReplayComparison.Compare(recorded, replayed).Files.Where(f => f.State == "differs").Should().OnlyContain(f => f.Record);
        ReplayComparison.Compare(recorded, otherDeb).Verdict.Should().Be(ReplayVerdict.Equivalent);
    }

    [Fact]
    public void Input_differences_say_which_change_what_is_built()
    {
        var inputs = Recorded.Inputs with
        {
            Source = Recorded.Inputs.Source with { Url = "/home/me/mirror/foo", Commit = new string('c', 40) },
            CijobsVersion = "9.9.9",
        };
        var replayed = Recorded with { Inputs = inputs, InputHash = InputHash.Compute(inputs) };

        var comparison = ReplayComparison.Compare(Recorded, replayed);

        comparison.SameInputHash.Should().BeFalse();
        comparison.Inputs.Select(i => (i.Name, i.Decisive)).Should().BeEquivalentTo(new[] { ("source.commit", true), ("source.url", false), ("cijobs_version", false) });
    }
}
