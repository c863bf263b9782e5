using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CiJobs.Core;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.ZuulConfig;
using CiJobs.Core.ZuulConfig.Bot;
using CiJobs.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Tests.ZuulConfig.Bot;

/// <summary>
/// Hostile names in the config bot's generated YAML (docs/manual/config-bot.md, "How the generated YAML is quoted and
/// checked"): every name is refused with a clean one-line error, or read back, by YamlDotNet and by PyYAML (Zuul's
/// loader), as exactly the model.
/// </summary>
public class GeneratedYamlHostileTests
{
    /// <summary>Fragments YAML treats specially, the characters that must be refused, and ordinary names.</summary>
    private static readonly string[] Pieces =
    [
        "yes", "No", "~", "null", "0b101", "0x1F", "017", "1:20", "2024-01-01", "1e5", "1.5", ".inf", "=", "<<",
        "-", "- ", "? ", ": ", ":", " #", "#", "'", "''", "\"", "\\", "\n", "\r\n", "\r", "\t", "\u0085", "\u2028",
        "\u2029", "\uFEFF", "\u0000", "\u007F", "\uFFFF", "&a", "*a", "!tag", "!!str", "%", "%0A", "@", "`", "{", "}", "[", "]",
        ",", "|", ">", "---", "...", " ", "  ", "é", "日本", "😀", "master", "stable/2024.2", "4.7.0", "openstack/nova", "a b",
    ];

    private static Gen<string> Names()
    {
        var composed = Gen.ListOf(Gen.Elements(Pieces)).Select(l => string.Concat(l));
        var arbitrary = ArbMap.Default.GeneratorFor<string>().Select(s => s ?? "");
        var longKey = Gen.Elements("k", "é", "'").Select(c => string.Concat(Enumerable.Repeat(c, 1100)));
        return Gen.Frequency((6, composed), (3, arbitrary), (1, longKey));
    }

    private static Gen<List<T>> UpTo<T>(Gen<T> gen, int most) => Gen.Choose(0, most).SelectMany(n => Gen.ListOf(gen, n)).Select(l => l.ToList());

    private static Gen<string> Urls(Gen<string> names) => Gen.OneOf(
        names,
        names.Select(n => "https://opendev.org/openstack/" + n),
        names.Select(n => "https://" + n + "/openstack/nova"));

    /// <summary>Control characters, line breaks, byte-order marks, non-characters and unpaired surrogates: what no Zuul name may hold.</summary>
    private static bool Unwritable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]) || text[i] < ' ' || text[i] is >= '\u007F' and <= '\u009F' or '\u2028' or '\u2029' or '\uFEFF' or '\uFFFE' or '\uFFFF')
            {
                return true;
            }
        }

        return false;
    }

    [Fact]
    public void Generate_ArbitraryPackageReleaseBranchAndUrlStrings_AreRefusedCleanlyOrReadBackAsExactlyTheModel()
    {
        var names = Names();
        var inputs =
            from release in names
            from upstreamBranch in names
            from project in names
            from package in names
            from sourceBranch in names
            from upstream in Urls(names)
            from distgit in Urls(names)
            select new RdoinfoInput(release, upstreamBranch, project, package, sourceBranch, upstream, distgit);
        var refused = 0;
        var accepted = 0;

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(inputs.ToArbitrary(), input =>
        {
            GeneratedConfig config;
            try
            {
                var database = RdoinfoLoader.LoadAsync(new MemoryRdoinfo(input.Render()), "rdo.yml").GetAwaiter().GetResult();
                config = ZuulConfigGenerator.Generate(database, ZuulGeneratorSettings.Default);
            }
            catch (RdoinfoException)
            {
                return; // rdoinfo itself refused it (a bad substitution, a YAML error), cleanly
            }
            if (AcceptedOrRefusedCleanly(config))
            {
                accepted++;
                if (!input.ToString().Contains('%', StringComparison.Ordinal))
                {
                    config.Projects.SelectMany(p => p.Packages).Where(p => p.Name != input.Package).Should().BeEmpty();
                }
            }
            else
            {
                refused++;
            }
        }));

        accepted.Should().BePositive("some generated configurations must be accepted, or the property says nothing");
        refused.Should().BePositive("some names must be refused, or the generator never met a line break");
    }

    [Fact]
    public void Files_ArbitraryModel_IsRefusedExactlyWhenANameIsUnwritableOrAReleaseRepeats_ElseReadsBackAsTheModel()
    {
        var names = Names();
        var packages =
            from name in names
            from underReview in Gen.Elements(true, false)
            from releases in UpTo(Gen.Zip(Gen.OneOf(names, Gen.Elements("epoxy", "flamingo")), names), 3)
            select new GeneratedPackage(name, "project", underReview, [.. releases.Select(r => new KeyValuePair<string, string>(r.Item1, r.Item2))]);
        var projects =
            from connection in Gen.OneOf(names, Gen.Constant("gerrit"))
            from host in names
            from path in names
            from branch in Gen.OneOf(names, Gen.Constant<string>(null!))
            from packageList in UpTo(packages, 2)
            select new GeneratedProject(connection, host, path, branch, [ConfigBotNames.PackageDistgitTemplate], [.. packageList]);
        var configs =
            from tenant in names
            from projectList in UpTo(projects, 3)
            select new GeneratedConfig(tenant, [.. projectList]);

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(configs.ToArbitrary(), config =>
        {
            var strings = new[] { config.Tenant }
                .Concat(config.Projects.SelectMany(p => new[] { p.Connection, p.Host, p.Path, p.DefaultBranch ?? "" }))
                .Concat(config.Projects.SelectMany(p => p.Packages).SelectMany(p => p.SourceBranches.SelectMany(b => new[] { b.Key, b.Value }).Append(p.Name)));
            var repeated = config.Projects.SelectMany(p => p.Packages).Any(p => p.SourceBranches.Select(b => b.Key).Distinct(StringComparer.Ordinal).Count() != p.SourceBranches.Count);
            var accepted = AcceptedOrRefusedCleanly(config);
            accepted.Should().Be(!strings.Any(Unwritable) && !repeated);
        }));
    }

    /// <summary>
    /// Either the files are refused with exit 79 and a one-line message, or they parse back (YamlDotNet, no tags, every
    /// name a scalar) into exactly the model. Returns whether they were accepted.
    /// </summary>
    private static bool AcceptedOrRefusedCleanly(GeneratedConfig config)
    {
        IReadOnlyList<KeyValuePair<string, string>> files;
        try
        {
            files = config.Files();
        }
        catch (CiJobsException e)
        {
            e.ExitCode.Should().Be(ConfigBotExitCodes.InputInvalid, e.Message);
            e.Message.Should().StartWith("cannot generate the Zuul configuration: ").And.NotContainAny("\n", "\r", "\u0085", "\u2028", "\u2029");
            return false;
        }

        var text = files.ToDictionary(f => f.Key, f => f.Value);
        ReadTenant(text[ConfigBotNames.TenantFile]).Should().Equal(ExpectedTenant(config));
        ReadProjects(text[ConfigBotNames.ProjectsFile]).Should().Equal(ExpectedProjects(config));
        return true;
    }

    private static List<string> ExpectedTenant(GeneratedConfig config)
    {
        var facts = new List<string> { "tenant=" + config.Tenant };
        foreach (var group in config.Projects.GroupBy(p => p.Connection).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            facts.Add("connection=" + group.Key);
            facts.AddRange(group.Select(p => p.Path).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(p => "path=" + p));
        }

        return facts;
    }

    private static List<string> ExpectedProjects(GeneratedConfig config)
    {
        var facts = new List<string>();
        foreach (var project in config.Projects)
        {
            facts.Add($"project={project.Host}/{project.Path}");
            if (project.DefaultBranch is not null)
            {
                facts.Add("default-branch=" + project.DefaultBranch);
            }

            facts.AddRange(project.Templates.Select(t => "template=" + t));
            foreach (var package in project.Packages)
            {
                facts.Add("package=" + package.Name);
                if (package.UnderReview)
                {
                    facts.Add("under_review");
                }

                facts.AddRange(package.SourceBranches.Select(b => $"branch={b.Key}\u0000{b.Value}"));
            }
        }

        return facts;
    }

    private static string Str(YamlNode node)
    {
        node.Should().BeOfType<YamlScalarNode>();
        node.Tag.IsEmpty.Should().BeTrue($"'{node}' must carry no tag");
        return ((YamlScalarNode)node).Value!;
    }

    private static YamlNode At(YamlNode node, string key) => ((YamlMappingNode)node).Children[new YamlScalarNode(key)];

    private static List<string> ReadTenant(string text)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));
        var tenant = At(((YamlSequenceNode)yaml.Documents.Single().RootNode).Children.Single(), "tenant");
        var facts = new List<string> { "tenant=" + Str(At(tenant, "name")) };
        foreach (var (connection, source) in ((YamlMappingNode)At(tenant, "source")).Children)
        {
            facts.Add("connection=" + Str(connection));
            var group = ((YamlSequenceNode)At(source, "untrusted-projects")).Children.Single();
            ((YamlSequenceNode)At(group, "include")).Children.Should().BeEmpty();
            facts.AddRange(((YamlSequenceNode)At(group, "projects")).Children.Select(p => "path=" + Str(p)));
        }

        return facts;
    }

    private static List<string> ReadProjects(string text)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));
        var facts = new List<string>();
        if (yaml.Documents.Count == 0)
        {
            return facts;
        }

        foreach (var item in ((YamlSequenceNode)yaml.Documents.Single().RootNode).Children)
        {
            var project = (YamlMappingNode)At(item, "project");
            facts.Add("project=" + Str(At(project, "name")));
            if (project.Children.TryGetValue(new YamlScalarNode("default-branch"), out var branch))
            {
                facts.Add("default-branch=" + Str(branch));
            }

            facts.AddRange(((YamlSequenceNode)At(project, "templates")).Children.Select(t => "template=" + Str(t)));
            foreach (var package in ((YamlSequenceNode)At(At(project, "vars"), ConfigBotNames.PackagesVariable)).Children.Cast<YamlMappingNode>())
            {
                facts.Add("package=" + Str(At(package, "name")));
                if (package.Children.TryGetValue(new YamlScalarNode("under_review"), out var underReview))
                {
                    Str(underReview).Should().Be("true");
                    facts.Add("under_review");
                }

                facts.AddRange(((YamlMappingNode)At(package, "source_branches")).Children.Select(b => $"branch={Str(b.Key)}\u0000{Str(b.Value)}"));
            }
        }

        return facts;
    }

    private static GeneratedConfig OneProject(string release = "epoxy", string source = "master", string package = "python-nova", string branch = "rpm-master") =>
        new("rdo", [new GeneratedProject("gerrit", "review.example.org", "openstack/nova-distgit", branch, [ConfigBotNames.PackageDistgitTemplate],
            [new GeneratedPackage(package, "nova", false, [new(release, source)])])]);

    [Fact]
    public async Task Generate_ReleaseNameWithANewline_IsRefusedNamingThePackageAndRelease()
    {
        var input = new RdoinfoInput("epoxy\nnext", "master", "nova", "python-nova", "stable/x", "https://opendev.org/openstack/nova", "https://review.example.org/openstack/nova-distgit");
        var config = ZuulConfigGenerator.Generate(await RdoinfoLoader.LoadAsync(new MemoryRdoinfo(input.Render()), "rdo.yml"), ZuulGeneratorSettings.Default);

        var act = () => config.Files();

        act.Should().Throw<CiJobsException>().Which.Should().Match<CiJobsException>(e =>
            e.ExitCode == ConfigBotExitCodes.InputInvalid
            && e.Message == "cannot generate the Zuul configuration: a release name of package python-nova (project opendev.org/openstack/nova), 'epoxy\\nnext', holds a line break, tab or other control character (U+000A); Zuul names must be one line of printable text (fix rdoinfo or the option that gave it).");
    }

    [Fact]
    public void Files_NewlineInsideAValue_IsRefusedNotFolded()
    {
        var act = () => OneProject(source: "stable/\n            2025.1").Files();

        act.Should().Throw<CiJobsException>().Which.Message.Should().Contain(
            "the source branch of package python-nova for release epoxy (project review.example.org/openstack/nova-distgit), 'stable/\\n            2025.1', holds a line break");
    }

    [Theory]
    [InlineData("2024-01-01", "'2024-01-01'")]
    [InlineData("0b101", "'0b101'")]
    [InlineData("1_000", "'1_000'")]
    [InlineData("190:20:30", "'190:20:30'")]
    [InlineData("yes", "'yes'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("4.7.0", "4.7.0")]
    [InlineData("2024.2", "'2024.2'")]
    [InlineData("stable/2024.2", "stable/2024.2")]
    [InlineData("2024-01-01x", "2024-01-01x")]
    public void Scalar_PlainOnlyWhenZuulsYamlReadsItAsTheSameString(string value, string written) =>
        GeneratedConfig.Scalar(value).Should().Be(written);

    [Fact]
    public void Files_ReleaseNameLongerThanAnImplicitKey_IsWrittenAsAnExplicitKeyAndReadsBack()
    {
        var release = new string('r', 1500);
        var config = OneProject(release: release);

        var projects = config.Files().Single(f => f.Key == ConfigBotNames.ProjectsFile).Value;

        projects.Should().Contain($"            ? {release}\n            : master\n");
        ReadProjects(projects).Should().Contain($"branch={release}\u0000master");
    }

    [Fact]
    public void Verify_OutputThatDoesNotReadBackAsTheModel_IsAnInternalError()
    {
        var config = OneProject();
        var tenant = config.RenderTenant();
        var folded = config.RenderProjects().Replace("epoxy: master", "epoxy: 'mas\n              ter'", StringComparison.Ordinal);

        var act = () => GeneratedConfigCheck.Verify(config, tenant, folded);

        act.Should().Throw<CiJobsException>().Which.Should().Match<CiJobsException>(e =>
            e.ExitCode == ExitCodes.InternalError
            && e.Message.StartsWith("internal error: the generated zuul.d/generated-projects.yaml does not read back as the configuration it was generated from (expected source branch 'master', read source branch 'mas ter')", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_RefusedConfiguration_WritesNothing()
    {
        using var repo = new TempDir("zuulgen");

        var act = () => GeneratedFileWriter.WriteAsync(repo.Path, OneProject(package: "python-\u2028nova"), CancellationToken.None);

        (await act.Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(ConfigBotExitCodes.InputInvalid);
        Directory.EnumerateFileSystemEntries(repo.Path).Should().BeEmpty();
    }

    [Fact]
    public void Files_HostileButPrintableNames_ArePyYamlsSafeLoadOfTheModel()
    {
        string[] hostile =
        [
            "yes", "~", "null", "", "0b101", "017", "0x1F", "1:20", "2024-01-01", "2024-01-01 10:00:00", ".inf", "1.5", "=", "<<",
            "- x", "? x", "a: b", "a #b", "#x", "'", "\"", "\\n", "&a", "*a", "!x", "!!int 1", "%x", "@x", "`x", "{a}", "[a]", ",",
            "|", ">", "---", "...", " lead", "trail ", "é", "日本", "😀", "\u00A0nbsp", new string('k', 1100),
        ];
        var packages = hostile.Select((h, i) => new GeneratedPackage(h.Length == 0 ? "empty" : h + i.ToString(CultureInfo.InvariantCulture), "p", i % 2 == 0,
            [new(h, h), new("r" + i.ToString(CultureInfo.InvariantCulture), h)])).ToList();
        var config = new GeneratedConfig("- tenant: 'x'", [
            new GeneratedProject("a: b", "example.org", "~", "yes", [ConfigBotNames.PackageSourceTemplate], packages),
            new GeneratedProject(new string('c', 1100), "example.org", "2024-01-01", null, [ConfigBotNames.PackageDistgitTemplate], packages.Take(3).ToList()),
        ]);
        var files = config.Files().ToDictionary(f => f.Key, f => f.Value);

        var tenant = PyYamlJson(files[ConfigBotNames.TenantFile]);
        var projects = PyYamlJson(files[ConfigBotNames.ProjectsFile]);

        var read = new List<string>();
        var tenantBody = tenant[0].GetProperty("tenant");
        read.Add("tenant=" + tenantBody.GetProperty("name").GetString());
        foreach (var source in tenantBody.GetProperty("source").EnumerateObject())
        {
            read.Add("connection=" + source.Name);
            var group = source.Value.GetProperty("untrusted-projects")[0];
            group.GetProperty("include").GetArrayLength().Should().Be(0);
            read.AddRange(group.GetProperty("projects").EnumerateArray().Select(p => "path=" + p.GetString()));
        }

        read.Should().Equal(ExpectedTenant(config));
        read.Clear();
        foreach (var item in projects.EnumerateArray())
        {
            var project = item.GetProperty("project");
            read.Add("project=" + project.GetProperty("name").GetString());
            if (project.TryGetProperty("default-branch", out var branch))
            {
                read.Add("default-branch=" + branch.GetString());
            }

            read.AddRange(project.GetProperty("templates").EnumerateArray().Select(t => "template=" + t.GetString()));
            foreach (var package in project.GetProperty("vars").GetProperty(ConfigBotNames.PackagesVariable).EnumerateArray())
            {
                read.Add("package=" + package.GetProperty("name").GetString());
                if (package.TryGetProperty("under_review", out var underReview))
                {
                    underReview.ValueKind.Should().Be(JsonValueKind.True);
                    read.Add("under_review");
                }

                read.AddRange(package.GetProperty("source_branches").EnumerateObject().Select(b => $"branch={b.Name}\u0000{b.Value.GetString()}"));
            }
        }

        read.Should().Equal(ExpectedProjects(config));
    }

    [Fact]
    public void PlainIsString_AgreesWithPyYamlsResolver()
    {
        string[] samples =
        [
            "", "~", "null", "Null", "NULL", "nULL", "yes", "Yes", "YES", "yEs", "y", "Y", "n", "no", "on", "ON", "oN", "off", "true", "False",
            "0", "00", "07", "08", "017", "0_7", "0b", "0b1", "0b102", "+0b1", "-0x1F", "0x", "0xg", "1_000", "_1", "+1", "-0", "1:20", "1:60",
            "1:59:59", "0:20", "190:20:30.15", "1.", ".5", "._5", "5._", "1.0e5", "1.0e+5", "1e5", "+.5", "-.inf", ".Inf", "+.INF", ".nan",
            ".NaN", "+.nan", "2024-01-01", "2024-1-1", "2024-01-01x", "2024-01-01 10:00:00", "2024-1-1t1:00:00.5 +5", "2024-01-01T10:00:00Z",
            "2024-01-01T10:00:00-05:00", "2024-01-01  1:00:00", "<<", "<<<", "=", "==", "4.7.0", "stable/2024.2", "master", "2024.2", "1.5.x",
        ];

        var verdicts = RunPython("""
            import json, sys, yaml
            resolver = yaml.resolver.Resolver()
            for line in sys.stdin:
                value = json.loads(line)
                print(json.dumps(resolver.resolve(yaml.ScalarNode, value, (True, False)) == 'tag:yaml.org,2002:str'))
            """, string.Concat(samples.Select(s => "\"" + string.Concat(s.Select(c => $"\\u{(int)c:X4}")) + "\"\n")));

        var pyYaml = verdicts.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(v => v == "true").ToList();
        samples.Select(s => (s, ZuulYaml.PlainIsString(s))).Should().Equal(samples.Zip(pyYaml));
    }

    private static JsonElement PyYamlJson(string yaml) =>
        JsonDocument.Parse(RunPython("""
            import json, sys, yaml
            print(json.dumps(yaml.safe_load(sys.stdin.read()), default=lambda o: {'not a string': repr(o)}))
            """, yaml)).RootElement;

    /// <summary>Runs python3 (with PyYAML, installed by .ci/setup) on a script, feeding it <paramref name="input"/>.</summary>
    private static string RunPython(string script, string input)
    {
        var info = new ProcessStartInfo("python3", ["-c", script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        process.WaitForExit(60_000).Should().BeTrue();
        process.ExitCode.Should().Be(0, error.Result);
        return output.Result;
    }
}

/// <summary>A one-release, one-package rdoinfo whose every value is given, written as YAML double-quoted escapes.</summary>
internal sealed record RdoinfoInput(string Release, string UpstreamBranch, string Project, string Package, string SourceBranch, string Upstream, string Distgit)
{
    public Dictionary<string, string> Render() => new()
    {
        ["rdo.yml"] = $"""
            releases:
            - name: {Q(Release)}
              status: development
              branch: rpm-master
              upstream_branch: {Q(UpstreamBranch)}
              repos:
              - name: el9s
            packages:
            - project: {Q(Project)}
              name: {Q(Package)}
              maintainers:
              - packagers@example.org
              upstream: {Q(Upstream)}
              master-distgit: {Q(Distgit)}
              tags:
                ? {Q(Release)}
                :
                  source-branch: {Q(SourceBranch)}

            """,
    };

    /// <summary>A YAML double-quoted scalar holding exactly <paramref name="text"/> (escapes for everything not printable ASCII).</summary>
    private static string Q(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                >= ' ' and <= '~' => c.ToString(),
                _ => $"\\u{(int)c:X4}",
            });
        }

        return quoted.Append('"').ToString();
    }
}

/// <summary>rdoinfo files held in memory.</summary>
internal sealed class MemoryRdoinfo(Dictionary<string, string> files) : IRdoinfoSource
{
    public string Description => "memory";

    public string DisplayPath(string relativePath) => relativePath;

    public Task<string?> ReadFileAsync(string relativePath, CancellationToken cancellationToken) =>
        Task.FromResult(files.TryGetValue(relativePath, out var text) ? text : null);
}

[Trait("Runs", "cijobs")]
public class GeneratedYamlHostileCliTests
{
    [Fact]
    public async Task Generate_ReleaseNameWithANewline_ExitsWith79OnOneLineAndWritesNothing()
    {
        using var rdoinfo = new TempDir("zuulgen-rdoinfo");
        foreach (var (path, text) in new RdoinfoInput("epoxy\nnext", "master", "nova", "python-nova", "stable/x", "https://opendev.org/openstack/nova", "https://review.example.org/openstack/nova-distgit").Render())
        {
            rdoinfo.Write(path, text);
        }

        using var config = new TempDir("zuulgen-config");

        var result = await CliRunner.RunAsync(["zuul-config", "generate", "--rdoinfo", rdoinfo.Path, "--entry", "rdo.yml", "--config-repo", config.Path]);

        result.ExitCode.Should().Be(ConfigBotExitCodes.InputInvalid, result.ToString());
        result.StandardError.Should().StartWith("cijobs: error: cannot generate the Zuul configuration: a release name of package python-nova").And.Contain("'epoxy\\nnext'");
        result.StandardError.TrimEnd('\n').Should().NotContain("\n");
        Directory.EnumerateFileSystemEntries(config.Path).Should().BeEmpty();
    }
}
