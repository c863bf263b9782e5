using System.CommandLine;
using System.Globalization;
using CiJobs.Cli.Output;
using CiJobs.Core;
using CiJobs.Core.InstallTest;
using CiJobs.Core.Platform;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs install-test</c>: install, smoke-test and remove each package of a test repository in a clean system (docs/manual/install-test.md).</summary>
internal static class InstallTestCommand
{
    public static Command Create()
    {
        var kind = new Option<PackageKind>("--kind") { Description = "Package kind: rpm (dnf) or deb (APT).", Required = true };
        var repo = new Option<string?>("--repo") { Description = "The test repository URL: a createrepo_c repository (rpm) or an APT repository (deb). Or --testrepo." };
        var testRepo = new Option<FileInfo?>("--testrepo")
        {
            Description = "The JSON of 'cijobs testrepo publish': its --kind part gives the URL, codename, component and binary packages " +
                "(instead of --repo, --codename, --component and --package). A repository without that part has nothing to test: exit 0, said on stderr.",
        };
        var codename = new Option<string?>("--codename") { Description = "deb: the distribution of the repository (deb URL CODENAME COMPONENT). Default: a flat repository (deb URL ./)." };
        var component = new Option<string>("--component") { Description = "deb: the component with --codename.", DefaultValueFactory = _ => InstallTestRequest.DefaultComponent };
        var packages = new Option<string[]>("--package") { Description = "A package to test (repeat or list several); each is tested alone, then all together.", AllowMultipleArgumentsPerToken = true };
        var smokeDir = new Option<string?>("--smoke-dir") { Description = "A distgit holding tests/smoke.sh, run in the system after the built-in check with the package name as $1 and CIJOBS_PACKAGE." };
        var target = new Option<InstallTarget>("--target") { Description = "root: a throwaway root made by cijobs, entered with chroot (needs root). node: this machine's own package manager (a throwaway CI node only).", DefaultValueFactory = _ => InstallTarget.Root };
        var rootCache = new Option<string?>("--root-cache") { Description = "Where the root target keeps its Debian root tarballs and base rpm. Default: $XDG_CACHE_HOME/cijobs/roots, else ~/.cache/cijobs/roots." };
        var rootCodename = new Option<string?>("--root-codename") { Description = "deb root target: the Debian release of the root. Default: --codename, else " + InstallTestRequest.DefaultCodename + "." };
        var mirror = new Option<string>("--mirror") { Description = "deb root target: the Debian mirror the root is made from.", DefaultValueFactory = _ => InstallTestRequest.DefaultMirror };
        var releaseVer = new Option<string>("--releasever") { Description = "rpm: dnf's $releasever.", DefaultValueFactory = _ => InstallTestRequest.DefaultReleaseVer };
        var format = OutputOptions.CreateFormatOption();

        var command = new Command(
            "install-test",
            "Install, smoke-test and remove each package of a test repository, one by one and then all together, in a clean system; " +
            "fails naming the package and the step (install, smoke, remove) when a package does not install, does not work, or leaves files behind.");
        var prepareRoot = new Option<bool>("--prepare-root")
        {
            Description = "Only make the root target's cached Debian root (deb: --root-codename, --mirror) or base rpm (rpm) in --root-cache, " +
                "print its path and exit; later runs and other callers wait for it and reuse it.",
        };
        foreach (var option in new Option[] { kind, repo, testRepo, codename, component, packages, smokeDir, target, rootCache, rootCodename, mirror, releaseVer, format, prepareRoot })
        {
            command.Options.Add(option);
        }

        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var packageKind = parseResult.GetValue(kind);
            if (parseResult.GetValue(prepareRoot))
            {
                var prepareRunner = new CliWrapProcessRunner();
                var prepareCache = new RootCache(
                    prepareRunner, parseResult.GetValue(rootCache) ?? RootCache.DefaultDirectory(SystemEnvironment.Instance), line => Console.Error.WriteLine("install-test: " + line));
                var path = packageKind == PackageKind.Deb
                    ? await prepareCache.DebianRootAsync(
                        InstallTestInputs.ValidateCodename(parseResult.GetValue(rootCodename) ?? parseResult.GetValue(codename) ?? InstallTestRequest.DefaultCodename),
                        InstallTestInputs.ValidateUrl(parseResult.GetValue(mirror)!, "--mirror"),
                        cancellationToken)
                    : await prepareCache.BaseRpmAsync(cancellationToken);
                await Console.Out.WriteLineAsync(path);
                return ExitCodes.Success;
            }

            string? repoUrl = parseResult.GetValue(repo);
            var givenCodename = parseResult.GetValue(codename);
            var givenComponent = parseResult.GetValue(component)!;
            var givenPackages = parseResult.GetValue(packages) ?? [];
            if (parseResult.GetValue(testRepo) is { } testRepoFile)
            {
                if (repoUrl is not null || givenPackages.Length > 0)
                {
                    throw new CiJobsException("give --testrepo, or --repo and --package, not both", InstallTestExitCodes.InvalidOption);
                }

                if (TestRepoPart.Read(testRepoFile.FullName, packageKind) is not { } part)
                {
                    await Console.Error.WriteLineAsync($"cijobs: install test: {testRepoFile.Name} has no {packageKind.ToString().ToLowerInvariant()} repository; nothing to test");
                    return ExitCodes.Success;
                }

                (repoUrl, givenCodename, givenComponent, givenPackages) = (part.Url, part.Codename, part.Component ?? givenComponent, [.. part.Packages]);
            }

            if (repoUrl is null || givenPackages.Length == 0)
            {
                throw new CiJobsException("give --repo and --package (or --testrepo)", InstallTestExitCodes.InvalidOption);
            }

            givenCodename = givenCodename is { } c ? InstallTestInputs.ValidateCodename(c) : null;
            var request = new InstallTestRequest
            {
                Kind = packageKind,
                RepoUrl = InstallTestInputs.ValidateUrl(repoUrl, "--repo"),
                Codename = givenCodename,
                Component = InstallTestInputs.ValidateComponent(givenComponent),
                Packages = givenPackages.Select(p => InstallTestInputs.ValidatePackage(packageKind, p)).Distinct(StringComparer.Ordinal).ToList(),
                SmokeDirectory = parseResult.GetValue(smokeDir) is { } dir ? InstallTestInputs.ValidateSmokeDirectory(dir) : null,
                Target = parseResult.GetValue(target),
                RootCodename = InstallTestInputs.ValidateCodename(parseResult.GetValue(rootCodename) ?? givenCodename ?? InstallTestRequest.DefaultCodename),
                Mirror = InstallTestInputs.ValidateUrl(parseResult.GetValue(mirror)!, "--mirror"),
                ReleaseVer = InstallTestInputs.ValidateReleaseVer(parseResult.GetValue(releaseVer)!),
            };
            if (request.Packages.Count == 0)
            {
                throw new CiJobsException("no --package given", InstallTestExitCodes.InvalidPackageName);
            }

            if (request.Target == InstallTarget.Root && !Environment.IsPrivilegedProcess)
            {
                throw new CiJobsException("the root target needs root (chroot, mount); run as root, or use --target node on a throwaway node", InstallTestExitCodes.SystemUnavailable);
            }

            var runner = new CliWrapProcessRunner();
            void Log(string line) => Console.Error.WriteLine("install-test: " + line);
            var cache = new RootCache(runner, parseResult.GetValue(rootCache) ?? RootCache.DefaultDirectory(SystemEnvironment.Instance), Log);
            IPackageManager manager = request.Kind == PackageKind.Deb
                ? new AptPackageManager(request.RepoUrl, request.Codename, request.Component)
                : new DnfPackageManager(runner, request.RepoUrl, request.ReleaseVer);
            ITestSystemFactory systems = (request.Target, request.Kind) switch
            {
                (InstallTarget.Node, _) => new NodeTestSystem(runner),
                (_, PackageKind.Deb) => new DebianRootFactory(runner, cache, request.RootCodename, request.Mirror),
                _ => new RpmRootFactory(runner, cache),
            };
            var result = await new InstallTestRunner(manager, systems, TimeProvider.System, Log).RunAsync(request, cancellationToken);

            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(result);
            }
            else
            {
                WriteText(result);
            }

            return result.Failure is null ? ExitCodes.Success : throw new CiJobsException(result.Failure, result.ExitCode);
        });
        return command;
    }

    private static void WriteText(InstallTestResult result)
    {
        foreach (var package in result.Together is null ? result.Packages : [.. result.Packages, result.Together])
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{package.Status.ToUpperInvariant()} {package.Name} ({package.DurationSeconds:0.0} s)"));
            foreach (var step in package.Steps)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {step.Name}: {step.Status} ({step.DurationSeconds:0.0} s){(step.Detail is null ? string.Empty : ": " + step.Detail)}"));
            }

            foreach (var warning in package.Warnings)
            {
                Console.Out.WriteLine("  warning: " + warning);
            }
        }
    }

    /// <summary>One part (rpm or deb) of the JSON <c>cijobs testrepo publish</c> prints, as the install test needs it.</summary>
    private sealed record TestRepoPart(string Url, string? Codename, string? Component, IReadOnlyList<string> Packages)
    {
        private const int MaxBytes = 4 * 1024 * 1024;

        public static TestRepoPart? Read(string path, PackageKind kind)
        {
            byte[] bytes;
            try
            {
                if (new FileInfo(path).Length > MaxBytes)
                {
                    throw Invalid(path, $"larger than {MaxBytes / (1024 * 1024)} MiB");
                }

                bytes = File.ReadAllBytes(path);
            }
            catch (IOException e)
            {
                throw new CiJobsException($"cannot read {path}: {e.Message}", ExitCodes.Io, e);
            }

            try
            {
                using var document = System.Text.Json.JsonDocument.Parse(bytes, new System.Text.Json.JsonDocumentOptions { MaxDepth = InputLimits.MaxDepth });
                var key = kind == PackageKind.Rpm ? "rpm" : "deb";
                if (document.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
                {
                    throw Invalid(path, "not a JSON object");
                }

                if (!document.RootElement.TryGetProperty(key, out var part) || part.ValueKind == System.Text.Json.JsonValueKind.Null)
                {
                    return null;
                }

                var url = Text(part, "url") ?? throw Invalid(path, $"{key}.url is missing");
                var packages = part.TryGetProperty("packages", out var list) && list.ValueKind == System.Text.Json.JsonValueKind.Array
                    ? list.EnumerateArray()
                        .Where(p => Text(p, "arch") is not ("src" or "source"))
                        .Select(p => Text(p, "name") ?? throw Invalid(path, $"a package of {key} has no name"))
                        .Distinct(StringComparer.Ordinal)
                        .ToList()
                    : throw Invalid(path, $"{key}.packages is missing");
                return new TestRepoPart(url, Text(part, "codename"), Text(part, "component"), packages);
            }
            catch (System.Text.Json.JsonException e)
            {
                throw Invalid(path, "not JSON: " + e.Message);
            }
        }

        private static string? Text(System.Text.Json.JsonElement element, string name) =>
            element.ValueKind == System.Text.Json.JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String
                ? value.GetString()
                : null;

        private static CiJobsException Invalid(string path, string why) => new($"{path} is not the JSON of cijobs testrepo publish: {why}", InstallTestExitCodes.InvalidOption);
    }
}
