using System.CommandLine;
using System.Reflection;
using CiJobs.Cli.Output;
using CiJobs.Core;
using CiJobs.Core.Builds;
using CiJobs.Core.Platform;
using CiJobs.Core.Provenance;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs build</c>: one package at given source and distgit commits into a DLRN data directory.</summary>
internal static class BuildCommand
{
    public static Command Create()
    {
        var rdoinfo = new Option<string>("--rdoinfo") { Description = "The rdoinfo checkout (folder holding rdo-full.yml) the package is resolved in.", Required = true };
        var entry = new Option<string>("--entry") { Description = "The rdoinfo entry file inside --rdoinfo.", DefaultValueFactory = _ => CiJobs.Core.Rdoinfo.RdoinfoLoader.DefaultEntryFile };
        var package = new Option<string>("--package") { Description = "Package to build: its rdoinfo name, project, or upstream/distgit URL.", Required = true };
        var release = new Option<string?>("--release") { Description = "Release whose tag applies (source-branch, distro-branch); the package must be in it. Default: no release tag." };
        var source = new Option<string?>("--source") { Description = "Source repository: a local git checkout (read only, never changed) or a URL to clone. Default: rdoinfo upstream." };
        var distgit = new Option<string?>("--distgit") { Description = "Distgit repository: a local git checkout (read only) or a URL to clone. Default: rdoinfo master-distgit." };
        var sourceRef = new Option<string?>("--source-ref") { Description = "Source commit, branch or tag. Default: rdoinfo source-branch for the release, else the release's upstream_branch, else HEAD." };
        var distgitRef = new Option<string?>("--distgit-ref") { Description = "Distgit commit, branch or tag. Default: rdoinfo distro-branch, else the release's branch, else HEAD." };
        var output = new Option<string>("--output") { Description = "DLRN data directory; the result goes to <output>/repos/<h[0:2]>/<h[2:4]>/<commit>_<distro[:8]>/.", Required = true };
        var dist = new Option<string>("--dist") { Description = "Value of the rpm dist macro.", DefaultValueFactory = _ => BuildRequest.DefaultDist };
        var keepVersion = new Option<bool>("--keep-version") { Description = "Keep the spec's Version instead of the source's last tag (DLRN_KEEP_VERSION)." };
        var keepChangelog = new Option<bool>("--keep-changelog") { Description = "Keep the distgit's %changelog entries (dropped by default, as DLRN does)." };
        var repoName = new Option<string>("--reponame") { Description = "Name of the .repo file and its section (DLRN reponame).", DefaultValueFactory = _ => BuildRequest.DefaultRepoName };
        var baseUrl = new Option<string?>("--baseurl") { Description = "URL where <output>/repos is served, for the .repo file. Default: its file:// URL." };
        var codename = new Option<string>("--codename") { Description = "Debian builds: the distribution of the changelog entry (the target's codename). Default: this machine's VERSION_CODENAME from /etc/os-release, else unstable.", DefaultValueFactory = _ => HostCodename() };
        var builderImage = new Option<string?>("--builder-image") { Description = $"The builder image, recorded in provenance.json. Default: {BuildProvenanceContext.BuilderImageVariable}, else \"unknown\"." };
        var buildrootRepo = new Option<string[]>("--buildroot-repo") { Description = "A package repository of the build root (URL or folder), recorded in provenance.json with the sha256 of its repodata/repomd.xml or Release when it is local. Repeatable.", AllowMultipleArgumentsPerToken = false };
        var jobUrl = new Option<string?>("--job-url") { Description = "The CI job's URL, recorded in provenance.json. Default: CIJOBS_JOB_URL, else CI_JOB_URL." };
        var jobPipeline = new Option<string?>("--job-pipeline") { Description = "The CI pipeline (Zuul pipeline name or GitLab pipeline URL). Default: CIJOBS_JOB_PIPELINE, else CI_PIPELINE_URL." };
        var jobChange = new Option<string?>("--job-change") { Description = "The change built (Zuul change, merge request). Default: CIJOBS_JOB_CHANGE, else CI_MERGE_REQUEST_IID." };
        var skipBuilt = new Option<bool>("--skip-built") { Description = "Skip the build when its input hash already has a successful build: the result folder it would write, or the truth store (--store, --store-url, CIJOBS_TRUTH_STORE). Prints that build; exit 0." };
        var bumpRelease = new Option<bool>("--bump-release-on-collision") { Description = "When the truth store (--store, --store-url, CIJOBS_TRUTH_STORE) holds a successful build of the package from other inputs with the same Version and a Release date at or after this build's, build at the newest such date + 1 s so the NVR sorts above it (docs/manual/mass-rebuild.md, \"Release bumps\")." };
        var store = new Option<string?>("--store") { Description = "With --skip-built or --bump-release-on-collision: the SQLite truth store file." };
        var storeUrl = new Option<string?>("--store-url") { Description = "With --skip-built or --bump-release-on-collision: a PostgreSQL truth store (postgresql://host:port/database?user=NAME; the password only in PGPASSWORD)." };
        var format = OutputOptions.CreateFormatOption();

        var command = new Command("build", "Build one package (source + distgit commits) into a DLRN-compatible result. A distgit with a spec builds with rpmbuild (RPMs, SRPM, repodata, a .repo file); a distgit with debian/ builds with dpkg-buildpackage (.deb, .dsc, .changes, .buildinfo, tarballs, a flat APT repository, a .list file). Both write commit.yaml, versions.csv and logs.");
        foreach (var option in new Option[] { rdoinfo, entry, package, release, source, distgit, sourceRef, distgitRef, output, dist, codename, keepVersion, keepChangelog, repoName, baseUrl, builderImage, buildrootRepo, jobUrl, jobPipeline, jobChange, skipBuilt, bumpRelease, store, storeUrl, format })
        {
            command.Options.Add(option);
        }

        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var request = new BuildRequest
            {
                RdoinfoDirectory = parseResult.GetValue(rdoinfo)!,
                RdoinfoEntryFile = parseResult.GetValue(entry)!,
                Package = parseResult.GetValue(package)!,
                Release = parseResult.GetValue(release),
                Source = parseResult.GetValue(source),
                Distgit = parseResult.GetValue(distgit),
                SourceRef = parseResult.GetValue(sourceRef),
                DistgitRef = parseResult.GetValue(distgitRef),
                OutputDirectory = parseResult.GetValue(output)!,
                Dist = PackageNames.ValidateDist(parseResult.GetValue(dist)!),
                KeepVersion = parseResult.GetValue(keepVersion),
                KeepChangelog = parseResult.GetValue(keepChangelog),
                RepoName = PackageNames.ValidateRepoName(parseResult.GetValue(repoName)!),
                BaseUrl = parseResult.GetValue(baseUrl),
            };
            var bump = parseResult.GetValue(bumpRelease);
            if (!parseResult.GetValue(skipBuilt) && !bump && (parseResult.GetValue(store) is not null || parseResult.GetValue(storeUrl) is not null))
            {
                throw new CiJobsException("--store and --store-url go with --skip-built or --bump-release-on-collision", Core.Truth.TruthExitCodes.StoreOption);
            }

            if (bump && parseResult.GetValue(store) is null && parseResult.GetValue(storeUrl) is null && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(TruthCommand.StoreVariable)))
            {
                throw new CiJobsException(
                    $"--bump-release-on-collision needs a truth store to read the published builds from: give --store FILE, --store-url URL or set {TruthCommand.StoreVariable}",
                    BuildExitCodes.InvalidOption);
            }

            var distribution = Core.Builds.Debian.DebianPackaging.ValidateDistribution(parseResult.GetValue(codename)!);
            var target = await BuildTargetResolver.ResolveAsync(request, cancellationToken);
            var runner = new CliWrapProcessRunner();
            var service = new PackageBuildService(runner, new RpmbuildPackageBuilder(runner), TimeProvider.System, line => Console.Error.WriteLine("build: " + line));
            var environment = SystemEnvironment.Instance;
            var buildroot = new List<ProvenanceBuildrootRepository>();
            foreach (var repository in parseResult.GetValue(buildrootRepo) ?? [])
            {
                buildroot.Add(await BuildProvenanceContext.BuildrootRepositoryAsync(repository, cancellationToken));
            }

            var provenance = new BuildProvenanceContext(
                CijobsVersion(),
                parseResult.GetValue(builderImage) ?? environment.GetVariable(BuildProvenanceContext.BuilderImageVariable),
                buildroot,
                BuildProvenanceContext.JobFrom(environment, parseResult.GetValue(jobUrl), parseResult.GetValue(jobPipeline), parseResult.GetValue(jobChange)));
            await using var truth = await OpenStoreAsync(parseResult.GetValue(skipBuilt) || bump, parseResult.GetValue(store), parseResult.GetValue(storeUrl), cancellationToken);
            var result = await service.BuildAsync(
                target,
                new PackageBuildService.OutputSettings(request.OutputDirectory, request.Dist, request.KeepVersion, request.KeepChangelog, request.RepoName, request.BaseUrl, distribution)
                {
                    Provenance = provenance,
                    SkipBuilt = parseResult.GetValue(skipBuilt) ? new PriorBuilds(truth) : null,
                    BumpRelease = bump && truth is Core.Truth.ITruthQueries queries ? new ReleaseCollisions(queries) : null,
                },
                cancellationToken);

            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(result);
            }
            else
            {
                WriteText(result);
            }

            return result.ExitCode == 0
                ? ExitCodes.Success
                : throw new CiJobsException($"build of {result.Package} FAILED: {result.Notes}; see {result.Log}", result.ExitCode);
        });
        return command;
    }

    /// <summary>The truth store --skip-built looks input hashes up in and --bump-release-on-collision reads published builds
    /// from: --store, --store-url, else CIJOBS_TRUTH_STORE when set; none when no store is named.</summary>
    private static async Task<Core.Truth.ITruthStore?> OpenStoreAsync(bool needed, string? store, string? storeUrl, CancellationToken cancellationToken)
    {
        if (!needed)
        {
            return null;
        }

        var variable = Environment.GetEnvironmentVariable(TruthCommand.StoreVariable);
        return store is null && storeUrl is null && string.IsNullOrWhiteSpace(variable)
            ? null
            : await TruthCommand.OpenAsync(store, storeUrl, variable, TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// <summary>The version of this cijobs (its informational version, docs/releasing.md), recorded in provenance.json.</summary>
    internal static string CijobsVersion() =>
        typeof(BuildCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>This machine's codename (VERSION_CODENAME in /etc/os-release), the default Debian distribution, when it is
    /// a valid distribution name: the default is read for every build, RPM ones too, and must never fail one.</summary>
    internal static string HostCodename()
    {
        try
        {
            var line = File.ReadLines("/etc/os-release").Take(100).FirstOrDefault(l => l.StartsWith("VERSION_CODENAME=", StringComparison.Ordinal));
            var value = line?["VERSION_CODENAME=".Length..].Trim().Trim('"');
            return value is not null && Core.Builds.Debian.DebianPackaging.IsDistribution(value) ? value : PackageBuildService.DefaultCodename;
        }
        catch (IOException)
        {
            return PackageBuildService.DefaultCodename;
        }
    }

    private static void WriteText(BuildResult result)
    {
        Console.Out.WriteLine(result.Version is null
            ? $"{result.Status} {result.Package}: {result.Notes}"
            : $"{result.Status} {result.Package} {result.Version}-{result.PackageRelease}");
        Console.Out.WriteLine($"  commit_hash {result.CommitHash} ({result.CommitBranch})");
        Console.Out.WriteLine($"  distro_hash {result.DistroHash} ({result.DistroBranch})");
        foreach (var nvra in result.Nvras)
        {
            Console.Out.WriteLine($"  {result.Format} {nvra}");
        }

        Console.Out.WriteLine($"  result {result.ResultPath}");
        if (result.RepoFile is not null)
        {
            Console.Out.WriteLine($"  repo {result.RepoFile}");
        }

        Console.Out.WriteLine($"  log {result.Log}");
        if (result.Reused is not null)
        {
            Console.Out.WriteLine($"  skipped: input hash {result.InputHash} already built by {result.Reused}");
        }

        if (result.ReleaseBumpedFrom is not null)
        {
            Console.Out.WriteLine($"  release bumped from {result.ReleaseBumpedFrom}");
        }
    }
}
