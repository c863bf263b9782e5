using CiJobs.Core.Rdoinfo;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Rdoinfo;

/// <summary>
/// Release membership is decided on the expanded package (docs/contracts/rdoinfo-expansion.md): a tag that
/// comes from package-default or from the conf template counts like one of the package's own.
/// </summary>
public class ReleaseMembershipTests
{
    private static readonly Lazy<Task<RdoinfoDatabase>> Real = new(() => RdoinfoLoader.LoadAsync(RepoPaths.RealRdoinfo));

    /// <summary>
    /// Per release of the vendored database: how many packages distroinfo's get_info(apply_tag=R) followed by
    /// DLRN's filter_pkgs(tags=R) keeps (measured with distroinfo 864841c1 and PyYAML 6.0.3 on rdo-full.yml).
    /// </summary>
    public static TheoryData<string, int> DlrnCounts => new()
    {
        { "flamingo", 251 },
        { "epoxy", 251 },
        { "dalmatian", 256 },
        { "caracal", 261 },
        { "bobcat", 291 },
        { "antelope", 301 },
        { "zed", 331 },
        { "yoga", 353 },
        { "xena", 351 },
        { "wallaby", 355 },
        { "victoria", 348 },
        { "ussuri", 360 },
        { "train", 361 },
    };

    /// <summary>The packages of the vendored database without a <c>tags</c> key of their own that are in train and ussuri anyway.</summary>
    private static readonly string[] TaggedByDefaultOrTemplate =
    [
        "instack", "instack-undercloud", "networking-fujitsu", "neutron-lbaas", "neutron-lbaas-dashboard",
        "tripleo-common-tempest-plugin", "tripleo-ui",
    ];

    [Fact]
    public async Task The_count_table_names_every_release_of_the_real_database()
    {
        var database = await Real.Value;

        DlrnCounts.Select(row => (string)row[0]).Should().Equal(database.Releases.Select(r => r.Name));
    }

    [Theory]
    [MemberData(nameof(DlrnCounts))]
    public async Task Membership_in_a_release_of_the_real_database_is_the_expanded_packages_carrying_its_tag(string release, int dlrnCount)
    {
        var database = await Real.Value;

        var carrying = database.Projects
            .Where(p => database.Expand(p, release) is var expanded
                && (expanded.HasTag(release) || expanded.HasTag(release + RdoTags.UpperConstraintsSuffix)))
            .ToList();
        var members = database.ExpandAll(release);

        members.Select(p => p.Project).Should().Equal(carrying);
        members.Should().OnlyContain(p => p.AppliedTag == release);
        database.Projects.Where(p => database.ReleaseTagFor(p, release) is not null).Should().Equal(carrying);
        members.Should().HaveCount(dlrnCount);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("ussuri")]
    public async Task Packages_tagged_by_package_default_or_their_template_are_in_train_and_ussuri(string release)
    {
        var database = await Real.Value;

        var members = database.ExpandAll(release).Select(p => p.Project).ToHashSet(StringComparer.Ordinal);

        members.Should().Contain(TaggedByDefaultOrTemplate);
        database.Expand("instack").Tags.Keys.Should().BeEquivalentTo(["ussuri-uc", "ussuri", "train"], "instack has no tags of its own: package-default's apply");
        database.ExpandAll("victoria").Select(p => p.Project).Should().NotContain(TaggedByDefaultOrTemplate);
    }

    [Fact]
    public async Task A_template_tag_map_decides_membership_and_applies_its_overrides_and_own_tags_replace_it_whole()
    {
        using var fixture = new RdoinfoFixture()
            .Write("rdo.yml", RdoinfoFixture.Main
                .Replace("package-configs:\n", """
                    package-configs:
                      pinned:
                        upstream: https://opendev.org/openstack/%(project)s
                        tags:
                          dalmatian:
                            source-branch: stable/pinned
                            distro-branch: pinned-rdo

                    """, StringComparison.Ordinal)
                .Replace("- project: glanceclient\n  conf: client", """
                    - project: glanceclient
                      conf: client
                    - project: swift
                      conf: pinned
                    - project: cinder
                      conf: pinned
                      tags:
                        epoxy:
                    - project: nova
                    - project: neutron
                      tags:
                    """, StringComparison.Ordinal));
        var database = await RdoinfoLoader.LoadAsync(fixture.Path);

        database.ReleaseTagFor("swift", "dalmatian").Should().Be("dalmatian", "the template's tags replace package-default's");
        database.ReleaseTagFor("swift", "epoxy").Should().BeNull();
        var swift = database.Expand("swift", "dalmatian");
        swift.SourceBranch.Should().Be("stable/pinned", "the applied tag's overrides come from the template's tags");
        swift.DistroBranch.Should().Be("pinned-rdo");
        database.ReleaseTagFor("cinder", "dalmatian").Should().BeNull("the package's own tags replace the template's whole");
        database.ReleaseTagFor("cinder", "epoxy").Should().Be("epoxy");
        database.ReleaseTagFor("nova", "epoxy").Should().Be("epoxy", "package-default tags nova with epoxy");
        database.ReleaseTagFor("neutron", "epoxy").Should().BeNull("an own empty 'tags:' replaces the default's: in no release");
        database.ReleaseTagFor("neutron", "dalmatian").Should().BeNull();
        database.Expand("neutron", "epoxy").Name.Should().Be("python-neutron");
        database.ExpandAll("dalmatian").Select(p => p.Project).Should().Equal("glance", "glanceclient", "swift");
    }

    [Fact]
    public async Task An_override_of_tags_inside_the_release_tag_counts_as_DLRN_filters_after_applying_it()
    {
        using var fixture = new RdoinfoFixture()
            .Write("tags/dalmatian.yml", """
                packages:
                - project: glanceclient
                  tags:
                    dalmatian:
                      tags:
                        under-review:
                """);
        var database = await RdoinfoLoader.LoadAsync(fixture.Path);

        database.Expand("glanceclient", "dalmatian").HasTag("dalmatian").Should().BeFalse();
        database.ReleaseTagFor("glanceclient", "dalmatian").Should().BeNull("expanded for dalmatian, the package no longer carries the tag");
        database.ReleaseTagFor("glanceclient", "epoxy").Should().Be("epoxy");
    }
}
