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
        var repo = new Option<string>("--repo") { Description = "The test repository URL: a createrepo_c repository (rpm) or an APT repository (deb).", Required = true };
        var codename = new Option<string?>("--codename") { Description = "deb: the distribution of the repository (deb URL CODENAME COMPONENT). Default: a flat repository (deb URL ./)." };
        var component = new Option<string>("--component") { Description = "deb: the component with --codename.", DefaultValueFactory = _ => InstallTestRequest.DefaultComponent };
        var packages = new Option<string[]>("--package") { Description = "A package to test (repeat or list several); each is tested alone, then all together.", Required = true, AllowMultipleArgumentsPerToken = true };
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
        foreach (var option in new Option[] { kind, repo, codename, component, packages, smokeDir, target, rootCache, rootCodename, mirror, releaseVer, format })
        {
            command.Options.Add(option);
        }

        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var packageKind = parseResult.GetValue(kind);
            var givenCodename = parseResult.GetValue(codename) is { } c ? InstallTestInputs.ValidateCodename(c) : null;
            var request = new InstallTestRequest
            {
                Kind = packageKind,
                RepoUrl = InstallTestInputs.ValidateUrl(parseResult.GetValue(repo)!, "--repo"),
                Codename = givenCodename,
                Component = InstallTestInputs.ValidateComponent(parseResult.GetValue(component)!),
                Packages = parseResult.GetValue(packages)!.Select(p => InstallTestInputs.ValidatePackage(packageKind, p)).Distinct(StringComparer.Ordinal).ToList(),
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
}
