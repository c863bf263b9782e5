using CiJobs.Core;
using CiJobs.Core.Graph;
using CiJobs.Core.Platform;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.Graph;

/// <summary>Specs and debian/control files made here, read by the real rpmspec and dpkg-dev's parser.</summary>
public class DependencyReaderTests
{
    private static readonly DependencyReader Reader = new(new CliWrapProcessRunner(), new DependencyReaderOptions());

    internal static string Spec(string name, string body) => $$"""
        Name: {{name}}
        Version: 1.0
        Release: 1%{?dist}
        Summary: test package
        License: MIT
        {{body}}
        %description
        test
        """;

    /// <summary>oslo-core provides a virtual name from a subpackage; python-lib needs it and the release macro's
    /// package; tool and helper build-require each other.</summary>
    internal static TempDir WriteSpecs()
    {
        var dir = new TempDir("graph");
        dir.Write("oslo-core/oslo-core.spec", Spec("oslo-core", """
            BuildRequires: gcc
            %package -n python3-oslo-core
            Summary: py3
            Provides: oslo-virtual = 1.0
            %description -n python3-oslo-core
            py3
            """));
        dir.Write("python-lib/python-lib.spec", Spec("python-lib", """
            BuildRequires: oslo-virtual >= 1.0
            BuildRequires: python3-devel
            %if "%{?dist}" == ".el10"
            BuildRequires: dist-only
            %endif
            """));
        dir.Write("dist-only/dist-only.spec", Spec("dist-only", ""));
        dir.Write("tool/tool.spec", Spec("tool", "BuildRequires: (python3-helper or python3-other)\n"));
        dir.Write("helper/helper.spec", Spec("helper", """
            BuildRequires: tool
            %package -n python3-helper
            Summary: py3
            %description -n python3-helper
            py3
            """));
        return dir;
    }

    private static async Task<DependencyGraph> GraphAsync(TempDir dir, DependencyReader reader)
    {
        var sources = PackageSources.Collect(new PackageSourceRequest { PackagesDirs = [dir.Path] });
        return await PackageSources.BuildGraphAsync(sources, reader, CancellationToken.None);
    }

    [Fact]
    public async Task Specs_map_build_requires_onto_packages_binaries_and_provides()
    {
        using var dir = WriteSpecs();

        var graph = await GraphAsync(dir, Reader);

        graph.Edges.Select(e => $"{e.From}->{e.To}:{string.Join(",", e.Via)}").Should().BeEquivalentTo(
            "python-lib->oslo-core:oslo-virtual",
            "tool->helper:python3-helper",
            "helper->tool:tool");
        graph.External.Should().Contain(new ExternalDependency("python-lib", "python3-devel"))
            .And.Contain(new ExternalDependency("tool", "python3-other"))
            .And.Contain(new ExternalDependency("oslo-core", "gcc"));
        graph.Nodes.Single(n => n.Name == "oslo-core").Binaries.Should().Equal("oslo-core", "python3-oslo-core");
        graph.Cycles.Should().ContainSingle().Which.Packages.Should().Equal("helper", "tool");
        graph.Cycles[0].Edges.Select(e => (e.From, e.To)).Should().BeEquivalentTo(new[] { ("helper", "tool"), ("tool", "helper") });
    }

    [Fact]
    public async Task The_release_dist_macro_is_passed_to_rpmspec()
    {
        using var dir = WriteSpecs();

        var el10 = await GraphAsync(dir, new DependencyReader(new CliWrapProcessRunner(), DependencyReaderOptions.Create(".el10", [])));
        var el9 = await GraphAsync(dir, Reader);

        el10.Edges.Should().Contain(e => e.From == "python-lib" && e.To == "dist-only");
        el9.Edges.Should().NotContain(e => e.To == "dist-only");
    }

    [Fact]
    public async Task Debian_control_is_read_by_dpkgs_parser()
    {
        using var dir = new TempDir("graph");
        dir.Write("python-foo/debian/control", """
            Source: python-foo
            Maintainer: A <a@example.org>
            Build-Depends: debhelper-compat (= 13), python3-all:any | python3-dev,
             python3-bar (>= 1.0) [amd64] <!nocheck>
            Build-Depends-Indep: python3-sphinx

            Package: python3-foo
            Architecture: all
            Depends: ${python3:Depends}
            Provides: ${python3:Provides}, foo-lib (= 1.0)
            Description: foo
             long

            Package: python-foo-doc
            Architecture: all
            Description: docs
             long
            """);
        dir.Write("bar/debian/control", """
            Source: bar-src
            Maintainer: A <a@example.org>
            Build-Depends: foo-lib

            Package: python3-bar
            Architecture: any
            Description: bar
             long
            """);

        var graph = await GraphAsync(dir, Reader);

        graph.Nodes.Should().OnlyContain(n => n.Format == "deb");
        graph.Nodes.Single(n => n.Name == "python-foo").Binaries.Should().Equal("python3-foo", "python-foo-doc");
        graph.Edges.Select(e => $"{e.From}->{e.To}:{string.Join(",", e.Via)}").Should().BeEquivalentTo("bar->python-foo:foo-lib", "python-foo->bar:python3-bar");
        graph.External.Where(x => x.Package == "python-foo").Select(x => x.Dependency)
            .Should().BeEquivalentTo("debhelper-compat", "python3-all", "python3-dev", "python3-sphinx");
        graph.Cycles.Should().ContainSingle();
    }

    [Fact]
    public async Task A_broken_debian_control_is_an_error_naming_the_package()
    {
        using var dir = new TempDir("graph");
        dir.Write("broken/debian/control", "Source: broken\nBuild-Depends: a (>>\n");

        var act = () => GraphAsync(dir, Reader);

        (await act.Should().ThrowAsync<CiJobsException>()).Which.Should().Match<CiJobsException>(e =>
            e.ExitCode == GraphExitCodes.DependenciesUnreadable && e.Message.StartsWith("broken: perl failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_spec_rpmspec_cannot_parse_is_an_error_naming_the_package()
    {
        using var dir = new TempDir("graph");
        dir.Write("bad/bad.spec", Spec("bad", "BuildRequires: %{undefined_macro_here}\n"));

        var act = () => GraphAsync(dir, Reader);

        (await act.Should().ThrowAsync<CiJobsException>()).Which.Should().Match<CiJobsException>(e =>
            e.ExitCode == GraphExitCodes.DependenciesUnreadable && e.Message.StartsWith("bad: rpmspec failed", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("spec-and-debian", "both a spec and a debian/ folder")]
    [InlineData("two-specs", "several spec files")]
    [InlineData("empty", "no spec file and no debian/ folder")]
    public async Task A_folder_that_is_not_one_package_is_refused(string name, string message)
    {
        using var dir = new TempDir("graph");
        Directory.CreateDirectory(dir.Combine(name));
        if (name == "spec-and-debian")
        {
            dir.Write($"{name}/x.spec", Spec("x", ""));
            dir.Write($"{name}/debian/control", "Source: x\n");
        }
        else if (name == "two-specs")
        {
            dir.Write($"{name}/a.spec", Spec("a", ""));
            dir.Write($"{name}/b.spec", Spec("b", ""));
        }

        var act = () => GraphAsync(dir, Reader);

        (await act.Should().ThrowAsync<CiJobsException>()).Which.Should().Match<CiJobsException>(e =>
            e.ExitCode == GraphExitCodes.DependenciesUnreadable && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("python3-foo", new[] { "python3-foo" })]
    [InlineData("(python3-a or python3-b)", new[] { "python3-a", "python3-b" })]
    [InlineData("(foo >= 1.0 with foo < 2)", new[] { "foo", "foo" })]
    [InlineData("(python3dist(oslo.config) if python3 else (bar-devel and baz))", new[] { "python3dist(oslo.config)", "python3", "bar-devel", "baz" })]
    public void Rich_dependencies_give_each_package_name(string dependency, string[] expected) =>
        DependencyReader.DependencyNames(dependency).Should().Equal(expected);

    [Theory]
    [InlineData("bad/dist")]
    [InlineData("$(rm)")]
    public void An_unsafe_dist_is_refused(string dist) =>
        FluentActions.Invoking(() => DependencyReaderOptions.Create(dist, [])).Should().Throw<CiJobsException>()
            .Which.ExitCode.Should().Be(GraphExitCodes.InvalidInput);

    [Theory]
    [InlineData("novalue")]
    [InlineData("bad-name 1")]
    [InlineData("name va\nlue")]
    public void A_define_that_is_not_name_value_is_refused(string define) =>
        FluentActions.Invoking(() => DependencyReaderOptions.Create(".el9", [define])).Should().Throw<CiJobsException>()
            .Which.ExitCode.Should().Be(GraphExitCodes.InvalidInput);
}
