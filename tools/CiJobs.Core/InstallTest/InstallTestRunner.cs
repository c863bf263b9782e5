using System.Globalization;
using CiJobs.Core.Platform;

namespace CiJobs.Core.InstallTest;

/// <summary>
/// The install test: each package alone, then all together, each in a fresh system where the target makes one
/// (docs/manual/install-test.md, "Steps"): record the system, install, smoke, remove, record again and compare.
/// </summary>
public sealed class InstallTestRunner(IPackageManager packageManager, ITestSystemFactory systems, TimeProvider time, Action<string>? log = null)
{
    /// <summary>How long an executable may take to answer --version or --help.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan SmokeTimeout = TimeSpan.FromMinutes(30);

    /// <summary>Folders whose executables the built-in check asks for --version / --help.</summary>
    public static IReadOnlyList<string> ExecutableFolders { get; } =
        ["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/usr/games"];

    /// <summary>At most this many executables are probed per package; the rest are named in a warning.</summary>
    public const int MaxProbes = 50;

    /// <summary>Where a copy of the smoke dir's tests/ goes inside a root.</summary>
    public const string SmokeStage = "/tmp/cijobs-smoke";

    private static readonly Dictionary<string, string?> NoVariables = [];

    public async Task<InstallTestResult> RunAsync(InstallTestRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetTimestamp();
        var results = new List<InstallTestPackageResult>();
        foreach (var package in request.Packages)
        {
            log?.Invoke($"{package}: testing alone");
            results.Add(await TestAsync(package, [package], request, cancellationToken));
        }

        InstallTestPackageResult? together = null;
        if (request.Packages.Count > 1)
        {
            var name = "all packages";
            if (results.TrueForAll(r => r.Status == InstallTestStatus.Passed))
            {
                log?.Invoke("all packages: testing together");
                together = await TestAsync(name, request.Packages, request, cancellationToken);
            }
            else
            {
                together = new InstallTestPackageResult(name, request.Packages, InstallTestStatus.Skipped, 0, [], ["skipped: a package failed alone"]);
            }
        }

        var failed = results.Append(together).OfType<InstallTestPackageResult>().FirstOrDefault(r => r.Status == InstallTestStatus.Failed);
        var failedStep = failed?.Steps.First(s => s.Status == InstallTestStatus.Failed);
        return new InstallTestResult(
            request.Kind.ToString().ToLowerInvariant(),
            request.Target.ToString().ToLowerInvariant(),
            request.RepoUrl,
            failed is null ? InstallTestStatus.Passed : InstallTestStatus.Failed,
            failedStep is null ? ExitCodes.Success : ExitCodeOf(failedStep),
            failed is null ? null : $"install test: {failed.Name}: {failedStep!.Name}: {failedStep.Detail}",
            Seconds(started),
            results,
            together);
    }

    private static int ExitCodeOf(InstallTestStep step) => step.Name switch
    {
        "install" => InstallTestExitCodes.InstallFailed,
        "smoke" => InstallTestExitCodes.SmokeFailed,
        _ when step.Detail?.Contains("left behind", StringComparison.Ordinal) == true => InstallTestExitCodes.LeftBehind,
        _ => InstallTestExitCodes.RemoveFailed,
    };

    private double Seconds(long started) => Math.Round(time.GetElapsedTime(started).TotalSeconds, 3);

    private async Task<InstallTestPackageResult> TestAsync(string name, IReadOnlyList<string> packages, InstallTestRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var steps = new List<InstallTestStep>();
        var warnings = new List<string>();
        var system = await systems.CreateAsync(cancellationToken);
        await using (system)
        {
            try
            {
                await RunStepsAsync(system, packages, request, steps, warnings, cancellationToken);
            }
            finally
            {
                if (system.IsHost)
                {
                    await packageManager.CleanUpAsync(system, CancellationToken.None);
                }
            }
        }

        var status = steps.Exists(s => s.Status == InstallTestStatus.Failed) ? InstallTestStatus.Failed : InstallTestStatus.Passed;
        return new InstallTestPackageResult(name, packages, status, Seconds(started), steps, warnings);
    }

    private async Task RunStepsAsync(ITestSystem system, IReadOnlyList<string> packages, InstallTestRequest request, List<InstallTestStep> steps, List<string> warnings, CancellationToken cancellationToken)
    {
        // install: the repository is read and the state recorded first, so the comparison sees only what the packages did.
        var step = time.GetTimestamp();
        var prepared = await packageManager.PrepareAsync(system, cancellationToken);
        if (prepared is not null)
        {
            steps.Add(Failed("install", step, $"test repository {request.RepoUrl}: {packageManager.Explain(prepared)}", prepared));
            steps.Add(Skipped("smoke"));
            steps.Add(Skipped("remove"));
            return;
        }

        var filesBefore = FileSnapshot.Take(system);
        var databaseBefore = await packageManager.DatabaseAsync(system, cancellationToken);
        var installed = await packageManager.InstallAsync(system, packages, cancellationToken);
        var installProblem = installed.Succeeded ? packageManager.HiddenFailure(installed) : packageManager.Explain(installed);
        if (installProblem is not null)
        {
            steps.Add(Failed("install", step, installProblem, installed));
            steps.Add(Skipped("smoke"));
            steps.Add(Skipped("remove"));
            if (system.IsHost)
            {
                await packageManager.RemoveAsync(system, packages, CancellationToken.None); // Leave the node as it was, as far as possible.
            }

            return;
        }

        steps.Add(Passed("install", step, installed));

        // smoke
        step = time.GetTimestamp();
        var smokeProblem = default(string);
        ProcessResult? smokeOutput = null;
        foreach (var package in packages)
        {
            (smokeProblem, smokeOutput) = await SmokeAsync(system, package, request.SmokeDirectory, warnings, cancellationToken);
            if (smokeProblem is not null)
            {
                smokeProblem = packages.Count > 1 ? $"{package}: {smokeProblem}" : smokeProblem;
                break;
            }
        }

        steps.Add(smokeProblem is null ? Passed("smoke", step, smokeOutput) : Failed("smoke", step, smokeProblem, smokeOutput));

        // remove, then compare
        step = time.GetTimestamp();
        var removed = await packageManager.RemoveAsync(system, packages, cancellationToken);
        var removeProblem = removed.Succeeded ? packageManager.HiddenFailure(removed) : packageManager.Explain(removed);
        if (removeProblem is not null)
        {
            steps.Add(Failed("remove", step, removeProblem, removed));
            return;
        }

        var leftFiles = FileSnapshot.LeftBehind(filesBefore, FileSnapshot.Take(system), packageManager.AllowedLeftovers, packageManager.DeniedLeftovers);
        var databaseAfter = await packageManager.DatabaseAsync(system, cancellationToken);
        var leftPackages = databaseAfter.Where(p => !databaseBefore.Contains(p)).Order(StringComparer.Ordinal).ToList();
        var left = new List<string>();
        if (leftFiles.Count > 0)
        {
            left.Add("files left behind: " + List(leftFiles));
        }

        if (leftPackages.Count > 0)
        {
            left.Add("packages left behind: " + List(leftPackages));
        }

        steps.Add(left.Count == 0 ? Passed("remove", step, removed) : Failed("remove", step, string.Join("; ", left), removed));
    }

    private static string List(IReadOnlyList<string> items) =>
        string.Join(", ", items.Take(20)) + (items.Count > 20 ? string.Create(CultureInfo.InvariantCulture, $" and {items.Count - 20} more") : string.Empty);

    /// <summary>The built-in check, then tests/smoke.sh when a smoke dir is given; returns the problem or null.</summary>
    private async Task<(string? Problem, ProcessResult? Output)> SmokeAsync(ITestSystem system, string package, string? smokeDirectory, List<string> warnings, CancellationToken cancellationToken)
    {
        var owned = await packageManager.OwnedFilesAsync(system, package, cancellationToken);
        var missing = owned.Where(path => !Exists(system.HostPath(path))).ToList();
        if (missing.Count > 0)
        {
            return ("files the package owns are missing: " + List(missing), null);
        }

        var executables = owned
            .Where(path => ExecutableFolders.Any(folder => Path.GetDirectoryName(path) == folder))
            .Where(path => IsExecutableFile(system, path))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        foreach (var executable in executables.Take(MaxProbes))
        {
            if (!await AnswersAsync(system, executable, "--version", cancellationToken) && !await AnswersAsync(system, executable, "--help", cancellationToken))
            {
                warnings.Add($"{package}: {executable} answers neither --version nor --help with exit status 0");
            }
        }

        if (executables.Count > MaxProbes)
        {
            warnings.Add($"{package}: {executables.Count - MaxProbes} more executables not probed (at most {MaxProbes})");
        }

        if (smokeDirectory is null)
        {
            return (null, null);
        }

        var stage = await StageAsync(system, smokeDirectory, cancellationToken);
        try
        {
            // cd into the distgit copy, then run the script with sh: it needs no execute bit and sees its sibling files.
            var result = await system.RunAsync(
                "/bin/sh",
                ["-c", "cd \"$1\" && shift && exec /bin/sh tests/smoke.sh \"$@\"", "cijobs-smoke", stage, package],
                new Dictionary<string, string?> { ["CIJOBS_PACKAGE"] = package },
                SmokeTimeout,
                cancellationToken);
            return result.Succeeded
                ? (null, result)
                : (string.Create(CultureInfo.InvariantCulture, $"tests/smoke.sh exited {result.ExitCode}"), result);
        }
        finally
        {
            if (!system.IsHost)
            {
                Directory.Delete(system.HostPath(stage), recursive: true);
            }
        }
    }

    /// <summary>A root gets a copy of the distgit's tests/ folder (links resolved, checked by InstallTestInputs); a node uses the distgit where it is.</summary>
    private static async Task<string> StageAsync(ITestSystem system, string smokeDirectory, CancellationToken cancellationToken)
    {
        if (system.IsHost)
        {
            return smokeDirectory;
        }

        var stage = SmokeStage + "-" + Guid.NewGuid().ToString("N");
        var target = system.HostPath(stage);
        var source = Path.Join(smokeDirectory, "tests");
        foreach (var file in Directory.EnumerateFiles(source, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var copy = Path.Join(target, "tests", Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            await using var from = File.OpenRead(file);
            await using var to = File.Create(copy);
            await from.CopyToAsync(to, cancellationToken);
        }

        return stage;
    }

    private async Task<bool> AnswersAsync(ITestSystem system, string executable, string option, CancellationToken cancellationToken)
    {
        try
        {
            return (await system.RunAsync(executable, [option], NoVariables, ProbeTimeout, cancellationToken)).Succeeded;
        }
        catch (CiJobsException) when (!cancellationToken.IsCancellationRequested)
        {
            return false; // Did not finish in time, or cannot be started.
        }
    }

    private static bool Exists(string hostPath) => File.Exists(hostPath) || Directory.Exists(hostPath) || new FileInfo(hostPath).LinkTarget is not null;

    /// <summary>A regular file with an execute bit, following links inside the system (an absolute link target is the system's path).</summary>
    private static bool IsExecutableFile(ITestSystem system, string pathInSystem)
    {
        var path = pathInSystem;
        for (var hops = 0; hops < 16; hops++)
        {
            var info = new FileInfo(system.HostPath(path));
            if (info.LinkTarget is not { } target)
            {
                return info.Exists && (info.UnixFileMode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
            }

            path = Path.GetFullPath(target, Path.GetDirectoryName(path)!);
        }

        return false;
    }

    private InstallTestStep Passed(string name, long started, ProcessResult? output) =>
        new(name, InstallTestStatus.Passed, Seconds(started), null, OutputTail.Of(output));

    private InstallTestStep Failed(string name, long started, string detail, ProcessResult? output) =>
        new(name, InstallTestStatus.Failed, Seconds(started), detail, OutputTail.Of(output));

    private static InstallTestStep Skipped(string name) => new(name, InstallTestStatus.Skipped, 0, null, []);
}
