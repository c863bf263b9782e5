using System.Text.RegularExpressions;
using CiJobs.Core.Platform;

namespace CiJobs.Core.Graph;

/// <summary>Settings of <see cref="DependencyReader"/>: the RPM macros of the release and the bounds on what the tools print.</summary>
public sealed record DependencyReaderOptions
{
    /// <summary>The <c>dist</c> macro, as <c>cijobs build --dist</c> passes it to rpmbuild.</summary>
    public string Dist { get; init; } = ".el9";

    /// <summary>More macros, each passed as <c>--define "NAME VALUE"</c> after <c>dist</c> and <c>dlrn 1</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Defines { get; init; } = [];

    /// <summary>Most characters kept of a tool's standard output; more is an error (<see cref="GraphExitCodes.LimitExceeded"/>).</summary>
    public int MaxOutputChars { get; init; } = 4 * 1024 * 1024;

    /// <summary>Most dependency, binary or provide names one package may have.</summary>
    public int MaxNamesPerPackage { get; init; } = 20_000;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Checks the <c>--dist</c> value and the <c>--define 'NAME VALUE'</c> items (exit 131 when unusable).</summary>
    public static DependencyReaderOptions Create(string dist, IEnumerable<string> defines)
    {
        ArgumentNullException.ThrowIfNull(dist);
        ArgumentNullException.ThrowIfNull(defines);
        if (dist.Length > 40 || !dist.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '+' or '~'))
        {
            throw new CiJobsException($"--dist '{Builds.PackageNames.Printable(dist)}': use letters, digits and . _ + ~ only (at most 40)", GraphExitCodes.InvalidInput);
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var define in defines)
        {
            var space = define.IndexOf(' ', StringComparison.Ordinal);
            var name = space > 0 ? define[..space] : define;
            if (space <= 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || define.Any(char.IsControl) || define.Length > 4096)
            {
                throw new CiJobsException($"--define '{Builds.PackageNames.Printable(define)}': write it 'NAME VALUE' (NAME of letters, digits and _)", GraphExitCodes.InvalidInput);
            }

            pairs.Add(new(name, define[(space + 1)..]));
        }

        return new DependencyReaderOptions { Dist = dist, Defines = pairs };
    }
}

/// <summary>
/// Reads a package's build dependencies and provides with the distribution's own parsers: <c>rpmspec</c> for a spec
/// (with the release's macros, as the build defines them) and dpkg-dev's <c>Dpkg::Control::Info</c> and
/// <c>Dpkg::Deps</c> for <c>debian/control</c>. The rules are in docs/manual/graph-and-partitions.md, "Reading a package".
/// </summary>
public sealed partial class DependencyReader(IProcessRunner runner, DependencyReaderOptions options)
{
    /// <summary>
    /// Prints <c>S\tSOURCE</c>, then <c>B\tNAME</c> for each alternative of Build-Depends, Build-Depends-Arch and
    /// Build-Depends-Indep, then <c>P\tBINARY\tNAME</c> for each binary package (itself) and each name it Provides.
    /// Substitution variables (<c>${...}</c>) are dropped first: dpkg-gencontrol fills them at build time.
    /// </summary>
    private const string DebianScript = """
        use strict; use warnings;
        use Dpkg::Control::Info; use Dpkg::Deps;
        my $info = Dpkg::Control::Info->new(filename => $ARGV[0]);
        my $src = $info->get_source();
        die "no source paragraph\n" unless defined $src;
        print "S\t", ($src->{'Source'} // ''), "\n";
        for my $field ('Build-Depends', 'Build-Depends-Arch', 'Build-Depends-Indep') {
          my $v = $src->{$field}; next unless defined $v;
          $v =~ s/\$\{[^}]*\}//g;
          my $deps = deps_parse($v, build_dep => 1, reduce_restrictions => 0, reduce_arch => 0);
          die "cannot parse $field\n" unless defined $deps;
          deps_iterate($deps, sub { print "B\t", $_[0]->{package}, "\n"; 1 });
        }
        for my $pkg ($info->get_packages()) {
          my $name = $pkg->{'Package'} // next;
          print "P\t$name\t$name\n";
          my $v = $pkg->{'Provides'}; next unless defined $v;
          $v =~ s/\$\{[^}]*\}//g;
          my $deps = deps_parse($v, union => 1);
          die "cannot parse Provides of $name\n" unless defined $deps;
          deps_iterate($deps, sub { print "P\t$name\t", $_[0]->{package}, "\n"; 1 });
        }
        """;

    private static readonly HashSet<string> RichKeywords = ["and", "or", "if", "else", "unless", "with", "without"];
    private static readonly HashSet<string> Comparisons = ["<", ">", "=", "<=", ">=", "=<", "=>"];

    /// <summary>Reads one package. Failures are <see cref="CiJobsException"/>s naming the package.</summary>
    public async Task<PackageDependencies> ReadAsync(PackageSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!Directory.Exists(source.Directory))
        {
            throw new CiJobsException($"{source.Name}: the folder {source.Directory} does not exist", GraphExitCodes.DependenciesUnreadable);
        }

        var control = Path.Combine(source.Directory, "debian", "control");
        var hasDebian = Directory.Exists(Path.Combine(source.Directory, "debian"));
        var specs = Directory.EnumerateFiles(source.Directory, "*.spec").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        if (hasDebian && specs.Count > 0)
        {
            throw new CiJobsException($"{source.Name}: {source.Directory} holds both a spec and a debian/ folder", GraphExitCodes.DependenciesUnreadable);
        }

        if (hasDebian)
        {
            return File.Exists(control)
                ? await ReadDebianAsync(source, control, cancellationToken)
                : throw new CiJobsException($"{source.Name}: {source.Directory}/debian has no control file", GraphExitCodes.DependenciesUnreadable);
        }

        // The spec the build picks (PackageBuildService): NAME.spec, else the only one.
        var spec = specs.Contains(source.Name + ".spec") ? source.Name + ".spec"
            : specs.Count == 1 ? specs[0]
            : throw new CiJobsException(
                specs.Count == 0
                    ? $"{source.Name}: no spec file and no debian/ folder in {source.Directory}"
                    : $"{source.Name}: several spec files in {source.Directory} and none is named {source.Name}.spec",
                GraphExitCodes.DependenciesUnreadable);
        return await ReadSpecAsync(source, Path.Combine(source.Directory, spec), cancellationToken);
    }

    /// <summary>The names a build dependency mentions: the name itself, or each package name of a rich (boolean) dependency.</summary>
    public static IReadOnlyList<string> DependencyNames(string dependency)
    {
        ArgumentNullException.ThrowIfNull(dependency);
        var text = dependency.Trim();
        if (!text.StartsWith('('))
        {
            return text.Length == 0 ? [] : [text];
        }

        // A rich dependency: groups in parentheses, names (which may hold parentheses, as python3dist(foo)),
        // keywords, and comparisons followed by a version.
        var names = new List<string>();
        var skipVersion = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c) || c is '(' or ')')
            {
                i++;
                continue;
            }

            var start = i;
            var depth = 0;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && !(text[i] == ')' && depth == 0))
            {
                depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
                i++;
            }

            var token = text[start..i];
            if (skipVersion)
            {
                skipVersion = false;
            }
            else if (Comparisons.Contains(token))
            {
                skipVersion = true;
            }
            else if (!RichKeywords.Contains(token))
            {
                names.Add(token);
            }
        }

        return names;
    }

    private async Task<PackageDependencies> ReadSpecAsync(PackageSource source, string spec, CancellationToken cancellationToken)
    {
        List<string> defines = ["--define", "dist " + options.Dist, "--define", "dlrn 1", "--define", "_sourcedir " + source.Directory];
        foreach (var (name, value) in options.Defines)
        {
            defines.AddRange(["--define", name + " " + value]);
        }

        var srpm = await RunAsync(source, "rpmspec", ["-q", "--srpm", .. defines, "--qf", "S\t%{NAME}\n[B\t%{REQUIRENAME}\n]", spec], cancellationToken);
        var binaries = await RunAsync(source, "rpmspec", ["-q", .. defines, "--qf", "[P\t%{=NAME}\t%{PROVIDENAME}\n]", spec], cancellationToken);
        return Parse(source, "rpm", srpm + binaries);
    }

    private async Task<PackageDependencies> ReadDebianAsync(PackageSource source, string control, CancellationToken cancellationToken)
    {
        var output = await RunAsync(source, "perl", ["-e", DebianScript, "--", control], cancellationToken);
        return Parse(source, "deb", output);
    }

    private async Task<string> RunAsync(PackageSource source, string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(
            new ProcessSpec(tool, arguments)
            {
                WorkingDirectory = source.Directory,
                Environment = new Dictionary<string, string?> { ["LC_ALL"] = "C.UTF-8" },
                MaxOutputChars = options.MaxOutputChars,
                Timeout = options.Timeout,
            },
            cancellationToken);
        if (result.Truncated)
        {
            throw new CiJobsException($"{source.Name}: {tool} printed more than {options.MaxOutputChars} characters", GraphExitCodes.LimitExceeded);
        }

        if (!result.Succeeded)
        {
            var reason = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .FirstOrDefault(l => l.Length > 0) ?? "no message";
            throw new CiJobsException($"{source.Name}: {tool} failed (exit {result.ExitCode}): {Printable(reason)}", GraphExitCodes.DependenciesUnreadable);
        }

        return result.StandardOutput;
    }

    private PackageDependencies Parse(PackageSource source, string format, string output)
    {
        string? sourceName = null;
        var binaries = new List<string>();
        var provides = new List<string>();
        var requires = new List<string>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            switch (fields[0])
            {
                case "S" when fields.Length == 2 && sourceName is null:
                    sourceName = CheckName(source, fields[1]);
                    break;
                case "B" when fields.Length == 2:
                    requires.AddRange(DependencyNames(CheckName(source, fields[1])));
                    break;
                case "P" when fields.Length == 3:
                    var binary = CheckName(source, fields[1]);
                    if (binaries.Count == 0 || binaries[^1] != binary)
                    {
                        binaries.Add(binary);
                    }

                    provides.Add(CheckName(source, fields[2]));
                    break;
                default:
                    throw new CiJobsException($"{source.Name}: unexpected output line from the {format} parser: {Printable(line)}", GraphExitCodes.DependenciesUnreadable);
            }

            if (requires.Count + provides.Count > options.MaxNamesPerPackage)
            {
                throw new CiJobsException($"{source.Name}: more than {options.MaxNamesPerPackage} dependency and provide names", GraphExitCodes.LimitExceeded);
            }
        }

        return new PackageDependencies(
            source.Name,
            format,
            string.IsNullOrEmpty(sourceName) ? source.Name : sourceName,
            [.. binaries.Distinct(StringComparer.Ordinal)],
            [.. provides.Distinct(StringComparer.Ordinal)],
            [.. requires.Distinct(StringComparer.Ordinal)]);
    }

    private static string CheckName(PackageSource source, string name) =>
        name.Length <= 1024 && !name.Any(char.IsControl)
            ? name
            : throw new CiJobsException($"{source.Name}: a dependency name that is too long or holds control characters: {Printable(name)}", GraphExitCodes.DependenciesUnreadable);

    private static string Printable(string text)
    {
        var cleaned = ControlCharacters().Replace(text, "?");
        return cleaned.Length > 300 ? cleaned[..300] + "..." : cleaned;
    }

    [GeneratedRegex(@"\p{Cc}")]
    private static partial Regex ControlCharacters();
}
